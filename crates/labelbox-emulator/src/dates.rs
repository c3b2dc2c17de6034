//! Dates as Labelbox writes them.

use time::OffsetDateTime;

/// RFC 3339 with milliseconds and `Z`, as Labelbox writes dates.
pub(crate) fn format_date(t: OffsetDateTime) -> String {
    let mut out = Vec::with_capacity(24);
    push_date(&mut out, t);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `t` as [`format_date`] writes it (ASCII digits and separators only).
pub(crate) fn push_date(out: &mut Vec<u8>, t: OffsetDateTime) {
    fn digits(out: &mut Vec<u8>, value: u32, width: u32) {
        for place in (0..width).rev() {
            let digit = (value / 10u32.pow(place)) % 10;
            out.push(b'0' + u8::try_from(digit).unwrap_or(0));
        }
    }
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        // Outside four digits (never for the emulator's clock): the general formatting.
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year,
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        );
        out.extend_from_slice(text.as_bytes());
        return;
    }
    digits(out, year.unsigned_abs(), 4);
    out.push(b'-');
    digits(out, u32::from(u8::from(t.month())), 2);
    out.push(b'-');
    digits(out, u32::from(t.day()), 2);
    out.push(b'T');
    digits(out, u32::from(t.hour()), 2);
    out.push(b':');
    digits(out, u32::from(t.minute()), 2);
    out.push(b':');
    digits(out, u32::from(t.second()), 2);
    out.push(b'.');
    digits(out, u32::from(t.millisecond()), 3);
    out.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_milliseconds_and_z() {
        let t = OffsetDateTime::from_unix_timestamp(1_704_067_200).unwrap()
            + time::Duration::milliseconds(5);
        assert_eq!(format_date(t), "2024-01-01T00:00:00.005Z");
    }

    /// The digit-by-digit writer agrees with `format!` over years, days and milliseconds.
    #[test]
    fn dates_match_the_general_formatting() {
        let general = |t: OffsetDateTime| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        };
        let mut seconds: i64 = -62_000_000_000;
        while seconds < 250_000_000_000 {
            let t = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + time::Duration::milliseconds(seconds.rem_euclid(1000));
            assert_eq!(format_date(t), general(t));
            seconds += 7_777_777_777 + seconds.rem_euclid(86_399);
        }
        let offset = OffsetDateTime::from_unix_timestamp(1_704_067_200)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(5, 30, 0).unwrap());
        assert_eq!(format_date(offset), "2024-01-01T00:00:00.000Z");
        let last = OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap()
            + time::Duration::milliseconds(999);
        assert_eq!(format_date(last), "9999-12-31T23:59:59.999Z");
    }
}
