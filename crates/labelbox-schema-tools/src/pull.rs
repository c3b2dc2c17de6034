//! Pulling a schema from a live GraphQL endpoint.

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value as Json};

use crate::sdl::{introspection_to_sdl, Provenance, INTROSPECTION_QUERY};
use crate::Error;

/// How long the introspection request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How much of an error body goes into [`Error::HttpStatus`].
const BODY_EXCERPT_CHARS: usize = 300;

/// A schema pulled from an endpoint.
#[derive(Debug, Clone)]
pub struct PulledSchema {
    /// The SDL, provenance header included: write this to `schema/labelbox.graphql`.
    pub sdl: String,
    /// The raw introspection answer (`{"data": {"__schema": ...}}`), for `--json` output.
    pub introspection: Json,
    /// Where and when the schema was pulled.
    pub provenance: Provenance,
}

/// Sends the standard introspection query to `endpoint` with the API key as a bearer token
/// and converts the answer to deterministic SDL (see [`crate::introspection_to_sdl`]).
///
/// The key goes only into the `Authorization` header, which is marked sensitive; it is never
/// part of an error: server text put into an error (GraphQL messages, a body excerpt) has the
/// key and JWT-like tokens replaced with `[REDACTED]`, in case the server echoes them.
///
/// ```no_run
/// # async fn run() -> Result<(), labelbox_schema_tools::Error> {
/// use secrecy::SecretString;
/// let key = SecretString::from(std::env::var("LABELBOX_API_KEY").unwrap_or_default());
/// let pulled = labelbox_schema_tools::pull("https://api.labelbox.com/graphql", &key).await?;
/// std::fs::write("schema/labelbox.graphql", &pulled.sdl).ok();
/// # Ok(()) }
/// ```
pub async fn pull(endpoint: &str, api_key: &SecretString) -> Result<PulledSchema, Error> {
    let http = |source| Error::Http {
        endpoint: endpoint.to_owned(),
        source,
    };
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("labelbox-schema-tools/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(http)?;
    let mut auth =
        HeaderValue::from_str(&format!("Bearer {}", api_key.expose_secret())).map_err(|_| {
            Error::Introspection(
                "the API key contains characters not allowed in an HTTP header".into(),
            )
        })?;
    auth.set_sensitive(true);
    let body = json!({
        "query": INTROSPECTION_QUERY,
        "operationName": "IntrospectionQuery",
        "variables": {},
    });
    let response = client
        .post(endpoint)
        .header(AUTHORIZATION, auth)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(http)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(http)?;
    let parsed: Option<Json> = serde_json::from_slice(&bytes).ok();
    let graphql_errors = parsed
        .as_ref()
        .and_then(|j| j.get("errors"))
        .and_then(Json::as_array)
        .filter(|e| !e.is_empty())
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e.get("message")
                        .and_then(Json::as_str)
                        .unwrap_or("(no message)")
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .map(|messages| scrub(&messages, api_key.expose_secret()));
    let has_schema = parsed
        .as_ref()
        .and_then(|j| j.get("data"))
        .and_then(|d| d.get("__schema"))
        .is_some_and(|s| !s.is_null());
    if !has_schema {
        if let Some(messages) = graphql_errors {
            return Err(Error::GraphQl {
                endpoint: endpoint.to_owned(),
                messages,
            });
        }
        if !status.is_success() {
            return Err(Error::HttpStatus {
                endpoint: endpoint.to_owned(),
                status: status.as_u16(),
                body_excerpt: scrub(&String::from_utf8_lossy(&bytes), api_key.expose_secret())
                    .chars()
                    .take(BODY_EXCERPT_CHARS)
                    .collect(),
            });
        }
        return Err(Error::Introspection(format!(
            "{endpoint} answered HTTP {} without `data.__schema`",
            status.as_u16()
        )));
    }
    let introspection = parsed.unwrap_or_default();
    let provenance = Provenance::today(endpoint);
    let sdl = introspection_to_sdl(&introspection, &provenance)?;
    Ok(PulledSchema {
        sdl,
        introspection,
        provenance,
    })
}

/// Server text as it may go into an error, with the API key and JWT-like tokens redacted
/// (a server or proxy may echo the credential it refused).
fn scrub(text: &str, api_key: &str) -> String {
    labelbox_core::redact_secrets(text, api_key).unwrap_or_else(|| text.to_owned())
}
