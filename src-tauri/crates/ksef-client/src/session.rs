//! Online (interactive) sessions, invoice and session status, UPO.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::auth::sleep;
use crate::client::{Call, CallAuth, KsefClient};
use crate::crypto::{encrypt_document, sha256_b64, SymmetricKey};
use crate::error::{KsefError, Result, StatusDetail};
use crate::limiter::EndpointGroup;
use crate::model::{
    FormCode, OpenOnlineSessionRequest, OpenOnlineSessionResponse, PublicKeyCertificateUsage,
    SendInvoiceRequest, SendInvoiceResponse, SessionInvoiceStatusResponse, SessionInvoicesResponse,
    SessionStatusResponse,
};

/// Largest invoice KSeF accepts (3 MB with attachments; 1 MB without — the server applies
/// the per-context limit, the client refuses only what can never pass).
pub const MAX_INVOICE_SIZE: usize = 3 * 1024 * 1024;

/// An open online session: its reference number and the AES key + IV every invoice of
/// the session is encrypted with. Debug never shows the key.
#[derive(Clone, Debug)]
pub struct OnlineSession {
    /// Session reference number.
    pub reference_number: String,
    /// Automatic close time.
    pub valid_until: DateTime<Utc>,
    /// Form code of the session.
    pub form_code: FormCode,
    pub(crate) key: Arc<SymmetricKey>,
}

/// What `send_invoice` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceReference {
    /// Session reference number.
    pub session_reference_number: String,
    /// Invoice reference number (for status and UPO).
    pub reference_number: String,
    /// Base64 SHA-256 of the plain invoice bytes (the key for an idempotent resend check).
    pub invoice_hash: String,
}

/// Extra options of a send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// Declare offline mode.
    pub offline_mode: bool,
    /// Technical correction of a rejected offline invoice: hash of the corrected one.
    pub hash_of_corrected_invoice: Option<String>,
}

/// Why KSeF rejected an invoice (codes of `SessionInvoiceStatusResponse.status`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionKind {
    /// 405: processing cancelled because of a session error.
    SessionError,
    /// 410: invalid permission scope (e.g. seller NIP not in context).
    PermissionScope,
    /// 415: attachments not allowed.
    AttachmentNotAllowed,
    /// 430: file verification (XSD) error.
    SchemaValidation,
    /// 435: decryption error.
    Decryption,
    /// 440: duplicate of an invoice already in KSeF.
    Duplicate {
        /// KSeF number of the original.
        original_ksef_number: Option<String>,
        /// Session of the original.
        original_session_reference_number: Option<String>,
    },
    /// 450: semantic verification error.
    Semantic,
    /// 500: unknown error.
    Unknown,
    /// 550: cancelled by the system; sending again is expected to work.
    CancelledBySystem,
    /// A code this client does not know.
    Other(i32),
}

impl RejectionKind {
    fn from_status(code: i32, ext: Option<&BTreeMap<String, Option<String>>>) -> Self {
        let get = |k: &str| ext.and_then(|e| e.get(k).cloned().flatten());
        match code {
            405 => Self::SessionError,
            410 => Self::PermissionScope,
            415 => Self::AttachmentNotAllowed,
            430 => Self::SchemaValidation,
            435 => Self::Decryption,
            440 => Self::Duplicate {
                original_ksef_number: get("originalKsefNumber"),
                original_session_reference_number: get("originalSessionReferenceNumber"),
            },
            450 => Self::Semantic,
            500 => Self::Unknown,
            550 => Self::CancelledBySystem,
            c => Self::Other(c),
        }
    }
}

/// The final state of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceOutcome {
    /// 200: in KSeF with a KSeF number.
    Accepted {
        /// KSeF number.
        ksef_number: String,
        /// Full status record.
        status: Box<SessionInvoiceStatusResponse>,
    },
    /// Rejected with a reason; the Polish description and details are in `status`.
    Rejected {
        /// Classified reason.
        kind: RejectionKind,
        /// KSeF status.
        status: StatusDetail,
        /// Full status record.
        record: Box<SessionInvoiceStatusResponse>,
    },
}

impl InvoiceOutcome {
    /// Classifies a status record; `None` while still processing (100, 150).
    pub fn from_status(record: &SessionInvoiceStatusResponse) -> Option<Self> {
        match record.status.code {
            100 | 150 => None,
            200 => record.ksef_number.as_ref().map(|k| Self::Accepted {
                ksef_number: k.clone(),
                status: Box::new(record.clone()),
            }),
            code => Some(Self::Rejected {
                kind: RejectionKind::from_status(code, record.status.extensions.as_ref()),
                status: record.status.to_detail(),
                record: Box::new(record.clone()),
            }),
        }
    }
}

/// A UPO document (XML) as downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upo {
    /// UPO reference number (session UPO) or the invoice reference / KSeF number.
    pub reference: String,
    /// The XML bytes exactly as received.
    pub xml: Vec<u8>,
    /// Base64 SHA-256 of `xml` (checked against `x-ms-meta-hash` when sent).
    pub hash: String,
}

impl KsefClient {
    /// Opens an online session (`POST /sessions/online`) with a fresh AES-256 key and IV
    /// wrapped with the MF `SymmetricKeyEncryption` key.
    pub async fn open_online_session(
        &self,
        form_code: FormCode,
        cancel: &CancellationToken,
    ) -> Result<OnlineSession> {
        let inner = &self.inner;
        let mf = inner
            .mf_key(PublicKeyCertificateUsage::SymmetricKeyEncryption, cancel)
            .await?;
        let key = SymmetricKey::generate();
        let body = OpenOnlineSessionRequest {
            form_code: form_code.clone(),
            encryption: key.encryption_info(&mf, None)?,
        };
        let call = Call::new(
            "sessions.online.open",
            Method::POST,
            inner.url("sessions/online")?,
            EndpointGroup::OnlineSession,
        )
        .json(&body)?;
        let r: OpenOnlineSessionResponse = inner.call_json(call, cancel).await?;
        tracing::info!(session = %r.reference_number, "online session opened");
        Ok(OnlineSession {
            reference_number: r.reference_number,
            valid_until: r.valid_until,
            form_code,
            key: Arc::new(key),
        })
    }

    /// Encrypts and sends one invoice (`POST /sessions/online/{ref}/invoices`).
    pub async fn send_invoice(
        &self,
        session: &OnlineSession,
        xml: &[u8],
        cancel: &CancellationToken,
    ) -> Result<InvoiceReference> {
        self.send_invoice_with(session, xml, &SendOptions::default(), cancel)
            .await
    }

    /// [`KsefClient::send_invoice`] with offline mode / technical correction.
    pub async fn send_invoice_with(
        &self,
        session: &OnlineSession,
        xml: &[u8],
        options: &SendOptions,
        cancel: &CancellationToken,
    ) -> Result<InvoiceReference> {
        if xml.is_empty() || xml.len() > MAX_INVOICE_SIZE {
            return Err(KsefError::Limit(format!(
                "invoice size {} bytes outside 1..={MAX_INVOICE_SIZE}",
                xml.len()
            )));
        }
        let doc = encrypt_document(&session.key, xml);
        let body = SendInvoiceRequest {
            invoice_hash: doc.plain_hash.clone(),
            invoice_size: doc.plain_size,
            encrypted_invoice_hash: doc.encrypted_hash,
            encrypted_invoice_size: doc.encrypted.len() as u64,
            encrypted_invoice_content: crate::crypto::b64(&doc.encrypted),
            offline_mode: options.offline_mode,
            hash_of_corrected_invoice: options.hash_of_corrected_invoice.clone(),
        };
        let path = format!("sessions/online/{}/invoices", session.reference_number);
        // Not idempotent: after an ambiguous failure the caller must check by hash first.
        let call = Call::new(
            "sessions.online.send",
            Method::POST,
            self.inner.url(&path)?,
            EndpointGroup::InvoiceSend,
        )
        .json(&body)?;
        let r: SendInvoiceResponse = self.inner.call_json(call, cancel).await?;
        tracing::debug!(invoice = %r.reference_number, hash = %doc.plain_hash, "invoice sent");
        Ok(InvoiceReference {
            session_reference_number: session.reference_number.clone(),
            reference_number: r.reference_number,
            invoice_hash: doc.plain_hash,
        })
    }

    /// Status of one invoice (`GET /sessions/{ref}/invoices/{invoiceRef}`).
    pub async fn invoice_status(
        &self,
        session_reference_number: &str,
        invoice_reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<SessionInvoiceStatusResponse> {
        let path =
            format!("sessions/{session_reference_number}/invoices/{invoice_reference_number}");
        let call = Call::new(
            "sessions.invoice.status",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::InvoiceStatus,
        );
        self.inner.call_json(call, cancel).await
    }

    /// Polls an invoice until it is accepted or rejected.
    pub async fn wait_for_invoice(
        &self,
        invoice: &InvoiceReference,
        cancel: &CancellationToken,
    ) -> Result<InvoiceOutcome> {
        let started = Instant::now();
        let mut delay = self.inner.config.poll.initial;
        loop {
            let s = self
                .invoice_status(
                    &invoice.session_reference_number,
                    &invoice.reference_number,
                    cancel,
                )
                .await?;
            if let Some(outcome) = InvoiceOutcome::from_status(&s) {
                return Ok(outcome);
            }
            if started.elapsed() >= self.inner.config.poll.invoice_timeout {
                return Err(KsefError::WaitTimeout {
                    what: "invoice status",
                    after: started.elapsed(),
                });
            }
            sleep(delay, cancel).await?;
            delay = (delay * 2).min(self.inner.config.poll.max);
        }
    }

    /// One page of a session's invoices (`GET /sessions/{ref}/invoices`, or `/failed`).
    pub async fn session_invoices(
        &self,
        session_reference_number: &str,
        failed_only: bool,
        continuation_token: Option<&str>,
        page_size: u32,
        cancel: &CancellationToken,
    ) -> Result<SessionInvoicesResponse> {
        let path = if failed_only {
            format!("sessions/{session_reference_number}/invoices/failed")
        } else {
            format!("sessions/{session_reference_number}/invoices")
        };
        let mut url = self.inner.url(&path)?;
        url.query_pairs_mut()
            .append_pair("pageSize", &page_size.clamp(10, 1000).to_string());
        let mut call = Call::new(
            "sessions.invoices",
            Method::GET,
            url,
            EndpointGroup::SessionInvoiceList,
        );
        if let Some(t) = continuation_token {
            call.headers.push(("x-continuation-token".into(), t.into()));
        }
        self.inner.call_json(call, cancel).await
    }

    /// All invoices of a session, following continuation tokens.
    pub async fn all_session_invoices(
        &self,
        session_reference_number: &str,
        failed_only: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<SessionInvoiceStatusResponse>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .session_invoices(
                    session_reference_number,
                    failed_only,
                    token.as_deref(),
                    1000,
                    cancel,
                )
                .await?;
            out.extend(page.invoices);
            match page.continuation_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// The session's record of an invoice with this plain-XML hash, if KSeF has one: the
    /// check before resending after an ambiguous failure (exactly-once sending).
    pub async fn find_in_session_by_hash(
        &self,
        session_reference_number: &str,
        invoice_hash: &str,
        cancel: &CancellationToken,
    ) -> Result<Option<SessionInvoiceStatusResponse>> {
        let all = self
            .all_session_invoices(session_reference_number, false, cancel)
            .await?;
        Ok(all.into_iter().find(|i| i.invoice_hash == invoice_hash))
    }

    /// Closes an online session (`POST /sessions/online/{ref}/close`); KSeF then builds the UPO.
    pub async fn close_online_session(
        &self,
        session: &OnlineSession,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let path = format!("sessions/online/{}/close", session.reference_number);
        let call = Call::new(
            "sessions.online.close",
            Method::POST,
            self.inner.url(&path)?,
            EndpointGroup::OnlineSession,
        );
        self.inner.send(&call, cancel).await.map(|_| ())
    }

    /// Session status (`GET /sessions/{ref}`).
    pub async fn session_status(
        &self,
        session_reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<SessionStatusResponse> {
        let path = format!("sessions/{session_reference_number}");
        let call = Call::new(
            "sessions.status",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::SessionMisc,
        );
        self.inner.call_json(call, cancel).await
    }

    /// Polls a closed session until it is processed: `Ok` for 200 (UPO available),
    /// `KsefError::SessionFailed` for failure codes.
    pub async fn wait_for_session(
        &self,
        session_reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<SessionStatusResponse> {
        let started = Instant::now();
        let mut delay = self.inner.config.poll.initial;
        loop {
            let s = self
                .session_status(session_reference_number, cancel)
                .await?;
            match s.status.code {
                100 | 150 | 170 => {}
                200 if s.upo.as_ref().is_some_and(|u| !u.pages.is_empty()) => return Ok(s),
                200 => {}
                _ => {
                    return Err(KsefError::SessionFailed {
                        reference_number: session_reference_number.to_string(),
                        status: s.status.to_detail(),
                    })
                }
            }
            if started.elapsed() >= self.inner.config.poll.session_timeout {
                return Err(KsefError::WaitTimeout {
                    what: "session status",
                    after: started.elapsed(),
                });
            }
            sleep(delay, cancel).await?;
            delay = (delay * 2).min(self.inner.config.poll.max);
        }
    }

    /// Session UPO page by reference (`GET /sessions/{ref}/upo/{upoRef}`).
    pub async fn session_upo(
        &self,
        session_reference_number: &str,
        upo_reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<Upo> {
        let path = format!("sessions/{session_reference_number}/upo/{upo_reference_number}");
        let call = Call::new(
            "sessions.upo",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::SessionMisc,
        )
        .accept(Some("application/xml"));
        self.fetch_document(call, "session UPO", upo_reference_number, cancel)
            .await
    }

    /// All session UPO pages from a processed session status, via their pre-signed URLs
    /// (no Authorization header, not rate-limited).
    pub async fn session_upos(
        &self,
        status: &SessionStatusResponse,
        cancel: &CancellationToken,
    ) -> Result<Vec<Upo>> {
        let mut out = Vec::new();
        for page in status.upo.iter().flat_map(|u| u.pages.iter()) {
            let url =
                url::Url::parse(&page.download_url).map_err(|e| KsefError::InvalidResponse {
                    operation: "sessions.upo",
                    reason: format!("bad downloadUrl: {e}"),
                })?;
            let call = Call::new(
                "sessions.upo.presigned",
                Method::GET,
                url,
                EndpointGroup::Unlimited,
            )
            .auth(CallAuth::None)
            .accept(Some("application/xml"));
            out.push(
                self.fetch_document(call, "session UPO", &page.reference_number, cancel)
                    .await?,
            );
        }
        Ok(out)
    }

    /// Invoice UPO (`GET /sessions/{ref}/invoices/{invoiceRef}/upo`).
    pub async fn invoice_upo(
        &self,
        invoice: &InvoiceReference,
        cancel: &CancellationToken,
    ) -> Result<Upo> {
        let path = format!(
            "sessions/{}/invoices/{}/upo",
            invoice.session_reference_number, invoice.reference_number
        );
        let call = Call::new(
            "sessions.invoice.upo",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::SessionMisc,
        )
        .accept(Some("application/xml"));
        self.fetch_document(call, "invoice UPO", &invoice.reference_number, cancel)
            .await
    }

    /// Invoice UPO by KSeF number (`GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo`).
    pub async fn invoice_upo_by_ksef_number(
        &self,
        session_reference_number: &str,
        ksef_number: &str,
        cancel: &CancellationToken,
    ) -> Result<Upo> {
        let path = format!("sessions/{session_reference_number}/invoices/ksef/{ksef_number}/upo");
        let call = Call::new(
            "sessions.invoice.upo_by_ksef",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::SessionMisc,
        )
        .accept(Some("application/xml"));
        self.fetch_document(call, "invoice UPO", ksef_number, cancel)
            .await
    }

    pub(crate) async fn fetch_document(
        &self,
        call: Call,
        what: &'static str,
        reference: &str,
        cancel: &CancellationToken,
    ) -> Result<Upo> {
        let r = self.inner.send(&call, cancel).await?;
        let hash = sha256_b64(&r.body);
        if let Some(expected) = r.header("x-ms-meta-hash") {
            if expected != hash {
                return Err(KsefError::IntegrityMismatch {
                    what,
                    expected,
                    actual: hash,
                });
            }
        }
        Ok(Upo {
            reference: reference.to_string(),
            xml: r.body,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StatusInfo;

    fn record(
        code: i32,
        ksef: Option<&str>,
        ext: Option<Vec<(&str, &str)>>,
    ) -> SessionInvoiceStatusResponse {
        SessionInvoiceStatusResponse {
            ordinal_number: 1,
            invoice_number: Some("FA/1".into()),
            ksef_number: ksef.map(Into::into),
            reference_number: "20250626-EE-0000000000-0000000000-00".into(),
            invoice_hash: "x".repeat(44),
            invoice_file_name: None,
            acquisition_date: None,
            invoicing_date: Utc::now(),
            permanent_storage_date: None,
            upo_download_url: None,
            upo_download_url_expiration_date: None,
            invoicing_mode: None,
            status: StatusInfo {
                code,
                description: "opis".into(),
                details: Some(vec!["szczegół".into()]),
                extensions: ext.map(|v| {
                    v.into_iter()
                        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                        .collect()
                }),
            },
        }
    }

    #[test]
    fn classifies_invoice_outcomes() {
        assert_eq!(InvoiceOutcome::from_status(&record(100, None, None)), None);
        assert_eq!(InvoiceOutcome::from_status(&record(150, None, None)), None);
        assert!(matches!(
            InvoiceOutcome::from_status(&record(200, Some("5265877635-20250826-0100001AF629-AF"), None)),
            Some(InvoiceOutcome::Accepted { ref ksef_number, .. }) if ksef_number.ends_with("-AF")
        ));
        let dup = InvoiceOutcome::from_status(&record(
            440,
            None,
            Some(vec![
                ("originalKsefNumber", "K"),
                ("originalSessionReferenceNumber", "S"),
            ]),
        ));
        match dup {
            Some(InvoiceOutcome::Rejected {
                kind:
                    RejectionKind::Duplicate {
                        original_ksef_number,
                        original_session_reference_number,
                    },
                status,
                ..
            }) => {
                assert_eq!(original_ksef_number.as_deref(), Some("K"));
                assert_eq!(original_session_reference_number.as_deref(), Some("S"));
                assert_eq!(status.details, vec!["szczegół".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        for (code, kind) in [
            (405, RejectionKind::SessionError),
            (410, RejectionKind::PermissionScope),
            (415, RejectionKind::AttachmentNotAllowed),
            (430, RejectionKind::SchemaValidation),
            (435, RejectionKind::Decryption),
            (450, RejectionKind::Semantic),
            (500, RejectionKind::Unknown),
            (550, RejectionKind::CancelledBySystem),
            (499, RejectionKind::Other(499)),
        ] {
            assert!(
                matches!(InvoiceOutcome::from_status(&record(code, None, None)), Some(InvoiceOutcome::Rejected { kind: ref k, .. }) if *k == kind),
                "{code}"
            );
        }
    }
}
