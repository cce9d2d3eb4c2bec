//! The HTTP surface: the official paths under `/v2`, pre-signed URLs under `/storage`,
//! and the simulator's own control endpoints under `/__sim`.

mod certificates;
pub mod error;
mod faults;
mod invoices;
mod permissions;
mod routes;
mod sessions;
mod xades;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::middleware;
use axum::routing::{delete, get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::state::AppState;
use error::ApiError;

pub(crate) type Shared = Arc<AppState>;

/// Builds the router.
pub(crate) fn router(state: Shared) -> Router {
    let api = Router::new()
        .route(
            "/security/public-key-certificates",
            get(routes::certificates),
        )
        .route("/auth/challenge", post(routes::challenge))
        .route("/auth/ksef-token", post(routes::ksef_token))
        .route("/auth/xades-signature", post(xades::xades_signature))
        .route("/auth/token/redeem", post(routes::redeem))
        .route("/auth/token/refresh", post(routes::refresh))
        .route("/auth/sessions", get(routes::auth_sessions))
        .route("/auth/sessions/current", delete(routes::revoke_current))
        .route(
            "/auth/sessions/{reference}",
            delete(routes::revoke_auth_session),
        )
        .route("/auth/{reference}", get(routes::auth_status))
        .route(
            "/tokens",
            post(routes::generate_token).get(routes::list_tokens),
        )
        .route(
            "/tokens/{reference}",
            get(routes::token_status).delete(routes::delete_token),
        )
        .route("/certificates/limits", get(certificates::limits))
        .route(
            "/certificates/enrollments/data",
            get(certificates::enrollment_data),
        )
        .route("/certificates/enrollments", post(certificates::enroll))
        .route(
            "/certificates/enrollments/{reference}",
            get(certificates::enrollment_status),
        )
        .route("/certificates/retrieve", post(certificates::retrieve))
        .route("/certificates/query", post(certificates::query))
        .route("/certificates/{serial}/revoke", post(certificates::revoke))
        .route(
            "/permissions/query/personal/grants",
            post(permissions::personal_grants),
        )
        .route("/testdata/permissions", post(permissions::testdata_grant))
        .route(
            "/testdata/permissions/revoke",
            post(permissions::testdata_revoke),
        )
        .route("/rate-limits", get(routes::rate_limits))
        .route("/testdata/attachment", post(routes::testdata_attachment))
        .route(
            "/testdata/attachment/revoke",
            post(routes::testdata_attachment_revoke),
        )
        .route("/testdata/context/block", post(routes::testdata_block))
        .route("/testdata/context/unblock", post(routes::testdata_unblock))
        .route("/limits/context", get(routes::context_limits))
        .route("/limits/subject", get(routes::subject_limits))
        .route("/sessions", get(sessions::list_sessions))
        .route("/sessions/online", post(sessions::open_online))
        .route(
            "/sessions/online/{reference}/invoices",
            post(sessions::send_invoice),
        )
        .route(
            "/sessions/online/{reference}/close",
            post(sessions::close_online),
        )
        .route("/sessions/batch", post(sessions::open_batch))
        .route(
            "/sessions/batch/{reference}/close",
            post(sessions::close_batch),
        )
        .route("/sessions/{reference}", get(sessions::session_status))
        .route(
            "/sessions/{reference}/invoices",
            get(sessions::session_invoices),
        )
        .route(
            "/sessions/{reference}/invoices/failed",
            get(sessions::failed_invoices),
        )
        .route(
            "/sessions/{reference}/invoices/{invoice}",
            get(sessions::invoice_status),
        )
        .route(
            "/sessions/{reference}/invoices/{invoice}/upo",
            get(sessions::invoice_upo),
        )
        .route(
            "/sessions/{reference}/invoices/ksef/{ksef}/upo",
            get(sessions::invoice_upo_by_ksef),
        )
        .route(
            "/sessions/{reference}/upo/{upo}",
            get(sessions::session_upo),
        )
        .route("/invoices/query/metadata", post(invoices::query_metadata))
        .route("/invoices/ksef/{ksef}", get(invoices::download))
        .route("/invoices/exports", post(invoices::start_export))
        .route(
            "/invoices/exports/{reference}",
            get(invoices::export_status),
        )
        // An online send of a 3 MB invoice (with attachment) is ~4 MB of
        // Base64 in JSON; axum's 2 MB default would refuse what KSeF accepts.
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024));
    let storage = Router::new()
        .route("/storage/{sig}", get(sessions::presigned_get))
        .route("/storage/{sig}", put(sessions::batch_part_upload))
        // Batch parts: up to 100 MiB before encryption, plus padding.
        .layer(DefaultBodyLimit::max(100 * 1024 * 1024 + 1024));
    let faulty =
        Router::new()
            .nest("/v2", api)
            .merge(storage)
            .layer(middleware::from_fn_with_state(
                state.clone(),
                faults::inject,
            ));
    let latarnia = Router::new()
        .route("/latarnia/status", get(routes::latarnia_status))
        .route("/latarnia/messages", get(routes::latarnia_messages));
    let admin = Router::new()
        .route("/__sim/health", get(routes::health))
        .route(
            "/__sim/faults",
            get(routes::get_faults).put(routes::put_faults),
        )
        .route("/__sim/faults/next", post(routes::push_fault))
        .route("/__sim/tokens", post(routes::add_token));
    faulty
        .merge(latarnia)
        .merge(admin)
        .layer(middleware::from_fn(error::render_errors))
        .with_state(state)
}

/// The bearer token of a request.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Parses a JSON body, answering 400/21405 on failure.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Nieprawidłowa treść żądania: {e}")))
}
