//! The floor's HTTP client: fixed body bytes posted with the SDK's headers, no SDK code.
//! Used by the timed loops (`clients.rs`) and by the floor server, which records the
//! emulator's answer with it (`server.rs`).

use labelbox_schema::{list_api_keys, GraphQLQuery};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

/// The floor: a bare `reqwest` client posting fixed body bytes with the SDK's headers,
/// reading the response body and checking only the status. No SDK code runs.
#[derive(Debug, Clone)]
pub struct RawClient {
    http: reqwest::Client,
    url: reqwest::Url,
    headers: HeaderMap,
}

impl RawClient {
    /// A client posting to `endpoint` with `key`, and `sdk_method` as `X-SDK-Method`.
    pub fn new(endpoint: &str, key: &str, sdk_method: &'static str) -> Result<Self, String> {
        let mut headers = HeaderMap::new();
        let mut auth =
            HeaderValue::try_from(format!("Bearer {key}")).map_err(|_| "bad key".to_owned())?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            HeaderName::from_static("x-user-agent"),
            HeaderValue::from_static("rust-sdk 0.1.0"),
        );
        headers.insert(
            HeaderName::from_static("x-sdk-method"),
            HeaderValue::from_static(sdk_method),
        );
        let http = reqwest::Client::builder()
            .user_agent("labelbox-rust-sdk/0.1.0")
            .build()
            .map_err(|e| e.to_string())?;
        let url = reqwest::Url::parse(endpoint).map_err(|e| e.to_string())?;
        Ok(Self { http, url, headers })
    }

    /// POSTs `body` and reads the whole answer; returns its length.
    pub async fn post(&self, body: Vec<u8>) -> Result<usize, String> {
        let response = self.send(body).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(bytes.len())
    }

    /// POSTs `body` and returns the whole answer (a copy: not for timed loops).
    pub async fn post_bytes(&self, body: Vec<u8>) -> Result<Vec<u8>, String> {
        let response = self.send(body).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| e.without_url().to_string())?;
        Ok(bytes.to_vec())
    }

    async fn send(&self, body: Vec<u8>) -> Result<reqwest::Response, String> {
        let response = self
            .http
            .post(self.url.clone())
            .headers(self.headers.clone())
            .body(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("raw POST: HTTP {}", response.status()));
        }
        Ok(response)
    }
}

/// The exact body our SDK posts for `list_api_keys().send()`.
pub fn list_body() -> Vec<u8> {
    serde_json::to_vec(&list_api_keys::ListApiKeys::build_query(
        list_api_keys::Variables,
    ))
    .unwrap_or_default()
}
