//! A small HTTP/1.1 server on 127.0.0.1:0 for the SDK's tests: it records every request
//! (headers and body) and answers with whatever the test scripts, misbehaviour included
//! (never answering, dropping the connection, garbage bodies).
//!
//! Written on raw tokio sockets so that a test controls every byte of the answer.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// A header value by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The GraphQL `operationName` of the body.
    pub fn operation(&self) -> String {
        self.json()["operationName"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An answer with a status, extra headers and a body.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then never answer (the connection stays open).
    Hang,
    /// Read the request, then close the connection without a byte of answer.
    Drop,
    /// Write these bytes as they are (a broken head, a body shorter than its
    /// `content-length`), then close the connection, or keep it open without another byte
    /// when `hang`.
    Raw { bytes: String, hang: bool },
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: Value) -> Self {
        Self::status_json(200, body)
    }

    /// `{"data": data}` with status 200.
    pub fn data(data: Value) -> Self {
        Self::json(serde_json::json!({ "data": data }))
    }

    /// A JSON body with any status.
    pub fn status_json(status: u16, body: Value) -> Self {
        Self::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// A text body with any status.
    pub fn text(status: u16, body: &str) -> Self {
        Self::Http {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.into(),
        }
    }

    /// Adds a header to an HTTP answer.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Self::Http { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

struct State {
    requests: Mutex<Vec<Recorded>>,
    handler: Box<Handler>,
}

/// A running test server; it stops when the test's runtime ends.
pub struct TestServer {
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    state: Arc<State>,
}

impl TestServer {
    /// Starts a server that answers request number `n` (from 0) with `handler(request, n)`.
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/graphql", listener.local_addr().unwrap());
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            handler: Box::new(handler),
        });
        let accept_state = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&accept_state)));
            }
        });
        Self { url, state }
    }

    /// Starts a server that gives these answers in turn, repeating the last one.
    pub async fn replies(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Self::start(move |_, n| replies[n.min(replies.len() - 1)].clone()).await
    }

    /// Starts a server that always gives the same answer.
    pub async fn always(reply: Reply) -> Self {
        Self::replies(vec![reply]).await
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let reply = {
            let mut requests = state.requests.lock().unwrap();
            requests.push(request.clone());
            let n = requests.len() - 1;
            drop(requests);
            (state.handler)(&request, n)
        };
        match reply {
            Reply::Http {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} Scripted\r\ncontent-length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(body.as_bytes()).await.is_err()
                {
                    return;
                }
            }
            Reply::Hang => {
                std::future::pending::<()>().await;
            }
            Reply::Drop => return,
            Reply::Raw { bytes, hang } => {
                let _ = stream.write_all(bytes.as_bytes()).await;
                let _ = stream.flush().await;
                if hang {
                    std::future::pending::<()>().await;
                }
                return;
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Recorded> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut headers = BTreeMap::new();
    for line in head.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Recorded { headers, body })
}

/// The API key the test clients use (not a real secret, but tests check it never leaks).
pub const TEST_KEY: &str = "test-key-9f8e7d6c5b4a-do-not-print";

/// The JWT the fake server returns for a created key.
pub const CREATED_JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJja19uZXcifQ.c2VjcmV0LXNpZ25hdHVyZS1ub3QtdG8tbGVhaw";

/// A client for `url` with the test key and retries that back off only a millisecond.
pub fn client(url: &str) -> labelbox_sdk::Client {
    client_builder(url).build().unwrap()
}

/// A builder for `url` with the test key and fast retries.
pub fn client_builder(url: &str) -> labelbox_sdk::ClientBuilder {
    labelbox_sdk::Client::builder()
        .api_key(TEST_KEY)
        .endpoint(url)
        .retry_policy(
            labelbox_sdk::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(1))
                .max_backoff(std::time::Duration::from_millis(5)),
        )
}

/// A user as the server returns it.
pub fn user_json(id: &str, email: &str) -> Value {
    serde_json::json!({
        "createdAt": "2024-01-01T00:00:00.000Z",
        "email": email,
        "isExternalUser": false,
        "isViewer": false,
        "lastLoginAt": null,
        "nickname": null,
        "name": email.split('@').next().unwrap(),
        "picture": null,
        "id": id,
        "updatedAt": "2024-01-02T00:00:00.000Z"
    })
}

/// A key as the list query returns it, expiring at `expires` (Unix seconds).
pub fn key_json(id: &str, name: &str, user_id: &str, email: &str, expires: i64) -> Value {
    serde_json::json!({
        "id": id,
        "name": name,
        "createdAt": "2024-01-01T00:00:00.000Z",
        "updatedAt": "2024-01-01T00:00:00.000Z",
        "revoked": false,
        "expiresAtEpoch": expires,
        "userId": user_id,
        "userEmail": email,
        "createdByUserId": null,
        "allowedIpCidrs": ["10.0.0.0/8"]
    })
}

/// Unix seconds one day from now / one day ago.
pub fn tomorrow() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + 86_400
}

/// Unix seconds one day ago.
pub fn yesterday() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() - 86_400
}

/// The roles with permissions the fake server knows; the caller holds `LABEL` and
/// `REVIEW` only, so it may grant `Labeler` and `Reviewer`.
pub fn roles_json() -> Value {
    serde_json::json!([
        {"id": "r0", "name": "None", "permissions": [], "organizationId": null},
        {"id": "r1", "name": "Labeler", "permissions": ["LABEL"], "organizationId": null},
        {"id": "r2", "name": "Reviewer", "permissions": ["LABEL", "REVIEW"], "organizationId": null},
        {"id": "r3", "name": "Team Manager", "permissions": ["LABEL", "REVIEW", "MANAGE"], "organizationId": null},
        {"id": "r4", "name": "Admin", "permissions": ["LABEL", "REVIEW", "MANAGE", "ADMIN"], "organizationId": null},
        {"id": "r5", "name": "Tenant Admin", "permissions": [], "organizationId": null}
    ])
}

/// A well-behaved fake Labelbox: answers each operation by name with fixed data. The
/// organization has `ada@example.com` (u1, the caller) and `bob@example.com` (u2).
pub fn fake_labelbox(request: &Recorded, _n: usize) -> Reply {
    let body = request.json();
    let users = [("u1", "ada@example.com"), ("u2", "bob@example.com")];
    let users_with = |email: &str| -> Value {
        users
            .iter()
            .filter(|(_, e)| e.eq_ignore_ascii_case(email))
            .map(|(id, e)| user_json(id, e))
            .collect()
    };
    let email = body["variables"]["email"].as_str().unwrap_or_default();
    match request.operation().as_str() {
        "ListApiKeys" => Reply::data(serde_json::json!({
            "user": {
                "id": "u1",
                "apiKeys": [
                    key_json("ck1", "active", "u1", "ada@example.com", tomorrow()),
                    key_json("ck2", "expired", "u1", "ada@example.com", yesterday()),
                ],
                "apiKeysOtherUsers": [
                    key_json("ck3", "bobs", "u2", "bob@example.com", tomorrow()),
                ]
            }
        })),
        "CreateApiKeyPreflight" => Reply::data(serde_json::json!({
            "organization": {"id": "o1", "users": users_with(email)},
            "organizationRole": {"permissions": ["LABEL", "REVIEW"]},
            "roles": roles_json(),
        })),
        "OrganizationUsersByEmail" => Reply::data(serde_json::json!({
            "organization": {"users": users_with(email)},
        })),
        "CreateApiKey" => Reply::data(serde_json::json!({
            "createApiKey": {"id": "ck_new", "jwt": CREATED_JWT}
        })),
        "RevokeApiKey" => Reply::data(serde_json::json!({
            "updateApiKey": {"id": body["variables"]["id"]}
        })),
        "Roles" => Reply::data(serde_json::json!({
            "roles": roles_json().as_array().unwrap().iter()
                .map(|r| serde_json::json!({"id": r["id"], "name": r["name"]}))
                .collect::<Vec<_>>()
        })),
        "RolesWithIdsAndPermissions" => Reply::data(serde_json::json!({ "roles": roles_json() })),
        // The caller holds LABEL and REVIEW; u2 is a Labeler; other ids have no role.
        "CallerPermissions" => {
            let permissions = match body["variables"]["userId"].as_str() {
                None | Some("u1") => serde_json::json!({"permissions": ["LABEL", "REVIEW"]}),
                Some("u2") => serde_json::json!({"permissions": ["LABEL"]}),
                Some(_) => Value::Null,
            };
            Reply::data(serde_json::json!({ "organizationRole": permissions }))
        }
        "CurrentUser" => {
            Reply::data(serde_json::json!({"user": user_json("u1", "ada@example.com")}))
        }
        "UserById" => {
            let id = body["variables"]["id"].as_str().unwrap_or_default();
            let user = users
                .iter()
                .find(|(uid, _)| *uid == id)
                .map(|(uid, e)| user_json(uid, e))
                .unwrap_or(Value::Null);
            Reply::data(serde_json::json!({ "user": user }))
        }
        "Organization" => Reply::data(serde_json::json!({
            "organization": {
                "createdAt": "2024-01-01T00:00:00.000Z",
                "name": "Acme",
                "id": "o1",
                "updatedAt": "2024-01-01T00:00:00.000Z"
            }
        })),
        other => Reply::status_json(
            200,
            serde_json::json!({"errors": [{"message": format!("unknown operation {other}"),
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}),
        ),
    }
}
