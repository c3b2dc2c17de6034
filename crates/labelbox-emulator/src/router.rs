//! The routes: `POST /graphql` (and `POST /_gql`, the same), and the administration routes
//! under `/_emulator`, behind the bootstrap-admin-key check; served by `labelbox-serve`'s
//! accept loop.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::header;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::server::{graphql, App, MAX_BODY_BYTES};
use crate::{admin, admin_invites, admin_seeding, journal_routes};

/// Sets the `Date` header from the emulator clock (hyper would use the real one), so a
/// client sees the same clock in `Date` as in the `createdAt` of what it creates.
async fn stamp_date(AxumState(app): AxumState<Arc<App>>, mut response: Response) -> Response {
    let date = app.now().format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ));
    if let Ok(Ok(value)) = date.map(HeaderValue::try_from) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

/// Serves `listener` until `shutdown` changes or its sender is dropped, within
/// `app.serve_limits` (see `labelbox_serve::serve`).
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>, shutdown: watch::Receiver<bool>) {
    // Every administration route goes in `admin`, behind the bootstrap-admin-key check.
    let admin = Router::new()
        .route("/clock", post(admin::clock))
        .route(
            "/journal",
            get(journal_routes::read).delete(journal_routes::clear),
        )
        .route("/invites/accept", post(admin_invites::accept))
        .merge(admin_seeding::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            admin::require_admin_key,
        ));
    let limits = app.serve_limits;
    let router = Router::new()
        .route("/graphql", post(graphql))
        // The official SDK's experimental endpoint (it sends `cancelInvite` there): the same
        // handler, so the same authentication, limits and operations.
        .route("/_gql", post(graphql))
        .nest("/_emulator", admin)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&app),
            stamp_date,
        ))
        .with_state(app);
    let mut stop = shutdown;
    labelbox_serve::serve(listener, router, limits, async move {
        let _ = stop.wait_for(|stop| *stop).await;
    })
    .await;
}
