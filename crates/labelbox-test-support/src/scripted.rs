//! A small HTTP/1.1 server on 127.0.0.1:0 that records every request (headers and body) and
//! answers with whatever the test scripts, misbehaviour included (never answering, dropping
//! the connection, garbage bodies): for tests of a client against a server that is not the
//! emulator.
//!
//! Written on raw tokio sockets so that a test controls every byte of the answer.

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

/// A running test server; it stops when the runtime it was started on ends.
pub struct TestServer {
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    state: Arc<State>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("url", &self.url)
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
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

    /// [`TestServer::start`] on a runtime of its own (on a thread that lives as long as the
    /// test process), for a test thread without a runtime.
    pub fn start_detached(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let (started, server) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let _ = started.send(TestServer::start(handler).await);
                std::future::pending::<()>().await;
            });
        });
        server.recv().expect("the test server starts")
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
    // The head and the body are two writes: without NODELAY the second waits for the
    // client's delayed ACK (40 ms a request on Linux).
    let _ = stream.set_nodelay(true);
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
