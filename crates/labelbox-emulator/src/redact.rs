//! What never enters the request journal: JWT-shaped text (`labelbox_core::scrub_jwts`) and
//! the values of members named like a secret, replaced by [`REDACTED`].

use apollo_compiler::response::{JsonMap, JsonValue};

/// What replaces a secret in the journal; JWT-shaped text is found by the one description
/// of it, [`labelbox_core::scrub_jwts`].
pub(crate) use labelbox_core::{scrub_jwts, REDACTED};

/// Parts of member names (lowercased) whose values the journal never records, at any depth
/// of the variables: no argument or input field of today's schema carries a secret (a unit
/// test lists the names that match: none), so a future one named like this is kept out
/// without a change here; one named otherwise must be added.
pub(crate) const SECRET_NAME_PARTS: &[&str] = &[
    "secret",
    "password",
    "token",
    "jwt",
    "apikey",
    "api_key",
    "credential",
];

/// Whether a member named `name` holds a secret (see [`SECRET_NAME_PARTS`]).
fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// Replaces the value of every member named like a secret, at any depth.
pub(crate) fn redact_secret_members(map: &mut JsonMap) {
    for (name, value) in map.iter_mut() {
        if is_secret_name(name.as_str()) {
            *value = JsonValue::String(REDACTED.into());
        } else {
            redact_secret_value(value);
        }
    }
}

fn redact_secret_value(value: &mut JsonValue) {
    match value {
        JsonValue::Object(map) => redact_secret_members(map),
        JsonValue::Array(items) => items.iter_mut().for_each(redact_secret_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No argument or input field of the served schema is named like a secret: the API
    /// takes none as input today. A new one so named is redacted without a change; one that
    /// carries a secret under another name must be added to `SECRET_NAME_PARTS`.
    #[test]
    fn no_input_of_the_schema_is_named_like_a_secret() {
        use apollo_compiler::schema::ExtendedType;
        let sdl = include_str!("../schema/labelbox.graphql");
        let schema =
            apollo_compiler::Schema::parse(sdl, "labelbox.graphql").unwrap_or_else(|e| e.partial);
        let mut inputs = Vec::new();
        for (type_name, ty) in &schema.types {
            match ty {
                ExtendedType::Object(object) => {
                    for (field, def) in &object.fields {
                        for argument in &def.arguments {
                            inputs.push(format!("{type_name}.{field}({})", argument.name));
                        }
                    }
                }
                ExtendedType::InputObject(input) => {
                    for field in input.fields.keys() {
                        inputs.push(format!("{type_name}.{field}"));
                    }
                }
                _ => {}
            }
        }
        assert!(inputs.len() > 10, "{inputs:?}");
        let secret: Vec<&String> = inputs
            .iter()
            .filter(|name| is_secret_name(name.rsplit(['.', '(']).next().unwrap_or(name)))
            .collect();
        assert!(secret.is_empty(), "{secret:?}");
    }
}
