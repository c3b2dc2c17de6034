//! Human durations for `--timeout` and `--expiring-within`: `500ms`, `30s`, `15m`, `12h`,
//! `7d`, `2w`. (Key validity has its own, bounded, parser in `labelbox-core`.)

use std::time::Duration;

/// Parses `<number><unit>` with unit `ms`, `s`, `m`, `h`, `d` or `w`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let bad = || {
        format!(
            "'{text}' is not a duration: expected a whole number and a unit \
             (ms, s, m, h, d, w), for example 30s or 7d"
        )
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let (millis_per_unit, secs_per_unit) = match unit {
        "ms" => (1, 0),
        "s" => (0, 1),
        "m" => (0, 60),
        "h" => (0, 3_600),
        "d" => (0, 86_400),
        "w" => (0, 604_800),
        _ => return Err(bad()),
    };
    let d = if millis_per_unit == 1 {
        Duration::from_millis(n)
    } else {
        n.checked_mul(secs_per_unit)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("'{text}' is too long a duration"))?
    };
    if d.is_zero() {
        return Err(format!("'{text}': the duration must be greater than zero"));
    }
    Ok(d)
}

/// `d` in the largest unit of [`parse_duration`] that divides it (`5m`, `90s`, `1500ms`):
/// `parse_duration(&display_duration(d)) == Ok(d)` for whole milliseconds.
pub fn display_duration(d: Duration) -> String {
    let millis = d.as_millis();
    if millis == 0 || !millis.is_multiple_of(1_000) {
        return format!("{millis}ms");
    }
    let secs = millis / 1_000;
    let (n, unit) = [(604_800, "w"), (86_400, "d"), (3_600, "h"), (60, "m")]
        .into_iter()
        .find(|(per, _)| secs.is_multiple_of(*per))
        .map_or((secs, "s"), |(per, unit)| (secs / per, unit));
    format!("{n}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_in_the_largest_whole_unit_and_parses_back() {
        for (text, millis) in [
            ("1500ms", 1_500),
            ("90s", 90_000),
            ("5m", 300_000),
            ("36h", 129_600_000),
            ("3d", 259_200_000),
            ("2w", 1_209_600_000),
        ] {
            let d = Duration::from_millis(millis);
            assert_eq!(display_duration(d), text);
            assert_eq!(parse_duration(text), Ok(d));
        }
    }

    #[test]
    fn parses_each_unit() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration(" 2w "), Ok(Duration::from_secs(1_209_600)));
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "",
            "s",
            "30",
            "30x",
            "-5s",
            "1.5h",
            "0s",
            "99999999999999999999w",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} was accepted");
        }
        assert!(parse_duration("3x")
            .unwrap_err()
            .contains("for example 30s"));
    }
}
