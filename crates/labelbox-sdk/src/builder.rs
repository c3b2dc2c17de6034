//! [`ClientBuilder`]: a [`Client`]'s configuration, and the checks an endpoint passes
//! before any key is sent to it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};

use crate::client::{
    Inner, API_KEY_ENV, DEFAULT_ENDPOINT, DEFAULT_MAX_RESPONSE_BYTES, ENDPOINT_ENV,
};
use crate::retry::RetryPolicy;
use crate::transport::Transport;
use crate::{Client, ConstructionError, Error};

/// The SDK identification header, `X-User-Agent: rust-sdk <version>`.
const X_USER_AGENT: HeaderName = HeaderName::from_static("x-user-agent");

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures and builds a [`Client`]. Created by [`Client::builder`].
///
/// Its `Debug` output never shows the API key.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    endpoint: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent_suffix: Option<String>,
    retry_policy: RetryPolicy,
    allow_insecure_http: bool,
    max_response_bytes: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            endpoint: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent_suffix: None,
            retry_policy: RetryPolicy::default(),
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("retry_policy", &self.retry_policy)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// Sets the API key (a `String`, `&str` or [`SecretString`]). Surrounding whitespace
    /// is ignored; an empty key counts as missing.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the GraphQL endpoint (default `https://api.labelbox.com/graphql`).
    ///
    /// Plain `http://` is accepted only for loopback hosts (`127.0.0.0/8`, `::1`,
    /// `localhost`) unless [`ClientBuilder::allow_insecure_http`] is set, so the key never
    /// crosses a network unencrypted by accident.
    ///
    /// Proxies: a plain `http://` endpoint never goes through a proxy (`HTTP_PROXY`,
    /// `ALL_PROXY` and the like are ignored for it), and `localhost` is resolved to
    /// `127.0.0.1` / `::1` without asking DNS, so the key in cleartext never leaves the
    /// machine. An `https://` endpoint follows `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY`
    /// as usual, always through a `CONNECT` tunnel: the proxy sees the host name, never
    /// the request or the key.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Sets the overall timeout of one HTTP attempt, from sending to the end of the body
    /// (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the timeout for establishing a connection (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Appends text to the SDK identification header:
    /// `X-User-Agent: rust-sdk <version> <suffix>`.
    #[must_use]
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]; [`RetryPolicy::none`]
    /// turns retries off).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Allows a plain `http://` endpoint on a non-loopback host, which sends the API key
    /// unencrypted. Off by default. Even then the request never goes through a proxy: it
    /// connects directly to the address the host name resolves to.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Caps the size of one response body (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 16 MiB). The cap applies while the body is read: a larger body (declared or
    /// streamed) stops the read and fails with [`ResponseError::ResponseTooLarge`](crate::ResponseError::ResponseTooLarge), so a
    /// misbehaving server cannot exhaust the client's memory.
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Fills the key from `LABELBOX_API_KEY` and the endpoint from `LABELBOX_ENDPOINT`
    /// where they are set and not empty (values set on the builder before are replaced).
    #[must_use]
    pub fn from_env(mut self) -> Self {
        if let Some(key) = std::env::var(API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            self.api_key = Some(key.into());
        }
        if let Some(endpoint) = std::env::var(ENDPOINT_ENV)
            .ok()
            .filter(|e| !e.trim().is_empty())
        {
            self.endpoint = Some(endpoint);
        }
        self
    }

    /// Builds the client.
    ///
    /// Fails with [`ConstructionError::MissingApiKey`](crate::ConstructionError::MissingApiKey) without a (non-empty) key, and with
    /// [`ConstructionError::Configuration`](crate::ConstructionError::Configuration) for an endpoint that is not an `http(s)` URL, a plain
    /// `http` endpoint on a non-loopback host (see [`ClientBuilder::endpoint`]), or a key or
    /// suffix that cannot be sent in an HTTP header.
    pub fn build(self) -> Result<Client, Error> {
        let key = self
            .api_key
            .as_ref()
            .map(|k| k.expose_secret().trim())
            .filter(|k| !k.is_empty())
            .ok_or(Error::Construction(ConstructionError::MissingApiKey))?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {key}")).map_err(|_| {
            configuration("the API key contains characters that cannot be sent in an HTTP header")
        })?;
        authorization.set_sensitive(true);

        let endpoint_text = self.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT).trim();
        let endpoint = reqwest::Url::parse(endpoint_text).map_err(|e| {
            // Text with an `@` may carry a password (`user:pass@host`): not repeated.
            if endpoint_text.contains('@') {
                configuration(format!("the endpoint is not a URL: {e}"))
            } else {
                configuration(format!("the endpoint '{endpoint_text}' is not a URL: {e}"))
            }
        })?;
        if !endpoint.username().is_empty() || endpoint.password().is_some() {
            // The API key is the one credential; a password in the URL would travel as
            // basic auth and be shown wherever the endpoint is.
            return Err(configuration(
                "the endpoint must not carry credentials (`user:password@`): the API key is \
                 the only credential",
            ));
        }
        check_endpoint(&endpoint, self.allow_insecure_http)?;

        let mut sdk_id = format!("rust-sdk {}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self.user_agent_suffix.as_deref().map(str::trim) {
            if !suffix.is_empty() {
                sdk_id.push(' ');
                sdk_id.push_str(suffix);
            }
        }
        let sdk_id = HeaderValue::try_from(sdk_id).map_err(|_| {
            configuration("the user agent suffix contains characters not allowed in an HTTP header")
        })?;

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(X_USER_AGENT, sdk_id);

        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("labelbox-rust-sdk/", env!("CARGO_PKG_VERSION")));
        if endpoint.scheme() == "http" {
            // A proxy would receive the request, key included, in cleartext.
            http = http.no_proxy();
            if is_loopback(&endpoint) {
                http = http.dns_resolver(Arc::new(LoopbackOnly));
            }
        }
        let http = http
            .build()
            .map_err(|e| configuration(format!("the HTTP client could not be built: {e}")))?;

        Ok(Client {
            inner: Arc::new(Inner {
                transport: Transport {
                    http,
                    endpoint,
                    headers,
                    retry: self.retry_policy,
                    timeout: self.timeout,
                    connect_timeout: self.connect_timeout,
                    max_response_bytes: self.max_response_bytes,
                    api_key: SecretString::from(key.to_owned()),
                },
                caller: Mutex::new(None),
                held: Mutex::new(crate::create::HeldKeys::default()),
            }),
        })
    }
}

fn configuration(message: impl Into<String>) -> Error {
    Error::Construction(ConstructionError::Configuration {
        message: message.into(),
    })
}

/// The key may only travel over https, or plain http to this machine, unless allowed.
fn check_endpoint(endpoint: &reqwest::Url, allow_insecure_http: bool) -> Result<(), Error> {
    match endpoint.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(endpoint) => Ok(()),
        "http" => Err(configuration(format!(
            "refusing to send the API key over plain http to '{}': use https, a loopback \
             address, or allow_insecure_http(true)",
            endpoint.host_str().unwrap_or_default()
        ))),
        other => Err(configuration(format!(
            "the endpoint scheme must be https (or http on loopback), not '{other}'"
        ))),
    }
}

fn is_loopback(endpoint: &reqwest::Url) -> bool {
    let Some(host) = endpoint.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if is_localhost(host) {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_localhost(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost") || name.eq_ignore_ascii_case("localhost.")
}

/// The name resolver of a plain-http loopback client: `localhost` is `127.0.0.1` and
/// `::1`, without asking DNS (which could answer with a remote address); no other name
/// resolves. (Loopback IP literals never reach a resolver.)
#[derive(Debug)]
struct LoopbackOnly;

impl LoopbackOnly {
    fn addresses(name: &str) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        if is_localhost(name) {
            Ok(vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
            ])
        } else {
            Err(format!("a plain-http endpoint resolves only localhost, not '{name}'").into())
        }
    }
}

impl reqwest::dns::Resolve for LoopbackOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addresses = LoopbackOnly::addresses(name.as_str());
        Box::pin(async move {
            let addresses: reqwest::dns::Addrs = Box::new(addresses?.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_endpoint(url: &str) -> ClientBuilder {
        Client::builder().api_key("k").endpoint(url)
    }

    #[test]
    fn loopback_http_is_allowed_and_remote_http_is_not() {
        for url in [
            "http://127.0.0.1:8080/graphql",
            "http://127.9.9.9/graphql",
            "http://[::1]:1/graphql",
            "http://localhost:3000/graphql",
            "http://LOCALHOST/graphql",
            "https://api.labelbox.com/graphql",
            "https://example.com/graphql",
        ] {
            assert!(with_endpoint(url).build().is_ok(), "{url}");
        }
        for url in [
            "http://api.labelbox.com/graphql",
            "http://10.0.0.1/graphql",
            "http://localhost.example.com/graphql",
            "http://[::2]/graphql",
        ] {
            let error = with_endpoint(url).build().unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::Construction(ConstructionError::Configuration { .. })
                ),
                "{url}"
            );
            assert!(with_endpoint(url).allow_insecure_http(true).build().is_ok());
        }
        assert!(matches!(
            with_endpoint("ftp://example.com/").build(),
            Err(Error::Construction(ConstructionError::Configuration { .. }))
        ));
        assert!(matches!(
            with_endpoint("not a url").build(),
            Err(Error::Construction(ConstructionError::Configuration { .. }))
        ));
    }

    #[test]
    fn localhost_resolves_to_loopback_only_and_nothing_else_resolves() {
        for name in ["localhost", "LocalHost", "localhost."] {
            let addresses = LoopbackOnly::addresses(name).unwrap();
            assert!(!addresses.is_empty());
            assert!(addresses.iter().all(|a| a.ip().is_loopback()), "{name}");
        }
        for name in ["example.com", "localhost.example.com", "127.0.0.1.nip.io"] {
            assert!(LoopbackOnly::addresses(name).is_err(), "{name}");
        }
    }

    #[test]
    fn an_endpoint_with_credentials_is_refused_without_repeating_them() {
        for url in [
            "https://user:hunter2@api.labelbox.com/graphql",
            "https://hunter2@api.labelbox.com/graphql",
            "http://user:hunter2@127.0.0.1:8080/graphql",
            "https://user:hunter2@exa mple.com/graphql",
        ] {
            let error = with_endpoint(url).build().unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(
                matches!(
                    error,
                    Error::Construction(ConstructionError::Configuration { .. })
                ),
                "{url}: {text}"
            );
            assert!(!text.contains("hunter2"), "{url}: {text}");
        }
    }

    #[test]
    fn missing_or_blank_key_fails_at_construction() {
        assert!(matches!(
            Client::builder().build(),
            Err(Error::Construction(ConstructionError::MissingApiKey))
        ));
        assert!(matches!(
            Client::builder().api_key("  ").build(),
            Err(Error::Construction(ConstructionError::MissingApiKey))
        ));
    }

    #[test]
    fn key_with_a_newline_is_a_configuration_error_without_the_key() {
        let error = Client::builder()
            .api_key("abc\ndef-secret")
            .build()
            .unwrap_err();
        assert!(matches!(
            error,
            Error::Construction(ConstructionError::Configuration { .. })
        ));
        assert!(!format!("{error} {error:?}").contains("def-secret"));
    }

    #[test]
    fn default_endpoint() {
        let client = Client::builder().api_key("k").build().unwrap();
        assert_eq!(client.endpoint(), DEFAULT_ENDPOINT);
    }

    #[test]
    fn client_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
        check::<ClientBuilder>();
    }
}
