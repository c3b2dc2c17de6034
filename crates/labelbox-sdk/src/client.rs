//! [`Client`]: the calls every operation goes through. Its configuration, and the checks
//! an endpoint passes before a key is sent to it, are in `builder.rs` ([`ClientBuilder`]).

use std::fmt;
use std::sync::{Arc, Mutex};

use graphql_client::GraphQLQuery;
use secrecy::ExposeSecret;

use crate::cache::CallerContext;
use crate::operation_kind::idempotency_of;
use crate::retry::Idempotency;
use crate::transport::Transport;
use crate::ClientBuilder;
use crate::Error;
use crate::Operation;

/// The endpoint used when none is configured.
pub const DEFAULT_ENDPOINT: &str = "https://api.labelbox.com/graphql";

/// The environment variable holding the API key, read by [`Client::from_env`].
pub const API_KEY_ENV: &str = "LABELBOX_API_KEY";

/// The environment variable that may override the endpoint, read by [`Client::from_env`].
pub const ENDPOINT_ENV: &str = "LABELBOX_ENDPOINT";

/// The default cap on one response body: 16 MiB (see [`ClientBuilder::max_response_bytes`]).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// An async client for the Labelbox API-key, role and user operations.
///
/// Cheap to clone (an [`Arc`] inside): clones share one pooled HTTP client and one cache
/// of the caller's permissions and roles. `Send + Sync`, so it can be shared across tasks.
/// Its `Debug` output never shows the API key.
///
/// ```no_run
/// # async fn run() -> Result<(), labelbox_sdk::Error> {
/// use labelbox_sdk::Client;
///
/// let client = Client::from_env()?; // LABELBOX_API_KEY, optional LABELBOX_ENDPOINT
/// for key in client.list_api_keys().send().await? {
///     println!("{} {} expires {}", key.id, key.name, key.expires_at);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) transport: Transport,
    /// The caller's permissions and the organization's roles, for `create_api_key`.
    pub(crate) caller: Mutex<Option<Arc<CallerContext>>>,
    /// Keys this client created and handed to its caller recently: orphan reconciliation
    /// never revokes them (another task's same-named creation, a batch rotation's
    /// replacement already handed over).
    pub(crate) held: Mutex<crate::create::HeldKeys>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = &self.inner.transport;
        f.debug_struct("Client")
            .field("endpoint", &transport.endpoint.as_str())
            .field("api_key", &"[REDACTED]")
            .field("timeout", &transport.timeout)
            .field("connect_timeout", &transport.connect_timeout)
            .field("retry_policy", &transport.retry)
            .field("max_response_bytes", &transport.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client; [`ClientBuilder::api_key`] is required.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), labelbox_sdk::Error> {
    /// use std::time::Duration;
    /// use labelbox_sdk::{Client, RetryPolicy};
    ///
    /// let client = Client::builder()
    ///     .api_key(std::env::var("MY_LABELBOX_KEY").unwrap_or_default())
    ///     .timeout(Duration::from_secs(20))
    ///     .retry_policy(RetryPolicy::default().max_attempts(5))
    ///     .user_agent_suffix("my-tool/1.2")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the key from `LABELBOX_API_KEY`
    /// (required) and the endpoint from `LABELBOX_ENDPOINT` (optional, default
    /// `https://api.labelbox.com/graphql`).
    ///
    /// Fails with [`ConstructionError::MissingApiKey`](crate::ConstructionError::MissingApiKey) when the key is unset or empty.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::default().from_env().build()
    }

    /// The GraphQL endpoint this client posts to.
    pub fn endpoint(&self) -> &str {
        self.inner.transport.endpoint.as_str()
    }

    /// Runs any generated GraphQL operation (this SDK's or one generated in your own
    /// crate with `labelbox-codegen`) with the client's key, retries and error
    /// classification, and returns its typed response data.
    ///
    /// The request carries `X-SDK-Method: Client:execute`. Queries are retried (on
    /// timeouts, connection failures, 5xx and rate limiting). A mutation (its kind is the
    /// generated [`Operation::KIND`]) is retried only when the request provably never reached the server
    /// (connection refused) or was rejected before processing (429), never after an
    /// ambiguous failure; [`RetryPolicy::none`](crate::RetryPolicy::none) turns retries off altogether.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::schema::current_user;
    /// use labelbox_sdk::Client;
    ///
    /// let client = Client::from_env()?;
    /// let data = client
    ///     .execute::<current_user::CurrentUser>(current_user::Variables)
    ///     .await?;
    /// if let Some(user) = data.user {
    ///     println!("signed in as {}", user.email);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute<Q: Operation>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error> {
        self.inner
            .transport
            .call::<Q>(variables, "Client:execute", idempotency_of(Q::KIND))
            .await
    }

    /// [`Client::execute`] for an operation that was not generated by `labelbox-codegen` (a
    /// hand-written `GraphQLQuery` impl, which carries no [`OperationKind`](crate::OperationKind)): its document is
    /// parsed to tell a query from a mutation (comments, strings and field names that spell
    /// `mutation` do not count; a document that does not parse counts as a mutation), and it
    /// is retried as [`Client::execute`] retries that kind. The request carries
    /// `X-SDK-Method: Client:execute_with_parsed_kind`.
    pub async fn execute_with_parsed_kind<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, Error> {
        self.inner
            .transport
            .call::<Q>(
                variables,
                "Client:execute_with_parsed_kind",
                Idempotency::FromDocument,
            )
            .await
    }

    /// Sends a GraphQL operation once and returns the HTTP status and body as they came,
    /// for tools that read answers [`Client::execute`] does not decode (`labelbox schema
    /// pull` sends the introspection query this way).
    ///
    /// The request takes the same path as every other: the client's key and headers
    /// (`X-SDK-Method: Client:execute_unclassified`), the endpoint and proxy rules,
    /// redirects not followed (a 3xx comes back as it is), the timeouts and the
    /// [`ClientBuilder::max_response_bytes`] cap. It is sent once (no retries) and the
    /// answer is not classified: a GraphQL error or a 401 is an `Ok` with that status and
    /// body. Transport failures are errors as in [`Client::execute`] (`Network`,
    /// `Timeout`, `ResponseTooLarge`).
    ///
    /// The body is the server's: text taken from it into an error or a log should go
    /// through [`Client::redact_secrets`] first.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::schema::current_user;
    /// use labelbox_sdk::Client;
    ///
    /// let client = Client::from_env()?;
    /// let answer = client
    ///     .execute_unclassified::<current_user::CurrentUser>(current_user::Variables)
    ///     .await?;
    /// println!("HTTP {}, {} bytes", answer.status(), answer.body().len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute_unclassified<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<RawResponse, Error> {
        let answer = self
            .inner
            .transport
            .send_once_unclassified::<Q>(variables, "Client:execute_unclassified")
            .await?;
        Ok(RawResponse {
            status: answer.status,
            body: answer.body,
        })
    }

    /// `text` with this client's API key and anything shaped like a JWT replaced by
    /// `[REDACTED]`: the scrubbing the SDK applies to server text before it reaches an
    /// error, for callers that quote a [`RawResponse`] (a server may echo the key).
    pub fn redact_secrets(&self, text: &str) -> String {
        let key = self.inner.transport.api_key.expose_secret();
        crate::redact_secrets(text, key).unwrap_or_else(|| text.to_owned())
    }

    /// The id of the API key this client calls with, when the key says it: the `apiKeyId`
    /// (Labelbox) or `jti` claim of its JWT payload, read without verifying anything (only
    /// the server can). `None` for a key that is not a JWT or names no id. Batch rotation
    /// uses it to rotate the calling key last ([`crate::rotation_order`]).
    pub fn calling_key_id(&self) -> Option<crate::ApiKeyId> {
        use base64::Engine as _;
        #[derive(serde::Deserialize)]
        struct KeyClaims {
            #[serde(rename = "apiKeyId")]
            api_key_id: Option<String>,
            jti: Option<String>,
        }
        let key = self.inner.transport.api_key.expose_secret();
        let payload = key.split('.').nth(1)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let claims: KeyClaims = serde_json::from_slice(&json).ok()?;
        claims
            .api_key_id
            .or(claims.jti)
            .filter(|id| !id.is_empty())
            .map(crate::ApiKeyId::from)
    }

    /// Runs an operation on behalf of an SDK method, retried as an idempotent call.
    pub(crate) async fn call_idempotent<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
    ) -> Result<Q::ResponseData, Error> {
        self.inner
            .transport
            .call::<Q>(variables, sdk_method, Idempotency::Idempotent)
            .await
    }
}

/// An HTTP answer as read by [`Client::execute_unclassified`]: the status and the body
/// (at most [`ClientBuilder::max_response_bytes`]). Its `Debug` shows the body's length,
/// not its content (which may hold a secret, such as a created key).
#[derive(Clone)]
pub struct RawResponse {
    status: u16,
    body: Vec<u8>,
}

impl RawResponse {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, owned.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}
