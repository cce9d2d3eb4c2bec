//! API errors in the spec's shapes.
//!
//! 400 has two forms: the legacy `ExceptionResponse` (`application/json`, default) and
//! `BadRequestProblemDetails` (`application/problem+json`) when the request carries
//! `X-Error-Format: problem-details`. 401/403/410 are always problem+json; 429 follows
//! the same header as 400. The variant is rendered by [`render_errors`], a middleware
//! that knows the request's path and headers.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{json, Value};

use crate::store::fmt_dt;

/// An error answer of the simulated API.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// 400 with a KSeF exception code.
    BadRequest {
        /// e.g. 21405.
        code: i32,
        /// Exception description.
        description: String,
        /// Details.
        details: Vec<String>,
    },
    /// 401.
    Unauthorized(String),
    /// 403 with a `reasonCode`.
    Forbidden {
        /// e.g. `missing-permissions`.
        reason_code: &'static str,
        /// Human text.
        detail: String,
        /// Reason-specific data.
        security: Option<Value>,
    },
    /// 404 (unknown pre-signed URL or resource outside the spec).
    NotFound(String),
    /// 410 (expired operation status).
    Gone(String),
    /// 429.
    TooManyRequests {
        /// Seconds for `Retry-After`.
        retry_after: u64,
        /// Detail text.
        detail: String,
    },
    /// 5xx.
    Server {
        /// Status code (500..=599).
        status: u16,
        /// Detail text.
        detail: String,
        /// `Retry-After` seconds, if any.
        retry_after: Option<u64>,
    },
}

impl ApiError {
    /// 400 / 21405 "Błąd walidacji danych wejściowych."
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code: 21405,
            description: "Błąd walidacji danych wejściowych.".into(),
            details: vec![detail.into()],
        }
    }

    /// 400 with code, description and one detail.
    pub fn bad(code: i32, description: &str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            description: description.into(),
            details: vec![detail.into()],
        }
    }

    /// 500 for a simulator-internal failure.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Server {
            status: 500,
            detail: detail.into(),
            retry_after: None,
        }
    }
}

impl From<crate::error::SimError> for ApiError {
    fn from(e: crate::error::SimError) -> Self {
        Self::internal(e.to_string())
    }
}

/// The not-yet-rendered error, carried in the response extensions.
#[derive(Debug, Clone)]
pub struct PendingError(pub ApiError);

fn trace_id() -> String {
    crate::ids::random_hex(32).to_ascii_lowercase()
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Internal Server Error",
    }
}

impl ApiError {
    fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized(_) => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound(_) => 404,
            Self::Gone(_) => 410,
            Self::TooManyRequests { .. } => 429,
            Self::Server { status, .. } => *status,
        }
    }

    /// Renders the body: `(content type, json)`.
    pub fn render(&self, instance: &str, problem: bool) -> (&'static str, Value) {
        let now = fmt_dt(Utc::now());
        let status = self.status();
        match self {
            Self::BadRequest {
                code,
                description,
                details,
            } => {
                if problem {
                    (
                        "application/problem+json",
                        json!({
                            "title": title(400), "status": 400, "instance": instance,
                            "detail": description,
                            "errors": [{"code": code, "description": description, "details": details}],
                            "timestamp": now, "traceId": trace_id(),
                        }),
                    )
                } else {
                    (
                        "application/json",
                        json!({"exception": {
                            "exceptionDetailList": [{"exceptionCode": code, "exceptionDescription": description, "details": details}],
                            "referenceNumber": null,
                            "serviceCode": trace_id(),
                            "serviceCtx": "srvKSEFSIM",
                            "serviceName": "ksef-sim",
                            "timestamp": now,
                        }}),
                    )
                }
            }
            Self::TooManyRequests { detail, .. } if !problem => (
                "application/json",
                json!({"status": {"code": 429, "description": title(429), "details": [detail]}}),
            ),
            Self::Forbidden {
                reason_code,
                detail,
                security,
            } => {
                let mut v = json!({
                    "title": title(403), "status": 403, "detail": detail, "instance": instance,
                    "reasonCode": reason_code, "traceId": trace_id(), "timestamp": now,
                });
                if let (Some(sec), Some(obj)) = (security, v.as_object_mut()) {
                    obj.insert("security".into(), sec.clone());
                }
                ("application/problem+json", v)
            }
            Self::Unauthorized(detail)
            | Self::NotFound(detail)
            | Self::Gone(detail)
            | Self::TooManyRequests { detail, .. }
            | Self::Server { detail, .. } => (
                "application/problem+json",
                json!({
                    "title": title(status), "status": status, "instance": instance,
                    "detail": detail, "timestamp": now, "traceId": trace_id(),
                }),
            ),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn build(err: &ApiError, instance: &str, problem: bool) -> Response {
    let (ctype, body) = err.render(instance, problem);
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Some(secs) = err.retry_after() {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = build(&self, "", false);
        resp.extensions_mut().insert(PendingError(self));
        resp
    }
}

/// Whether the request asked for problem-details errors.
pub fn wants_problem(req: &Request) -> bool {
    req.headers()
        .get("x-error-format")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("problem-details"))
}

/// Renders errors with the request's path as `instance` and in the requested format.
///
/// Also echoes `X-Test-System-Warning` into `X-System-Warning` on success, as the
/// spec lets a client force the warning header for testing.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let problem = wants_problem(&req);
    let instance = req.uri().path().to_owned();
    let warning = req.headers().get("x-test-system-warning").cloned();
    let mut resp = next.run(req).await;
    if let Some(PendingError(err)) = resp.extensions().get::<PendingError>().cloned() {
        return build(&err, &instance, problem);
    }
    if let Some(w) = warning {
        if resp.status().is_success() {
            resp.headers_mut().insert("x-system-warning", w);
        }
    }
    resp
}

/// Renders an error directly (used by middleware that short-circuits).
pub fn error_response(err: &ApiError, req: &Request) -> Response {
    build(err, req.uri().path(), wants_problem(req))
}

/// An empty body (for 204 responses).
pub fn empty() -> Body {
    Body::empty()
}
