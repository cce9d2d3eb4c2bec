//! Online and batch sessions, statuses, UPO, and pre-signed URLs.

use std::io::Read as _;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::config::Permission;
use crate::crypto;
use crate::state::{
    assess, no_session, AppState, BatchPart, BatchState, Caller, Outcome, Presigned, Session,
    SessionFailure, SessionKind,
};
use crate::store::fmt_dt;

const WRITE: &[Permission] = &[Permission::InvoiceWrite, Permission::EnforcementOperations];
const READ_SESSION: &[Permission] = &[
    Permission::InvoiceWrite,
    Permission::Introspection,
    Permission::EnforcementOperations,
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FormCode {
    system_code: String,
    schema_version: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encryption {
    encrypted_symmetric_key: String,
    initialization_vector: String,
    #[serde(default)]
    public_key_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenOnlineSessionRequest {
    form_code: FormCode,
    encryption: Encryption,
}

fn check_form(form: &FormCode) -> Result<(), ApiError> {
    if form.system_code == "FA (3)" && form.schema_version == "1-0E" && form.value == "FA" {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Nieobsługiwany formularz {} / {} / {}; symulator przyjmuje FA (3) / 1-0E / FA",
            form.system_code, form.schema_version, form.value
        )))
    }
}

/// `POST /sessions/online`
pub(crate) async fn open_online(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), WRITE)?;
    let req: OpenOnlineSessionRequest = parse(&body)?;
    check_form(&req.form_code)?;
    let (key, iv) = state.session_key(
        &req.encryption.encrypted_symmetric_key,
        &req.encryption.initialization_vector,
        req.encryption.public_key_id.as_deref(),
    )?;
    let session = state.open_session(&caller, SessionKind::Online, key, iv, None, false);
    Ok((
        StatusCode::CREATED,
        Json(json!({"referenceNumber": session.reference, "validUntil": fmt_dt(session.valid_until)})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendInvoiceRequest {
    invoice_hash: String,
    invoice_size: u64,
    encrypted_invoice_hash: String,
    encrypted_invoice_size: u64,
    encrypted_invoice_content: String,
    #[serde(default)]
    offline_mode: Option<bool>,
    #[serde(default)]
    hash_of_corrected_invoice: Option<String>,
}

fn size_error() -> ApiError {
    ApiError::bad(
        21402,
        "Nieprawidłowy rozmiar pliku.",
        "Długość treści nie zgadza się z rozmiarem pliku.",
    )
}

fn hash_error() -> ApiError {
    ApiError::bad(
        21403,
        "Nieprawidłowy skrót pliku.",
        "Skrót treści nie zgadza się ze skrótem pliku.",
    )
}

fn session_state_error(code: u16, what: &str) -> ApiError {
    ApiError::bad(
        21180,
        "Status sesji nie pozwala na wykonanie operacji.",
        format!("Status sesji {code} uniemożliwia {what}."),
    )
}

/// `POST /sessions/online/{referenceNumber}/invoices`
pub(crate) async fn send_invoice(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), WRITE)?;
    let req: SendInvoiceRequest = parse(&body)?;
    if req.invoice_hash.len() != 44 || req.encrypted_invoice_hash.len() != 44 {
        return Err(ApiError::validation(
            "Skrót musi być SHA-256 w Base64 (44 znaki)",
        ));
    }
    let encrypted = crypto::b64_decode(&req.encrypted_invoice_content)
        .map_err(|_| ApiError::validation("encryptedInvoiceContent nie jest poprawnym Base64"))?;
    if encrypted.len() as u64 != req.encrypted_invoice_size {
        return Err(size_error());
    }
    if crypto::sha256_b64(&encrypted) != req.encrypted_invoice_hash {
        return Err(hash_error());
    }
    let max = state.config.max_invoices_per_session;
    // Check the session is open and take its key (short lock) ...
    let check_open = |session: &Session| -> Result<(), ApiError> {
        if session.kind != SessionKind::Online {
            return Err(no_session(&reference));
        }
        let (code, _, _) = AppState::session_status(session, Utc::now());
        if code != 100 {
            return Err(session_state_error(code, "wysyłkę faktur"));
        }
        if session.invoices.len() >= max {
            return Err(ApiError::bad(
                21155,
                "Przekroczono dozwoloną liczbę faktur w sesji.",
                format!("Sesja o numerze referencyjnym {reference} osiągnęła dozwolony limit liczby faktur {max}."),
            ));
        }
        Ok(())
    };
    let (key, iv) = state.with_session(&caller, &reference, |session| {
        check_open(session)?;
        let key = session
            .key
            .clone()
            .ok_or_else(|| session_state_error(415, "wysyłkę faktur"))?;
        Ok((key, session.iv.clone()))
    })?;
    let offline = req.offline_mode.unwrap_or(false);
    if let Some(h) = req.hash_of_corrected_invoice.as_deref() {
        check_technical_correction(&state, &caller, h)?;
    }
    // ... decrypt and check without holding the state lock ...
    let decrypted = match crypto::decrypt_invoice(&key, &iv, &encrypted) {
        Ok(plain) => {
            if plain.len() as u64 != req.invoice_size {
                return Err(size_error());
            }
            if crypto::sha256_b64(&plain) != req.invoice_hash {
                return Err(hash_error());
            }
            let assessed = assess(&plain);
            Some((plain, assessed))
        }
        Err(_) => None,
    };
    // ... and record under the lock.
    let reference_out: String = state.with_session(&caller, &reference, |session| {
        check_open(session)?;
        match decrypted {
            Some((plain, assessed)) => state.record(
                session,
                &plain,
                assessed,
                None,
                offline,
                req.hash_of_corrected_invoice.clone(),
            ),
            None => Ok(state.reject_undecryptable(session, &req.invoice_hash, offline)),
        }
    })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"referenceNumber": reference_out})),
    )
        .into_response())
}

/// A technical correction (`hashOfCorrectedInvoice`) may only replace an invoice that
/// was rejected, and only once.
fn check_technical_correction(
    state: &AppState,
    caller: &Caller,
    hash: &str,
) -> Result<(), ApiError> {
    if hash.len() != 44 {
        return Err(ApiError::validation(
            "hashOfCorrectedInvoice musi być SHA-256 w Base64 (44 znaki)",
        ));
    }
    if state.store.has_hash(&caller.context_nip, hash)? {
        return Err(ApiError::bad(
            21167,
            "Status faktury nie pozwala na korektę techniczną.",
            "Nie można wysłać korekty technicznej do prawidłowo przetworzonej faktury.",
        ));
    }
    if state.store.has_correction_of(hash)? {
        return Err(ApiError::bad(
            21166,
            "Korekta techniczna niedostępna.",
            "Faktura posiada już przetworzoną prawidłowo korektę techniczną.",
        ));
    }
    Ok(())
}

/// `POST /sessions/online/{referenceNumber}/close`
pub(crate) async fn close_online(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let caller = state.caller(bearer(&headers), WRITE)?;
    state.with_session(&caller, &reference, |session| {
        if session.kind != SessionKind::Online {
            return Err(no_session(&reference));
        }
        let (code, _, _) = AppState::session_status(session, Utc::now());
        if code != 100 {
            return Err(session_state_error(code, "jej zamknięcie"));
        }
        let now = Utc::now();
        session.closed_at = Some(now);
        session.updated = now;
        tracing::info!(session = %reference, "online session closed");
        Ok(StatusCode::NO_CONTENT)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartInfo {
    ordinal_number: u32,
    file_size: u64,
    file_hash: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchFileInfo {
    file_size: u64,
    file_hash: String,
    #[serde(default)]
    compression_type: Option<String>,
    file_parts: Vec<PartInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenBatchSessionRequest {
    form_code: FormCode,
    batch_file: BatchFileInfo,
    encryption: Encryption,
    #[serde(default)]
    offline_mode: Option<bool>,
}

/// `POST /sessions/batch`
pub(crate) async fn open_batch(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), WRITE)?;
    let req: OpenBatchSessionRequest = parse(&body)?;
    check_form(&req.form_code)?;
    let parts = &req.batch_file.file_parts;
    if parts.is_empty() || parts.len() > 50 {
        return Err(ApiError::bad(
            21161,
            "Przekroczono dozwoloną liczbę części pakietu.",
            "Dozwolone 1..50 części.",
        ));
    }
    let mut ordinals: Vec<u32> = parts.iter().map(|p| p.ordinal_number).collect();
    ordinals.sort_unstable();
    if ordinals
        .iter()
        .enumerate()
        .any(|(i, o)| *o as usize != i + 1)
    {
        return Err(ApiError::validation(
            "ordinalNumber części muszą być kolejnymi liczbami od 1",
        ));
    }
    if parts.iter().any(|p| {
        p.file_size == 0 || p.file_size > 100 * 1024 * 1024 + 16 || p.file_hash.len() != 44
    }) {
        return Err(ApiError::bad(
            21157,
            "Nieprawidłowy rozmiar części pakietu.",
            "Część musi mieć 1 B .. 100 MB i skrót SHA-256.",
        ));
    }
    if req
        .batch_file
        .compression_type
        .as_deref()
        .is_some_and(|c| c != "Zip")
    {
        return Err(ApiError::validation(
            "Symulator obsługuje compressionType = Zip",
        ));
    }
    let (key, iv) = state.session_key(
        &req.encryption.encrypted_symmetric_key,
        &req.encryption.initialization_vector,
        req.encryption.public_key_id.as_deref(),
    )?;
    let batch = BatchState {
        file_size: req.batch_file.file_size,
        file_hash: req.batch_file.file_hash.clone(),
        parts: parts
            .iter()
            .map(|p| BatchPart {
                ordinal: p.ordinal_number,
                size: p.file_size,
                hash: p.file_hash.clone(),
                data: None,
            })
            .collect(),
    };
    let session = state.open_session(
        &caller,
        SessionKind::Batch,
        key,
        iv,
        Some(batch),
        req.offline_mode.unwrap_or(false),
    );
    let mut inner = state.inner();
    let mut uploads = Vec::new();
    for p in parts {
        let (url, _) = state.presign(
            &mut inner,
            Presigned::BatchPart {
                session: session.reference.clone(),
                ordinal: p.ordinal_number,
            },
        );
        uploads.push(json!({
            "ordinalNumber": p.ordinal_number,
            "method": "PUT",
            "url": url,
            "headers": {"x-ms-blob-type": "BlockBlob"},
        }));
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({"referenceNumber": session.reference, "partUploadRequests": uploads})),
    )
        .into_response())
}

/// `PUT {pre-signed part URL}` (no Authorization).
pub(crate) async fn batch_part_upload(
    State(state): State<Shared>,
    Path(sig): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let mut inner = state.inner();
    let target = match inner.presigned.get(&sig) {
        Some((Presigned::BatchPart { session, ordinal }, until)) if *until > Utc::now() => {
            Some((session.clone(), *ordinal))
        }
        Some((Presigned::BatchPart { .. }, _)) => {
            return Err(ApiError::Forbidden {
                reason_code: "insufficient-resource-access",
                detail: "Upłynął czas na zapis.".into(),
                security: None,
            })
        }
        _ => None,
    };
    let (session_ref, ordinal) =
        target.ok_or_else(|| ApiError::NotFound("Nieznany adres.".into()))?;
    let session = inner
        .sessions
        .get_mut(&session_ref)
        .ok_or_else(|| ApiError::NotFound("Nieznana sesja.".into()))?;
    if session.closed_at.is_some() {
        return Err(ApiError::Forbidden {
            reason_code: "insufficient-resource-access",
            detail: "Sesja jest zamknięta.".into(),
            security: None,
        });
    }
    if let Some(part) = session
        .batch
        .as_mut()
        .and_then(|b| b.parts.iter_mut().find(|p| p.ordinal == ordinal))
    {
        part.data = Some(body.to_vec());
    }
    session.updated = Utc::now();
    Ok(StatusCode::CREATED)
}

fn batch_failure(
    code: u16,
    description: &'static str,
    detail: impl Into<String>,
) -> SessionFailure {
    SessionFailure {
        code,
        description,
        details: vec![detail.into()],
    }
}

/// What a closed batch needs for processing, taken out of the session.
struct BatchWork {
    key: Option<Vec<u8>>,
    iv: Vec<u8>,
    batch: BatchState,
    max: usize,
    offline: bool,
}

type Assessed = Result<crate::receipt::InvoiceFacts, crate::receipt::Rejection>;

/// Decrypts, joins, verifies and unpacks the package, and assesses every invoice.
/// Runs on a blocking thread, without the state lock.
fn prepare_batch(work: &BatchWork) -> Result<Vec<(String, Vec<u8>, Assessed)>, SessionFailure> {
    let Some(key) = work.key.as_deref() else {
        return Err(batch_failure(
            415,
            "Błąd odszyfrowania dostarczonego klucza",
            "Nie można odszyfrować klucza",
        ));
    };
    let batch = &work.batch;
    let mut parts = batch.parts.clone();
    parts.sort_by_key(|p| p.ordinal);
    let mut archive = Vec::new();
    for p in &parts {
        let data = p.data.as_deref().unwrap_or_default();
        let plain = crypto::aes_decrypt(key, &work.iv, data).map_err(|_| {
            batch_failure(
                435,
                "Błąd odszyfrowania zaszyfrowanych części archiwum",
                format!("Część {}", p.ordinal),
            )
        })?;
        archive.extend_from_slice(&plain);
    }
    if archive.len() as u64 != batch.file_size || crypto::sha256_b64(&archive) != batch.file_hash {
        return Err(batch_failure(
            405,
            "Błąd weryfikacji poprawności dostarczonych elementów paczki",
            "Rozmiar lub skrót archiwum nie zgadza się z zadeklarowanym",
        ));
    }
    let unzip_error = |e: String| batch_failure(430, "Błąd dekompresji pierwotnego archiwum", e);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive))
        .map_err(|e| unzip_error(e.to_string()))?;
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| unzip_error(e.to_string()))?;
        if f.is_dir() {
            continue;
        }
        if files.len() >= work.max {
            return Err(batch_failure(
                420,
                "Przekroczony limit faktur w sesji",
                format!("Limit {}", work.max),
            ));
        }
        let name = f.name().to_owned();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)
            .map_err(|e| unzip_error(e.to_string()))?;
        let assessed = assess(&buf);
        files.push((name, buf, assessed));
    }
    Ok(files)
}

/// Processes a closed batch in the background (status 150 meanwhile) and records the outcome.
async fn process_batch(state: Shared, reference: String, work: BatchWork) {
    let offline = work.offline;
    let prepared = tokio::task::spawn_blocking(move || prepare_batch(&work))
        .await
        .unwrap_or_else(|_| {
            Err(batch_failure(
                500,
                "Nieznany błąd (500)",
                "Przetwarzanie przerwane",
            ))
        });
    let mut inner = state.inner();
    let Some(session) = inner.sessions.get_mut(&reference) else {
        return;
    };
    session.processing = false;
    match prepared {
        Err(failure) => {
            tracing::info!(session = %reference, code = failure.code, "batch session failed");
            session.failure = Some(failure);
        }
        Ok(files) => {
            for (name, xml, assessed) in files {
                if state
                    .record(session, &xml, assessed, Some(name), offline, None)
                    .is_err()
                {
                    session.failure =
                        Some(batch_failure(500, "Nieznany błąd (500)", "Błąd zapisu"));
                    break;
                }
            }
            tracing::info!(session = %reference, invoices = session.invoices.len(), "batch session processed");
        }
    }
}

/// `POST /sessions/batch/{referenceNumber}/close`
pub(crate) async fn close_batch(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let caller = state.caller(bearer(&headers), WRITE)?;
    let max = state.config.max_invoices_per_session;
    state.with_session(&caller, &reference, |session| {
        if session.kind != SessionKind::Batch {
            return Err(no_session(&reference));
        }
        let (code, _, _) = AppState::session_status(session, Utc::now());
        if code != 100 || session.closed_at.is_some() {
            return Err(session_state_error(code, "jej zamknięcie"));
        }
        if let Some(batch) = &session.batch {
            for p in &batch.parts {
                let Some(data) = &p.data else {
                    return Err(ApiError::bad(
                        21205,
                        "Pakiet nie może być pusty.",
                        format!("Nie przesłano zadeklarowanej '{}' części pliku.", p.ordinal),
                    ));
                };
                if data.len() as u64 != p.size || crypto::sha256_b64(data) != p.hash {
                    return Err(ApiError::bad(
                        21157,
                        "Nieprawidłowy rozmiar części pakietu.",
                        format!(
                            "Zadeklarowany rozmiar części '{}' nie zgadza się z rzeczywistym.",
                            p.ordinal
                        ),
                    ));
                }
            }
        }
        let now = Utc::now();
        session.closed_at = Some(now);
        session.updated = now;
        session.processing = true;
        let batch = session.batch.clone().unwrap_or(BatchState {
            file_size: 0,
            file_hash: String::new(),
            parts: Vec::new(),
        });
        // The session does not keep the parts any more.
        if let Some(b) = session.batch.as_mut() {
            for p in &mut b.parts {
                p.data = None;
            }
        }
        let work = BatchWork {
            key: session.key.clone(),
            iv: session.iv.clone(),
            batch,
            max,
            offline: session.offline_mode,
        };
        tokio::spawn(process_batch(state.clone(), reference.clone(), work));
        Ok(StatusCode::NO_CONTENT)
    })
}

fn xml_response(xml: Vec<u8>) -> Response {
    let hash = crypto::sha256_b64(&xml);
    let mut resp = (StatusCode::OK, xml).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if let Ok(v) = HeaderValue::from_str(&hash) {
        resp.headers_mut().insert("x-ms-meta-hash", v);
    }
    resp
}

/// `GET /sessions/{referenceNumber}`
pub(crate) async fn session_status(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    let now = Utc::now();
    let (code, description, details) = AppState::session_status(&session, now);
    let ready = |accepted: bool| {
        session
            .invoices
            .iter()
            .filter(|i| {
                now >= i.ready_at && matches!(i.outcome, Outcome::Accepted { .. }) == accepted
            })
            .count()
    };
    let mut status = json!({"code": code, "description": description});
    if !details.is_empty() {
        status["details"] = json!(details);
    }
    let mut v = json!({
        "status": status,
        "dateCreated": fmt_dt(session.created),
        "dateUpdated": fmt_dt(session.updated),
        "invoiceCount": session.invoices.len(),
        "successfulInvoiceCount": ready(true),
        "failedInvoiceCount": ready(false),
    });
    if session.kind == SessionKind::Online {
        v["validUntil"] = json!(fmt_dt(session.valid_until));
    }
    if code == 200 {
        let mut inner = state.inner();
        let (url, until) = state.presign(
            &mut inner,
            Presigned::SessionUpo {
                session: session.reference.clone(),
            },
        );
        v["upo"] = json!({"pages": [{
            "referenceNumber": session.upo_reference,
            "downloadUrl": url,
            "downloadUrlExpirationDate": fmt_dt(until),
        }]});
    }
    Ok(Json(v))
}

fn owned_session(state: &AppState, caller: &Caller, reference: &str) -> Result<Session, ApiError> {
    state
        .session_by_reference(reference)
        .filter(|s| s.context_nip == caller.context_nip)
        .ok_or_else(|| no_session(reference))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageQuery {
    #[serde(default)]
    page_size: Option<usize>,
}

fn page_size(q: &PageQuery, min: usize, max: usize, default: usize) -> Result<usize, ApiError> {
    let size = q.page_size.unwrap_or(default);
    if size < min || size > max {
        return Err(ApiError::validation(format!(
            "pageSize musi być w zakresie {min}..{max}"
        )));
    }
    Ok(size)
}

fn continuation(headers: &HeaderMap) -> Result<usize, ApiError> {
    match headers
        .get("x-continuation-token")
        .and_then(|v| v.to_str().ok())
    {
        None | Some("") => Ok(0),
        Some(t) => t
            .strip_prefix("sim-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ApiError::BadRequest {
                code: 21418,
                description: "Przekazany token kontynuacji ma nieprawidłowy format.".into(),
                details: Vec::new(),
            }),
    }
}

fn invoice_page(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    q: &PageQuery,
    failed_only: bool,
) -> Result<Value, ApiError> {
    let size = page_size(q, 10, 1000, 10)?;
    let start = continuation(headers)?;
    let now = Utc::now();
    let all: Vec<_> = session
        .invoices
        .iter()
        .filter(|i| {
            !failed_only || (now >= i.ready_at && matches!(i.outcome, Outcome::Rejected { .. }))
        })
        .collect();
    let mut inner = state.inner();
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(size)
        .map(|i| state.invoice_status_json(&mut inner, &session.reference, i))
        .collect();
    let mut v = json!({"invoices": page});
    if start + size < all.len() {
        v["continuationToken"] = json!(format!("sim-{}", start + size));
    }
    Ok(v)
}

/// `GET /sessions/{referenceNumber}/invoices`
pub(crate) async fn session_invoices(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let Query(q) =
        q.map_err(|e| ApiError::validation(format!("Nieprawidłowe parametry zapytania: {e}")))?;
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    invoice_page(&state, &session, &headers, &q, false).map(Json)
}

/// `GET /sessions/{referenceNumber}/invoices/failed`
pub(crate) async fn failed_invoices(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    q: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let Query(q) =
        q.map_err(|e| ApiError::validation(format!("Nieprawidłowe parametry zapytania: {e}")))?;
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    invoice_page(&state, &session, &headers, &q, true).map(Json)
}

fn no_invoice(reference: &str) -> ApiError {
    ApiError::bad(
        21405,
        "Błąd walidacji danych wejściowych.",
        format!("Faktura o numerze referencyjnym {reference} nie została odnaleziona."),
    )
}

/// `GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}`
pub(crate) async fn invoice_status(
    State(state): State<Shared>,
    Path((reference, invoice)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    let inv = session
        .invoices
        .iter()
        .find(|i| i.reference == invoice)
        .ok_or_else(|| no_invoice(&invoice))?;
    let mut inner = state.inner();
    Ok(Json(state.invoice_status_json(&mut inner, &reference, inv)))
}

fn upo_not_ready() -> ApiError {
    ApiError::bad(
        21405,
        "Błąd walidacji danych wejściowych.",
        "UPO nie jest jeszcze dostępne.",
    )
}

/// `GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo`
pub(crate) async fn invoice_upo(
    State(state): State<Shared>,
    Path((reference, invoice)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    let inv = session
        .invoices
        .iter()
        .find(|i| i.reference == invoice)
        .ok_or_else(|| no_invoice(&invoice))?;
    let xml = AppState::invoice_upo_xml(&session, inv).ok_or_else(upo_not_ready)?;
    Ok(xml_response(xml.into_bytes()))
}

/// SPEC 21178 for `GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo`: no such
/// invoice in the session, or its UPO is not there yet.
fn no_upo_for_ksef(reference: &str, ksef: &str) -> ApiError {
    ApiError::bad(
        21178,
        "Nie znaleziono UPO dla podanych kryteriów.",
        format!("UPO o numerze KSeF {ksef} i numerze referencyjnym sesji {reference} nie zostało znalezione."),
    )
}

/// `GET /sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo`
pub(crate) async fn invoice_upo_by_ksef(
    State(state): State<Shared>,
    Path((reference, ksef)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    let inv = session
        .invoices
        .iter()
        .find(
            |i| matches!(&i.outcome, Outcome::Accepted { ksef_number, .. } if *ksef_number == ksef),
        )
        .ok_or_else(|| no_upo_for_ksef(&reference, &ksef))?;
    let xml = AppState::invoice_upo_xml(&session, inv)
        .ok_or_else(|| no_upo_for_ksef(&reference, &ksef))?;
    Ok(xml_response(xml.into_bytes()))
}

/// `GET /sessions/{referenceNumber}/upo/{upoReferenceNumber}`
pub(crate) async fn session_upo(
    State(state): State<Shared>,
    Path((reference, upo)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let session = owned_session(&state, &caller, &reference)?;
    let no_upo = || {
        ApiError::bad(
            21178,
            "Nie znaleziono UPO dla podanych kryteriów.",
            format!(
                "UPO o numerze referencyjnym {upo} dla sesji {reference} nie zostało znalezione."
            ),
        )
    };
    if session.upo_reference != upo {
        return Err(no_upo());
    }
    let xml = AppState::session_upo_xml(&session).ok_or_else(no_upo)?;
    Ok(xml_response(xml.into_bytes()))
}

/// `GET {pre-signed URL}`: UPO pages, invoice UPO, export parts (no Authorization).
pub(crate) async fn presigned_get(
    State(state): State<Shared>,
    Path(sig): Path<String>,
) -> Result<Response, ApiError> {
    let target = {
        let inner = state.inner();
        match inner.presigned.get(&sig) {
            Some((t, until)) if *until > Utc::now() => t.clone(),
            Some(_) => {
                return Err(ApiError::Forbidden {
                    reason_code: "insufficient-resource-access",
                    detail: "Adres wygasł.".into(),
                    security: None,
                })
            }
            None => return Err(ApiError::NotFound("Nieznany adres.".into())),
        }
    };
    let not_found = || ApiError::NotFound("Zasób nie istnieje.".into());
    match target {
        Presigned::SessionUpo { session } => {
            let s = state.session_by_reference(&session).ok_or_else(not_found)?;
            let xml = AppState::session_upo_xml(&s).ok_or_else(not_found)?;
            Ok(xml_response(xml.into_bytes()))
        }
        Presigned::InvoiceUpo { session, invoice } => {
            let s = state.session_by_reference(&session).ok_or_else(not_found)?;
            let inv = s
                .invoices
                .iter()
                .find(|i| i.reference == invoice)
                .ok_or_else(not_found)?;
            let xml = AppState::invoice_upo_xml(&s, inv).ok_or_else(not_found)?;
            Ok(xml_response(xml.into_bytes()))
        }
        Presigned::ExportPart { export, ordinal } => {
            let inner = state.inner();
            let part = inner
                .exports
                .get(&export)
                .and_then(|e| e.result.as_ref().ok())
                .and_then(|p| p.parts.get(ordinal.saturating_sub(1) as usize))
                .ok_or_else(not_found)?;
            let data = part.data.clone();
            drop(inner);
            // SPEC `InvoicePackagePart.url`: the answer carries `x-ms-meta-hash`, the
            // SHA-256 (Base64) of the encrypted part.
            let hash = crate::crypto::sha256_b64(&data);
            let mut resp = (StatusCode::OK, data).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Ok(v) = HeaderValue::from_str(&hash) {
                resp.headers_mut().insert("x-ms-meta-hash", v);
            }
            Ok(resp)
        }
        Presigned::BatchPart { .. } => Err(ApiError::NotFound("Użyj metody PUT.".into())),
    }
}

/// The `CommonSessionStatus` a session status code falls in.
fn status_class(code: u16) -> &'static str {
    match code {
        100 | 150 | 170 => "InProgress",
        200 => "Succeeded",
        440 => "Cancelled",
        _ => "Failed",
    }
}

/// `GET /sessions` (`statuses` may repeat; dates are RFC 3339).
pub(crate) async fn list_sessions(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), READ_SESSION)?;
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let date = |name: &str| -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
        get(name)
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| ApiError::validation(format!("{name} nie jest poprawną datą")))
            })
            .transpose()
    };
    let kind = match get("sessionType") {
        Some("Online") => SessionKind::Online,
        Some("Batch") => SessionKind::Batch,
        _ => {
            return Err(ApiError::validation(
                "sessionType jest wymagany (Online | Batch)",
            ))
        }
    };
    let size = match get("pageSize") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (10..=1000).contains(n))
            .ok_or_else(|| ApiError::validation("pageSize musi być w zakresie 10..1000"))?,
    };
    let statuses: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "statuses")
        .map(|(_, v)| v.as_str())
        .collect();
    let in_range = |d: Option<chrono::DateTime<Utc>>,
                    from: Option<chrono::DateTime<Utc>>,
                    to: Option<chrono::DateTime<Utc>>| {
        match d {
            Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
            None => from.is_none() && to.is_none(),
        }
    };
    let (created_from, created_to) = (date("dateCreatedFrom")?, date("dateCreatedTo")?);
    let (closed_from, closed_to) = (date("dateClosedFrom")?, date("dateClosedTo")?);
    let (modified_from, modified_to) = (date("dateModifiedFrom")?, date("dateModifiedTo")?);
    let reference = get("referenceNumber");
    let start = continuation(&headers)?;
    let now = Utc::now();
    let mut sessions: Vec<Session> = state
        .inner()
        .sessions
        .values()
        .filter(|s| s.context_nip == caller.context_nip && s.kind == kind)
        .filter(|s| reference.is_none_or(|r| r == s.reference))
        .filter(|s| {
            statuses.is_empty()
                || statuses.contains(&status_class(AppState::session_status(s, now).0))
        })
        .filter(|s| in_range(Some(s.created), created_from, created_to))
        .filter(|s| in_range(s.closed_at, closed_from, closed_to))
        .filter(|s| in_range(Some(s.updated), modified_from, modified_to))
        .cloned()
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.created));
    let items: Vec<Value> = sessions
        .iter()
        .skip(start)
        .take(size)
        .map(|s| {
            let (code, description, _) = AppState::session_status(s, now);
            let done = |acc: bool| {
                s.invoices
                    .iter()
                    .filter(|i| {
                        now >= i.ready_at && matches!(i.outcome, Outcome::Accepted { .. }) == acc
                    })
                    .count()
            };
            json!({
                "referenceNumber": s.reference,
                "status": {"code": code, "description": description},
                "dateCreated": fmt_dt(s.created),
                "dateUpdated": fmt_dt(s.updated),
                "validUntil": fmt_dt(s.valid_until),
                "totalInvoiceCount": s.invoices.len(),
                "successfulInvoiceCount": done(true),
                "failedInvoiceCount": done(false),
            })
        })
        .collect();
    let mut v = json!({"sessions": items});
    if start + size < sessions.len() {
        v["continuationToken"] = json!(format!("sim-{}", start + size));
    }
    Ok(Json(v))
}
