//! Where a listing's client CPU goes: each decoding step the SDK takes, timed alone on
//! one real response body.

use std::str::FromStr;
use std::time::Instant;

use labelbox_schema::scalars::DateTime;
use serde_json::Value;

/// One timed step.
#[derive(Debug, Clone)]
pub struct Step {
    /// What was timed.
    pub what: &'static str,
    /// Seconds per response.
    pub per_response_s: f64,
}

/// Times `f` over `iterations` runs (at least one) and returns seconds per run.
fn per_run(iterations: usize, mut f: impl FnMut()) -> f64 {
    f();
    let n = iterations.max(1);
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() / n as f64
}

/// Times the decoding steps on `body` (a `ListApiKeys` response).
pub fn measure(body: &[u8], iterations: usize) -> Result<Vec<Step>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let data = value.get("data").ok_or("no data")?;
    let dates: Vec<String> = ["apiKeys", "apiKeysOtherUsers"]
        .iter()
        .filter_map(|list| data["user"][list].as_array())
        .flatten()
        .flat_map(|key| [&key["createdAt"], &key["updatedAt"]])
        .filter_map(|d| d.as_str().map(str::to_owned))
        .collect();
    let mut steps = Vec::new();
    steps.push(Step {
        what: "**the SDK's listing path**: `serde_json` on the body's bytes straight into `ApiKey`s (the listing's `Deserialize`), dropped (`__fuzz::decode_listing`)",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(labelbox_sdk::__fuzz::decode_listing(200, body).ok());
        }),
    });
    let listings: Vec<_> = (0..=iterations.max(1))
        .map(|_| labelbox_sdk::__fuzz::decode_listing(200, body).ok())
        .collect();
    let mut listings = listings.into_iter();
    steps.push(Step {
        what: "… of which: drop the `Vec<ApiKey>` (the caller pays it too)",
        per_response_s: per_run(iterations, || drop(listings.next())),
    });
    steps.push(Step {
        what: "the `Value` path (a listing with `errors`, or a value the one-pass decoding refuses; not taken here): classification, then `Value` → `ApiKey`s through the value-free deserializer, dropped (`__fuzz::decode_listing_by_value`)",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(labelbox_sdk::__fuzz::decode_listing_by_value(200, body).ok());
        }),
    });
    steps.push(Step {
        what: "… of which: parse the body into a `serde_json::Value` tree",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(serde_json::from_slice::<Value>(body).ok());
        }),
    });
    steps.push(Step {
        what: "… of which: drop the `Value` tree (cost of freeing it)",
        per_response_s: {
            let trees: Vec<Value> = (0..=iterations.max(1)).map(|_| value.clone()).collect();
            let mut trees = trees.into_iter();
            per_run(iterations, || drop(trees.next()))
        },
    });
    steps.push(Step {
        what: "`DateTime::from_str` (lenient) on every `createdAt`/`updatedAt` (what the listing would pay without remembering the last date's text: it parses a text only when it differs from the last one)",
        per_response_s: per_run(iterations, || {
            for d in &dates {
                std::hint::black_box(DateTime::from_str(d).ok());
            }
        }),
    });
    Ok(steps)
}

#[cfg(test)]
mod tests {
    /// Every row times a path the SDK takes today: no estimate of a fix or alternative; the
    /// SDK's own listing path first.
    #[test]
    fn every_step_is_a_path_the_sdk_takes() {
        let key = r#"{"id":"k1","name":"ci","createdAt":"2026-11-30T12:34:56.690Z","updatedAt":"2026-11-30T12:34:56.690Z","revoked":false,"expiresAtEpoch":1798634096,"userId":"u1","userEmail":"a@example.com","createdByUserId":"u1","allowedIpCidrs":null}"#;
        let body = format!(
            r#"{{"data":{{"user":{{"id":"u1","apiKeys":[{key}],"apiKeysOtherUsers":[]}}}}}}"#
        );
        let steps = super::measure(body.as_bytes(), 1).unwrap();
        assert!(
            steps[0].what.contains("the SDK's listing path"),
            "{steps:?}"
        );
        for step in &steps {
            assert!(
                !step.what.contains("estimate") && !step.what.contains("alternative"),
                "{step:?}"
            );
        }
    }
}
