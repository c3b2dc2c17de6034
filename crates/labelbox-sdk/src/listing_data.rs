//! The `ListApiKeys` answer's `data` straight into domain values: a serde `Deserialize`
//! ([`ListingData`]) that builds [`ApiKey`]s from the response's strings where the parser
//! holds them, without the generated types in between.
//!
//! Both of the SDK's decode paths use it, so there is one mapping of a listed key: a plain
//! success is parsed by `serde_json` from the body's bytes
//! ([`decode_success`](crate::decode::decode_success)); anything else (an answer with
//! `errors`, a value this type refuses) goes through classification and the value-free
//! [`decode`](crate::decode::decode), whose error names the field's path
//! (`user.apiKeys[3].expiresAtEpoch`) and the kind of value found, never the value.
//!
//! What the mapping checks beyond JSON types is checked inside the value's own
//! deserialization (an epoch in range, an allowlist entry that parses, a date-time), so that
//! an error is reported at the field. Per listing it keeps the little state that saves work:
//! the user ids met ([`SharedUserIds`]: the keys of one user share one `UserId`), the last
//! date-time text and the first few allowlist entries (each parsed once however many keys
//! repeat it).

use std::fmt;

use labelbox_schema::scalars::DateTime;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use time::OffsetDateTime;

use crate::convert;
use crate::shared_ids::SharedUserIds;
use crate::{AllowedIp, ApiKey, Error, UserId};

/// The `data` of a `ListApiKeys` answer (`queries/list_api_keys.graphql`).
#[derive(Debug, PartialEq, serde::Deserialize)]
pub(crate) struct ListingData {
    user: Option<Listing>,
}

/// A listing: the caller's own user id and every key (own keys, then other users', as the
/// server lists them; expired ones included).
#[derive(Debug, PartialEq)]
pub(crate) struct Listing {
    pub(crate) caller: UserId,
    pub(crate) keys: Vec<ApiKey>,
}

impl ListingData {
    /// The listing; a null `user` is [`ResponseError::MissingData`](crate::ResponseError::MissingData).
    pub(crate) fn into_listing(self) -> Result<Listing, Error> {
        self.user
            .ok_or_else(|| convert::missing("ListApiKeys", "user"))
    }
}

/// The fields of `user` the operation selects (the derived `UserField` reads them; a test
/// keeps this list equal to the document).
const USER_FIELDS: &[&str] = &["id", "apiKeys", "apiKeysOtherUsers"];

/// The fields of the `ApiKeyFields` fragment, in its order (the derived `KeyField` reads
/// them; a test keeps this list equal to the document and shows each is read).
const KEY_FIELDS: &[&str] = &[
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

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum UserField {
    Id,
    ApiKeys,
    ApiKeysOtherUsers,
    /// A field the operation does not select (another server's extra): skipped.
    #[serde(other)]
    Other,
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum KeyField {
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
    Revoked,
    ExpiresAtEpoch,
    UserId,
    UserEmail,
    CreatedByUserId,
    AllowedIpCidrs,
    #[serde(other)]
    Other,
}

/// What one listing's decoding remembers; `'de` is the parser's input (the body), so the
/// remembered texts are slices of it, never copies.
#[derive(Default)]
struct State<'de> {
    ids: SharedUserIds,
    /// The last date-time text met where the parser lends it, and its value.
    last_date: Option<(&'de str, OffsetDateTime)>,
    /// The first [`SHARED_ENTRIES`] distinct allowlist entries met, each with its value.
    entries: Vec<(&'de str, AllowedIp)>,
}

/// How many distinct allowlist entries a listing remembers.
const SHARED_ENTRIES: usize = 8;

/// Takes a field's first value; a second one is an error, as in a derived `Deserialize`.
fn first<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
    match slot {
        Some(_) => Err(E::duplicate_field(name)),
        None => Ok(()),
    }
}

impl<'de> de::Deserialize<'de> for Listing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("User", USER_FIELDS, ListingVisitor)
    }
}

struct ListingVisitor;

impl<'de> Visitor<'de> for ListingVisitor {
    type Value = Listing;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the caller's user with its API keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Listing, A::Error> {
        let mut state = State::default();
        let mut caller = None;
        let mut keys = Vec::new();
        // How many keys each list added; other users' keys may come first in the body.
        let (mut own, mut others): (Option<usize>, Option<usize>) = (None, None);
        let mut others_first = false;
        while let Some(field) = map.next_key::<UserField>()? {
            match field {
                UserField::Id => {
                    first(&caller, "id")?;
                    caller = Some(map.next_value_seed(UserIdSeed(&mut state.ids))?);
                }
                UserField::ApiKeys => {
                    first(&own, "apiKeys")?;
                    let before = keys.len();
                    map.next_value_seed(KeysSeed {
                        state: &mut state,
                        keys: &mut keys,
                    })?;
                    own = Some(keys.len() - before);
                }
                UserField::ApiKeysOtherUsers => {
                    first(&others, "apiKeysOtherUsers")?;
                    let before = keys.len();
                    map.next_value_seed(KeysSeed {
                        state: &mut state,
                        keys: &mut keys,
                    })?;
                    others = Some(keys.len() - before);
                    others_first = own.is_none();
                }
                UserField::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let caller = caller.ok_or_else(|| de::Error::missing_field("id"))?;
        own.ok_or_else(|| de::Error::missing_field("apiKeys"))?;
        let others = others.ok_or_else(|| de::Error::missing_field("apiKeysOtherUsers"))?;
        if others_first {
            // Other users' keys came first in the body: own keys first, as listed.
            keys.rotate_left(others);
        }
        Ok(Listing { caller, keys })
    }
}

/// A list of keys, appended to `keys`.
struct KeysSeed<'s, 'de> {
    state: &'s mut State<'de>,
    keys: &'s mut Vec<ApiKey>,
}

impl<'de> DeserializeSeed<'de> for KeysSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for KeysSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of API keys")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Each key is pushed where it is built (an `ApiKey` is large: no moves through
        // `Result` and `Option` on the way).
        while let Some(()) = seq.next_element_seed(KeySeed {
            state: &mut *self.state,
            keys: &mut *self.keys,
        })? {}
        Ok(())
    }
}

/// One key of the `ApiKeyFields` fragment, appended to `keys`.
struct KeySeed<'s, 'de> {
    state: &'s mut State<'de>,
    keys: &'s mut Vec<ApiKey>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_struct("ApiKey", KEY_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an API key")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut id: Option<String> = None;
        let mut name: Option<String> = None;
        let mut created_at = None;
        let mut updated_at = None;
        let mut revoked: Option<bool> = None;
        let mut expires_at = None;
        let mut user_id = None;
        let mut user_email: Option<String> = None;
        let mut created_by = None;
        let mut allowed = None;
        while let Some(field) = map.next_key::<KeyField>()? {
            match field {
                KeyField::Id => {
                    first(&id, "id")?;
                    id = Some(map.next_value()?);
                }
                KeyField::Name => {
                    first(&name, "name")?;
                    name = Some(map.next_value()?);
                }
                KeyField::CreatedAt => {
                    first(&created_at, "createdAt")?;
                    created_at = Some(map.next_value_seed(DateSeed(&mut state.last_date))?);
                }
                KeyField::UpdatedAt => {
                    first(&updated_at, "updatedAt")?;
                    updated_at = Some(map.next_value_seed(DateSeed(&mut state.last_date))?);
                }
                KeyField::Revoked => {
                    first(&revoked, "revoked")?;
                    revoked = Some(map.next_value()?);
                }
                KeyField::ExpiresAtEpoch => {
                    first(&expires_at, "expiresAtEpoch")?;
                    expires_at = Some(map.next_value_seed(EpochSeed)?);
                }
                KeyField::UserId => {
                    first(&user_id, "userId")?;
                    user_id = Some(map.next_value_seed(UserIdSeed(&mut state.ids))?);
                }
                KeyField::UserEmail => {
                    first(&user_email, "userEmail")?;
                    user_email = Some(map.next_value()?);
                }
                KeyField::CreatedByUserId => {
                    first(&created_by, "createdByUserId")?;
                    created_by = Some(map.next_value_seed(Nullable(UserIdSeed(&mut state.ids)))?);
                }
                KeyField::AllowedIpCidrs => {
                    first(&allowed, "allowedIpCidrs")?;
                    allowed =
                        Some(map.next_value_seed(Nullable(AllowlistSeed(&mut state.entries)))?);
                }
                KeyField::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let missing = de::Error::missing_field;
        let mut key = ApiKey::new(
            id.ok_or_else(|| missing("id"))?,
            name.ok_or_else(|| missing("name"))?,
            user_id.ok_or_else(|| missing("userId"))?,
            user_email.ok_or_else(|| missing("userEmail"))?,
            created_at.ok_or_else(|| missing("createdAt"))?,
            expires_at.ok_or_else(|| missing("expiresAtEpoch"))?,
        );
        key.updated_at = updated_at.ok_or_else(|| missing("updatedAt"))?;
        key.revoked = revoked.ok_or_else(|| missing("revoked"))?;
        // The schema's nullable fields: absent reads as null (as in the generated types).
        key.created_by_user_id = created_by.flatten();
        key.allowed_ip_cidrs = allowed.flatten().unwrap_or_default();
        self.keys.push(key);
        Ok(())
    }
}

/// `null` or the seed's value.
struct Nullable<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a value")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// A user id, shared with the ones met before.
struct UserIdSeed<'s>(&'s mut SharedUserIds);

impl<'de> DeserializeSeed<'de> for UserIdSeed<'_> {
    type Value = UserId;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<UserId, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for UserIdSeed<'_> {
    type Value = UserId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user id")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<UserId, E> {
        Ok(self.0.get(text))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<UserId, E> {
        Ok(self.0.get_owned(text))
    }
}

/// A date-time (the `DateTime` scalar's lenient ISO-8601); the same text as the last one
/// (a key's `updatedAt` is often its `createdAt`, keys are created in batches) is not
/// parsed again.
struct DateSeed<'s, 'de>(&'s mut Option<(&'de str, OffsetDateTime)>);

impl<'de> DeserializeSeed<'de> for DateSeed<'_, 'de> {
    type Value = OffsetDateTime;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for DateSeed<'_, 'de> {
    type Value = OffsetDateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        if let Some((last, value)) = *self.0 {
            if last == text {
                return Ok(value);
            }
        }
        let value = parse_date(text)?;
        *self.0 = Some((text, value));
        Ok(value)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse_date(text)
    }
}

fn parse_date<E: de::Error>(text: &str) -> Result<OffsetDateTime, E> {
    // The scalar's message names what is wrong, never the text.
    text.parse::<DateTime>()
        .map(DateTime::into_inner)
        .map_err(E::custom)
}

/// `expiresAtEpoch`: seconds since the Unix epoch, within the range of a date-time.
struct EpochSeed;

impl<'de> DeserializeSeed<'de> for EpochSeed {
    type Value = OffsetDateTime;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let seconds = <i64 as de::Deserialize>::deserialize(deserializer)?;
        OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|_| de::Error::custom("out of the range of a date-time"))
    }
}

/// An allowlist; an entry's text met before (keys often share allowlists) is not parsed
/// again.
struct AllowlistSeed<'s, 'de>(&'s mut Vec<(&'de str, AllowedIp)>);

impl<'de> DeserializeSeed<'de> for AllowlistSeed<'_, 'de> {
    type Value = Vec<AllowedIp>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AllowlistSeed<'_, 'de> {
    type Value = Vec<AllowedIp>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of IP addresses and networks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(entry) = seq.next_element_seed(EntrySeed(&mut *self.0))? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// One allowlist entry (`AllowedIp::parse_lenient`, as for every allowlist the SDK reads).
struct EntrySeed<'s, 'de>(&'s mut Vec<(&'de str, AllowedIp)>);

impl<'de> DeserializeSeed<'de> for EntrySeed<'_, 'de> {
    type Value = AllowedIp;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<AllowedIp, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_, 'de> {
    type Value = AllowedIp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an IP address or network")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<AllowedIp, E> {
        if let Some((_, entry)) = self.0.iter().find(|(known, _)| *known == text) {
            return Ok(*entry);
        }
        let entry = parse_entry(text)?;
        if self.0.len() < SHARED_ENTRIES {
            self.0.push((text, entry));
        }
        Ok(entry)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<AllowedIp, E> {
        parse_entry(text)
    }
}

fn parse_entry<E: de::Error>(text: &str) -> Result<AllowedIp, E> {
    // The parser's error would quote the entry: only what was expected.
    AllowedIp::parse_lenient(text).map_err(|_| E::custom("not an IP address or network"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = r#"{"id":"k1","name":"ci","createdAt":"2026-11-30T12:34:56Z","updatedAt":"2026-11-30T12:34:57Z","revoked":false,"expiresAtEpoch":1798634096,"userId":"u1","userEmail":"a@example.com","createdByUserId":"u2","allowedIpCidrs":["10.0.0.0/8"]}"#;

    /// The one-pass decoding of `data` (`user` holding `key` as its own key).
    fn decode(key: &str) -> Result<Listing, String> {
        let data = format!(r#"{{"user":{{"id":"u1","apiKeys":[{key}],"apiKeysOtherUsers":[]}}}}"#);
        let data: ListingData = serde_json::from_str(&data).map_err(|e| e.to_string())?;
        data.into_listing().map_err(|e| e.to_string())
    }

    #[test]
    fn the_names_are_the_operation_s_selection() {
        // The document as the schema crate compiled it from `queries/list_api_keys.graphql`
        // (and as the SDK sends it), its tokens spaced out.
        let spaced = labelbox_schema::list_api_keys::QUERY
            .replace('{', " { ")
            .replace('}', " } ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        let [id, own, others] = USER_FIELDS else {
            panic!("{USER_FIELDS:?}")
        };
        let expected = format!(
            "query ListApiKeys {{ user {{ {id} {own} {{ ...ApiKeyFields }} {others} {{ \
             ...ApiKeyFields }} }} }} fragment ApiKeyFields on ApiKey {{ {} }}",
            KEY_FIELDS.join(" ")
        );
        assert_eq!(
            tokens.join(" "),
            expected,
            "queries/list_api_keys.graphql and the listing's field names differ: change \
             src/listing_data.rs with the document"
        );
    }

    #[test]
    fn every_selected_field_is_read() {
        let full = decode(KEY).unwrap();
        for name in KEY_FIELDS {
            // Without the field: a required one is missing (by its name), a nullable one
            // reads as null, so the key differs.
            let start = KEY.find(&format!(r#""{name}":"#)).unwrap();
            let end = KEY[start..]
                .find(r#",""#)
                .map_or(KEY.len() - 1, |at| start + at + 1);
            let without = format!("{}{}", &KEY[..start], &KEY[end..]).replace(",}", "}");
            match decode(&without) {
                Err(error) => assert!(
                    error.contains(&format!("missing field `{name}`")),
                    "{error}"
                ),
                Ok(listing) => {
                    assert!(
                        ["createdByUserId", "allowedIpCidrs"].contains(name),
                        "{name}"
                    );
                    assert_ne!(listing.keys, full.keys, "{name}");
                }
            }
        }
    }
}
