//! Pulling a schema from a live GraphQL endpoint, through the SDK's HTTP path.

use std::time::Duration;

use labelbox_sdk::schema::{GraphQLQuery, QueryBody};
use labelbox_sdk::Client;
use secrecy::SecretString;
use serde_json::Value as Json;

use crate::sdl::{introspection_to_sdl, Provenance, INTROSPECTION_QUERY};
use crate::Error;

/// How long the introspection request may take, connection included, when [`pull`] builds
/// the client.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How much of an error body goes into [`Error::HttpStatus`].
const BODY_EXCERPT_CHARS: usize = 300;

/// The standard introspection query (`graphql/introspection.graphql`) as an operation the
/// SDK can send. Not generated: `labelbox-codegen` types operations against the Labelbox
/// schema, and the answer here is read as plain JSON.
struct IntrospectionQuery;

impl GraphQLQuery for IntrospectionQuery {
    type Variables = serde_json::Map<String, Json>;
    type ResponseData = Json;

    fn build_query(variables: Self::Variables) -> QueryBody<Self::Variables> {
        QueryBody {
            variables,
            query: INTROSPECTION_QUERY,
            operation_name: "IntrospectionQuery",
        }
    }
}

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
/// The request goes through a `labelbox-sdk` [`Client`] built with the SDK's defaults and a
/// 60 s timeout, so it follows the SDK's transport rules: https, or plain http to loopback
/// only (else [`Error::Client`], nothing sent); plain http never through a proxy; no
/// redirects ([`Error::Redirected`]); the response capped at 16 MiB. [`pull_with_client`]
/// takes a client configured otherwise.
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
    let client = Client::builder()
        .api_key(api_key.clone())
        .endpoint(endpoint)
        .timeout(TIMEOUT)
        .build()
        .map_err(|source| Error::Client {
            endpoint: endpoint.to_owned(),
            source,
        })?;
    pull_with_client(&client).await
}

/// Like [`pull`], with the endpoint, key, timeouts and response cap of `client`
/// (sent once with [`Client::execute_unclassified`]; the provenance names
/// [`Client::endpoint`]).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = labelbox_sdk::Client::builder()
///     .from_env()
///     .max_response_bytes(64 * 1024 * 1024)
///     .build()?;
/// let pulled = labelbox_schema_tools::pull_with_client(&client).await?;
/// print!("{}", pulled.sdl);
/// # Ok(()) }
/// ```
pub async fn pull_with_client(client: &Client) -> Result<PulledSchema, Error> {
    let endpoint = client.endpoint();
    let response = client
        .execute_unclassified::<IntrospectionQuery>(serde_json::Map::new())
        .await
        .map_err(|source| Error::Http {
            endpoint: endpoint.to_owned(),
            source,
        })?;
    let status = response.status();
    if (300..400).contains(&status) {
        return Err(Error::Redirected {
            endpoint: endpoint.to_owned(),
            status,
        });
    }
    let bytes = response.into_body();
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
        .map(|messages| client.redact_secrets(&messages));
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
        if !(200..300).contains(&status) {
            return Err(Error::HttpStatus {
                endpoint: endpoint.to_owned(),
                status,
                body_excerpt: client
                    .redact_secrets(&String::from_utf8_lossy(&bytes))
                    .chars()
                    .take(BODY_EXCERPT_CHARS)
                    .collect(),
            });
        }
        return Err(Error::Introspection(format!(
            "{endpoint} answered HTTP {status} without `data.__schema`"
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
