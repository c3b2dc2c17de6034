//! `labelbox-bench invites`: listing every pending invitation (1,000 by default) with our
//! SDK (`Client::list_invites`), the official Python SDK (`list(org.get_invites())`) and a
//! raw POST per page following the cursor, each one round trip per page of 100, against
//! the emulator in its own process. Printed as a Markdown table (not spliced into
//! `BENCHMARKS.md`: paste it under the listing tables).

use labelbox_schema::{list_invites, GraphQLQuery};
use labelbox_sdk::{InviteStatus, RoleRef};
use serde_json::Value;

use crate::clients::{self, timed_loop, LoopConfig, Measured};
use crate::harness::processes::{f64_array, run_python_bench};
use crate::raw::RawClient;
use crate::server::ServerProcess;

/// What `labelbox-bench invites` needs.
#[derive(Debug, Clone)]
pub struct InvitesConfig {
    /// Pending invitations to seed and list.
    pub count: usize,
    /// Python of a venv with `labelbox==7.17.0`.
    pub python: std::path::PathBuf,
    /// `bench/python_bench.py`.
    pub script: std::path::PathBuf,
    /// Warm-up and timed durations.
    pub loops: LoopConfig,
    /// Core for the emulator (`taskset`), when pinned.
    pub server_cpu: Option<usize>,
}

/// The body of one page of the listing, as our SDK posts it.
pub fn page_body(from: Option<String>) -> Vec<u8> {
    serde_json::to_vec(&list_invites::ListInvites::build_query(
        list_invites::Variables {
            from,
            first: Some(100),
        },
    ))
    .unwrap_or_default()
}

/// Every page with the raw client: POST, read the cursor, POST the next; the invitations
/// counted. The cursor is the only thing read from each answer.
async fn raw_list(raw: &RawClient) -> Result<usize, String> {
    let mut from: Option<String> = None;
    let mut listed = 0usize;
    loop {
        let body = raw.post_bytes(page_body(from.take())).await?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        let page = &value["data"]["organization"]["invites"];
        listed += page["nodes"].as_array().map_or(0, Vec::len);
        match page["nextCursor"].as_str() {
            Some(cursor) => from = Some(cursor.to_owned()),
            None => return Ok(listed),
        }
    }
}

/// Seeds the invitations, measures the three clients and returns the Markdown table.
pub async fn run(config: &InvitesConfig) -> Result<String, String> {
    let mut server = ServerProcess::start(1, config.server_cpu, config.loops.ticks)?;
    let sdk = clients::sdk_client(&server.endpoint, &server.admin_key)?;
    let emails: Vec<String> = (0..config.count)
        .map(|i| format!("bench-invitee-{i}@example.com"))
        .collect();
    let results = sdk
        .invite_members(&emails, &RoleRef::by_name("Labeler"))
        .await
        .map_err(|e| format!("seeding invitations: {e}"))?;
    if let Some(bad) = results.iter().find(|r| r.status != InviteStatus::Invited) {
        return Err(format!(
            "seeding invitations: {} is {}",
            bad.email, bad.status
        ));
    }
    let listed = sdk.list_invites().await.map_err(|e| e.to_string())?.len();
    if listed != config.count {
        return Err(format!(
            "the SDK listed {listed} invitations, expected {}",
            config.count
        ));
    }
    let before = server.snapshot()?;
    let raw = RawClient::new(
        &server.endpoint,
        &server.admin_key,
        "Organization:get_invites",
    )?;
    if raw_list(&raw).await? != config.count {
        return Err("the raw client listed another number of invitations".to_owned());
    }
    let pages = server.snapshot()?.since(&before).requests as usize;

    let ours = timed_loop(&config.loops, &mut server, pages, || async {
        sdk.list_invites()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await?;
    let floor = timed_loop(&config.loops, &mut server, pages, || async {
        raw_list(&raw).await.map(|_| ())
    })
    .await?;
    let python = python_loop(config, &server, pages)?;
    server.stop();
    Ok(table(
        config.count,
        pages,
        &[
            ("labelbox-sdk (Rust)", &ours),
            ("official Python SDK 7.17.0", &python),
            ("raw POST per page", &floor),
        ],
    ))
}

/// `python_bench.py invites` against the server.
fn python_loop(
    config: &InvitesConfig,
    server: &ServerProcess,
    pages: usize,
) -> Result<Measured, String> {
    let (warmup, duration) = (
        config.loops.warmup.as_secs_f64().to_string(),
        config.loops.duration.as_secs_f64().to_string(),
    );
    let out = run_python_bench(
        &config.python,
        &config.script,
        server,
        &["invites", "--warmup", &warmup, "--duration", &duration],
    )?;
    if out["invites_listed"].as_u64() != Some(config.count as u64) {
        return Err(format!(
            "the Python SDK listed {} invitations, expected {}",
            out["invites_listed"], config.count
        ));
    }
    let latencies = f64_array(&out, "latencies_s")?;
    Ok(Measured {
        calls: latencies.len(),
        per_call: 1,
        wall_s: out["wall_s"].as_f64().unwrap_or(0.0),
        cpu_s: out["cpu_s"].as_f64().unwrap_or(0.0),
        timed_requests: (latencies.len() * pages) as u64,
        latencies,
        ..Measured::default()
    })
}

/// The Markdown table: one row per client.
fn table(count: usize, pages: usize, rows: &[(&str, &Measured)]) -> String {
    let mut out = format!(
        "Listing {count} pending invitations ({pages} requests, one per page of 100):\n\n\
         | client | listings/s | p50 ms | p99 ms | client CPU ms/listing |\n\
         |---|---:|---:|---:|---:|\n"
    );
    for (name, m) in rows {
        let latency = m.latency();
        out.push_str(&format!(
            "| {name} | {:.1} | {:.2} | {:.2} | {:.2} |\n",
            m.calls as f64 / m.wall_s,
            latency.p50 * 1e3,
            latency.p99 * 1e3,
            m.cpu_s / m.calls as f64 * 1e3,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_body_is_the_generated_operation_with_its_cursor() {
        let body: Value = serde_json::from_slice(&page_body(None)).unwrap();
        assert_eq!(body["operationName"], "ListInvites");
        assert_eq!(body["variables"]["first"], 100);
        assert_eq!(body["variables"]["from"], Value::Null);
        let next: Value = serde_json::from_slice(&page_body(Some("c1".into()))).unwrap();
        assert_eq!(next["variables"]["from"], "c1");
    }
}
