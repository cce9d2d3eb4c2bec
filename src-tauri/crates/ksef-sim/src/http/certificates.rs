//! `/certificates/*`: the simulator as KSeF's certificate authority (certyfikaty-KSeF.md).
//!
//! Every operation concerns the authenticated subject (who signed in), not the context:
//! after a XAdES sign-in the signing certificate's NIP, PESEL or fingerprint; after a
//! KSeF-token sign-in the context's NIP, which may list, retrieve and revoke but, as on
//! KSeF, neither read enrolment data (25001) nor enrol (25002).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::certs::{self, CertRequest, CertificateKind, Enrollment, IssuedCert, Signer, SubjectId};
use crate::crypto::{b64, b64_decode};
use crate::ids::{self, RefKind};
use crate::state::{chrono_dur, AppState};
use crate::store::fmt_dt;

/// Who is asking: the subject certificate operations concern, and the signer (if any).
struct Owner {
    subject: SubjectId,
    signer: Option<Arc<Signer>>,
}

fn owner(state: &AppState, headers: &HeaderMap) -> Result<Owner, ApiError> {
    let (caller, signer) = state.cert_caller(bearer(headers))?;
    let subject = signer
        .as_ref()
        .map(|s| s.subject.clone())
        .unwrap_or(SubjectId::Nip(caller.context_nip));
    Ok(Owner { subject, signer })
}

/// `GET /certificates/limits`
pub(crate) async fn limits(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(&state, &headers)?;
    let cfg = &state.config.certificates;
    let certs = state.cert_state();
    let enrolled = u32::try_from(certs.enrollment_count(&owner.subject)).unwrap_or(u32::MAX);
    let active = u32::try_from(certs.active_count(&owner.subject, Utc::now())).unwrap_or(u32::MAX);
    let enrollment_left = cfg.enrollment_limit.saturating_sub(enrolled);
    let certificate_left = cfg.certificate_limit.saturating_sub(active);
    Ok(Json(json!({
        "canRequest": owner.signer.is_some() && enrollment_left > 0 && certificate_left > 0,
        "enrollment": {"limit": cfg.enrollment_limit, "remaining": enrollment_left},
        "certificate": {"limit": cfg.certificate_limit, "remaining": certificate_left},
    })))
}

/// `GET /certificates/enrollments/data`
pub(crate) async fn enrollment_data(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(&state, &headers)?;
    let no_data = || {
        ApiError::bad(
            25001,
            "Brak możliwości pobrania danych do CSR dla wykorzystanego sposobu uwierzytelnienia.",
            "",
        )
    };
    let signer = owner.signer.ok_or_else(no_data)?;
    certs::enrollment_json(&signer.attributes)
        .map(Json)
        .ok_or_else(no_data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrollRequest {
    certificate_name: String,
    certificate_type: CertificateKind,
    csr: String,
    #[serde(default)]
    valid_from: Option<DateTime<Utc>>,
}

/// The spec's `certificateName`: 5..100 letters (Polish too), digits, `_`, `-`, space.
fn valid_certificate_name(name: &str) -> bool {
    let len = name.chars().count();
    (5..=100).contains(&len)
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | ' ')
                || "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ".contains(c)
        })
}

/// `POST /certificates/enrollments`: 202; the certificate is ready after
/// [`certs::CertConfig::enrollment_delay`].
pub(crate) async fn enroll(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let owner = owner(&state, &headers)?;
    let signer = owner.signer.ok_or_else(|| {
        ApiError::bad(
            25002,
            "Brak możliwości złożenia wniosku certyfikacyjnego dla wykorzystanego sposobu uwierzytelnienia.",
            "",
        )
    })?;
    let req: EnrollRequest = parse(&body)?;
    if !valid_certificate_name(&req.certificate_name) {
        return Err(ApiError::validation(
            "certificateName: 5..100 znaków: litery, cyfry, '_', '-', spacja",
        ));
    }
    let csr = b64_decode(&req.csr).map_err(|_| {
        ApiError::bad(
            25004,
            "Niepoprawny format CSR lub niepoprawny podpis CSR.",
            "",
        )
    })?;
    let now = Utc::now();
    let cfg = state.config.certificates.clone();
    let mut certs = state.cert_state();
    if certs.enrollment_count(&signer.subject) >= cfg.enrollment_limit as usize {
        return Err(ApiError::bad(
            25006,
            "Osiągnięto limit możliwych do złożenia wniosków certyfikacyjnych.",
            "",
        ));
    }
    if certs.active_count(&signer.subject, now) >= cfg.certificate_limit as usize {
        return Err(ApiError::bad(
            25007,
            "Osiągnięto limit dopuszczalnej liczby posiadanych certyfikatów.",
            "",
        ));
    }
    let checked = certs::check_csr(&csr, &signer.attributes)?;
    let valid_from = req.valid_from.unwrap_or(now);
    let ready_at = now + chrono_dur(cfg.enrollment_delay);
    let serial = certs.issue(
        CertRequest {
            subject: checked.subject,
            spki: checked.spki,
            kind: req.certificate_type,
            name: req.certificate_name,
            owner: signer.subject.clone(),
            valid_from,
            valid_to: valid_from + chrono_dur(cfg.validity),
            ready_at,
        },
        now,
    )?;
    let reference = ids::reference_number(RefKind::Enrollment, now);
    certs.enrollments.insert(
        reference.clone(),
        Enrollment {
            owner: signer.subject.clone(),
            requested: now,
            ready_at,
            serial,
        },
    );
    tracing::info!(%reference, "certificate enrolment accepted");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"referenceNumber": reference, "timestamp": fmt_dt(now)})),
    )
        .into_response())
}

/// `GET /certificates/enrollments/{referenceNumber}`
pub(crate) async fn enrollment_status(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(&state, &headers)?;
    let certs = state.cert_state();
    let e = certs
        .enrollments
        .get(&reference)
        .filter(|e| e.owner == owner.subject)
        .ok_or_else(|| {
            ApiError::bad(
                25005,
                "Wniosek certyfikacyjny o podanym numerze referencyjnym nie istnieje.",
                "",
            )
        })?;
    let mut v = json!({"requestDate": fmt_dt(e.requested)});
    if Utc::now() < e.ready_at {
        v["status"] = json!({"code": 100, "description": "Wniosek przyjęty do realizacji"});
    } else {
        v["status"] =
            json!({"code": 200, "description": "Wniosek obsłużony (certyfikat wygenerowany)"});
        v["certificateSerialNumber"] = json!(e.serial);
    }
    Ok(Json(v))
}

fn valid_serial(s: &str) -> bool {
    s.len() == 16 && s.chars().all(|c| matches!(c, '0'..='9' | 'A'..='F'))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrieveRequest {
    certificate_serial_numbers: Vec<String>,
}

/// `POST /certificates/retrieve`: the owner's ready certificates among those asked for.
pub(crate) async fn retrieve(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(&state, &headers)?;
    let req: RetrieveRequest = parse(&body)?;
    let n = req.certificate_serial_numbers.len();
    if !(1..=10).contains(&n)
        || !req
            .certificate_serial_numbers
            .iter()
            .all(|s| valid_serial(s))
    {
        return Err(ApiError::validation(
            "certificateSerialNumbers: 1..10 numerów po 16 cyfr szesnastkowych",
        ));
    }
    let now = Utc::now();
    let certs = state.cert_state();
    let items: Vec<Value> = req
        .certificate_serial_numbers
        .iter()
        .filter_map(|s| certs.certs.get(s))
        .filter(|c| c.owner == owner.subject && c.ready_at <= now)
        .map(|c| {
            json!({
                "certificate": b64(&c.der),
                "certificateName": c.name,
                "certificateSerialNumber": c.serial,
                "certificateType": c.kind.as_str(),
            })
        })
        .collect();
    Ok(Json(json!({"certificates": items})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct QueryRequest {
    certificate_serial_number: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<CertificateKind>,
    status: Option<String>,
    expires_after: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Page {
    #[serde(default)]
    page_size: Option<u32>,
    #[serde(default)]
    page_offset: Option<u32>,
}

impl Page {
    /// `(offset in items, size)`, or 400 outside `min..=max`.
    pub(crate) fn bounds(&self, max: u32) -> Result<(usize, usize), ApiError> {
        let size = self.page_size.unwrap_or(10);
        if !(10..=max).contains(&size) {
            return Err(ApiError::validation(format!(
                "pageSize musi być w zakresie 10..{max}"
            )));
        }
        let offset = self.page_offset.unwrap_or(0);
        let start = (offset as usize).saturating_mul(size as usize);
        Ok((start, size as usize))
    }
}

fn list_item(c: &IssuedCert, now: DateTime<Utc>) -> Value {
    let (kind, value) = c.owner.parts();
    let mut v = json!({
        "certificateSerialNumber": c.serial,
        "name": c.name,
        "type": c.kind.as_str(),
        "commonName": c.common_name,
        "status": c.status(now),
        "subjectIdentifier": {"type": kind, "value": value},
        "validFrom": fmt_dt(c.valid_from),
        "validTo": fmt_dt(c.valid_to),
        "requestDate": fmt_dt(c.requested),
    });
    if let Some(d) = c.last_use {
        v["lastUseDate"] = json!(fmt_dt(d));
    }
    v
}

/// `POST /certificates/query?pageSize&pageOffset`: the owner's certificates, newest first.
pub(crate) async fn query(
    State(state): State<Shared>,
    Query(page): Query<Page>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(&state, &headers)?;
    let (start, size) = page.bounds(50)?;
    let req: QueryRequest = if body.is_empty() {
        QueryRequest::default()
    } else {
        parse(&body)?
    };
    if let Some(s) = &req.status {
        if !matches!(s.as_str(), "Active" | "Blocked" | "Revoked" | "Expired") {
            return Err(ApiError::validation("status ma niedozwoloną wartość"));
        }
    }
    let now = Utc::now();
    let certs = state.cert_state();
    let mut found: Vec<&IssuedCert> = certs
        .certs
        .values()
        .filter(|c| c.owner == owner.subject && c.ready_at <= now)
        .filter(|c| {
            req.certificate_serial_number
                .as_ref()
                .is_none_or(|s| *s == c.serial)
        })
        .filter(|c| {
            req.name
                .as_ref()
                .is_none_or(|n| c.name.to_lowercase().contains(&n.to_lowercase()))
        })
        .filter(|c| req.kind.is_none_or(|k| k == c.kind))
        .filter(|c| req.status.as_ref().is_none_or(|s| s == c.status(now)))
        .filter(|c| req.expires_after.is_none_or(|d| c.valid_to > d))
        .collect();
    found.sort_by(|a, b| b.requested.cmp(&a.requested).then(a.serial.cmp(&b.serial)));
    let has_more = found.len() > start.saturating_add(size);
    let items: Vec<Value> = found
        .into_iter()
        .skip(start)
        .take(size)
        .map(|c| list_item(c, now))
        .collect();
    Ok(Json(json!({"certificates": items, "hasMore": has_more})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RevokeRequest {
    revocation_reason: Option<String>,
}

/// `POST /certificates/{certificateSerialNumber}/revoke`: 204; the certificate signs in no more.
pub(crate) async fn revoke(
    State(state): State<Shared>,
    Path(serial): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let owner = owner(&state, &headers)?;
    let req: RevokeRequest = if body.is_empty() {
        RevokeRequest::default()
    } else {
        parse(&body)?
    };
    if let Some(r) = &req.revocation_reason {
        if !matches!(r.as_str(), "Unspecified" | "Superseded" | "KeyCompromise") {
            return Err(ApiError::validation(
                "revocationReason ma niedozwoloną wartość",
            ));
        }
    }
    let now = Utc::now();
    let mut certs = state.cert_state();
    let cert = certs
        .certs
        .get_mut(&serial)
        .filter(|c| c.owner == owner.subject && c.ready_at <= now)
        .ok_or_else(|| {
            ApiError::bad(
                25008,
                "Certyfikat o podanym numerze seryjnym nie istnieje.",
                "",
            )
        })?;
    if cert.status(now) != "Active" {
        return Err(ApiError::bad(
            25009,
            "Nie można odwołać wskazanego certyfikatu, ponieważ jest już odwołany, zablokowany lub nieważny.",
            "",
        ));
    }
    cert.revoked = true;
    tracing::info!(%serial, "certificate revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_names_follow_the_spec_pattern() {
        assert!(valid_certificate_name("Certyfikat-Auth_004 źółć"));
        assert!(!valid_certificate_name("abcd"));
        assert!(!valid_certificate_name("Cert/1234"));
        assert!(!valid_certificate_name(&"a".repeat(101)));
    }
}
