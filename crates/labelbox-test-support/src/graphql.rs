//! Raw GraphQL over HTTP against the emulator: the operation documents of `queries/` sent
//! with reqwest, for tests that check the server without going through the SDK.

use serde_json::{json, Value};

/// The text of `queries/<name>.graphql`.
pub fn query(name: &str) -> String {
    let path = crate::workspace_root().join(format!("queries/{name}.graphql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// POSTs a raw body; returns status, headers and the body text.
pub async fn post_raw(
    endpoint: &str,
    key: Option<&str>,
    body: String,
) -> Result<(u16, reqwest::header::HeaderMap, String), reqwest::Error> {
    let client = reqwest::Client::new();
    let mut req = client
        .post(endpoint)
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = key {
        req = req.header("authorization", format!("Bearer {key}"));
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await?;
    Ok((status, headers, text))
}

/// POSTs `{"query", "variables"}`; asserts HTTP 200 and JSON; returns the body.
pub async fn gql(endpoint: &str, key: Option<&str>, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, _, text) = post_raw(endpoint, key, body).await.expect("request");
    assert_eq!(status, 200, "body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Runs `queries/<name>.graphql`.
pub async fn op(endpoint: &str, key: &str, name: &str, variables: Value) -> Value {
    gql(endpoint, Some(key), &query(name), variables).await
}

/// The `extensions.code` of the first error, or panics when there is none.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body}"))
}

/// The message of the first error.
pub fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// Asserts the body has no errors and returns `data`.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    &body["data"]
}

/// Creates a key with the create_api_key operation; returns the body.
pub async fn create(
    endpoint: &str,
    key: &str,
    name: &str,
    email: &str,
    role: Option<&str>,
    validity: i64,
    allowed: Option<Vec<&str>>,
) -> Value {
    op(
        endpoint,
        key,
        "create_api_key",
        json!({
            "name": name,
            "userEmail": email,
            "role": role,
            "validitySeconds": validity,
            "allowedIpCidrs": allowed,
        }),
    )
    .await
}

/// Creates a key and returns `(id, jwt)`, asserting success.
pub async fn create_ok(
    endpoint: &str,
    key: &str,
    name: &str,
    email: &str,
    role: &str,
    allowed: Option<Vec<&str>>,
) -> (String, String) {
    let body = create(endpoint, key, name, email, Some(role), 3600, allowed).await;
    let d = &data(&body)["createApiKey"];
    (
        d["id"].as_str().unwrap().to_owned(),
        d["jwt"].as_str().unwrap().to_owned(),
    )
}

/// Revokes a key; returns the body.
pub async fn revoke(endpoint: &str, key: &str, id: &str) -> Value {
    op(endpoint, key, "revoke_api_key", json!({ "id": id })).await
}

/// The ids in `apiKeys` and `apiKeysOtherUsers` of the list operation.
pub async fn list(endpoint: &str, key: &str) -> (Vec<Value>, Vec<Value>) {
    let body = op(endpoint, key, "list_api_keys", json!({})).await;
    let user = &data(&body)["user"];
    (
        user["apiKeys"].as_array().unwrap().clone(),
        user["apiKeysOtherUsers"].as_array().unwrap().clone(),
    )
}

/// Ids of a list of keys.
pub fn ids(keys: &[Value]) -> Vec<String> {
    keys.iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether `key` authenticates (the current_user operation succeeds).
pub async fn authenticates(endpoint: &str, key: &str) -> bool {
    let body = op(endpoint, key, "current_user", json!(null)).await;
    match body.get("errors") {
        None => true,
        Some(_) => {
            assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
            false
        }
    }
}
