//! How long a new API key stays valid: [`Validity`] and [`TimeUnit`].

use std::fmt;
use std::str::FromStr;

/// A unit of time for a key's validity, with the contract's sizes in seconds.
///
/// ```
/// use labelbox_core::TimeUnit;
///
/// assert_eq!(TimeUnit::Week.seconds(), 604_800);
/// assert_eq!("h".parse::<TimeUnit>()?, TimeUnit::Hour);
/// # Ok::<(), labelbox_core::ValidityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeUnit {
    /// One second.
    Second,
    /// 60 seconds.
    Minute,
    /// 3,600 seconds.
    Hour,
    /// 86,400 seconds.
    Day,
    /// 604,800 seconds.
    Week,
}

impl TimeUnit {
    /// Every unit, smallest first.
    pub const ALL: [TimeUnit; 5] = [
        TimeUnit::Second,
        TimeUnit::Minute,
        TimeUnit::Hour,
        TimeUnit::Day,
        TimeUnit::Week,
    ];

    /// The number of seconds in one of this unit.
    pub const fn seconds(self) -> i64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3_600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        }
    }

    /// The one-letter suffix used in human text (`s`, `m`, `h`, `d`, `w`).
    pub const fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Second => "s",
            TimeUnit::Minute => "m",
            TimeUnit::Hour => "h",
            TimeUnit::Day => "d",
            TimeUnit::Week => "w",
        }
    }

    /// The unit's name in the singular (`second`, ..., `week`).
    pub const fn name(self) -> &'static str {
        match self {
            TimeUnit::Second => "second",
            TimeUnit::Minute => "minute",
            TimeUnit::Hour => "hour",
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TimeUnit {
    type Err = ValidityError;

    /// Accepts `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`,
    /// `d`/`day(s)` and `w`/`wk`/`week(s)`, in any case, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unit = s.trim().to_ascii_lowercase();
        Ok(match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => TimeUnit::Second,
            "m" | "min" | "mins" | "minute" | "minutes" => TimeUnit::Minute,
            "h" | "hr" | "hrs" | "hour" | "hours" => TimeUnit::Hour,
            "d" | "day" | "days" => TimeUnit::Day,
            "w" | "wk" | "wks" | "week" | "weeks" => TimeUnit::Week,
            _ => {
                return Err(ValidityError::UnknownUnit {
                    unit: s.trim().to_owned(),
                })
            }
        })
    }
}

/// Why a validity period was rejected or could not be parsed.
///
/// The first three variants carry the contract's messages exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidityError {
    /// A negative amount.
    #[error("Validity must not be negative (got {amount} {unit}s)")]
    Negative {
        /// The amount given.
        amount: i64,
        /// The unit given.
        unit: TimeUnit,
    },
    /// Fewer than 60 seconds (zero included).
    #[error("Minimum validity period is 1 minute")]
    TooShort,
    /// More than 25 weeks (15,120,000 seconds), including amounts too large to compute.
    #[error("Maximum validity period is 6 months (or 25 weeks)")]
    TooLong,
    /// Human text that was empty or only whitespace.
    #[error("Validity is empty: expected a number and a unit, such as 90m, 12h, 30d or 2w")]
    Empty,
    /// Human text that does not start with a number.
    #[error("Validity '{input}' has no number: expected a number and a unit, such as 90m, 12h, 30d or 2w")]
    MissingNumber {
        /// The text given (trimmed).
        input: String,
    },
    /// Human text with a number but no unit.
    #[error("Validity '{input}' has no unit: add s, m, h, d or w (for example {input}m)")]
    MissingUnit {
        /// The text given (trimmed).
        input: String,
    },
    /// A unit that is not one of second, minute, hour, day, week.
    #[error(
        "Unknown time unit '{unit}': use s, m, h, d or w (seconds, minutes, hours, days, weeks)"
    )]
    UnknownUnit {
        /// The unit text given.
        unit: String,
    },
}

/// How long a new API key stays valid: always between 1 minute and 25 weeks inclusive.
///
/// A `Validity` cannot exist outside that range; every constructor checks it with the
/// contract's messages and none of them panics (overflowing amounts are "too long").
///
/// ```
/// use labelbox_core::{TimeUnit, Validity, ValidityError};
///
/// let v = Validity::new(90, TimeUnit::Minute)?;
/// assert_eq!(v.as_seconds(), 5_400);
/// assert_eq!(v.to_string(), "90m");
/// assert_eq!("2w".parse::<Validity>()?.as_seconds(), 1_209_600);
///
/// assert_eq!(
///     Validity::new(30, TimeUnit::Second).unwrap_err().to_string(),
///     "Minimum validity period is 1 minute"
/// );
/// assert_eq!(Validity::new(26, TimeUnit::Week), Err(ValidityError::TooLong));
/// # Ok::<(), ValidityError>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Validity {
    seconds: i64,
}

impl Validity {
    /// The shortest validity: 1 minute.
    pub const MIN: Validity = Validity {
        seconds: crate::contract::MIN_VALIDITY_SECONDS,
    };
    /// The longest validity: 25 weeks (15,120,000 seconds), "about 6 months".
    pub const MAX: Validity = Validity {
        seconds: crate::contract::MAX_VALIDITY_SECONDS,
    };

    /// `amount × unit`, checked in the contract's order: negative, then under a minute,
    /// then over 25 weeks.
    pub fn new(amount: i64, unit: TimeUnit) -> Result<Validity, ValidityError> {
        if amount < 0 {
            return Err(ValidityError::Negative { amount, unit });
        }
        match amount.checked_mul(unit.seconds()) {
            Some(seconds) => Self::check(seconds),
            None => Err(ValidityError::TooLong),
        }
    }

    /// A validity of `seconds` seconds.
    pub fn from_seconds(seconds: i64) -> Result<Validity, ValidityError> {
        Self::new(seconds, TimeUnit::Second)
    }

    fn check(seconds: i64) -> Result<Validity, ValidityError> {
        if seconds < Self::MIN.seconds {
            Err(ValidityError::TooShort)
        } else if seconds > Self::MAX.seconds {
            Err(ValidityError::TooLong)
        } else {
            Ok(Validity { seconds })
        }
    }

    /// The length in seconds (what the API's `validitySeconds` takes).
    pub const fn as_seconds(self) -> i64 {
        self.seconds
    }

    /// The length as a [`time::Duration`].
    pub const fn as_duration(self) -> time::Duration {
        time::Duration::seconds(self.seconds)
    }

    /// The length as a [`std::time::Duration`].
    pub const fn as_std_duration(self) -> std::time::Duration {
        // `seconds` is at least 60, so the cast cannot lose the sign.
        std::time::Duration::from_secs(self.seconds as u64)
    }

    /// The largest unit that divides the length exactly, and the amount in it:
    /// the most compact exact form (`(2, Week)` for 1,209,600 seconds).
    pub fn compact(self) -> (i64, TimeUnit) {
        TimeUnit::ALL
            .iter()
            .rev()
            .find(|unit| self.seconds % unit.seconds() == 0)
            .map(|&unit| (self.seconds / unit.seconds(), unit))
            .unwrap_or((self.seconds, TimeUnit::Second))
    }
}

impl Default for Validity {
    /// The minimum: one minute. (The contract has no default; callers should choose.)
    fn default() -> Self {
        Validity::MIN
    }
}

impl TryFrom<i64> for Validity {
    type Error = ValidityError;

    fn try_from(seconds: i64) -> Result<Self, Self::Error> {
        Validity::from_seconds(seconds)
    }
}

impl From<Validity> for i64 {
    fn from(v: Validity) -> i64 {
        v.seconds
    }
}

impl fmt::Display for Validity {
    /// The most compact exact form: `2w`, `90m`, `3601s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (amount, unit) = self.compact();
        write!(f, "{amount}{}", unit.suffix())
    }
}

impl FromStr for Validity {
    type Err = ValidityError;

    /// Parses a number followed by a unit (`90m`, `12h`, `30d`, `2w`, `3600s`,
    /// `2 weeks`), or several such parts added together (`1h30m`). Whitespace around
    /// the text and between number and unit is ignored. A bare number is an error
    /// (the unit is never guessed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        if input.is_empty() {
            return Err(ValidityError::Empty);
        }
        let mut rest = input;
        let mut total: i64 = 0;
        let mut too_long = false;
        while !rest.is_empty() {
            let digits_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits_end == 0 {
                if let Some(negative) = negative_amount(rest) {
                    return Err(negative);
                }
                return Err(ValidityError::MissingNumber {
                    input: input.to_owned(),
                });
            }
            let digits = &rest[..digits_end];
            let after = rest[digits_end..].trim_start();
            let unit_end = after
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(after.len());
            if unit_end == 0 {
                return Err(ValidityError::MissingUnit {
                    input: input.to_owned(),
                });
            }
            let unit: TimeUnit = after[..unit_end].parse()?;
            rest = after[unit_end..].trim_start();
            // Digits only, so a parse failure means the number does not fit in i64.
            let part = digits
                .parse::<i64>()
                .ok()
                .and_then(|amount| amount.checked_mul(unit.seconds()));
            match part.and_then(|p| total.checked_add(p)) {
                Some(sum) => total = sum,
                None => too_long = true,
            }
        }
        if too_long {
            return Err(ValidityError::TooLong);
        }
        Validity::check(total)
    }
}

/// `-5m` and the like: the contract's negative error, with the amount and unit given.
fn negative_amount(text: &str) -> Option<ValidityError> {
    let after_minus = text.strip_prefix('-')?;
    let digits_end = after_minus
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after_minus.len());
    if digits_end == 0 {
        return None;
    }
    let amount = after_minus[..digits_end]
        .parse::<i64>()
        .map(|a| -a)
        .unwrap_or(i64::MIN);
    let unit = after_minus[digits_end..]
        .trim()
        .parse()
        .unwrap_or(TimeUnit::Second);
    Some(ValidityError::Negative { amount, unit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unit_sizes_are_the_contract_sizes() {
        let sizes: Vec<i64> = TimeUnit::ALL.iter().map(|u| u.seconds()).collect();
        assert_eq!(sizes, [1, 60, 3_600, 86_400, 604_800]);
        assert_eq!(Validity::MAX.as_seconds(), 15_120_000);
        assert_eq!(Validity::MIN.as_seconds(), 60);
    }

    #[test]
    fn bounds_are_inclusive() {
        assert_eq!(Validity::new(1, TimeUnit::Minute).unwrap(), Validity::MIN);
        assert_eq!(Validity::new(60, TimeUnit::Second).unwrap(), Validity::MIN);
        assert_eq!(Validity::new(25, TimeUnit::Week).unwrap(), Validity::MAX);
        assert_eq!(Validity::from_seconds(15_120_000).unwrap(), Validity::MAX);
        assert_eq!(
            Validity::from_seconds(15_120_001),
            Err(ValidityError::TooLong)
        );
        assert_eq!(Validity::from_seconds(59), Err(ValidityError::TooShort));
    }

    #[test]
    fn contract_messages() {
        assert_eq!(
            Validity::new(0, TimeUnit::Minute).unwrap_err().to_string(),
            "Minimum validity period is 1 minute"
        );
        assert_eq!(
            Validity::new(30, TimeUnit::Second).unwrap_err().to_string(),
            "Minimum validity period is 1 minute"
        );
        assert_eq!(
            Validity::new(185, TimeUnit::Day).unwrap_err().to_string(),
            "Maximum validity period is 6 months (or 25 weeks)"
        );
        let negative = Validity::new(-1, TimeUnit::Minute).unwrap_err();
        assert_eq!(
            negative,
            ValidityError::Negative {
                amount: -1,
                unit: TimeUnit::Minute
            }
        );
        assert_eq!(
            negative.to_string(),
            "Validity must not be negative (got -1 minutes)"
        );
    }

    #[test]
    fn negative_is_checked_before_minimum() {
        assert!(matches!(
            Validity::new(-100, TimeUnit::Week),
            Err(ValidityError::Negative { .. })
        ));
        assert!(matches!(
            Validity::from_seconds(i64::MIN),
            Err(ValidityError::Negative { .. })
        ));
    }

    #[test]
    fn overflow_is_too_long_not_a_panic() {
        assert_eq!(
            Validity::new(i64::MAX, TimeUnit::Week),
            Err(ValidityError::TooLong)
        );
        assert_eq!(
            Validity::from_seconds(i64::MAX),
            Err(ValidityError::TooLong)
        );
        assert_eq!(
            "99999999999999999999999999w".parse::<Validity>(),
            Err(ValidityError::TooLong)
        );
        assert_eq!(
            "9223372036854775807s1w".parse::<Validity>(),
            Err(ValidityError::TooLong)
        );
    }

    #[test]
    fn parses_human_text() {
        let cases = [
            ("90m", 5_400),
            ("12h", 43_200),
            ("30d", 2_592_000),
            ("2w", 1_209_600),
            ("3600s", 3_600),
            ("  1h  ", 3_600),
            ("1h30m", 5_400),
            ("1h 30m", 5_400),
            ("2 weeks", 1_209_600),
            ("1 Hour", 3_600),
            ("25w", 15_120_000),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                text.parse::<Validity>().map(Validity::as_seconds),
                Ok(seconds),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_bad_human_text_clearly() {
        assert_eq!("".parse::<Validity>(), Err(ValidityError::Empty));
        assert_eq!("   ".parse::<Validity>(), Err(ValidityError::Empty));
        assert_eq!(
            "m".parse::<Validity>(),
            Err(ValidityError::MissingNumber { input: "m".into() })
        );
        assert_eq!(
            "90".parse::<Validity>(),
            Err(ValidityError::MissingUnit { input: "90".into() })
        );
        assert_eq!(
            "90x".parse::<Validity>(),
            Err(ValidityError::UnknownUnit { unit: "x".into() })
        );
        assert_eq!(
            "1.5h".parse::<Validity>(),
            Err(ValidityError::MissingUnit {
                input: "1.5h".into()
            })
        );
        assert_eq!(
            "-5m".parse::<Validity>(),
            Err(ValidityError::Negative {
                amount: -5,
                unit: TimeUnit::Minute
            })
        );
        assert_eq!("30s".parse::<Validity>(), Err(ValidityError::TooShort));
        assert_eq!("26w".parse::<Validity>(), Err(ValidityError::TooLong));
        assert_eq!(
            "90x".parse::<Validity>().unwrap_err().to_string(),
            "Unknown time unit 'x': use s, m, h, d or w (seconds, minutes, hours, days, weeks)"
        );
    }

    #[test]
    fn display_is_most_compact_exact_form() {
        let show = |s: i64| Validity::from_seconds(s).unwrap().to_string();
        assert_eq!(show(1_209_600), "2w");
        assert_eq!(show(5_400), "90m");
        assert_eq!(show(86_400), "1d");
        assert_eq!(show(3_601), "3601s");
        assert_eq!(show(60), "1m");
    }

    #[test]
    fn serde_is_seconds_and_validated() {
        let v = Validity::new(2, TimeUnit::Hour).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "7200");
        assert_eq!(serde_json::from_str::<Validity>("7200").unwrap(), v);
        assert!(serde_json::from_str::<Validity>("59").is_err());
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(seconds in 60i64..=15_120_000) {
            let v = Validity::from_seconds(seconds).unwrap();
            prop_assert_eq!(v.to_string().parse::<Validity>(), Ok(v));
        }

        #[test]
        fn new_never_panics_and_respects_bounds(amount in any::<i64>(), unit_index in 0usize..5) {
            let unit = TimeUnit::ALL[unit_index];
            if let Ok(v) = Validity::new(amount, unit) {
                prop_assert!(v >= Validity::MIN && v <= Validity::MAX);
                prop_assert_eq!(v.as_seconds(), amount * unit.seconds());
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,12}") {
            let _ = text.parse::<Validity>();
        }
    }
}
