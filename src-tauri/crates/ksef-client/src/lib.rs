//! # ksef-client — KSeF API 2.0 HTTP client
//!
//! Owns the wire protocol of Poland's KSeF (Krajowy System e-Faktur) API 2.0 as specified
//! by `ksef-spec/openapi/open-api.json`: environments, authentication with a KSeF token
//! or a certificate (XAdES, via `ksef-xades`), KSeF certificates and the signed-in
//! person's permissions,
//! online and batch sessions with the spec's encryption, invoice/session status, UPO,
//! invoice metadata query with incremental high-water-mark sync, download by KSeF number,
//! export packages, availability, rate limits, retries and typed errors.
//!
//! It must not know about Tauri, SQL, the FA(3) model (it sends and receives bytes) or the
//! UI. It never logs tokens, keys or invoice bodies.
//!
//! ## API (all async methods take `&CancellationToken` and return [`Result`])
//! ```text
//! KsefClient::new(Environment, ClientConfig) -> Result<KsefClient>     // Clone + Send + Sync
//! Environment::{Test, Demo, Production} | Environment::custom(api_base, latarnia_base)?
//! client.authenticate_with_token(nip: &str, token: SecretString, cancel) -> Result<AuthInfo>
//! client.authenticate_with_certificate(nip, Arc<SigningCredential>, SubjectIdentifierType, cancel)
//! client.authenticate(Credentials, cancel) -> Result<AuthInfo>          // token or certificate
//! client.certificate_limits / certificate_enrollment_data / enroll_certificate(&CertificateEnrollment)
//! client.certificate_enrollment_status(ref) / wait_for_enrollment(ref) -> serial
//! client.retrieve_certificates(&[serial]) / query_certificates(&CertificateQuery) / revoke_certificate
//! client.personal_permissions(cancel) -> Result<Vec<PersonalPermission>>  // rights in the context
//! client.refresh_now(cancel) / client.logout(cancel) / client.auth_info().await
//! client.open_online_session(FormCode::fa3(), cancel) -> Result<OnlineSession>
//! client.send_invoice(&OnlineSession, xml: &[u8], cancel) -> Result<InvoiceReference>
//! client.send_invoice_with(&OnlineSession, xml, &SendOptions, cancel) -> Result<InvoiceReference>
//! client.invoice_status(session_ref, invoice_ref, cancel) -> Result<SessionInvoiceStatusResponse>
//! client.wait_for_invoice(&InvoiceReference, cancel) -> Result<InvoiceOutcome>  // Accepted | Rejected{kind}
//! client.close_online_session(&OnlineSession, cancel) -> Result<()>
//! client.session_status(session_ref, cancel) / client.wait_for_session(session_ref, cancel)
//! client.session_upos(&SessionStatusResponse, cancel) -> Result<Vec<Upo>>
//! client.session_upo(session_ref, upo_ref, cancel) -> Result<Upo>
//! client.invoice_upo(&InvoiceReference, cancel) / invoice_upo_by_ksef_number(session_ref, ksef, cancel)
//! client.session_invoices(..) / client.all_session_invoices(session_ref, failed_only, cancel)
//! client.find_in_session_by_hash(session_ref, invoice_hash, cancel) -> Result<Option<..>> // before a resend
//! client.send_batch(&[BatchFile], &BatchOptions, cancel) -> Result<BatchSession>
//! client.query_metadata(&InvoiceQueryFilters, PageRequest, cancel) -> Result<QueryInvoicesMetadataResponse>
//! client.sync_incremental(SyncOptions, SyncCheckpoint, CancellationToken) -> impl Stream<Item = Result<SyncPage>>
//! client.download_invoice(ksef_number, cancel) -> Result<Vec<u8>>
//! client.start_export(..) / export_status(..) / wait_for_export(..) / download_export_part(..)
//! client.availability(cancel) -> Result<Availability>  // + client.latarnia_messages(cancel)
//! client.fetch_rate_limits(cancel) + client.set_rate_limits(RateLimitTable)
//! client.take_system_warnings() -> Vec<String>
//! ```
//!
//! ## Behaviour
//! * **Auth**: challenge → `token|timestampMs` encrypted RSA-OAEP-SHA256 with the MF
//!   `KsefTokenEncryption` certificate (fetched from the API, cached) → `POST /auth/ksef-token`
//!   → poll `GET /auth/{ref}` → redeem. With a certificate: challenge → `AuthTokenRequest`
//!   signed (enveloped XAdES) → `POST /auth/xades-signature` → the same polling and
//!   redeem. The access token is refreshed when it expires within
//!   `ClientConfig::refresh_margin`, and on a 401; if the refresh is rejected the client
//!   re-authenticates with the stored credentials. Refreshes are single-flight.
//! * **Rate limits**: a client-side sliding-window limiter per spec group (req/s, /min, /h)
//!   with the documented production limits (TEST: 10x; custom: none unless configured);
//!   429 is retried after `Retry-After` (seconds or HTTP date) up to
//!   `RetryPolicy::max_retry_after`, otherwise [`KsefError::RateLimited`].
//! * **Retries**: 5xx, timeouts and resets are retried with exponential backoff and jitter
//!   only for idempotent calls (GET, PUT of batch parts, the metadata query, challenge,
//!   refresh); a connection that was never established is retried for every call; sending an
//!   invoice or opening/closing a session after an ambiguous failure is not repeated: the
//!   caller checks by invoice hash.
//! * **Cancellation**: every wait (limiter, backoff, polling, the HTTP exchange) ends at once
//!   with [`KsefError::Cancelled`] when the token is cancelled.
//! * **Exactly-once sends**: after an ambiguous failure of `send_invoice` (5xx, timeout,
//!   reset — typed `Server`/`Timeout`/`Transport`), look the invoice up with
//!   `find_in_session_by_hash` and resend only if KSeF does not have it.
//! * **Tracing**: one `ksef_call` span per call with operation, method, URL path, status
//!   and attempts; never headers, bodies or query strings (pre-signed URLs carry SAS tokens).

#![warn(missing_docs)]

mod auth;
mod availability;
pub mod batch;
pub mod certificates;
mod client;
mod config;
pub mod crypto;
mod env;
mod error;
pub mod limiter;
pub mod model;
mod query;
pub mod retry;
#[cfg(test)]
mod schema_tests;
mod session;
mod tokens;

pub use auth::{AuthInfo, Credentials};
pub use availability::{Availability, AvailabilityState, LatarniaMessage, LatarniaStatus};
pub use batch::{BatchFile, BatchOptions, BatchSession};
pub use certificates::{
    CertificateEnrollment, CertificateLimits, CertificateQuery, CertificateStatus, CertificateType,
    EnrollmentData, KsefCertificate, PermissionScope, PersonalPermission, RetrievedCertificate,
    RevocationReason,
};
pub use client::KsefClient;
pub use config::{ClientConfig, PollPolicy};
pub use env::Environment;
pub use error::{ApiErrorDetail, KsefError, Result, StatusDetail};
pub use ksef_xades;
pub use limiter::{EndpointGroup, Limits, RateLimitTable};
pub use model::FormCode;
pub use query::{
    dedupe_by_ksef_number, window_end, ExportHandle, ExportedPackage, SyncCheckpoint, SyncOptions,
    SyncPage, MAX_WINDOW_DAYS,
};
pub use retry::RetryPolicy;
pub use secrecy::SecretString;
pub use session::{
    InvoiceOutcome, InvoiceReference, OnlineSession, RejectionKind, SendOptions, Upo,
    MAX_INVOICE_SIZE,
};
pub use tokens::{token_reference, TokenInfo, TokenPermission, TokenStatus, TypedIdentifier};
pub use tokio_util::sync::CancellationToken;
