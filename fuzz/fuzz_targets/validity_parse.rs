//! `Validity` and `TimeUnit` parsing, display and construction.
//!
//! Invariants, for any input:
//! - nothing panics (parsing, `Validity::new`, `from_seconds`, serde, `Display`, `Debug`);
//! - a parsed validity lies in [1 minute, 25 weeks], and its `Display` parses back to the
//!   same number of seconds; `compact()` multiplies back to the seconds;
//! - `Validity::new(amount, unit)` succeeds exactly when `amount × unit` is computable and
//!   in range, and then has exactly that many seconds.
#![no_main]

use std::str::FromStr;

use labelbox_core::{TimeUnit, Validity, ValidityError};
use libfuzzer_sys::fuzz_target;

fn check_valid(v: Validity) {
    let seconds = v.as_seconds();
    assert!((Validity::MIN.as_seconds()..=Validity::MAX.as_seconds()).contains(&seconds));
    let text = v.to_string();
    let again: Validity = text
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} (display of {seconds}s) does not parse: {e}"));
    assert_eq!(again.as_seconds(), seconds, "{text:?}");
    let (amount, unit) = v.compact();
    assert_eq!(amount * unit.seconds(), seconds);
    assert_eq!(v.as_std_duration().as_secs(), seconds as u64);
    assert_eq!(v.as_duration().whole_seconds(), seconds);
    let _ = format!("{v:?}");
}

fn check_error(e: &ValidityError) {
    let display = e.to_string();
    let _ = format!("{e:?}");
    assert!(!display.is_empty());
    // The wrapping error type formats it too.
    let wrapped = labelbox_core::ValidationError::from(e.clone());
    let _ = wrapped.to_string();
    let _ = format!("{wrapped:?}");
}

fuzz_target!(|data: &[u8]| {
    // Text form.
    if let Ok(text) = std::str::from_utf8(data) {
        match Validity::from_str(text) {
            Ok(v) => check_valid(v),
            Err(e) => check_error(&e),
        }
        match TimeUnit::from_str(text) {
            Ok(unit) => {
                assert_eq!(unit.suffix().parse::<TimeUnit>(), Ok(unit));
                assert_eq!(unit.name().parse::<TimeUnit>(), Ok(unit));
            }
            Err(e) => check_error(&e),
        }
    }
    // Wire form (seconds as a JSON number).
    if let Ok(v) = serde_json::from_slice::<Validity>(data) {
        check_valid(v);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            v.as_seconds().to_string()
        );
    }
    // Constructor with an arbitrary amount and unit.
    if data.len() >= 9 {
        let amount = i64::from_le_bytes(data[..8].try_into().unwrap());
        let unit = TimeUnit::ALL[usize::from(data[8]) % TimeUnit::ALL.len()];
        let expected = amount
            .checked_mul(unit.seconds())
            .filter(|s| amount >= 0 && (60..=15_120_000).contains(s));
        match Validity::new(amount, unit) {
            Ok(v) => {
                assert_eq!(Some(v.as_seconds()), expected);
                check_valid(v);
            }
            Err(e) => {
                assert_eq!(expected, None, "{amount} {unit} rejected: {e}");
                if amount < 0 {
                    assert_eq!(e, ValidityError::Negative { amount, unit });
                }
                check_error(&e);
            }
        }
        match Validity::from_seconds(amount) {
            Ok(v) => check_valid(v),
            Err(e) => check_error(&e),
        }
    }
});
