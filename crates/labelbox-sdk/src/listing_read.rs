//! The listing's one-pass reader: the common `ListApiKeys` answer read from the body's bytes
//! straight into [`ApiKey`]s, without the generated types, a `serde_json` deserializer or
//! intermediate strings and vectors.
//!
//! It reads only what the SDK's other paths read alike: a JSON object whose `data.user`
//! holds `id`, `apiKeys` and `apiKeysOtherUsers`, each key with the fragment's ten fields
//! once, every value of the kind the schema gives it, `errors` and `message` absent or null,
//! an `extensions` member of any JSON value (skipped, as the typed paths ignore it),
//! whitespace anywhere JSON allows it. Anything else (another field, a repeated one, a value
//! the domain mapping refuses, a body that is not UTF-8 or not JSON) is `None`, and the
//! transport falls back to [`decode_success`](crate::decode::decode_success) and then to the
//! `Value` path, which name the failing field without quoting its value. The fuzz target
//! `response_decode` asserts that where this reader accepts a body, the `Value` path
//! gives the same keys (`crate::__fuzz::decode`).
//!
//! A decline of a status-200 body is logged as one `debug` event (target
//! `labelbox_sdk::listing_read`, no content of the body: a static `reason` naming the part
//! of the answer, such as `data.user` or `a key`), so that a server that starts
//! answering in a shape the reader does not take shows in the logs instead of only in the
//! client's CPU time.

use std::borrow::Cow;
use std::str::FromStr;

use labelbox_schema::scalars::DateTime;
use time::OffsetDateTime;

use crate::convert::SharedUserIds;
use crate::{AllowedIp, ApiKey, UserId};

/// A listing as the reader returns it: the caller's own user id and every key (own keys,
/// then other users'; expired ones included).
#[derive(Debug, PartialEq)]
pub(crate) struct Listing {
    pub(crate) caller: UserId,
    pub(crate) keys: Vec<ApiKey>,
}

/// Reads a `ListApiKeys` answer with status 200; `None` for anything it does not read
/// exactly as the other paths would (see the module's documentation).
pub(crate) fn read_listing(body: &[u8]) -> Option<Listing> {
    match read(body) {
        Ok(listing) => Some(listing),
        Err(part) => {
            // No part of the body and no value: only where in the answer's shape it was.
            tracing::debug!(
                operation = "ListApiKeys",
                reason = part,
                "listing reader declined the body; typed decode used"
            );
            None
        }
    }
}

/// The listing, or the part of the answer where the reader declined it (a static text).
fn read(body: &[u8]) -> Result<Listing, &'static str> {
    // One UTF-8 check of the whole body (the `Value` path rejects invalid UTF-8 anywhere);
    // then every string is a slice of `text` between two ASCII quotes.
    let text = std::str::from_utf8(body).map_err(|_| "not UTF-8")?;
    let mut reader = Reader::new(text);
    let listing = reader.envelope().ok_or(reader.part)?;
    reader.skip_whitespace();
    (reader.pos == text.len())
        .then_some(listing)
        .ok_or("after the top-level object")
}

/// The parts of the answer a decline is reported in ([`Reader::part`]).
const TOP_LEVEL: &str = "the top-level object";
const IN_DATA: &str = "data";
const IN_USER: &str = "data.user";
const IN_KEY: &str = "a key";
const IN_EXTENSIONS: &str = "extensions";

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// The user ids met: the keys of one user share its [`UserId`].
    users: SharedUserIds,
    /// The first few allowlist entries met, each with its parsed value.
    entries: Vec<(&'a str, AllowedIp)>,
    /// The last date-time read, and its text.
    last_date: Option<(&'a str, OffsetDateTime)>,
    /// The part of the answer being read (one of `TOP_LEVEL`, `IN_DATA`, ...): where a
    /// decline happened, for its log event.
    part: &'static str,
}

/// How many distinct allowlist entries [`Reader::allowlist`] remembers.
const SHARED_ENTRIES: usize = 8;

/// The names the reader reads above the keys: `data.user` and the user's fields (the
/// operation's selection, `queries/list_api_keys.graphql`; a test keeps them equal).
const USER: &str = "user";
const CALLER_ID: &str = "id";
const OWN_KEYS: &str = "apiKeys";
const OTHER_KEYS: &str = "apiKeysOtherUsers";

/// The fields of the `ApiKeyFields` fragment, in its order.
const KEY_FIELDS: [&str; 10] = [
    "id",
    "name",
    "createdAt",
    "updatedAt",
    "revoked",
    "expiresAtEpoch",
    "userId",
    "userEmail",
    "createdByUserId",
    "allowedIpCidrs",
];

/// About the fewest bytes a key of the fragment can take in a body: its field names with
/// their quotes and colons (119), commas and braces (11), two dates (at least 12 each with
/// quotes), `false`, an epoch, two `null`s and four empty strings. The listing's vector is
/// sized from the first key's length (keys of one listing are alike: the rest of the body
/// over it, a little under the count when later keys are longer), never from a shorter
/// length than this, so that it never reserves much more than the body's size.
const MIN_KEY_BYTES: usize = 170;

/// Whether two short byte strings are equal, compared inline (a `memcmp` call costs more
/// than the comparison of a key's name or an id).
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a_words, mut b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
    (&mut a_words)
        .zip(&mut b_words)
        .all(|(x, y)| word(x) == word(y))
        && a_words
            .remainder()
            .iter()
            .zip(b_words.remainder())
            .all(|(x, y)| x == y)
}

/// Stores a field's value, refusing a second one (a `Value` map would keep the last, the
/// typed decoding refuses it: left to the other paths).
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            users: SharedUserIds::default(),
            entries: Vec::new(),
            last_date: None,
            part: TOP_LEVEL,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes().get(self.pos).copied()
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// `word` (`null`, `true`, `false`) after whitespace, consumed if present and not
    /// followed by another letter or digit (`nullx` is not `null`).
    fn literal(&mut self, word: &str) -> bool {
        self.skip_whitespace();
        let rest = &self.bytes()[self.pos..];
        let found = rest.starts_with(word.as_bytes())
            && !rest
                .get(word.len())
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if found {
            self.pos += word.len();
        }
        found
    }

    /// An object, `field` called with each key (unescaped keys only: an escaped one is
    /// left to the other paths) and the reader positioned at its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            field(self, key)?;
            if self.object_ends()? {
                return Some(());
            }
        }
    }

    /// An object whose keys are all among `names`, `field` called with each key's index
    /// and the reader positioned at its value. A key written as `"name":` right after the
    /// one before it in `names` (the order a server answers in) is recognised with one
    /// comparison.
    fn object_of(
        &mut self,
        names: &[&str],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        let mut next = 0;
        loop {
            let rest = &self.bytes()[self.pos..];
            let index = match names.get(next) {
                Some(name)
                    if rest.len() > name.len() + 2
                        && rest[0] == b'"'
                        && same(&rest[1..=name.len()], name.as_bytes())
                        && rest[name.len() + 1] == b'"'
                        && rest[name.len() + 2] == b':' =>
                {
                    self.pos += name.len() + 3;
                    next
                }
                _ => {
                    let key = self.key()?;
                    names.iter().position(|name| *name == key)?
                }
            };
            field(self, index)?;
            next = index + 1;
            if self.object_ends()? {
                return Some(());
            }
        }
    }

    /// A key and its colon.
    fn key(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = start + self.string_run();
        if self.bytes().get(end) != Some(&b'"') {
            return None;
        }
        let key = &self.text[start..end];
        self.pos = end + 1;
        self.expect(b':')?;
        Some(key)
    }

    /// After a member: `,` (another follows) or `}` (the object ends, `true`).
    fn object_ends(&mut self) -> Option<bool> {
        let end = match self.peek()? {
            b',' => false,
            b'}' => true,
            _ => return None,
        };
        self.pos += 1;
        Some(end)
    }

    /// An array, `item` called with the reader positioned at each element.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The length of the plain run of string content at the position: up to a quote, a
    /// backslash or a control character (which JSON forbids unescaped), or the end.
    #[inline]
    fn string_run(&self) -> usize {
        let rest = &self.bytes()[self.pos..];
        let mut run = 0;
        // Eight bytes at a time: the lowest flagged byte of each test is a real match (a
        // borrow can only flag bytes above one), so the lowest of all three is the first.
        while let Some(chunk) = rest.get(run..run + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            let below =
                |word: u64, byte: u8| word.wrapping_sub(u64::from(byte) * ONES) & !word & HIGH_BITS;
            let hits = below(word ^ (u64::from(b'"') * ONES), 1)
                | below(word ^ (u64::from(b'\\') * ONES), 1)
                | below(word, 0x20);
            if hits != 0 {
                return run + (hits.trailing_zeros() / 8) as usize;
            }
            run += 8;
        }
        run + rest[run..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len() - run)
    }

    /// A string value, borrowed from the body unless it has escapes.
    #[inline]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = start + self.string_run();
        match self.bytes().get(end)? {
            b'"' => {
                self.pos = end + 1;
                Some(Cow::Borrowed(&self.text[start..end]))
            }
            b'\\' => {
                let mut owned = String::with_capacity(end - start + 8);
                owned.push_str(&self.text[start..end]);
                self.pos = end;
                self.escaped_rest(&mut owned)?;
                Some(Cow::Owned(owned))
            }
            _ => None,
        }
    }

    /// The rest of a string from a backslash on, unescaped into `out`. A lone surrogate
    /// is refused, as `serde_json` refuses it in a string it decodes.
    fn escaped_rest(&mut self, out: &mut String) -> Option<()> {
        loop {
            let run = self.string_run();
            out.push_str(&self.text[self.pos..self.pos + run]);
            self.pos += run;
            match *self.bytes().get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => {
                    let escape = *self.bytes().get(self.pos + 1)?;
                    self.pos += 2;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            let c = match unit {
                                0xD800..=0xDBFF => {
                                    if !self.bytes()[self.pos..].starts_with(b"\\u") {
                                        return None;
                                    }
                                    self.pos += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&low) {
                                        return None;
                                    }
                                    let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                    char::from_u32(scalar)?
                                }
                                0xDC00..=0xDFFF => return None,
                                _ => char::from_u32(unit)?,
                            };
                            out.push(c);
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes().get(self.pos..self.pos + 4)?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(value)
    }

    /// An integer as `serde_json` reads one into an `i64`: no fraction, no exponent, no
    /// leading zero, within range, not `-0` (a float to `serde_json`).
    fn integer(&mut self) -> Option<i64> {
        self.skip_whitespace();
        let negative = self.bytes().get(self.pos) == Some(&b'-');
        let start = self.pos + usize::from(negative);
        let digits = self.bytes()[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = start + digits;
        if digits == 0
            || (digits > 1 && self.bytes()[start] == b'0')
            || matches!(self.bytes().get(end), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let value = i64::from_str(&self.text[self.pos..end]).ok()?;
        if negative && value == 0 {
            return None;
        }
        self.pos = end;
        Some(value)
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.literal("true") {
            Some(true)
        } else if self.literal("false") {
            Some(false)
        } else {
            None
        }
    }

    /// `{"data": {...}}`, with `errors` and `message` absent or null and `extensions`
    /// (any JSON value, at most once) skipped.
    fn envelope(&mut self) -> Option<Listing> {
        let mut listing = None;
        let mut extensions = None;
        self.object(|r, key| match key {
            "data" => {
                let data = r.data()?;
                r.part = TOP_LEVEL;
                once(&mut listing, data)
            }
            "errors" | "message" => r.literal("null").then_some(()),
            "extensions" => {
                r.part = IN_EXTENSIONS;
                r.skip_value()?;
                r.part = TOP_LEVEL;
                once(&mut extensions, ())
            }
            _ => None,
        })?;
        listing
    }

    /// Skips one JSON value, checked by `serde_json` as the `Value` path checks it (a
    /// number out of range, a lone surrogate or nesting too deep is refused alike). Only
    /// `extensions` takes this path, so its allocations do not matter.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_whitespace();
        let mut values = serde_json::Deserializer::from_slice(&self.bytes()[self.pos..])
            .into_iter::<serde_json::Value>();
        values.next()?.ok()?;
        // After the value: where the stream stopped (it checked that a delimiter follows).
        self.pos += values.byte_offset();
        Some(())
    }

    /// `data`: `{"user": {...}}` (a null user is left to the other paths, which report it).
    fn data(&mut self) -> Option<Listing> {
        let mut listing = None;
        self.part = IN_DATA;
        self.object(|r, key| match key {
            USER => {
                let user = r.user()?;
                r.part = IN_DATA;
                once(&mut listing, user)
            }
            _ => None,
        })?;
        listing
    }

    fn user(&mut self) -> Option<Listing> {
        let mut caller = None;
        // Both lists go into one vector, sized once the first key is read (see `MIN_KEY_BYTES`).
        let mut keys: Vec<ApiKey> = Vec::new();
        let mut own: Option<(usize, usize)> = None;
        let mut others: Option<(usize, usize)> = None;
        self.part = IN_USER;
        self.object(|r, key| match key {
            CALLER_ID => once(&mut caller, r.user_id()?),
            OWN_KEYS | OTHER_KEYS => {
                let start = keys.len();
                r.array(|r| {
                    let start = r.pos;
                    let key = r.api_key()?;
                    r.part = IN_USER;
                    if keys.capacity() == 0 {
                        // Room for as many more keys of the first one's length as the rest
                        // of the body can hold, instead of growing (and copying) the vector.
                        let per_key = (r.pos - start).max(MIN_KEY_BYTES);
                        keys.reserve(1 + (r.text.len() - r.pos) / per_key);
                    }
                    keys.push(key);
                    Some(())
                })?;
                let slot = if key == OWN_KEYS {
                    &mut own
                } else {
                    &mut others
                };
                once(slot, (start, keys.len()))
            }
            _ => None,
        })?;
        let (own, others) = (own?, others?);
        if others.0 < own.0 {
            // Other users' keys came first in the body: own keys first, as the other paths.
            keys.rotate_left(others.1);
        }
        Some(Listing {
            caller: caller?,
            keys,
        })
    }

    /// One key of the `ApiKeyFields` fragment, mapped as `convert::api_key` maps it.
    fn api_key(&mut self) -> Option<ApiKey> {
        let mut id = None;
        let mut name = None;
        let mut created_at = None;
        let mut updated_at = None;
        let mut revoked = None;
        let mut expires_at = None;
        let mut user_id = None;
        let mut user_email = None;
        let mut created_by = None;
        let mut allowed = None;
        self.part = IN_KEY;
        self.object_of(&KEY_FIELDS, |r, index| match index {
            0 => once(&mut id, r.string()?),
            1 => once(&mut name, r.string()?),
            2 => once(&mut created_at, r.date_time()?),
            3 => once(&mut updated_at, r.date_time()?),
            4 => once(&mut revoked, r.boolean()?),
            5 => once(
                &mut expires_at,
                OffsetDateTime::from_unix_timestamp(r.integer()?).ok()?,
            ),
            6 => once(&mut user_id, r.user_id()?),
            7 => once(&mut user_email, r.string()?),
            8 => {
                let value = if r.literal("null") {
                    None
                } else {
                    Some(r.user_id()?)
                };
                once(&mut created_by, value)
            }
            9 => {
                let value = if r.literal("null") {
                    Vec::new()
                } else {
                    r.allowlist()?
                };
                once(&mut allowed, value)
            }
            _ => None,
        })?;
        let mut key = ApiKey::new(
            id?.into_owned(),
            name?.into_owned(),
            user_id?,
            user_email?.into_owned(),
            created_at?,
            expires_at?,
        );
        key.updated_at = updated_at?;
        key.revoked = revoked?;
        key.created_by_user_id = created_by?;
        key.allowed_ip_cidrs = allowed?;
        Some(key)
    }

    /// A user id, shared with the earlier keys that name the same user.
    #[inline]
    fn user_id(&mut self) -> Option<UserId> {
        let text = self.string()?;
        Some(self.users.get(&text))
    }

    /// A date-time; the same text as the last one (a key's `updatedAt` is often its
    /// `createdAt`, keys are created in batches) is not parsed again.
    fn date_time(&mut self) -> Option<OffsetDateTime> {
        let text = self.string()?;
        if let Some((last, value)) = self.last_date {
            if same(last.as_bytes(), text.as_bytes()) {
                return Some(value);
            }
        }
        let value = DateTime::from_str(&text).ok()?.into_inner();
        if let Cow::Borrowed(text) = text {
            self.last_date = Some((text, value));
        }
        Some(value)
    }

    /// An allowlist; an entry's text met before (keys often share allowlists) is not
    /// parsed again.
    fn allowlist(&mut self) -> Option<Vec<AllowedIp>> {
        let mut entries = Vec::new();
        self.array(|r| {
            let text = r.string()?;
            let known = r
                .entries
                .iter()
                .find(|(known, _)| same(known.as_bytes(), text.as_bytes()));
            let entry = match known {
                Some((_, entry)) => *entry,
                None => {
                    let entry = AllowedIp::parse_lenient(&text).ok()?;
                    if let (Cow::Borrowed(text), true) = (text, r.entries.len() < SHARED_ENTRIES) {
                        r.entries.push((text, entry));
                    }
                    entry
                }
            };
            entries.push(entry);
            Some(())
        })?;
        Some(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = r#"{"id":"k1","name":"ci","createdAt":"2026-11-30T12:34:56.690Z","updatedAt":"2026-11-30T12:34:57Z","revoked":false,"expiresAtEpoch":1798634096,"userId":"u1","userEmail":"a@example.com","createdByUserId":"u2","allowedIpCidrs":["127.0.0.1","10.0.0.0/8"]}"#;

    fn body(own: &str, others: &str) -> String {
        format!(
            r#"{{"data":{{"user":{{"id":"u1","apiKeys":[{own}],"apiKeysOtherUsers":[{others}]}}}}}}"#
        )
    }

    /// The reader's answer, after checking (through the fuzz entry point, which panics on
    /// a disagreement) that the typed paths read the body alike.
    fn read(body: &str) -> Option<Listing> {
        let _ = crate::__fuzz::decode("ListApiKeys", 200, body.as_bytes());
        read_listing(body.as_bytes())
    }

    #[test]
    fn a_decline_names_the_part_of_the_answer_it_happened_in() {
        let plain = body(KEY, "");
        for (text, part) in [
            (
                plain.replace(r#""data":"#, r#""__typename":"Query","data":"#),
                TOP_LEVEL,
            ),
            (
                plain.replace(r#""data":"#, r#""extensions":[1,],"data":"#),
                IN_EXTENSIONS,
            ),
            (
                plain.replace(r#""user":"#, r#""viewer":null,"user":"#),
                IN_DATA,
            ),
            (
                plain.replace(r#""id":"u1","#, r#""id":"u1","org":1,"#),
                IN_USER,
            ),
            (plain.replace(r#","apiKeysOtherUsers":[]"#, ""), IN_USER),
            (body(&KEY.replace("false", "null"), ""), IN_KEY),
            (plain.clone() + "{}", "after the top-level object"),
        ] {
            assert_eq!(super::read(text.as_bytes()).err(), Some(part), "{text}");
        }
        assert_eq!(super::read(b"\xff").err(), Some("not UTF-8"));
        assert!(super::read(plain.as_bytes()).is_ok());
    }

    fn typed(body: &str) -> Vec<ApiKey> {
        crate::__fuzz::decode_listing_typed(200, body.as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_common_answer_as_the_typed_paths_do() {
        let text = body(KEY, &KEY.replace("k1", "k2").replace(r#""u2""#, "null"));
        let listing = read(&text).unwrap();
        assert_eq!(listing.caller, UserId::from("u1"));
        assert_eq!(listing.keys, typed(&text));
        let [own, other] = &listing.keys[..] else {
            panic!("{listing:?}")
        };
        assert_eq!((own.id.as_str(), other.id.as_str()), ("k1", "k2"));
        assert_eq!(own.created_by_user_id, Some(UserId::from("u2")));
        assert_eq!(other.created_by_user_id, None);
        assert_eq!(own.allowed_ip_cidrs.len(), 2);
        assert_ne!(own.created_at, own.updated_at);
    }

    #[test]
    fn reads_escapes_unicode_whitespace_and_any_field_order() {
        let escaped = KEY.replace(
            r#""name":"ci""#,
            r#""name":"q\"b\\s\/n\nt\tr\rb\bf\f \u00e9 \ud83d\ude00 é 😀 \u0000""#,
        );
        let reordered = r#"{"allowedIpCidrs":null,"createdByUserId":null,"userEmail":"b@example.com","userId":"u2","expiresAtEpoch":-5,"revoked":true,"updatedAt":"2026-11-26 08:56:16+02:00","createdAt":"2026-11-26","name":"","id":"k\u0033"}"#;
        let spaced = format!(
            " \n{{ \"data\" :\t{{\"user\":{{\"apiKeysOtherUsers\" : [ {reordered} ] ,\r\n \"id\":\"u1\",\"apiKeys\":[{escaped} ] }} }} , \"errors\" : null, \"message\":null }}\n "
        );
        let listing = read(&spaced).unwrap();
        assert_eq!(listing.keys, typed(&spaced));
        assert_eq!(
            listing.keys[0].name,
            "q\"b\\s/n\nt\tr\rb\u{8}f\u{c} é 😀 é 😀 \u{0}"
        );
        // Own keys first, whatever the body's order.
        assert_eq!(listing.keys[1].id.as_str(), "k3");
        assert!(listing.keys[1].revoked);
        assert!(listing.keys[1].allowed_ip_cidrs.is_empty());
    }

    #[test]
    fn allowlists_of_every_kind_read_as_the_typed_paths() {
        let entries = r#"["::1","2001:DB8::/32"," 10.0.0.1/8 ","fe80::1%eth0","::ffff:10.0.0.1"]"#;
        for list in [r#"[]"#, r#"["2001:db8::7"]"#, entries] {
            let text = body(&KEY.replace(r#"["127.0.0.1","10.0.0.0/8"]"#, list), "");
            match read(&text) {
                Some(listing) => assert_eq!(listing.keys, typed(&text), "{list}"),
                // An entry `AllowedIp` refuses is left to the typed paths, which report it.
                None => assert!(crate::__fuzz::decode_listing_typed(200, text.as_bytes()).is_err()),
            }
        }
    }

    #[test]
    fn declines_what_it_does_not_read_exactly() {
        let declined = [
            // Another top level, errors or a message, no user.
            body(KEY, "").replace(r#""data":"#, r#""__typename":"Query","data":"#),
            body(KEY, "").replace(r#""data":"#, r#""extensions":{},"extensions":{},"data":"#),
            // An `extensions` value `serde_json` refuses (as the `Value` path does).
            body(KEY, "").replace(r#""data":"#, r#""extensions":1e999,"data":"#),
            body(KEY, "").replace(r#""data":"#, r#""extensions":"\ud83d","data":"#),
            body(KEY, "").replace(r#""data":"#, r#""extensions":{"a":},"data":"#),
            body(KEY, "").replace(r#""data":"#, r#""extensions":nullx,"data":"#),
            body(KEY, "").replace(
                r#""data":"#,
                &format!(
                    r#""extensions":{}1{},"data":"#,
                    "[".repeat(200),
                    "]".repeat(200)
                ),
            ),
            body(KEY, "").replace(r#"{"data":"#, r#"{"errors":[],"data":"#),
            body(KEY, "").replace(r#"{"data":"#, r#"{"message":"slow down","data":"#),
            r#"{"data":{"user":null}}"#.to_owned(),
            r#"{"data":null}"#.to_owned(),
            body(KEY, "").replace(r#","apiKeysOtherUsers":[]"#, ""),
            // A field repeated, unknown, missing, or with an escaped name.
            body(&KEY.replace(r#""id":"k1","#, r#""id":"k1","id":"k9","#), ""),
            body(&KEY.replace(r#""id":"k1","#, r#""id":"k1","extra":1,"#), ""),
            body(&KEY.replace(r#""createdByUserId":"u2","#, ""), ""),
            body(&KEY.replace(r#""id":"k1","#, r#""\u0069d":"k1","#), ""),
            // Values of another kind, or that the domain mapping refuses.
            body(&KEY.replace("1798634096", "-0"), ""),
            body(&KEY.replace("1798634096", "1.0"), ""),
            body(&KEY.replace("1798634096", "1e3"), ""),
            body(&KEY.replace("1798634096", "01"), ""),
            body(&KEY.replace("1798634096", "9223372036854775808"), ""),
            body(&KEY.replace("1798634096", "99999999999999"), ""),
            body(&KEY.replace("1798634096", "\"1\""), ""),
            body(&KEY.replace("false", "null"), ""),
            body(&KEY.replace("false", "0"), ""),
            body(&KEY.replace(r#""ci""#, "null"), ""),
            body(&KEY.replace("2026-11-30T12:34:57Z", "soon"), ""),
            body(&KEY.replace("10.0.0.0/8", "nonsense"), ""),
            body(&KEY.replace(r#"["127.0.0.1","10.0.0.0/8"]"#, "[null]"), ""),
            // Strings JSON forbids or `serde_json` refuses.
            body(&KEY.replace(r#""ci""#, "\"c\ti\""), ""),
            body(&KEY.replace(r#""ci""#, r#""\ud83d""#), ""),
            body(&KEY.replace(r#""ci""#, r#""\ude00""#), ""),
            body(&KEY.replace(r#""ci""#, r#""\ud83d\u0041""#), ""),
            body(&KEY.replace(r#""ci""#, r#""\x41""#), ""),
            body(&KEY.replace(r#""ci""#, r#""\u00g1""#), ""),
            // Not one JSON object.
            body(KEY, "") + " x",
            body(KEY, "") + "{}",
            body(KEY, "").replace("]}}}", "],}}}"),
            body(KEY, "").replace("[{", "[,{"),
            body(KEY, "")[..100].to_owned(),
            String::new(),
            "[]".to_owned(),
        ];
        for text in &declined {
            assert!(read(text).is_none(), "{text}");
        }
        let mut latin1 = body(KEY, "").into_bytes();
        let at = latin1.iter().position(|&b| b == b'c').unwrap();
        latin1[at] = 0xe9;
        assert!(read_listing(&latin1).is_none());
    }

    #[test]
    fn a_top_level_extensions_of_any_value_is_skipped() {
        for value in [
            "{}",
            "null",
            r#"{"cost":{"requested":12.5,"limit":1e3},"trace":[null,true,"\u00e9 \ud83d\ude00 é",-0.0,[],{"errors":[1]}]}"#,
            r#" "x" "#,
            "-12345678901234567890123",
            "[[[[[]]]]]",
        ] {
            for text in [
                body(KEY, "").replace(r#"{"data":"#, &format!(r#"{{"extensions":{value},"data":"#)),
                body(KEY, "").replace(r#"}}}"#, &format!(r#"}}}},"extensions" : {value} }}"#)),
            ] {
                let listing = read(&text).unwrap_or_else(|| panic!("declined: {text}"));
                assert_eq!(listing.keys, typed(&text), "{text}");
                assert_eq!(listing.keys.len(), 1);
            }
        }
    }

    #[test]
    fn the_reader_s_names_are_the_operation_s_selection() {
        // The document as the schema crate compiled it from `queries/list_api_keys.graphql`
        // (and as the SDK sends it), its tokens spaced out.
        let spaced = labelbox_schema::list_api_keys::QUERY
            .replace('{', " { ")
            .replace('}', " } ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        let expected = format!(
            "query ListApiKeys {{ {USER} {{ {CALLER_ID} {OWN_KEYS} {{ ...ApiKeyFields }} \
             {OTHER_KEYS} {{ ...ApiKeyFields }} }} }} fragment ApiKeyFields on ApiKey {{ {} }}",
            KEY_FIELDS.join(" ")
        );
        assert_eq!(
            tokens.join(" "),
            expected,
            "queries/list_api_keys.graphql and the listing reader's field names differ: \
             change the reader (src/listing_read.rs) with the document"
        );
    }

    #[test]
    fn literals_end_where_the_word_ends() {
        for (text, found) in [
            ("null", true),
            (" null,", true),
            ("null}", true),
            ("nullx", false),
            ("null0", false),
            ("null_", false),
            ("nul", false),
        ] {
            let mut reader = Reader::new(text);
            assert_eq!(reader.literal("null"), found, "{text:?}");
            if !found {
                assert_eq!(reader.pos, text.len() - text.trim_start().len());
            }
        }
    }

    #[test]
    fn the_listing_s_vector_is_sized_from_the_first_key() {
        for count in [1, 2, 10, 300] {
            let own = vec![KEY; count].join(",");
            let others = vec![KEY.replace(r#""ci""#, r#""a longer name""#); count].join(" , ");
            let listing = read(&body(&own, &others)).unwrap();
            assert_eq!(listing.keys.len(), 2 * count);
            let capacity = listing.keys.capacity();
            assert!(
                capacity >= 2 * count && capacity <= 2 * count + 2 * count / 10 + 2,
                "{count} keys a list: capacity {capacity}"
            );
        }
    }

    #[test]
    fn the_caller_s_id_is_shared_with_its_keys() {
        let text = body(KEY, "");
        let listing = read(&text).unwrap();
        assert_eq!(
            listing.caller.as_str().as_ptr(),
            listing.keys[0].user_id.as_str().as_ptr()
        );
    }

    #[test]
    fn keys_of_one_user_share_its_id() {
        let text = body(&[KEY, KEY, KEY].join(","), "");
        let listing = read(&text).unwrap();
        let first = listing.keys[0].user_id.as_str().as_ptr();
        for key in &listing.keys {
            assert_eq!(key.user_id.as_str().as_ptr(), first);
        }
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        for text in [
            "",
            "\"",
            "a\"",
            "abcdefg\"",
            "abcdefgh\"",
            "abcdefghijklmnop\\",
            "abcdefgh\u{1f}ijk\"",
            "é€😀abcdefgh\"",
            "\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\"",
        ] {
            let reader = Reader::new(text);
            let expected = text
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(text.len());
            assert_eq!(reader.string_run(), expected, "{text:?}");
        }
    }
}
