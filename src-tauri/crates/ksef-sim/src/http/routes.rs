//! Certificates, authentication, limits and the simulator's control endpoints.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::config::{FaultConfig, OneShotFault, Permission, TokenSpec};
use crate::crypto::{b64, SimKey};
use crate::store::fmt_dt;

fn cert_json(key: &SimKey) -> Value {
    json!({
        "certificate": b64(&key.cert_der),
        "certificateId": key.certificate_id,
        "publicKeyId": key.public_key_id,
        "validFrom": fmt_dt(key.valid_from),
        "validTo": fmt_dt(key.valid_to),
        "usage": [key.usage.as_str()],
    })
}

/// `GET /security/public-key-certificates`
pub(crate) async fn certificates(State(state): State<Shared>) -> Json<Value> {
    Json(json!([
        cert_json(&state.keys.token),
        cert_json(&state.keys.symmetric)
    ]))
}

/// `POST /auth/challenge`
pub(crate) async fn challenge(State(state): State<Shared>) -> Json<Value> {
    let (challenge, at) = state.challenge();
    Json(json!({
        "challenge": challenge,
        "timestamp": fmt_dt(at),
        "timestampMs": at.timestamp_millis(),
        "clientIp": "127.0.0.1",
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextIdentifier {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitTokenAuthenticationRequest {
    challenge: String,
    context_identifier: ContextIdentifier,
    encrypted_token: String,
    #[serde(default)]
    public_key_id: Option<String>,
}

/// `POST /auth/ksef-token`
pub(crate) async fn ksef_token(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: InitTokenAuthenticationRequest = parse(&body)?;
    if !matches!(
        req.context_identifier.kind.as_str(),
        "Nip" | "InternalId" | "NipVatUe" | "PeppolId"
    ) {
        return Err(ApiError::validation(
            "contextIdentifier.type ma niedozwoloną wartość",
        ));
    }
    let (reference, token, until) = state.init_token_auth(
        &req.challenge,
        &req.context_identifier.kind,
        &req.context_identifier.value,
        &req.encrypted_token,
        req.public_key_id.as_deref(),
    )?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "referenceNumber": reference,
            "authenticationToken": {"token": token, "validUntil": fmt_dt(until)},
        })),
    )
        .into_response())
}

/// `GET /auth/{referenceNumber}`
pub(crate) async fn auth_status(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.auth_status(bearer(&headers), &reference).map(Json)
}

/// `POST /auth/token/redeem`
pub(crate) async fn redeem(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.redeem(bearer(&headers)).map(Json)
}

/// `POST /auth/token/refresh`
pub(crate) async fn refresh(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.refresh(bearer(&headers)).map(Json)
}

/// `GET /auth/sessions`
pub(crate) async fn auth_sessions(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), &[])?;
    Ok(Json(state.auth_sessions(&caller)))
}

/// `DELETE /auth/sessions/{referenceNumber}`
pub(crate) async fn revoke_auth_session(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let caller = state.caller(bearer(&headers), &[])?;
    if state.revoke_auth_in_context(&caller, &reference) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::bad(
            21304,
            "Brak uwierzytelnienia.",
            format!("Operacja uwierzytelniania o numerze referencyjnym {reference} nie została znaleziona."),
        ))
    }
}

/// `DELETE /auth/sessions/current`
pub(crate) async fn revoke_current(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let caller = state.caller(bearer(&headers), &[])?;
    state.revoke_auth(&caller.auth_reference);
    Ok(StatusCode::NO_CONTENT)
}

fn limit_values(limits: &crate::config::RateLimits, group: &str) -> Value {
    let l = limits.of(group);
    json!({"perSecond": l.per_second, "perMinute": l.per_minute, "perHour": l.per_hour})
}

/// `GET /rate-limits`
pub(crate) async fn rate_limits(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.caller(bearer(&headers), &[])?;
    let groups = [
        "onlineSession",
        "batchSession",
        "invoiceSend",
        "invoiceStatus",
        "sessionList",
        "sessionInvoiceList",
        "sessionMisc",
        "invoiceMetadata",
        "invoiceExport",
        "invoiceExportStatus",
        "invoiceDownload",
        "other",
    ];
    let limits = state.fault_state().config.rate_limits.clone();
    let map: serde_json::Map<String, Value> = groups
        .iter()
        .map(|g| ((*g).to_owned(), limit_values(&limits, g)))
        .collect();
    Ok(Json(Value::Object(map)))
}

/// `GET /limits/context`
pub(crate) async fn context_limits(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.caller(bearer(&headers), &[])?;
    let max = state.config.max_invoices_per_session;
    let l =
        json!({"maxInvoiceSizeInMB": 1, "maxInvoiceWithAttachmentSizeInMB": 3, "maxInvoices": max});
    Ok(Json(json!({"onlineSession": l, "batchSession": l})))
}

/// `GET /limits/subject`
pub(crate) async fn subject_limits(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    state.caller(bearer(&headers), &[])?;
    let c = &state.config.certificates;
    Ok(Json(
        json!({"enrollment": {"maxEnrollments": c.enrollment_limit}, "certificate": {"maxCertificates": c.certificate_limit}}),
    ))
}

// ------------------------------------------------------------------- control

/// `GET /__sim/health`
pub(crate) async fn health(State(state): State<Shared>) -> Json<Value> {
    Json(
        json!({"status": "ok", "baseUrl": state.base_url(), "invoices": state.store.count().unwrap_or(0)}),
    )
}

/// `GET /__sim/faults`
pub(crate) async fn get_faults(State(state): State<Shared>) -> Json<FaultConfig> {
    Json(state.fault_state().config.clone())
}

/// `PUT /__sim/faults`
pub(crate) async fn put_faults(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<FaultConfig>, ApiError> {
    let cfg: FaultConfig = parse(&body)?;
    state.fault_state().config = cfg.clone();
    Ok(Json(cfg))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NextFault {
    #[serde(default)]
    path_contains: Option<String>,
    fault: OneShotFault,
}

/// `POST /__sim/faults/next` — `{"pathContains": "/invoices", "fault": {"kind": "tooManyRequests", "retryAfterSecs": 2}}`
pub(crate) async fn push_fault(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let next: NextFault = parse(&body)?;
    state
        .fault_state()
        .one_shot
        .push((next.path_contains, next.fault));
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /__sim/tokens` — body `TokenSpec` (`{"context_nip": "...", "permissions": ["InvoiceRead"]}`), answers `{"token": "..."}`.
pub(crate) async fn add_token(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let spec: TokenSpec = parse(&body)?;
    Ok(Json(json!({"token": state.add_token(spec)})))
}

// -------------------------------------------------------------- KSeF tokens

#[derive(Deserialize)]
struct GenerateTokenRequest {
    permissions: Vec<crate::config::Permission>,
    description: String,
}

/// `POST /tokens` (CredentialsManage): 202 `{referenceNumber, token}`.
pub(crate) async fn generate_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), &[Permission::CredentialsManage])?;
    let req: GenerateTokenRequest = parse(&body)?;
    let len = req.description.chars().count();
    if !(5..=256).contains(&len) || req.permissions.is_empty() {
        return Err(ApiError::validation(
            "description musi mieć 5..256 znaków, permissions nie może być puste",
        ));
    }
    let spec = TokenSpec {
        context_nip: caller.context_nip.clone(),
        permissions: req.permissions,
        valid_until: None,
    };
    let (reference, token) = state.generate_token(spec, req.description, Some(caller.context_nip));
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"referenceNumber": reference, "token": token})),
    )
        .into_response())
}

/// `GET /tokens`: with CredentialsRead or CredentialsManage every token of the
/// context, otherwise only the token the caller authenticated with (spec).
pub(crate) async fn list_tokens(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), &[])?;
    let sees_all = caller.permissions.iter().any(|p| {
        matches!(
            p,
            Permission::CredentialsRead | Permission::CredentialsManage
        )
    });
    let inner = state.inner();
    let mut tokens: Vec<_> = inner
        .tokens
        .values()
        .filter(|t| t.spec.context_nip == caller.context_nip)
        .filter(|t| sees_all || t.reference == caller.token_reference)
        .collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.created));
    let items: Vec<Value> = tokens
        .into_iter()
        .map(crate::state::AppState::token_json)
        .collect();
    Ok(Json(json!({"tokens": items})))
}

fn find_token<'a>(
    inner: &'a mut crate::state::Inner,
    nip: &str,
    reference: &str,
) -> Result<&'a mut crate::state::KsefToken, ApiError> {
    inner
        .tokens
        .values_mut()
        .find(|t| t.reference == reference && t.spec.context_nip == nip)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "Token o numerze referencyjnym {reference} nie został odnaleziony."
            ))
        })
}

/// `GET /tokens/{referenceNumber}`
pub(crate) async fn token_status(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(
        bearer(&headers),
        &[Permission::CredentialsRead, Permission::CredentialsManage],
    )?;
    let mut inner = state.inner();
    let t = find_token(&mut inner, &caller.context_nip, &reference)?;
    Ok(Json(crate::state::AppState::token_json(t)))
}

/// `DELETE /tokens/{referenceNumber}`: 204, the token is revoked. Any token may
/// revoke itself; revoking another needs CredentialsManage (spec).
pub(crate) async fn delete_token(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let own = state.caller(bearer(&headers), &[])?.token_reference == reference;
    let caller = if own {
        state.caller(bearer(&headers), &[])?
    } else {
        state.caller(bearer(&headers), &[Permission::CredentialsManage])?
    };
    if state.revoke_token_reference(&caller.context_nip, &reference) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::validation(format!(
            "Token o numerze referencyjnym {reference} nie został odnaleziony."
        )))
    }
}

// ------------------------------------------------------------------ Latarnia

fn latarnia_messages_json(state: &Shared) -> (String, Vec<Value>) {
    let now = chrono::Utc::now();
    let cfg = state.fault_state().config.clone();
    let mut messages = Vec::new();
    let mut status = "AVAILABLE";
    let rank = |s: &str| match s {
        "TOTAL_FAILURE" => 3,
        "FAILURE" => 2,
        "MAINTENANCE" => 1,
        _ => 0,
    };
    for (n, a) in cfg.announcements.iter().enumerate() {
        let active = a.start <= now && a.end.is_none_or(|e| now < e);
        let ended = a.end.is_some_and(|e| e <= now);
        let kind = match (a.category.as_str(), ended) {
            ("MAINTENANCE", _) => "MAINTENANCE_ANNOUNCEMENT",
            (_, true) => "FAILURE_END",
            _ => "FAILURE_START",
        };
        if active && rank(&a.category) > rank(status) {
            status = match a.category.as_str() {
                "TOTAL_FAILURE" => "TOTAL_FAILURE",
                "FAILURE" => "FAILURE",
                _ => "MAINTENANCE",
            };
        }
        messages.push(json!({
            "id": format!("sim-{n}"),
            "eventId": n + 1,
            "category": a.category,
            "type": kind,
            "title": a.title,
            "text": a.text,
            "start": fmt_dt(a.start),
            "end": a.end.map(fmt_dt),
            "version": 1,
            "published": fmt_dt(a.start),
        }));
    }
    if status == "AVAILABLE" && cfg.outages.iter().any(|w| w.from <= now && now < w.to) {
        status = "MAINTENANCE";
    }
    (status.to_owned(), messages)
}

/// Latarnia `GET /status`: `{status, messages}`.
pub(crate) async fn latarnia_status(State(state): State<Shared>) -> Json<Value> {
    let (status, messages) = latarnia_messages_json(&state);
    Json(json!({"status": status, "messages": messages}))
}

/// Latarnia `GET /messages`: `[Message]`.
pub(crate) async fn latarnia_messages(State(state): State<Shared>) -> Json<Value> {
    Json(Value::Array(latarnia_messages_json(&state).1))
}

// ------------------------------------------------------------- test data (TEST env)

#[derive(Deserialize)]
struct NipBody {
    nip: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextBody {
    #[serde(default)]
    context_identifier: Option<ContextIdentifier>,
}

fn empty_ok() -> Response {
    StatusCode::OK.into_response()
}

/// `POST /testdata/attachment`: the NIP may send invoices with attachments.
pub(crate) async fn testdata_attachment(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: NipBody = parse(&body)?;
    state.policy().attachment_nips.insert(req.nip, true);
    Ok(empty_ok())
}

/// `POST /testdata/attachment/revoke`
pub(crate) async fn testdata_attachment_revoke(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: NipBody = parse(&body)?;
    state.policy().attachment_nips.insert(req.nip, false);
    Ok(empty_ok())
}

fn context_value(body: &Bytes) -> Result<String, ApiError> {
    let req: ContextBody = parse(body)?;
    req.context_identifier
        .map(|c| c.value)
        .ok_or_else(|| ApiError::validation("contextIdentifier jest wymagany"))
}

/// `POST /testdata/context/block`: authentication in the context ends with 480 and
/// its bearer tokens answer 403 `security-service-blocked`.
pub(crate) async fn testdata_block(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = context_value(&body)?;
    state.policy().blocked_contexts.insert(value);
    Ok(empty_ok())
}

/// `POST /testdata/context/unblock`
pub(crate) async fn testdata_unblock(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = context_value(&body)?;
    state.policy().blocked_contexts.remove(&value);
    Ok(empty_ok())
}
