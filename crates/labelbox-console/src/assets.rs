//! The page's script and stylesheet, embedded in the binary.

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = include_str!("../assets/console.js");
const STYLESHEET: &str = include_str!("../assets/console.css");

pub(crate) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLESHEET,
    )
}
