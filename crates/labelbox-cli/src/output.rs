//! Human output (aligned tables, relative and absolute times, colour on a terminal only)
//! and JSON output.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// `println!` that returns the write error instead of panicking (a closed pipe, as in
/// `labelbox keys list | head -1`, must not panic).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that returns the write error instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `eprintln!` that never panics: a message on a closed stderr is dropped (the exit code
/// still tells), so a broken stderr cannot abort a command between two steps that belong
/// together, such as handing a new secret over and revoking the old key.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Colours used by the CLI; plain text unless the stream is a terminal and `NO_COLOR` is
/// unset (<https://no-color.org>).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    enabled: bool,
}

/// An ANSI colour or effect.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Red,
    Yellow,
    Green,
    Dim,
    Bold,
}

impl Style {
    /// Colour for stdout.
    pub fn stdout() -> Self {
        Self::detect(io::stdout().is_terminal())
    }

    /// Colour for stderr.
    pub fn stderr() -> Self {
        Self::detect(io::stderr().is_terminal())
    }

    fn detect(is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            enabled: is_terminal && !no_color,
        }
    }

    /// Wraps `text` in the colour's escape codes when colour is on.
    pub fn paint(self, paint: Paint, text: &str) -> String {
        if !self.enabled {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Red => "31",
            Paint::Yellow => "33",
            Paint::Green => "32",
            Paint::Dim => "2",
            Paint::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// Whether a terminal could act on `c` or be misled by it: a C0 or C1 control (ESC starts
/// escape sequences: an OSC 52 clipboard write, a line erase; a newline fakes a table row),
/// DEL, or a bidirectional control that reorders what is shown.
fn is_unsafe_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Server text made safe for a terminal: every C0 and C1 control and bidirectional control
/// escaped as `char::escape_debug` writes it (`\u{1b}`, `\n`, `\u{202e}`), and a backslash as
/// `\\` (so a name that spells `\u{1b}` cannot pass for an escaped control); everything else
/// as is. The one function every human-readable print of server text goes through (table cells
/// take it in [`Cell`]); `--json` output is never escaped.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '\\' || is_unsafe_on_terminal(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
            continue;
        }
        if !is_unsafe_on_terminal(c) {
            out.push(c);
            continue;
        }
        let escaped: String = c.escape_debug().collect();
        if escaped.starts_with('\\') {
            out.push_str(&escaped);
        } else {
            // `escape_debug` leaves a few format characters as they are; escape them alike.
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    Cow::Owned(out)
}

/// One table cell: its text, made [`terminal_safe`], and an optional colour (applied after
/// padding, so columns stay aligned).
#[derive(Debug, Clone)]
pub struct Cell {
    text: String,
    paint: Option<Paint>,
}

impl Cell {
    /// A plain cell.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::painted(text, None)
    }

    /// A coloured cell.
    pub fn painted(text: impl Into<String>, paint: Option<Paint>) -> Self {
        let text = text.into();
        let text = match terminal_safe(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(escaped) => escaped,
        };
        Self { text, paint }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::plain(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::plain(text)
    }
}

/// Renders rows under headers, columns left-aligned and separated by two spaces.
pub fn table(style: Style, headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.text.chars().count();
            if i < widths.len() {
                widths[i] = widths[i].max(w);
            } else {
                widths.push(w);
            }
        }
    }
    let mut out = String::new();
    let header_cells: Vec<Cell> = headers
        .iter()
        .map(|h| Cell::painted(*h, Some(Paint::Bold)))
        .collect();
    for row in std::iter::once(&header_cells).chain(rows) {
        let last = row.len().saturating_sub(1);
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = if i == last {
                0
            } else {
                widths[i] - cell.text.chars().count()
            };
            let text = match cell.paint {
                Some(p) => style.paint(p, &cell.text),
                None => cell.text.clone(),
            };
            line.push_str(&text);
            if i != last {
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2026-12-09 09:00 UTC`.
pub fn absolute(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| rfc3339(t))
}

/// RFC 3339 in UTC, the JSON form of every time.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `3 days`, `1 hour`, `45 seconds`: the largest whole unit.
fn span(seconds: i64) -> String {
    // Rounded to the nearest unit, and the unit chosen after rounding, so a key valid for
    // two weeks reads "in 14 days" a minute after creation and 59m50s reads "1 hour".
    let s = seconds.unsigned_abs();
    let rounded = |unit: u64| (s + unit / 2) / unit;
    let (n, unit) = if s < 60 {
        (s, "second")
    } else if rounded(60) < 60 {
        (rounded(60), "minute")
    } else if rounded(3_600) < 24 {
        (rounded(3_600), "hour")
    } else {
        (rounded(86_400), "day")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `in 13 days` or `expired 2 hours ago`, relative to `now`.
pub fn relative_expiry(expires_at: OffsetDateTime, now: OffsetDateTime) -> String {
    let delta = (expires_at - now).whole_seconds();
    if delta > 0 {
        format!("in {}", span(delta))
    } else {
        format!("expired {} ago", span(delta))
    }
}

/// `3 days ago`, or `just now` within the last minute.
pub fn relative_past(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let ago = (now - t).whole_seconds();
    if ago < 60 {
        "just now".to_owned()
    } else {
        format!("{} ago", span(ago))
    }
}

/// `in 13 days (2026-12-09 09:00 UTC)`.
pub fn expiry(expires_at: OffsetDateTime, now: OffsetDateTime) -> String {
    format!(
        "{} ({})",
        relative_expiry(expires_at, now),
        absolute(expires_at)
    )
}

/// The colour an expiry deserves: red once expired, yellow within a week.
pub fn expiry_paint(expires_at: OffsetDateTime, now: OffsetDateTime) -> Option<Paint> {
    let left = (expires_at - now).whole_seconds();
    if left <= 0 {
        Some(Paint::Red)
    } else if left <= 7 * 86_400 {
        Some(Paint::Yellow)
    } else {
        None
    }
}

/// A short, safe preview of a secret: its first 8 characters then `…[redacted]`.
pub fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(8).collect();
    format!("{prefix}…[redacted]")
}

/// Runs `write` (which prints a new key's secret on stdout), then flushes stdout and, when
/// stdout is a regular file, fsyncs it. Only `Ok` means the secret was handed over: an
/// error of any step (a full disk, a closed pipe: `EPIPE`, since Rust ignores `SIGPIPE`)
/// is returned, never swallowed.
pub fn print_durably(write: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    // Reentrant: `outln!` inside `write` takes the same lock.
    let mut stdout = io::stdout().lock();
    write()?;
    stdout.flush()?;
    sync_if_regular_file()
}

#[cfg(unix)]
fn sync_if_regular_file() -> io::Result<()> {
    use std::os::fd::AsFd;
    let file = std::fs::File::from(io::stdout().as_fd().try_clone_to_owned()?);
    if file.metadata()?.is_file() {
        file.sync_all()?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn sync_if_regular_file() -> io::Result<()> {
    Ok(())
}

/// Whether stdout is the null device: `> /dev/null`, or a closed stdout (`>&-`), which
/// Rust's runtime reopens as `/dev/null` at start. A secret printed there is lost.
#[cfg(unix)]
pub fn stdout_is_null() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let is_char_device = |m: &std::fs::Metadata| m.file_type().is_char_device();
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else {
        return false;
    };
    match (
        std::fs::File::from(fd).metadata(),
        std::fs::metadata("/dev/null"),
    ) {
        (Ok(out), Ok(null)) => {
            is_char_device(&out) && is_char_device(&null) && out.rdev() == null.rdev()
        }
        _ => false,
    }
}

#[cfg(not(unix))]
pub fn stdout_is_null() -> bool {
    false
}

/// Writes `value` as pretty JSON and a newline to stdout.
pub fn print_json<T: Serialize>(value: &T) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)?;
    writeln!(stdout)?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn relative_times_read_naturally() {
        let now = datetime!(2026-11-26 09:00 UTC);
        assert_eq!(
            relative_expiry(datetime!(2026-12-09 10:00 UTC), now),
            "in 13 days"
        );
        assert_eq!(
            relative_expiry(datetime!(2026-11-26 07:00 UTC), now),
            "expired 2 hours ago"
        );
        assert_eq!(
            relative_expiry(datetime!(2026-11-26 09:01 UTC), now),
            "in 1 minute"
        );
        assert_eq!(
            relative_expiry(datetime!(2026-11-26 09:00:30 UTC), now),
            "in 30 seconds"
        );
        assert_eq!(
            relative_past(datetime!(2026-11-23 08:00 UTC), now),
            "3 days ago"
        );
        assert_eq!(
            relative_past(datetime!(2026-11-26 08:59:30 UTC), now),
            "just now"
        );
        // Rounded to the nearest unit, the unit chosen after rounding.
        assert_eq!(
            relative_expiry(datetime!(2026-12-10 08:59 UTC), now),
            "in 14 days"
        );
        assert_eq!(
            relative_expiry(datetime!(2026-11-26 09:59:50 UTC), now),
            "in 1 hour"
        );
        assert_eq!(
            relative_expiry(datetime!(2026-11-27 08:50 UTC), now),
            "in 1 day"
        );
        assert_eq!(
            expiry(datetime!(2026-11-27 09:00 UTC), now),
            "in 1 day (2026-11-27 09:00 UTC)"
        );
    }

    #[test]
    fn tables_align_and_colour_does_not_break_alignment() {
        let rows = vec![
            vec![
                Cell::plain("a"),
                Cell::plain("long value"),
                Cell::plain("x"),
            ],
            vec![
                Cell::plain("longer"),
                Cell::painted("v", Some(Paint::Red)),
                Cell::plain("y"),
            ],
        ];
        let plain = table(Style { enabled: false }, &["ID", "NAME", "Z"], &rows);
        assert_eq!(
            plain,
            "ID      NAME        Z\na       long value  x\nlonger  v           y\n"
        );
        let coloured = table(Style { enabled: true }, &["ID", "NAME", "Z"], &rows);
        assert!(coloured.contains("\x1b[31mv\x1b[0m           y"));
    }

    #[test]
    fn terminal_safe_escapes_controls_and_bidi_only() {
        assert_eq!(terminal_safe("ci-deploy é 名"), "ci-deploy é 名");
        assert_eq!(
            terminal_safe("a\x1b]52;c;aGk=\x07b\nc\0d\u{9b}e\u{202e}f\u{2066}g\u{200f}h\u{61c}i\x7f"),
            "a\\u{1b}]52;c;aGk=\\u{7}b\\nc\\0d\\u{9b}e\\u{202e}f\\u{2066}g\\u{200f}h\\u{61c}i\\u{7f}"
        );
        // A name that spells an escape is not taken for one.
        assert_eq!(terminal_safe("a\\u{1b}b"), "a\\\\u{1b}b");
        assert_eq!(terminal_safe("C:\\keys"), "C:\\\\keys");
    }

    #[test]
    fn redaction_keeps_only_a_prefix() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(redact(jwt), "eyJhbGci…[redacted]");
    }
}
