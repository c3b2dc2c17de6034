//! Rust types for the schema's custom scalars.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The `PageSize` scalar: the size of a page of a cursor-paged list (`organization.invites`),
/// an integer from 1 to 100 on the wire.
pub type PageSize = i64;

/// The `DateTime` scalar: an ISO-8601 date-time.
///
/// Parsing is lenient, because servers spell date-times in several ways: RFC 3339 with `Z` or
/// an offset (`2026-11-26T08:56:16.000Z`, `2026-11-26T08:56:16+02:00`), fractional seconds
/// optional, seconds optional, a space instead of `T` (`2026-11-26 08:56:16+00:00`), an
/// offset without colon (`+0200`) or hours only (`+02`), no offset at all (taken as UTC), or
/// a date alone (midnight UTC). It is written back as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub OffsetDateTime);

impl DateTime {
    /// The date-time as a [`time::OffsetDateTime`].
    pub fn into_inner(self) -> OffsetDateTime {
        self.0
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(value: OffsetDateTime) -> Self {
        DateTime(value)
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(value: DateTime) -> Self {
        value.0
    }
}

/// Why a string is not an ISO-8601 date-time.
///
/// It says what was expected, never what was found: the text comes from a server, and a
/// broken response may carry a secret where a date belongs (errors end up in logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateTimeError {
    reason: &'static str,
}

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an ISO-8601 date-time: {}", self.reason)
    }
}

impl std::error::Error for ParseDateTimeError {}

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if let Some(value) = parse_common(input.as_bytes()) {
            return Ok(DateTime(value));
        }
        match parse_rfc3339(input) {
            Some(value) => Ok(DateTime(value)),
            None => parse_lenient(input).map(DateTime),
        }
    }
}

/// The shape servers send nearly always, `2026-11-26T08:56:16.000Z` (`T`, `Z`, no fraction
/// or one to nine fraction digits), read by hand: several times faster than `time`'s RFC
/// 3339 parser, which reads these strings alike (a test compares them). Anything else
/// (a leap second included) is `None` and goes to [`parse_rfc3339`].
fn parse_common(bytes: &[u8]) -> Option<OffsetDateTime> {
    let number = |from: usize, to: usize| -> Option<u32> {
        bytes.get(from..to)?.iter().try_fold(0u32, |value, &b| {
            b.is_ascii_digit().then(|| value * 10 + u32::from(b - b'0'))
        })
    };
    let len = bytes.len();
    if !(len == 20 || (22..=30).contains(&len) && bytes[19] == b'.')
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || bytes[len - 1] != b'Z'
    {
        return None;
    }
    let nanos = if len == 20 {
        0
    } else {
        // `len - 21` fraction digits, at most nine.
        number(20, len - 1)? * 10u32.pow(30 - len as u32)
    };
    let date = Date::from_calendar_date(
        i32::try_from(number(0, 4)?).ok()?,
        time::Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?,
        u8::try_from(number(8, 10)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(number(11, 13)?).ok()?,
        u8::try_from(number(14, 16)?).ok()?,
        u8::try_from(number(17, 19)?).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// The fast path for what servers send: `time`'s RFC 3339 parser, about ten times faster
/// than [`parse_lenient`]. Kept to inputs that parser and [`parse_lenient`] read alike:
/// `T`, `t` or a space between date and time (RFC 3339 lets any character through), no
/// leap second (`:60`, which `time` reads as the second before), at most nine fraction
/// digits. Anything else (and anything it refuses) goes to [`parse_lenient`].
fn parse_rfc3339(input: &str) -> Option<OffsetDateTime> {
    let bytes = input.as_bytes();
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) || bytes.get(17..19) == Some(b"60") {
        return None;
    }
    if let Some(b'.') = bytes.get(19) {
        let digits = bytes[20..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 9 {
            return None;
        }
    }
    OffsetDateTime::parse(input, &Rfc3339).ok()
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Parses the string where the deserializer has it, without copying it.
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = DateTime;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime, E> {
                text.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

fn parse_lenient(input: &str) -> Result<OffsetDateTime, ParseDateTimeError> {
    let fail = |reason| ParseDateTimeError { reason };
    let text = input.trim();
    let (date_text, rest) = text.split_at_checked(10).unwrap_or((text, ""));
    let date = Date::parse(date_text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| fail("expected a date like 2026-11-26"))?;
    if rest.is_empty() {
        return Ok(date.midnight().assume_utc());
    }
    let mut chars = rest.chars();
    if !matches!(chars.next(), Some('T' | 't' | ' ')) {
        return Err(fail(
            "expected `T` or a space between the date and the time",
        ));
    }
    let rest = chars.as_str();
    let offset_start = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time_text, offset_text) = rest.split_at(offset_start);
    let time = Time::parse(
        time_text,
        format_description!("[hour]:[minute][optional [:[second][optional [.[subsecond]]]]]"),
    )
    .map_err(|_| fail("expected a time like 08:56:16 or 08:56:16.123"))?;
    let offset =
        parse_offset(offset_text).ok_or_else(|| fail("expected `Z` or an offset like +02:00"))?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// `""` (UTC), `Z`, `+HH:MM`, `+HHMM` or `+HH` (and the same with `-`).
fn parse_offset(text: &str) -> Option<UtcOffset> {
    if text.is_empty() || text.eq_ignore_ascii_case("z") {
        return Some(UtcOffset::UTC);
    }
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits = digits.replacen(':', "", 1);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i8>().ok()?, 0),
        4 => (
            digits[..2].parse::<i8>().ok()?,
            digits[2..].parse::<i8>().ok()?,
        ),
        _ => return None,
    };
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn parse(text: &str) -> OffsetDateTime {
        text.parse::<DateTime>().unwrap_or_else(|e| panic!("{e}")).0
    }

    #[test]
    fn rfc3339_with_z_and_milliseconds() {
        assert_eq!(
            parse("2026-11-26T08:56:16.000Z"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        assert_eq!(
            parse("2026-11-26T08:56:16.123456Z"),
            datetime!(2026-11-26 08:56:16.123456 UTC)
        );
    }

    #[test]
    fn rfc3339_without_fraction_and_with_offsets() {
        assert_eq!(
            parse("2026-11-26T08:56:16Z"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        let plus_two = parse("2026-11-26T10:56:16+02:00");
        assert_eq!(plus_two, datetime!(2026-11-26 08:56:16 UTC));
        assert_eq!(plus_two.offset(), UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(
            parse("2026-11-26T03:26:16-05:30"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        assert_eq!(
            parse("2026-11-26T10:56:16+0200"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        assert_eq!(
            parse("2026-11-26T10:56:16+02"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
    }

    #[test]
    fn no_offset_is_utc() {
        let value = parse("2026-11-26T08:56:16");
        assert_eq!(value, datetime!(2026-11-26 08:56:16 UTC));
        assert_eq!(value.offset(), UtcOffset::UTC);
        assert_eq!(
            parse("2026-11-26T08:56"),
            datetime!(2026-11-26 08:56:00 UTC)
        );
    }

    #[test]
    fn space_separator_and_lower_case() {
        assert_eq!(
            parse("2026-11-26 08:56:16+00:00"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        assert_eq!(
            parse("2026-11-26t08:56:16z"),
            datetime!(2026-11-26 08:56:16 UTC)
        );
        assert_eq!(parse("2026-11-26"), datetime!(2026-11-26 00:00:00 UTC));
    }

    #[test]
    fn the_rfc3339_fast_path_reads_as_the_lenient_parser() {
        for text in [
            "2026-11-26T08:56:16.000Z",
            "2026-11-26T08:56:16.123456789Z",
            "2026-11-26t08:56:16z",
            "2026-11-26 08:56:16+02:00",
            "2026-11-26T08:56:16-00:00",
            "2026-11-26T08:56:16.5-05:30",
            "2016-12-31T23:59:59Z",
        ] {
            let fast = parse_rfc3339(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(Ok(fast), parse_lenient(text), "{text}");
            assert_eq!(fast.offset(), parse(text).offset(), "{text}");
        }
        // Left to the lenient parser, which rejects them or reads them its own way.
        for text in [
            "2026-11-26X08:56:16Z",
            "2016-12-31T23:59:60Z",
            "2026-11-26T08:56:16.1234567891Z",
            "2026-11-26T08:56:16",
            "2026-11-26T08:56Z",
            " 2026-11-26T08:56:16Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
        assert!("2016-12-31T23:59:60Z".parse::<DateTime>().is_err());
    }

    #[test]
    fn the_common_shape_reads_as_time_s_rfc3339_parser() {
        let mut accepted = 0;
        let mut texts = vec![
            "2026-11-30T12:34:56.690Z".to_owned(),
            "2026-11-30T12:34:56Z".to_owned(),
            "2026-11-30T12:34:56.1Z".to_owned(),
            "2026-11-30T12:34:56.123456789Z".to_owned(),
            "2024-02-29T23:59:59.999Z".to_owned(),
            "0000-01-01T00:00:00Z".to_owned(),
            "9999-12-31T23:59:59.999999999Z".to_owned(),
        ];
        // Every field at and past its limits, and bytes that are not digits.
        for (at, replacements) in [
            (
                0,
                &["0000", "1970", "2023", "2100", "+202", "-202", "202a"][..],
            ),
            (5, &["00", "01", "02", "12", "13", "1a"][..]),
            (8, &["00", "28", "29", "30", "31", "32", "+1"][..]),
            (11, &["00", "23", "24", "99", " 1"][..]),
            (14, &["00", "59", "60", "-1"][..]),
            (17, &["00", "59", "60", "61"][..]),
        ] {
            for replacement in replacements {
                for base in ["2023-02-28T10:20:30Z", "2024-02-28T10:20:30.5Z"] {
                    let mut text = base.to_owned();
                    text.replace_range(at..at + replacement.len(), replacement);
                    texts.push(text);
                }
            }
        }
        for base in ["2026-11-30T12:34:56.690Z", "2026-11-30T12:34:56Z"] {
            for (i, _) in base.char_indices() {
                for replacement in ["", "0", ".", "Z", "z", "t", " ", "+", "é"] {
                    let mut text = base.to_owned();
                    text.replace_range(i..i + 1, replacement);
                    texts.push(text);
                }
            }
        }
        for digits in 0..=12 {
            texts.push(format!("2026-11-30T12:34:56.{}Z", "7".repeat(digits)));
        }
        for text in &texts {
            let common = parse_common(text.as_bytes());
            if let Some(value) = common {
                accepted += 1;
                assert_eq!(Some(value), parse_rfc3339(text), "{text}");
                assert_eq!(value.offset(), UtcOffset::UTC, "{text}");
            }
            // Whatever the shape, `from_str` reads as before: the lenient parser agrees.
            let lenient = parse_lenient(text).ok();
            let read = text.parse::<DateTime>().ok().map(DateTime::into_inner);
            assert_eq!(read, parse_rfc3339(text).or(lenient), "{text}");
        }
        assert!(accepted > 40, "{accepted}");
    }

    #[test]
    fn garbage_is_rejected_without_the_input_in_the_message() {
        for bad in [
            "",
            "yesterday",
            "2026-13-26T08:56:16Z",
            "2026-11-26X08:56:16Z",
            "2026-11-26T25:00:00Z",
            "2026-11-26T08:56:16+2",
            "2026-11-26T08:56:16+02:00:00",
            "2026-11-26T08:56:16 UTC",
            "1700000000",
        ] {
            let error = bad.parse::<DateTime>().unwrap_err().to_string();
            assert!(
                error.starts_with("not an ISO-8601 date-time: expected "),
                "{error}"
            );
            if bad.len() > 4 {
                assert!(!error.contains(bad), "{error}");
            }
        }
        // What a fuzzer found: a secret inside a malformed date, with backticks that once
        // ended the quoted part early, reached an error message.
        let secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLWZ1eno";
        for bad in [
            format!("20```T0m `{secret}` 26U08:T6:16.000Z"),
            format!("2088-11-26T08:56:16.00Viewe22`222{secret}r6.000Z"),
        ] {
            let error = bad.parse::<DateTime>().unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains(secret), "{shown}");
            let error = serde_json::from_value::<DateTime>(serde_json::json!(bad)).unwrap_err();
            assert!(!error.to_string().contains(secret), "{error}");
        }
    }

    #[test]
    fn serde_reads_leniently_and_writes_rfc3339() {
        let value: DateTime = serde_json::from_str("\"2026-11-26 08:56:16\"").unwrap();
        assert_eq!(value.0, datetime!(2026-11-26 08:56:16 UTC));
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            "\"2026-11-26T08:56:16Z\""
        );
        let with_offset: DateTime =
            serde_json::from_str("\"2026-11-26T10:56:16.5+02:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&with_offset).unwrap(),
            "\"2026-11-26T10:56:16.5+02:00\""
        );
        assert!(serde_json::from_str::<DateTime>("\"soon\"").is_err());
        assert!(serde_json::from_str::<DateTime>("1700000000").is_err());
    }

    #[test]
    fn converts_to_and_from_offset_date_time() {
        let instant = datetime!(2026-11-26 08:56:16 UTC);
        let wrapped = DateTime::from(instant);
        assert_eq!(OffsetDateTime::from(wrapped), instant);
        assert_eq!(wrapped.into_inner(), instant);
        assert_eq!(wrapped.to_string(), "2026-11-26T08:56:16Z");
    }
}
