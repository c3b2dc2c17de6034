//! Where a listing's client CPU goes: each decoding step the SDK takes, timed alone on
//! one real response body.

use std::str::FromStr;
use std::time::Instant;

use labelbox_schema::graphql_client::Response;
use labelbox_schema::list_api_keys::ResponseData;
use labelbox_schema::scalars::DateTime;
use serde_json::Value;

/// A mirror of the `ListApiKeys` response with borrowed-free, strictly RFC 3339 dates: what
/// a one-pass typed decode with a fast date path costs (an estimate for a fix, not SDK code).
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // read only by the decoder
struct FastEnvelope {
    data: Option<FastData>,
    #[serde(default)]
    errors: Option<Vec<Value>>,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct FastData {
    user: Option<FastUser>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FastUser {
    id: String,
    api_keys: Vec<FastKey>,
    api_keys_other_users: Vec<FastKey>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FastKey {
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
    revoked: bool,
    expires_at_epoch: i64,
    user_id: String,
    user_email: String,
    created_by_user_id: Option<String>,
    allowed_ip_cidrs: Option<Vec<String>>,
}

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
    let data = value.get("data").cloned().ok_or("no data")?;
    let dates: Vec<String> = ["apiKeys", "apiKeysOtherUsers"]
        .iter()
        .filter_map(|list| data["user"][list].as_array())
        .flatten()
        .flat_map(|key| [&key["createdAt"], &key["updatedAt"]])
        .filter_map(|d| d.as_str().map(str::to_owned))
        .collect();
    let mut steps = Vec::new();
    steps.push(Step {
        what: "**the SDK's listing path**: the one-pass reader, body → `Vec<ApiKey>`, dropped (`__fuzz::decode_listing`)",
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
        what: "the fallback (the path before the reader): `decode_success` into the generated types, then the mapping into `ApiKey`s, dropped (`__fuzz::decode_listing_typed`)",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(labelbox_sdk::__fuzz::decode_listing_typed(200, body).ok());
        }),
    });
    steps.push(Step {
        what: "parse the body into a `serde_json::Value` tree",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(serde_json::from_slice::<Value>(body).ok());
        }),
    });
    let copies: Vec<Value> = (0..=iterations.max(1)).map(|_| data.clone()).collect();
    let mut copies = copies.into_iter();
    steps.push(Step {
        what: "`Value` → typed `ResponseData` through `serde_path_to_error`",
        per_response_s: per_run(iterations, || {
            if let Some(v) = copies.next() {
                std::hint::black_box(serde_path_to_error::deserialize::<_, ResponseData>(v).ok());
            }
        }),
    });
    steps.push(Step {
        what: "drop the `Value` tree (cost of freeing it)",
        per_response_s: {
            let trees: Vec<Value> = (0..=iterations.max(1)).map(|_| value.clone()).collect();
            let mut trees = trees.into_iter();
            per_run(iterations, || drop(trees.next()))
        },
    });
    steps.push(Step {
        what: "`DateTime::from_str` (lenient) on every `createdAt`/`updatedAt`",
        per_response_s: per_run(iterations, || {
            for d in &dates {
                std::hint::black_box(DateTime::from_str(d).ok());
            }
        }),
    });
    steps.push(Step {
        what: "alternative: `time`'s RFC 3339 parser on the same dates",
        per_response_s: per_run(iterations, || {
            for d in &dates {
                std::hint::black_box(
                    time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339)
                        .ok(),
                );
            }
        }),
    });
    steps.push(Step {
        what: "alternative: body → typed `Response<ResponseData>` in one pass (`serde_json::from_slice`)",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(serde_json::from_slice::<Response<ResponseData>>(body).ok());
        }),
    });
    steps.push(Step {
        what: "estimate of a fix: one typed pass with RFC 3339 dates (mirror struct, no `Value`)",
        per_response_s: per_run(iterations, || {
            std::hint::black_box(serde_json::from_slice::<FastEnvelope>(body).ok());
        }),
    });
    Ok(steps)
}
