//! The body of a GraphQL request: `{"query", "variables", "operationName"}`, bounded in
//! JSON values before it is parsed.

use apollo_compiler::response::JsonMap;
use serde::Deserialize;

/// The most JSON values a request body may hold (the query, the operation name, the
/// variables and every element of theirs): the API's operations send a few dozen, and a
/// million (`[0,0,...]` within 2 MiB) would take about 90 MiB once parsed and coerced.
pub(crate) const MAX_BODY_JSON_VALUES: usize = 10_000;

/// An upper bound of the JSON values in `body`, without parsing it: every value but the
/// first follows a `[` (an array's first element), a `,` (a later element or member) or a
/// `:` (a member's value) outside strings.
fn json_values_at_most(body: &[u8]) -> usize {
    let (mut values, mut in_string, mut escaped) = (1usize, false, false);
    for &byte in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'[' | b',' | b':' => values += 1,
                _ => {}
            }
        }
    }
    values
}

/// The GraphQL request in `body`, or the message of the `MALFORMED_REQUEST` answer.
pub(crate) fn parse_request(body: &[u8]) -> Result<GraphqlRequest, String> {
    if json_values_at_most(body) > MAX_BODY_JSON_VALUES {
        return Err(format!(
            "The body holds more than {MAX_BODY_JSON_VALUES} JSON values"
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| format!("The body must be JSON {{\"query\": ..., \"variables\": ...}}: {e}"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphqlRequest {
    pub query: String,
    #[serde(default)]
    pub variables: Option<JsonMap>,
    #[serde(default)]
    pub operation_name: Option<String>,
}
