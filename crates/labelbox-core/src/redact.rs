//! Redaction of secrets in text that came from a server and may reach an error message.

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Replaces `api_key` and every JWT-like token ([`scrub_jwts`]) in `text` with
/// [`REDACTED`]. Returns `None` when there was nothing to replace.
///
/// Servers and proxies may echo the credential they refused; the SDK and the schema tools
/// pass every server message through this before it goes into an error. A key shorter
/// than 8 characters is not searched for (it would mangle ordinary words).
///
/// ```
/// use labelbox_core::redact_secrets;
///
/// let text = "bad key my-secret-key-1234";
/// assert_eq!(
///     redact_secrets(text, "my-secret-key-1234").as_deref(),
///     Some("bad key [REDACTED]")
/// );
/// assert_eq!(redact_secrets("nothing here", "my-secret-key-1234"), None);
/// ```
pub fn redact_secrets(text: &str, api_key: &str) -> Option<String> {
    let api_key = api_key.trim();
    let mut out = if api_key.len() >= 8 && text.contains(api_key) {
        text.replace(api_key, REDACTED)
    } else {
        text.to_owned()
    };
    if let Some(scrubbed) = scrub_jwts(&out) {
        out = scrubbed;
    }
    (out != text).then_some(out)
}

/// `text` with every JWT-like token replaced by [`REDACTED`], or `None` when it holds none.
///
/// A token is a run of base64url characters, `=` and dots; it is JWT-like when, past its
/// leading dots (a GraphQL fragment spread `...eyJName` is not a JWT), it contains `eyJ`
/// (the start of an encoded JSON header) and is at least 16 long or has two dots. Such a run
/// never needs escaping in JSON, so scrubbing JSON text keeps it valid JSON. The one
/// description of a JWT-shaped secret: the SDK's errors and the emulator's request journal
/// both use it.
pub fn scrub_jwts(text: &str) -> Option<String> {
    if !text.contains("eyJ") {
        return None;
    }
    let is_token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    let mut scrubbed = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(start) = rest.find(is_token) {
        scrubbed.push_str(&rest[..start]);
        let run = &rest[start..];
        let end = run.find(|c: char| !is_token(c)).unwrap_or(run.len());
        let token = &run[..end];
        let jwt = token.trim_start_matches('.');
        if jwt.contains("eyJ") && (jwt.len() >= 16 || jwt.matches('.').count() >= 2) {
            scrubbed.push_str(&token[..token.len() - jwt.len()]);
            scrubbed.push_str(REDACTED);
            changed = true;
        } else {
            scrubbed.push_str(token);
        }
        rest = &run[end..];
    }
    scrubbed.push_str(rest);
    changed.then_some(scrubbed)
}

#[cfg(test)]
mod tests {
    use super::redact_secrets;

    #[test]
    fn the_key_and_jwts_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(
            redact_secrets(
                &format!("bad key my-secret-key-1234 and {jwt}!"),
                "my-secret-key-1234"
            )
            .as_deref(),
            Some("bad key [REDACTED] and [REDACTED]!")
        );
        assert_eq!(
            redact_secrets("nothing to see: eyJ", "my-secret-key-1234"),
            None
        );
        assert_eq!(redact_secrets("a bad key", "bad"), None);
    }
}
