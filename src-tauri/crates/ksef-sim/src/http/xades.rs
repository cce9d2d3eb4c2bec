//! `POST /auth/xades-signature`: sign-in with an enveloped XAdES signature over an
//! `AuthTokenRequest` (uwierzytelnianie.md, auth/podpis-xades.md).
//!
//! The signature is verified first (`ksef_xades::verify_enveloped`: one signature over the
//! whole document, digests, value, `SigningCertificate`), and only the verified document
//! is read — nothing outside the signature can be smuggled in. Then, as KSeF does:
//! synchronous refusals (400) for a malformed, unsigned or wrongly signed document, an
//! unknown, used or expired challenge and a context the simulator does not serve; the
//! asynchronous outcome (status of `GET /auth/{ref}`) 460 for a certificate that is not
//! trusted, expired, revoked or not for signing in, 415 for a subject without rights in
//! the context, 480 for a blocked context. Self-signed certificates are accepted, as on
//! KSeF Test (auth/testowe-certyfikaty-i-podpisy-xades.md).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use ksef_xades::{CertificateInfo, SubjectIdentifier, VerifyError};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::json;

use super::error::ApiError;
use super::Shared;
use crate::certs::{self, AuthMethod, CertificateKind, Signer, SubjectId};
use crate::config::Permission;
use crate::ids::{self, RefKind};
use crate::state::{chrono_dur, AppState, AuthOperation, AuthOutcome, BearerGrant, BearerKind};
use crate::store::fmt_dt;

/// The namespaces of the auth schemas KSeF accepts (v2.0 and v2.1).
const AUTH_NAMESPACES: [&str; 2] = [
    "http://ksef.mf.gov.pl/auth/token/2.0",
    "http://ksef.mf.gov.pl/auth/token/2.1",
];

/// The signed `AuthTokenRequest`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct AuthTokenRequest {
    pub challenge: String,
    /// `(Nip | InternalId | NipVatUe | PeppolId, value)`.
    pub context: (String, String),
    /// `certificateSubject` or `certificateFingerprint`.
    pub subject_type: String,
}

fn schema_error(detail: impl Into<String>) -> ApiError {
    ApiError::bad(21401, "Dokument nie jest zgodny ze schemą (xsd).", detail)
}

/// Reads the verified document (the Signature already removed).
pub(crate) fn parse_auth_token_request(xml: &str) -> Result<AuthTokenRequest, ApiError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = AuthTokenRequest::default();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| ApiError::bad(21001, "Nieczytelna treść.", e.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let in_ns = matches!(ns, ResolveResult::Bound(n)
                    if AUTH_NAMESPACES.iter().any(|a| n.as_ref() == a.as_bytes()));
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() && !(in_ns && name == "AuthTokenRequest") {
                    return Err(schema_error(
                        "Element główny musi być AuthTokenRequest w przestrzeni nazw http://ksef.mf.gov.pl/auth/token/2.0",
                    ));
                }
                path.push(if in_ns { name } else { format!("?{name}") });
                text.clear();
                if matches!(event, Event::Empty(_)) {
                    path.pop();
                }
            }
            Event::Text(t) => text.push_str(&t.decode().map_err(|e| schema_error(e.to_string()))?),
            Event::End(_) => {
                let value = text.trim().to_owned();
                match path
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["AuthTokenRequest", "Challenge"] => out.challenge = value,
                    ["AuthTokenRequest", "SubjectIdentifierType"] => out.subject_type = value,
                    ["AuthTokenRequest", "ContextIdentifier", kind] => {
                        out.context = ((*kind).to_owned(), value);
                    }
                    _ => {}
                }
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if out.challenge.is_empty() || out.context.1.is_empty() {
        return Err(schema_error(
            "Wymagane są elementy Challenge i ContextIdentifier",
        ));
    }
    if !matches!(
        out.context.0.as_str(),
        "Nip" | "InternalId" | "NipVatUe" | "PeppolId"
    ) {
        return Err(schema_error("Nieznany typ ContextIdentifier"));
    }
    if !matches!(
        out.subject_type.as_str(),
        "certificateSubject" | "certificateFingerprint"
    ) {
        return Err(schema_error(
            "SubjectIdentifierType musi być certificateSubject albo certificateFingerprint",
        ));
    }
    Ok(out)
}

/// A verification failure as KSeF's synchronous 400.
fn verify_error(e: &VerifyError) -> ApiError {
    match e {
        VerifyError::NotWellFormed { .. } => ApiError::bad(21001, "Nieczytelna treść.", ""),
        VerifyError::NoSignature => ApiError::bad(9102, "Brak podpisu.", ""),
        VerifyError::MultipleSignatures { count } => ApiError::bad(
            9103,
            "Przekroczona liczba dozwolonych podpisów.",
            format!("Liczba podpisów: {count}"),
        ),
        VerifyError::MissingCertificate | VerifyError::BadCertificate(_) => {
            ApiError::bad(21115, "Nieprawidłowy certyfikat.", e.to_string())
        }
        _ => ApiError::bad(9105, "Nieprawidłowy podpis.", e.to_string()),
    }
}

fn failed(code: u16, description: &'static str, detail: &str) -> AuthOutcome {
    AuthOutcome {
        code,
        description,
        details: vec![detail.to_owned()],
    }
}

fn certificate_error(detail: &str) -> AuthOutcome {
    failed(
        460,
        "Uwierzytelnianie zakończone niepowodzeniem z powodu błędu certyfikatu",
        detail,
    )
}

/// `POST /auth/xades-signature` (`application/xml`): 202 `AuthenticationInitResponse`.
pub(crate) async fn xades_signature(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if std::str::from_utf8(&body).is_err() {
        return Err(ApiError::bad(21217, "Nieprawidłowe kodowanie znaków.", ""));
    }
    let verified = ksef_xades::verify_enveloped(&body).map_err(|e| verify_error(&e))?;
    let request = parse_auth_token_request(&verified.signed_xml)?;
    let (reference, token, until) = state.init_xades_auth(&request, &verified.signer)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "referenceNumber": reference,
            "authenticationToken": {"token": token, "validUntil": fmt_dt(until)},
        })),
    )
        .into_response())
}

impl AppState {
    /// Judges a signed `AuthTokenRequest`: Err for KSeF's synchronous refusals, otherwise
    /// an authentication operation whose status carries the outcome.
    pub(crate) fn init_xades_auth(
        &self,
        req: &AuthTokenRequest,
        signer: &CertificateInfo,
    ) -> Result<(String, String, DateTime<Utc>), ApiError> {
        let now = Utc::now();
        let mut inner = self.inner();
        let challenge_ok = inner
            .challenges
            .remove(&req.challenge)
            .is_some_and(|(_, created)| now - created <= chrono::Duration::minutes(10));
        if !challenge_ok {
            return Err(ApiError::bad(
                21111,
                "Nieprawidłowe wyzwanie autoryzacyjne.",
                "",
            ));
        }
        if req.context.0 != "Nip" || !ids::is_valid_nip(&req.context.1) {
            return Err(ApiError::bad(
                21117,
                "Nieprawidłowy identyfikator podmiotu dla wskazanego typu kontekstu.",
                "Symulator obsługuje kontekst Nip z poprawnym NIP.",
            ));
        }
        let context_nip = req.context.1.clone();
        let subject = match req.subject_type.as_str() {
            "certificateFingerprint" => SubjectId::Fingerprint(signer.fingerprint_sha256_hex.clone()),
            _ => match &signer.identifier {
                Some(SubjectIdentifier::Nip(n)) => SubjectId::Nip(n.clone()),
                Some(SubjectIdentifier::Pesel(p)) => SubjectId::Pesel(p.clone()),
                None => {
                    return Err(ApiError::bad(
                        21115,
                        "Nieprawidłowy certyfikat.",
                        "Certyfikat nie zawiera identyfikatora NIP ani PESEL; użyj certificateFingerprint.",
                    ))
                }
            },
        };
        let attributes = certs::certificate_subject(&signer.der).unwrap_or_default();
        let mut permissions: Vec<Permission> = Vec::new();
        let (method, outcome) = {
            let mut certs = self.cert_state();
            let ours = certs.is_ours(&signer.der);
            let method = if ours {
                AuthMethod::KsefCertificate
            } else if matches!(subject, SubjectId::Nip(_)) {
                AuthMethod::QualifiedSeal
            } else {
                AuthMethod::QualifiedSignature
            };
            let in_validity = signer.not_before <= now && now < signer.not_after;
            let trust = if ours {
                match certs.record_mut(&signer.der) {
                    None => Err("Niezaufany łańcuch certyfikatów"),
                    Some(c) if c.revoked => Err("Certyfikat odwołany"),
                    Some(_) if !in_validity => Err("Nieważny certyfikat"),
                    Some(c) if c.kind != CertificateKind::Authentication => {
                        Err("Niepoprawny certyfikat")
                    }
                    Some(c) => {
                        c.last_use = Some(now);
                        Ok(())
                    }
                }
            } else if signer.issuer != signer.subject {
                Err("Niezaufany łańcuch certyfikatów")
            } else if !in_validity {
                Err("Nieważny certyfikat")
            } else if !signer.digital_signature_usage {
                Err("Niepoprawny certyfikat")
            } else {
                Ok(())
            };
            let outcome = match trust {
                Err(detail) => certificate_error(detail),
                Ok(()) => {
                    permissions = certs.rights(&context_nip, &subject);
                    if permissions.is_empty() {
                        failed(
                            415,
                            "Uwierzytelnianie zakończone niepowodzeniem",
                            "Brak przypisanych uprawnień",
                        )
                    } else {
                        AuthOutcome {
                            code: 200,
                            description: "Uwierzytelnianie zakończone sukcesem",
                            details: vec![],
                        }
                    }
                }
            };
            (method, outcome)
        };
        let outcome = if self.policy().blocked_contexts.contains(&context_nip) {
            failed(
                480,
                "Uwierzytelnienie zablokowane",
                "Podejrzenie incydentu bezpieczeństwa. Skontaktuj się z Ministerstwem Finansów przez formularz zgłoszeniowy.",
            )
        } else {
            outcome
        };
        if outcome.code != 200 {
            permissions.clear();
        }
        tracing::info!(
            code = outcome.code,
            "XAdES authentication operation started"
        );
        let reference = ids::reference_number(RefKind::Auth, now);
        inner.auth_ops.insert(
            reference.clone(),
            AuthOperation {
                started: now,
                ready_at: now + chrono_dur(self.config.timing.auth_delay),
                context_nip: context_nip.clone(),
                outcome,
                // A certificate sign-in uses no KSeF token; sessions still need a reference.
                token_reference: ids::reference_number(RefKind::Token, now),
                redeemed: false,
                last_refresh: None,
                refresh_valid_until: None,
                method,
            },
        );
        let (token, until) = self.issue_bearer(
            &mut inner,
            BearerGrant {
                kind: BearerKind::Authentication,
                auth_reference: reference.clone(),
                context_nip,
                permissions,
                valid_until: now + chrono_dur(self.config.timing.auth_token_ttl),
                ksef_token: None,
                signer: Some(Arc::new(Signer {
                    subject,
                    attributes,
                })),
            },
        );
        Ok((reference, token, until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_signed_request_and_refuses_foreign_roots() {
        let xml = r#"<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0"><Challenge>C-1</Challenge><ContextIdentifier><Nip>5265877635</Nip></ContextIdentifier><SubjectIdentifierType>certificateFingerprint</SubjectIdentifierType></AuthTokenRequest>"#;
        assert_eq!(
            parse_auth_token_request(xml).unwrap(),
            AuthTokenRequest {
                challenge: "C-1".into(),
                context: ("Nip".into(), "5265877635".into()),
                subject_type: "certificateFingerprint".into(),
            }
        );
        let foreign = xml.replace("auth/token/2.0", "auth/token/9.9");
        assert!(parse_auth_token_request(&foreign).is_err());
        let bad_type = xml.replace("certificateFingerprint", "somethingElse");
        assert!(parse_auth_token_request(&bad_type).is_err());
    }
}
