//! The workflows of KSeF Desk, free of Tauri and of SQL.
//!
//! [`Desk`] is the one object the shell holds: it owns the store, a clock and the
//! token vault and exposes what the UI may do (list companies, read the dashboard,
//! switch the language, seed the demo profile, connect a company to KSeF). Errors are
//! [`CoreError`], which knows its stable [`ErrorKind`] and code and can explain itself
//! in the user's language.
//!
//! * [`nip`]: the validated [`Nip`] type.
//! * [`vault`]: [`TokenVault`], where KSeF tokens live ([`KeyringVault`] = the OS
//!   keychain, [`MemoryVault`] for tests).
//! * [`credentials`]: how each company signs in (token or certificate), the token
//!   cut-off, certificate expiry warnings.
//! * [`connection`]: test a KSeF token, connect / replace token / disconnect a company.
//! * [`sales`]: drafts, issuing, the sending outbox ([`sales::sender`]), corrections.
//! * [`cost_sync`]: retrieve cost invoices from KSeF (schedule, "Retrieve now").
//! * [`costs`]: the cost inbox and its approval and payment workflow.
//!
//! Must not know: Tauri, SQL, HTTP details (KSeF is reached only through
//! `ksef-client`). Time comes from [`Clock`] so tests can fix it.

mod access;
mod clock;
pub mod connection;
pub mod cost_sync;
pub mod costs;
pub mod credentials;
mod demo;
mod desk;
mod error;
mod ksef_tokens;
mod locale;
pub mod nip;
pub mod sales;
pub mod vault;

pub use clock::{Clock, FixedClock, SystemClock};
pub use connection::{
    AppFeature, CompanyConnection, Connected, ConnectionReport, ConnectionRequest, FeatureCheck,
    FeatureState, InputProblem, KsefPermission, PermissionCheck, PermissionState, TokenRejection,
};
pub use cost_sync::{
    CostSyncOptions, CostSyncPhase, CostSyncProgress, CostSyncReport, CostSyncStatus,
};
pub use costs::{
    parse_date, CostAction, CostDescriptionInput, CostDetail, CostInputProblem, CostPage,
    CostQuery, PaymentInput,
};
pub use credentials::ksef_certificates::{
    EnrollmentStep, KsefCertificateItem, KsefCertificateKind, KsefCertificateLimits,
    KsefCertificateState, KsefCertificates, KsefEnrollment,
};
pub use credentials::{CompanyCertificateConnection, CompanyCredentials, CredentialAlert};
pub use demo::DEMO_NIP;
pub use desk::{CompanyOverview, ConnectionState, Dashboard, Desk, StatusSummary};
pub use desk_store::{
    CertificateSource, Company, ContentState, Contractor, CostCounts, CostFilter, CostFlag,
    CostInboxCounts, CostPayment, CostRow, CostSort, CostStage, CostStep, CostSubject,
    CostSyncState, CredentialMethod, DocumentEvent, EnrolledKind, KsefEnvironment, PaymentMethod,
    RateAmount, Role, SalesCounts, SalesDocument, SalesPage, SalesQuery, SalesSort, SalesStatus,
    SendMode, StoredCertificate, User, DATABASE_FILE_NAME,
};
pub use error::{CoreError, ErrorKind, Result};
pub use ksef_client::CancellationToken;
pub use ksef_tokens::{CompanyToken, TokenState};
pub use locale::Locale;
pub use nip::{Nip, NipError};
pub use sales::{
    CatchUp, ContractorInput, CrashPoint, DraftLine, DraftTotals, InvoiceDraft, RateTotal,
    SalesDetail, SalesOverview, SalesProblem, SalesSettings, SendRun,
};
pub use secrecy::SecretString;
pub use vault::{KeyringVault, MemoryVault, TokenVault, VaultError, VaultKey};
