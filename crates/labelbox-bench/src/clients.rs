//! The Rust clients under test: our SDK and the raw-HTTP floor (`raw.rs`), and the timed loops that
//! measure them in this process.

use std::future::Future;
use std::time::{Duration, Instant};

use labelbox_schema::{create_api_key, GraphQLQuery};
use labelbox_sdk::KeyOrder;
use labelbox_sdk::{Client, CreateApiKeyRequest, TimeUnit, Validity};
use labelbox_sdk::{RoleRef, UserRef};

use crate::server::{ServerProcess, ServerSnapshot};
use crate::stats;

/// The user and role of every key the benchmark creates.
pub const CREATE_USER: &str = "labeler@example.com";
/// See [`CREATE_USER`].
pub const CREATE_ROLE: &str = "Labeler";

/// What a timed run measured.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Calls (or batches) timed.
    pub calls: usize,
    /// Calls per timed unit (1, or the batch size of concurrent runs).
    pub per_call: usize,
    /// Wall time of the timed calls, seconds.
    pub wall_s: f64,
    /// Client CPU time (user + system) over the timed calls, seconds.
    pub cpu_s: f64,
    /// Latency of each call (or batch), seconds.
    pub latencies: Vec<f64>,
    /// Emulator requests and CPU over a window holding the timed calls.
    pub server: ServerSnapshot,
    /// Emulator requests made by the timed calls (the window may hold more, for Python).
    pub timed_requests: u64,
    /// Wall time of the window `server` covers, seconds.
    pub server_window_s: f64,
}

impl Measured {
    /// Adds another run of the same scenario.
    pub fn merge(&mut self, other: Measured) {
        self.calls += other.calls;
        self.per_call = other.per_call;
        self.wall_s += other.wall_s;
        self.cpu_s += other.cpu_s;
        self.latencies.extend(other.latencies);
        self.server.requests += other.server.requests;
        self.server.cpu_s += other.server.cpu_s;
        self.timed_requests += other.timed_requests;
        self.server_window_s += other.server_window_s;
    }

    /// Individual calls completed per second.
    pub fn calls_per_s(&self) -> f64 {
        (self.calls * self.per_call) as f64 / self.wall_s
    }

    /// Client CPU seconds per individual call.
    pub fn cpu_per_call(&self) -> f64 {
        self.cpu_s / (self.calls * self.per_call) as f64
    }

    /// Emulator CPU seconds per request.
    pub fn server_cpu_per_request(&self) -> f64 {
        if self.server.requests == 0 {
            return 0.0;
        }
        self.server.cpu_s / self.server.requests as f64
    }

    /// The emulator's CPU use during the timed calls, as a share of one core.
    pub fn server_share(&self) -> f64 {
        self.server_cpu_per_request() * self.timed_requests as f64 / self.wall_s
    }

    /// Latency summary.
    pub fn latency(&self) -> stats::Summary {
        stats::summarize(&self.latencies)
    }
}

/// How long timed loops run.
#[derive(Debug, Clone, Copy)]
pub struct LoopConfig {
    /// Untimed calls first, for this long.
    pub warmup: Duration,
    /// Timed calls for this long (at least 3 calls).
    pub duration: Duration,
    /// Seconds per clock tick, for `/proc` CPU times.
    pub ticks: f64,
}

/// Calls `call` for the warm-up, then times it for the duration, with the emulator's
/// requests and CPU around the timed part. Each call makes `per_call` requests.
pub async fn timed_loop<F, Fut>(
    config: &LoopConfig,
    server: &mut ServerProcess,
    per_call: usize,
    mut call: F,
) -> Result<Measured, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let warm_end = Instant::now() + config.warmup;
    while Instant::now() < warm_end {
        call().await?;
    }
    let before = server.snapshot()?;
    let cpu0 = stats::cpu_seconds(None, config.ticks).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let end = start + config.duration;
    let mut latencies = Vec::new();
    let mut now = start;
    while now < end || latencies.len() < 3 {
        call().await?;
        let after = Instant::now();
        latencies.push((after - now).as_secs_f64());
        now = after;
    }
    let wall_s = start.elapsed().as_secs_f64();
    let cpu_s = stats::cpu_seconds(None, config.ticks).map_err(|e| e.to_string())? - cpu0;
    let server_delta = server.snapshot()?.since(&before);
    Ok(Measured {
        calls: latencies.len(),
        per_call,
        wall_s,
        cpu_s,
        timed_requests: server_delta.requests,
        server: server_delta,
        server_window_s: wall_s,
        latencies,
    })
}

/// Our SDK with default settings, as an application would build it.
pub fn sdk_client(endpoint: &str, key: &str) -> Result<Client, String> {
    Client::builder()
        .api_key(key.to_owned())
        .endpoint(endpoint)
        .build()
        .map_err(|e| e.to_string())
}

/// One listing with the SDK (expired keys left out, as the Python SDK's default).
pub async fn sdk_list(client: &Client) -> Result<usize, String> {
    client
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .map(|keys| keys.len())
        .map_err(|e| e.to_string())
}

/// One creation with the SDK: a Labeler key for [`CREATE_USER`], valid one day.
pub async fn sdk_create(client: &Client, name: &str) -> Result<(), String> {
    let validity = Validity::new(1, TimeUnit::Day).map_err(|e| e.to_string())?;
    client
        .create_api_key(CreateApiKeyRequest::new(
            name,
            UserRef::by_email(CREATE_USER),
            RoleRef::by_name(CREATE_ROLE),
            validity,
        ))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The exact body our SDK posts for the creation mutation of [`sdk_create`].
pub fn create_body(name: &str) -> Vec<u8> {
    serde_json::to_vec(&create_api_key::CreateApiKey::build_query(
        create_api_key::Variables {
            name: name.to_owned(),
            user_email: CREATE_USER.to_owned(),
            role: Some(CREATE_ROLE.to_owned()),
            validity_seconds: Some(86_400),
            allowed_ip_cidrs: None,
        },
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::list_body;
    use serde_json::Value;

    fn measured(calls: usize, per_call: usize, wall_s: f64, cpu_s: f64) -> Measured {
        Measured {
            calls,
            per_call,
            wall_s,
            cpu_s,
            latencies: vec![wall_s / calls as f64; calls],
            server: ServerSnapshot {
                requests: (calls * per_call) as u64 + 10,
                cpu_s: 0.5,
            },
            timed_requests: (calls * per_call) as u64,
            server_window_s: wall_s + 1.0,
        }
    }

    #[test]
    fn rates_count_individual_calls_of_a_batch() {
        let m = measured(10, 64, 2.0, 0.64);
        assert_eq!(m.calls_per_s(), 320.0);
        assert!((m.cpu_per_call() - 0.001).abs() < 1e-12);
    }

    #[test]
    fn emulator_share_uses_only_the_timed_requests() {
        // 90 timed requests within 100 seen: 0.5 s / 100 requests * 90 / 1.5 s.
        let m = measured(90, 1, 1.5, 0.1);
        assert!((m.server_cpu_per_request() - 0.005).abs() < 1e-12);
        assert!((m.server_share() - 0.3).abs() < 1e-12);
        assert_eq!(Measured::default().server_cpu_per_request(), 0.0);
    }

    #[test]
    fn merged_rounds_add_up() {
        let mut m = measured(10, 1, 1.0, 0.2);
        m.merge(measured(30, 1, 2.0, 0.4));
        assert_eq!(m.calls, 40);
        assert_eq!(m.latencies.len(), 40);
        assert_eq!(m.wall_s, 3.0);
        assert!((m.cpu_per_call() - 0.015).abs() < 1e-12);
        assert_eq!(m.server.requests, 60);
        assert_eq!(m.timed_requests, 40);
    }

    #[test]
    fn the_raw_body_is_the_generated_operation() {
        let body: Value = serde_json::from_slice(&list_body()).unwrap();
        assert_eq!(body["operationName"], "ListApiKeys");
        assert!(body["query"]
            .as_str()
            .unwrap()
            .contains("apiKeysOtherUsers"));
        let create: Value = serde_json::from_slice(&create_body("n")).unwrap();
        assert_eq!(create["operationName"], "CreateApiKey");
        assert_eq!(create["variables"]["userEmail"], CREATE_USER);
    }
}
