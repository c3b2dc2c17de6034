//! What a bulk invitation sends and what it answers locally, as the official SDK's
//! `organization.invite_users` does: an address over [`MAX_INVITE_EMAIL_CHARS`] once trimmed
//! is [`InviteStatus::InvalidEmail`], a repeat of an earlier address of the same call
//! (trimmed, compared without case) is [`InviteStatus::Duplicate`], and the rest go to the
//! server once each, in first-seen order, in requests of [`INVITE_BATCH_SIZE`]. No request is
//! needed to know any of it, so it is a pure function with tests of its own.

use std::collections::HashMap;

use crate::{InviteResult, InviteStatus, MAX_INVITE_EMAIL_CHARS};

/// Where the result of one input address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The `n`th address sent.
    Sent(usize),
    /// The `n`th address answered locally as invalid.
    Invalid(usize),
}

/// One input address: its first occurrence, or a repeat of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    First(Source),
    Repeat(Source),
}

/// A bulk invitation planned: the addresses to send and how to answer every input address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvitePlan {
    /// The addresses to send, each once, in first-seen order (as given, or trimmed when the
    /// untrimmed text is over the limit, as the official SDK sends them).
    pub(crate) to_send: Vec<String>,
    invalid: Vec<InviteResult>,
    slots: Vec<Slot>,
}

impl InvitePlan {
    /// Plans `emails`.
    pub(crate) fn new<I, S>(emails: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut first: HashMap<String, Source> = HashMap::new();
        let mut plan = InvitePlan {
            to_send: Vec::new(),
            invalid: Vec::new(),
            slots: Vec::new(),
        };
        for email in emails {
            let email = email.as_ref();
            let trimmed = email.trim();
            let key = trimmed.to_lowercase();
            if let Some(source) = first.get(&key) {
                plan.slots.push(Slot::Repeat(*source));
                continue;
            }
            let source = if trimmed.chars().count() > MAX_INVITE_EMAIL_CHARS {
                plan.invalid.push(InviteResult::new(
                    trimmed,
                    InviteStatus::InvalidEmail,
                    None,
                    None,
                ));
                Source::Invalid(plan.invalid.len() - 1)
            } else {
                let sent = if email.chars().count() > MAX_INVITE_EMAIL_CHARS {
                    trimmed
                } else {
                    email
                };
                plan.to_send.push(sent.to_owned());
                Source::Sent(plan.to_send.len() - 1)
            };
            first.insert(key, source);
            plan.slots.push(Slot::First(source));
        }
        plan
    }

    /// One result per input address, in input order, given the server's results for
    /// [`InvitePlan::to_send`] (one each, in order). A repeat names the address of its first
    /// occurrence.
    pub(crate) fn answer(&self, sent: &[InviteResult]) -> Vec<InviteResult> {
        let result_of = |source: Source| match source {
            Source::Sent(i) => &sent[i],
            Source::Invalid(i) => &self.invalid[i],
        };
        self.slots
            .iter()
            .map(|slot| match *slot {
                Slot::First(source) => result_of(source).clone(),
                Slot::Repeat(source) => InviteResult::new(
                    result_of(source).email.clone(),
                    InviteStatus::Duplicate,
                    None,
                    None,
                ),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invited(email: &str) -> InviteResult {
        InviteResult::new(email, InviteStatus::Invited, None, Some("i".into()))
    }

    #[test]
    fn repeats_and_over_long_addresses_are_answered_locally_in_input_order() {
        let long = format!("{}@example.com", "a".repeat(MAX_INVITE_EMAIL_CHARS));
        let padded_ok = format!(" {}@x.io ", "b".repeat(MAX_INVITE_EMAIL_CHARS - 5));
        let emails = [
            "Ada@example.com".to_owned(),
            long.clone(),
            " ada@EXAMPLE.com".to_owned(),
            "bob@example.com".to_owned(),
            long.to_uppercase(),
            padded_ok.clone(),
        ];
        let plan = InvitePlan::new(&emails);
        // The over-long one is never sent; a padded address over the limit only untrimmed
        // is sent trimmed; the others as given.
        assert_eq!(
            plan.to_send,
            [
                "Ada@example.com".to_owned(),
                "bob@example.com".to_owned(),
                padded_ok.trim().to_owned()
            ]
        );
        let sent: Vec<InviteResult> = plan.to_send.iter().map(|e| invited(e)).collect();
        let answered = plan.answer(&sent);
        let statuses: Vec<(&str, &InviteStatus)> = answered
            .iter()
            .map(|r| (r.email.as_str(), &r.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("Ada@example.com", &InviteStatus::Invited),
                (long.as_str(), &InviteStatus::InvalidEmail),
                ("Ada@example.com", &InviteStatus::Duplicate),
                ("bob@example.com", &InviteStatus::Invited),
                (long.as_str(), &InviteStatus::Duplicate),
                (padded_ok.trim(), &InviteStatus::Invited),
            ]
        );
        assert_eq!(answered[2].invite_id, None);
        assert_eq!(answered[0].invite_id, Some("i".into()));
    }

    #[test]
    fn the_limit_is_in_characters_not_bytes() {
        let at_limit = format!("{}@x.io", "é".repeat(MAX_INVITE_EMAIL_CHARS - 5));
        assert_eq!(at_limit.chars().count(), MAX_INVITE_EMAIL_CHARS);
        assert_eq!(InvitePlan::new([&at_limit]).to_send, [at_limit.as_str()]);
        assert!(InvitePlan::new([format!("{at_limit}x")]).to_send.is_empty());
    }

    #[test]
    fn nothing_to_plan() {
        let plan = InvitePlan::new(Vec::<String>::new());
        assert!(plan.to_send.is_empty());
        assert!(plan.answer(&[]).is_empty());
    }
}
