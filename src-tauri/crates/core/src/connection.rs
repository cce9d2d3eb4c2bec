//! Connecting a company to KSeF with a KSeF token (issue 7).
//!
//! The onboarding wizard collects the company's NIP and name, the KSeF environment and the
//! token the taxpayer generated in the KSeF taxpayer application, then:
//!
//! 1. [`Desk::test_connection`] really authenticates with `ksef-client` against the chosen
//!    environment and returns a [`ConnectionReport`]: what the token may do
//!    ([`PermissionCheck`]) and which app features that enables or blocks
//!    ([`FeatureCheck`]). It stores nothing.
//! 2. [`Desk::connect_company`] validates every field (all problems at once, as
//!    [`CoreError::InvalidInput`] with one [`InputProblem`] per finding), tests the
//!    connection again, saves the token in the [`TokenVault`] and then stores the company
//!    with an audit entry. If the keychain fails nothing is stored; if the store fails the
//!    keychain entry is removed again.
//! 3. [`Desk::replace_token`] tests a new token for a stored company and overwrites the
//!    keychain entry; [`Desk::disconnect`] removes the entry; [`Desk::is_connected`] tells
//!    whether there is one.
//!
//! The token is a [`SecretString`] from the IPC edge to the keychain. It is never written
//! to SQLite, the audit log or a log line, and nothing here returns it.
//!
//! Environments: `Test`, `Demo` and `Production` use the official base URLs known to
//! `ksef-client`; `Simulator` (demo mode) needs the simulator's base URL
//! (`http://127.0.0.1:PORT/v2`). The network calls run on the caller's tokio runtime;
//! keychain calls run on its blocking pool.
//!
//! ## Permissions
//! After authenticating, `GET /tokens` tells the token's own `requestedPermissions`: a
//! token-authenticated caller always sees at least the token it used (spec), found by
//! the reference number that opens every KSeF token (`<reference>|nip-<NIP>|<secret>`).
//! When KSeF does not answer that call, every permission is reported `Unknown`.

use std::sync::Arc;
use std::time::Duration;

use desk_store::{
    Company, CredentialMethod, KsefEnvironment, NewAuditEntry, NewCompany, Role, Timestamp,
};
use ksef_client::{
    token_reference, CancellationToken, ClientConfig, Environment, KsefClient, KsefError,
    PollPolicy, RetryPolicy, TokenPermission,
};
use ksef_xades::SigningCredential;
use secrecy::{ExposeSecret, SecretString};

use crate::nip::NipError;
use crate::vault::{VaultError, VaultKey};
use crate::{CoreError, Desk, Locale, Nip, Result};

/// The longest token accepted (KSeF tokens are about 120 characters).
const MAX_TOKEN_LEN: usize = 1000;

/// What "Test connection" needs.
#[derive(Debug, Clone)]
pub struct ConnectionRequest {
    /// The NIP as typed (dashes and spaces allowed).
    pub nip: String,
    pub environment: KsefEnvironment,
    /// Required for [`KsefEnvironment::Simulator`], refused for the official environments.
    pub base_url: Option<String>,
    pub token: SecretString,
}

/// What connecting a company needs: the company and its [`ConnectionRequest`].
#[derive(Debug, Clone)]
pub struct CompanyConnection {
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub connection: ConnectionRequest,
}

/// A company stored and connected, with the test that proved the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    pub company: Company,
    pub report: ConnectionReport,
}

/// The result of a successful test: the token authenticated for this NIP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    pub nip: Nip,
    pub environment: KsefEnvironment,
    /// Every KSeF token permission, in [`KsefPermission::ALL`] order.
    pub permissions: Vec<PermissionCheck>,
    /// Every app feature that needs KSeF, in [`AppFeature::ALL`] order.
    pub features: Vec<FeatureCheck>,
    pub checked_at: Timestamp,
}

impl ConnectionReport {
    pub fn permission(&self, permission: KsefPermission) -> PermissionState {
        self.permissions
            .iter()
            .find(|c| c.permission == permission)
            .map_or(PermissionState::Unknown, |c| c.state)
    }

    pub fn feature(&self, feature: AppFeature) -> FeatureState {
        self.features
            .iter()
            .find(|c| c.feature == feature)
            .map_or(FeatureState::Unknown, |c| c.state)
    }
}

/// The permissions a KSeF token can carry (`TokenPermissionType` of the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KsefPermission {
    InvoiceWrite,
    InvoiceRead,
    Introspection,
    CredentialsRead,
    CredentialsManage,
    SubunitManage,
    EnforcementOperations,
}

impl KsefPermission {
    pub const ALL: [KsefPermission; 7] = [
        KsefPermission::InvoiceWrite,
        KsefPermission::InvoiceRead,
        KsefPermission::Introspection,
        KsefPermission::CredentialsRead,
        KsefPermission::CredentialsManage,
        KsefPermission::SubunitManage,
        KsefPermission::EnforcementOperations,
    ];

    /// The API's name, e.g. `InvoiceWrite`.
    pub fn code(self) -> &'static str {
        match self {
            KsefPermission::InvoiceWrite => "InvoiceWrite",
            KsefPermission::InvoiceRead => "InvoiceRead",
            KsefPermission::Introspection => "Introspection",
            KsefPermission::CredentialsRead => "CredentialsRead",
            KsefPermission::CredentialsManage => "CredentialsManage",
            KsefPermission::SubunitManage => "SubunitManage",
            KsefPermission::EnforcementOperations => "EnforcementOperations",
        }
    }

    /// The same right as KSeF names it for a person's permissions in a context.
    pub(crate) fn from_scope(scope: &ksef_client::PermissionScope) -> Option<KsefPermission> {
        use ksef_client::PermissionScope as S;
        Some(match scope {
            S::InvoiceWrite => KsefPermission::InvoiceWrite,
            S::InvoiceRead => KsefPermission::InvoiceRead,
            S::Introspection => KsefPermission::Introspection,
            S::CredentialsRead => KsefPermission::CredentialsRead,
            S::CredentialsManage => KsefPermission::CredentialsManage,
            S::SubunitManage => KsefPermission::SubunitManage,
            S::EnforcementOperations => KsefPermission::EnforcementOperations,
            S::VatUeManage | S::Other => return None,
        })
    }

    pub(crate) fn wire(self) -> TokenPermission {
        match self {
            KsefPermission::InvoiceWrite => TokenPermission::InvoiceWrite,
            KsefPermission::InvoiceRead => TokenPermission::InvoiceRead,
            KsefPermission::Introspection => TokenPermission::Introspection,
            KsefPermission::CredentialsRead => TokenPermission::CredentialsRead,
            KsefPermission::CredentialsManage => TokenPermission::CredentialsManage,
            KsefPermission::SubunitManage => TokenPermission::SubunitManage,
            KsefPermission::EnforcementOperations => TokenPermission::EnforcementOperations,
        }
    }

    /// The name the KSeF taxpayer application shows.
    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (KsefPermission::InvoiceWrite, Locale::Pl) => "Wystawianie faktur",
            (KsefPermission::InvoiceWrite, Locale::En) => "Issue (send) invoices",
            (KsefPermission::InvoiceRead, Locale::Pl) => "Przeglądanie faktur",
            (KsefPermission::InvoiceRead, Locale::En) => "Read invoices",
            (KsefPermission::Introspection, Locale::Pl) => "Przeglądanie historii sesji",
            (KsefPermission::Introspection, Locale::En) => "Read session history",
            (KsefPermission::CredentialsRead, Locale::Pl) => "Przeglądanie uprawnień",
            (KsefPermission::CredentialsRead, Locale::En) => "Read permissions",
            (KsefPermission::CredentialsManage, Locale::Pl) => "Zarządzanie uprawnieniami",
            (KsefPermission::CredentialsManage, Locale::En) => "Manage permissions",
            (KsefPermission::SubunitManage, Locale::Pl) => "Zarządzanie podmiotami podrzędnymi",
            (KsefPermission::SubunitManage, Locale::En) => "Manage subunits",
            (KsefPermission::EnforcementOperations, Locale::Pl) => "Operacje egzekucyjne",
            (KsefPermission::EnforcementOperations, Locale::En) => "Enforcement operations",
        }
    }
}

/// Whether the token holds a permission, as far as KSeF let us see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionState {
    Granted,
    Missing,
    /// KSeF gave no way to tell (see the module docs).
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionCheck {
    pub permission: KsefPermission,
    pub state: PermissionState,
}

/// The app's features that need KSeF permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppFeature {
    /// Send sales invoices to KSeF (online and end-of-day batch).
    SendSalesInvoices,
    /// Follow sent invoices: status, KSeF number, UPO.
    SalesStatusAndUpo,
    /// Pull cost (purchase) invoices into the approval inbox.
    ReceiveCostInvoices,
    /// Download invoices stored in KSeF (sales issued elsewhere, the accountant's package).
    DownloadFromKsef,
}

impl AppFeature {
    pub const ALL: [AppFeature; 4] = [
        AppFeature::SendSalesInvoices,
        AppFeature::SalesStatusAndUpo,
        AppFeature::ReceiveCostInvoices,
        AppFeature::DownloadFromKsef,
    ];

    /// The feature works if the token holds any one of these.
    pub fn requires_any_of(self) -> &'static [KsefPermission] {
        match self {
            AppFeature::SendSalesInvoices => &[KsefPermission::InvoiceWrite],
            AppFeature::SalesStatusAndUpo => {
                &[KsefPermission::InvoiceWrite, KsefPermission::Introspection]
            }
            AppFeature::ReceiveCostInvoices | AppFeature::DownloadFromKsef => {
                &[KsefPermission::InvoiceRead]
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            AppFeature::SendSalesInvoices => "send_sales_invoices",
            AppFeature::SalesStatusAndUpo => "sales_status_and_upo",
            AppFeature::ReceiveCostInvoices => "receive_cost_invoices",
            AppFeature::DownloadFromKsef => "download_from_ksef",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (AppFeature::SendSalesInvoices, Locale::Pl) => "Wysyłanie faktur sprzedaży do KSeF",
            (AppFeature::SendSalesInvoices, Locale::En) => "Sending sales invoices to KSeF",
            (AppFeature::SalesStatusAndUpo, Locale::Pl) => "Statusy wysłanych faktur i UPO",
            (AppFeature::SalesStatusAndUpo, Locale::En) => "Statuses of sent invoices and UPO",
            (AppFeature::ReceiveCostInvoices, Locale::Pl) => "Pobieranie faktur kosztowych",
            (AppFeature::ReceiveCostInvoices, Locale::En) => "Receiving cost invoices",
            (AppFeature::DownloadFromKsef, Locale::Pl) => "Pobieranie faktur zapisanych w KSeF",
            (AppFeature::DownloadFromKsef, Locale::En) => "Downloading invoices stored in KSeF",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureState {
    Enabled,
    /// The token lacks every permission the feature needs.
    Blocked,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureCheck {
    pub feature: AppFeature,
    pub state: FeatureState,
}

/// Why KSeF refused a token (KSeF auth status 450 and its details, or 425).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// KSeF does not know the token (typo, incomplete paste, another environment).
    Invalid,
    /// The token was revoked in KSeF (or the authentication was revoked, status 425).
    Revoked,
    /// The token is no longer (or not yet) active.
    Expired,
}

impl TokenRejection {
    pub fn code(self) -> &'static str {
        match self {
            TokenRejection::Invalid => "token_invalid",
            TokenRejection::Revoked => "token_revoked",
            TokenRejection::Expired => "token_expired",
        }
    }

    pub(crate) fn message(self, locale: Locale) -> String {
        match (self, locale) {
            (TokenRejection::Invalid, Locale::Pl) => "KSeF nie rozpoznał tokena. Sprawdź, czy \
                skopiowano go w całości i czy wybrano właściwe środowisko KSeF (token z KSeF \
                Test nie działa w KSeF produkcyjnym)."
                .to_owned(),
            (TokenRejection::Invalid, Locale::En) => "KSeF does not recognise the token. Check \
                that it was copied in full and that the right KSeF environment is chosen (a \
                KSeF Test token does not work in production)."
                .to_owned(),
            (TokenRejection::Revoked, Locale::Pl) => "Token został unieważniony w KSeF. \
                Wygeneruj nowy token w Aplikacji Podatnika KSeF i wklej go tutaj."
                .to_owned(),
            (TokenRejection::Revoked, Locale::En) => "The token was revoked in KSeF. Generate a \
                new token in the KSeF taxpayer application and paste it here."
                .to_owned(),
            (TokenRejection::Expired, Locale::Pl) => "Token jest nieaktywny: wygasł albo nie \
                został jeszcze aktywowany. Wygeneruj nowy token w Aplikacji Podatnika KSeF."
                .to_owned(),
            (TokenRejection::Expired, Locale::En) => "The token is not active: it expired or is \
                not activated yet. Generate a new token in the KSeF taxpayer application."
                .to_owned(),
        }
    }
}

/// One wrong field of a connection form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    Nip(NipError),
    CompanyNameEmpty,
    TokenEmpty,
    /// Spaces, line breaks or control characters inside, or absurdly long.
    TokenMalformed,
    /// The token names its context (`...|nip-XXXXXXXXXX|...`) and it is another NIP.
    TokenForAnotherNip {
        token_nip: String,
        nip: String,
    },
    SimulatorUrlMissing,
    /// Only the simulator takes a base URL; the official environments have fixed ones.
    BaseUrlNotAllowed,
    BaseUrlInvalid {
        url: String,
    },
    /// A field of a costs form (describe, reject, payment, retrieval settings).
    Cost(crate::costs::CostInputProblem),
}

impl InputProblem {
    /// The form field: `nip`, `name`, `token` or `base_url`.
    pub fn field(&self) -> &'static str {
        match self {
            InputProblem::Nip(_) => "nip",
            InputProblem::CompanyNameEmpty => "name",
            InputProblem::TokenEmpty
            | InputProblem::TokenMalformed
            | InputProblem::TokenForAnotherNip { .. } => "token",
            InputProblem::SimulatorUrlMissing
            | InputProblem::BaseUrlNotAllowed
            | InputProblem::BaseUrlInvalid { .. } => "base_url",
            InputProblem::Cost(problem) => problem.field(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            InputProblem::Nip(NipError::Empty) => "nip_empty",
            InputProblem::Nip(NipError::EuPrefix { .. }) => "nip_eu_prefix",
            InputProblem::Nip(NipError::InvalidCharacter { .. }) => "nip_invalid_character",
            InputProblem::Nip(NipError::WrongLength { .. }) => "nip_wrong_length",
            InputProblem::Nip(NipError::Checksum) => "nip_checksum",
            InputProblem::CompanyNameEmpty => "company_name_empty",
            InputProblem::TokenEmpty => "token_empty",
            InputProblem::TokenMalformed => "token_malformed",
            InputProblem::TokenForAnotherNip { .. } => "token_for_another_nip",
            InputProblem::SimulatorUrlMissing => "simulator_url_missing",
            InputProblem::BaseUrlNotAllowed => "base_url_not_allowed",
            InputProblem::BaseUrlInvalid { .. } => "base_url_invalid",
            InputProblem::Cost(problem) => problem.code(),
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (InputProblem::Nip(NipError::Empty), Locale::Pl) => "Podaj NIP firmy.".into(),
            (InputProblem::Nip(NipError::Empty), Locale::En) => "Enter the company's NIP.".into(),
            (InputProblem::Nip(NipError::EuPrefix { input }), Locale::Pl) => {
                format!("„{input}” to numer VAT UE. Podaj sam NIP, bez przedrostka PL.")
            }
            (InputProblem::Nip(NipError::EuPrefix { input }), Locale::En) => format!(
                "“{input}” is an EU VAT number. Enter the NIP alone, without the PL prefix."
            ),
            (InputProblem::Nip(NipError::InvalidCharacter { found }), Locale::Pl) => format!(
                "NIP może zawierać tylko cyfry (oraz myślniki i spacje); znaleziono „{found}”."
            ),
            (InputProblem::Nip(NipError::InvalidCharacter { found }), Locale::En) => {
                format!("A NIP contains only digits (dashes and spaces are fine); found “{found}”.")
            }
            (InputProblem::Nip(NipError::WrongLength { digits }), Locale::Pl) => {
                format!("NIP ma 10 cyfr, a podano {digits}.")
            }
            (InputProblem::Nip(NipError::WrongLength { digits }), Locale::En) => {
                format!("A NIP has 10 digits; {digits} were given.")
            }
            (InputProblem::Nip(NipError::Checksum), Locale::Pl) => {
                "NIP ma błędną cyfrę kontrolną. Sprawdź, czy nie ma literówki.".into()
            }
            (InputProblem::Nip(NipError::Checksum), Locale::En) => {
                "The NIP's check digit is wrong. Check it for a typo.".into()
            }
            (InputProblem::CompanyNameEmpty, Locale::Pl) => "Podaj nazwę firmy.".into(),
            (InputProblem::CompanyNameEmpty, Locale::En) => "Enter the company's name.".into(),
            (InputProblem::TokenEmpty, Locale::Pl) => {
                "Wklej token KSeF wygenerowany w Aplikacji Podatnika KSeF.".into()
            }
            (InputProblem::TokenEmpty, Locale::En) => {
                "Paste the KSeF token generated in the KSeF taxpayer application.".into()
            }
            (InputProblem::TokenMalformed, Locale::Pl) => "To nie wygląda na token KSeF: zawiera \
                spacje, znaki nowej linii lub jest za długi. Skopiuj token ponownie w całości."
                .into(),
            (InputProblem::TokenMalformed, Locale::En) => "This does not look like a KSeF token: \
                it contains spaces or line breaks, or is too long. Copy the token again in full."
                .into(),
            (InputProblem::TokenForAnotherNip { token_nip, nip }, Locale::Pl) => format!(
                "Ten token wygenerowano dla NIP {token_nip}, a podano NIP {nip}. Popraw NIP \
                 albo wklej token tej firmy."
            ),
            (InputProblem::TokenForAnotherNip { token_nip, nip }, Locale::En) => format!(
                "This token was generated for NIP {token_nip}, but NIP {nip} was entered. Fix \
                 the NIP or paste this company's token."
            ),
            (InputProblem::SimulatorUrlMissing, Locale::Pl) => {
                "Brak adresu wbudowanego symulatora KSeF.".into()
            }
            (InputProblem::SimulatorUrlMissing, Locale::En) => {
                "The built-in KSeF simulator's address is missing.".into()
            }
            (InputProblem::BaseUrlNotAllowed, Locale::Pl) => {
                "Środowiska KSeF Test, Demo i produkcyjne mają stałe adresy; własny adres \
                 jest dozwolony tylko dla symulatora."
                    .into()
            }
            (InputProblem::BaseUrlNotAllowed, Locale::En) => {
                "KSeF Test, Demo and Production have fixed addresses; a custom address is only \
                 allowed for the simulator."
                    .into()
            }
            (InputProblem::BaseUrlInvalid { url }, Locale::Pl) => {
                format!("„{url}” nie jest poprawnym adresem http(s).")
            }
            (InputProblem::BaseUrlInvalid { url }, Locale::En) => {
                format!("“{url}” is not a valid http(s) address.")
            }
            (InputProblem::Cost(problem), locale) => problem.message(locale),
        }
    }
}

impl From<VaultError> for CoreError {
    fn from(error: VaultError) -> CoreError {
        CoreError::Keychain(error)
    }
}

impl From<NipError> for CoreError {
    fn from(error: NipError) -> CoreError {
        CoreError::InvalidInput(vec![InputProblem::Nip(error)])
    }
}

/// A request whose fields all passed validation.
struct ValidRequest {
    nip: Nip,
    environment: KsefEnvironment,
    base_url: Option<String>,
    token: SecretString,
}

impl ValidRequest {
    fn key(&self) -> VaultKey {
        VaultKey::new(self.nip.clone(), self.environment)
    }
}

/// Validates a request, adding its problems to `problems`; `Some` only when all is well.
fn validate(request: &ConnectionRequest, problems: &mut Vec<InputProblem>) -> Option<ValidRequest> {
    let before = problems.len();
    let nip = Nip::parse(&request.nip)
        .map_err(|e| problems.push(InputProblem::Nip(e)))
        .ok();
    let token = request.token.expose_secret().trim();
    if token.is_empty() {
        problems.push(InputProblem::TokenEmpty);
    } else if token.len() > MAX_TOKEN_LEN
        || token.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        problems.push(InputProblem::TokenMalformed);
    } else if let (Some(nip), Some(token_nip)) = (&nip, token_context_nip(token)) {
        if token_nip != nip.as_str() {
            problems.push(InputProblem::TokenForAnotherNip {
                token_nip: token_nip.to_owned(),
                nip: nip.to_string(),
            });
        }
    }
    let base_url = validate_base_url(request.environment, request.base_url.as_deref(), problems);
    if problems.len() > before {
        return None;
    }
    Some(ValidRequest {
        nip: nip?,
        environment: request.environment,
        base_url,
        token: SecretString::from(token.to_owned()),
    })
}

/// Checks the environment's base URL (only the simulator takes one), adding its problem
/// to `problems`; the trimmed URL, if any.
pub(crate) fn validate_base_url(
    environment: KsefEnvironment,
    base_url: Option<&str>,
    problems: &mut Vec<InputProblem>,
) -> Option<String> {
    let base_url = base_url.map(str::trim).filter(|url| !url.is_empty());
    match (environment, base_url) {
        (KsefEnvironment::Simulator, None) => problems.push(InputProblem::SimulatorUrlMissing),
        (KsefEnvironment::Simulator, Some(url)) => {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || Environment::custom(url, None).is_err()
            {
                problems.push(InputProblem::BaseUrlInvalid {
                    url: url.to_owned(),
                });
            }
        }
        (_, Some(_)) => problems.push(InputProblem::BaseUrlNotAllowed),
        (_, None) => {}
    }
    base_url.map(str::to_owned)
}

/// KSeF tokens read `<reference>|nip-<NIP>|<secret>`: the NIP is the token's context.
fn token_context_nip(token: &str) -> Option<&str> {
    token
        .split('|')
        .find_map(|part| part.strip_prefix("nip-"))
        .filter(|nip| nip.len() == 10 && nip.bytes().all(|b| b.is_ascii_digit()))
}

/// Short waits: a person is watching the "Test connection" button.
pub(crate) fn interactive_config() -> ClientConfig {
    ClientConfig {
        request_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(3),
        },
        poll: PollPolicy {
            auth_timeout: Duration::from_secs(30),
            ..PollPolicy::default()
        },
        ..ClientConfig::default()
    }
}

/// The sender's waits: nobody watches, but a failing KSeF must not hold the queue
/// for long; the outbox retries later anyway.
pub(crate) fn sender_config() -> ClientConfig {
    ClientConfig {
        request_timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
        },
        poll: PollPolicy {
            auth_timeout: Duration::from_secs(60),
            invoice_timeout: Duration::from_secs(120),
            ..PollPolicy::default()
        },
        ..ClientConfig::default()
    }
}

/// Maps a client failure while sending to what the user must do.
pub(crate) fn ksef_error(error: KsefError, nip: &str) -> CoreError {
    match Nip::parse(nip) {
        Ok(nip) => from_ksef(error, &nip),
        Err(_) => CoreError::KsefFailed {
            detail: error.to_string(),
        },
    }
}

fn environment(environment: KsefEnvironment, base_url: Option<&str>) -> Result<Environment> {
    match (environment, base_url) {
        (KsefEnvironment::Test, _) => Ok(Environment::Test),
        (KsefEnvironment::Demo, _) => Ok(Environment::Demo),
        (KsefEnvironment::Production, _) => Ok(Environment::Production),
        (KsefEnvironment::Simulator, Some(url)) => Environment::custom(url, None).map_err(|_| {
            CoreError::InvalidInput(vec![InputProblem::BaseUrlInvalid {
                url: url.to_owned(),
            }])
        }),
        (KsefEnvironment::Simulator, None) => Err(CoreError::InvalidInput(vec![
            InputProblem::SimulatorUrlMissing,
        ])),
    }
}

/// Maps what the client reports to what the user must do.
pub(crate) fn from_ksef(error: KsefError, nip: &Nip) -> CoreError {
    match error {
        KsefError::AuthenticationFailed { status } => match status.code {
            415 => CoreError::TokenNotForNip {
                nip: nip.to_string(),
            },
            425 => CoreError::TokenRejected {
                reason: TokenRejection::Revoked,
                ksef_status: status.code,
            },
            450 => {
                let text =
                    format!("{} {}", status.description, status.details.join(" ")).to_lowercase();
                let reason = if text.contains("unieważ") || text.contains("revoked") {
                    TokenRejection::Revoked
                } else if ["nieaktywn", "wygas", "inactive", "expired"]
                    .iter()
                    .any(|w| text.contains(w))
                {
                    TokenRejection::Expired
                } else {
                    TokenRejection::Invalid
                };
                CoreError::TokenRejected {
                    reason,
                    ksef_status: status.code,
                }
            }
            500 | 550 => CoreError::KsefUnavailable {
                detail: format!("{} {}", status.code, status.description),
                retry_after_secs: None,
            },
            _ => CoreError::KsefFailed {
                detail: format!(
                    "{} {} {}",
                    status.code,
                    status.description,
                    status.details.join("; ")
                )
                .trim_end()
                .to_owned(),
            },
        },
        KsefError::Unauthorized { .. } => CoreError::TokenRejected {
            reason: TokenRejection::Invalid,
            ksef_status: 401,
        },
        KsefError::Forbidden {
            ref reason_code, ..
        } if reason_code == "missing-permissions" => CoreError::TokenNotForNip {
            nip: nip.to_string(),
        },
        KsefError::Transport { ref source, .. } if source.is_connect() => {
            CoreError::KsefUnreachable {
                detail: error.to_string(),
            }
        }
        KsefError::Transport { .. } | KsefError::Timeout { .. } => CoreError::KsefUnavailable {
            detail: error.to_string(),
            retry_after_secs: None,
        },
        KsefError::Server {
            status,
            retry_after,
            ..
        } => CoreError::KsefUnavailable {
            detail: format!("HTTP {status}"),
            retry_after_secs: retry_after.map(|d| d.as_secs()),
        },
        KsefError::AuthenticationTimeout(after) => CoreError::KsefUnavailable {
            detail: format!("authentication not finished after {} s", after.as_secs()),
            retry_after_secs: None,
        },
        KsefError::RateLimited { retry_after, .. } => CoreError::KsefRateLimited {
            retry_after_secs: retry_after.map(|d| d.as_secs()),
        },
        other => CoreError::KsefFailed {
            detail: other.to_string(),
        },
    }
}

/// What `granted` (`None`: KSeF did not tell) means for every permission and feature.
pub(crate) fn report(
    nip: Nip,
    environment: KsefEnvironment,
    granted: Option<&[KsefPermission]>,
    checked_at: Timestamp,
) -> ConnectionReport {
    let permissions: Vec<PermissionCheck> = KsefPermission::ALL
        .iter()
        .map(|&permission| PermissionCheck {
            permission,
            state: match granted {
                Some(granted) if granted.contains(&permission) => PermissionState::Granted,
                Some(_) => PermissionState::Missing,
                None => PermissionState::Unknown,
            },
        })
        .collect();
    let features = AppFeature::ALL
        .iter()
        .map(|&feature| FeatureCheck {
            feature,
            state: feature_state(feature, &permissions),
        })
        .collect();
    ConnectionReport {
        nip,
        environment,
        permissions,
        features,
        checked_at,
    }
}

fn feature_state(feature: AppFeature, permissions: &[PermissionCheck]) -> FeatureState {
    let states: Vec<PermissionState> = feature
        .requires_any_of()
        .iter()
        .map(|p| {
            permissions
                .iter()
                .find(|c| c.permission == *p)
                .map_or(PermissionState::Unknown, |c| c.state)
        })
        .collect();
    if states.contains(&PermissionState::Granted) {
        FeatureState::Enabled
    } else if states.iter().all(|s| *s == PermissionState::Missing) {
        FeatureState::Blocked
    } else {
        FeatureState::Unknown
    }
}

impl Desk {
    /// Authenticates with the token against the chosen environment and reports what it
    /// may do. Stores nothing. Errors: [`CoreError::InvalidInput`] (every wrong field),
    /// [`CoreError::TokenRejected`], [`CoreError::TokenNotForNip`],
    /// [`CoreError::KsefUnreachable`], [`CoreError::KsefUnavailable`],
    /// [`CoreError::KsefRateLimited`], [`CoreError::KsefFailed`].
    pub async fn test_connection(&self, request: &ConnectionRequest) -> Result<ConnectionReport> {
        let mut problems = Vec::new();
        match validate(request, &mut problems) {
            Some(valid) => self.check_token(&valid).await,
            None => Err(CoreError::InvalidInput(problems)),
        }
    }

    /// Validates, tests the connection, saves the token in the keychain, then stores the
    /// company and an audit entry (no secret). Nothing is stored when the keychain fails.
    /// Errors: those of [`Desk::test_connection`], [`CoreError::AlreadyExists`] (a company
    /// with this NIP exists), [`CoreError::Keychain`], [`CoreError::Store`].
    pub async fn connect_company(&self, new: &CompanyConnection) -> Result<Connected> {
        let mut problems = Vec::new();
        let name = new.name.trim();
        if name.is_empty() {
            problems.push(InputProblem::CompanyNameEmpty);
        }
        let valid = validate(&new.connection, &mut problems);
        let valid = match valid {
            Some(valid) if problems.is_empty() => valid,
            _ => return Err(CoreError::InvalidInput(problems)),
        };
        let nip_text = valid.nip.to_string();
        self.refuse_known_nip(&valid.nip)?;
        let report = self.check_token(&valid).await?;

        self.vault_save(valid.key(), valid.token.clone()).await?;
        let now = self.clock().now();
        let environment = valid.environment;
        let stored = self.store().write(|tx| {
            let company = tx.insert_company(
                &NewCompany {
                    nip: nip_text.clone(),
                    name: name.to_owned(),
                    address_line1: new.address_line1.trim().to_owned(),
                    address_line2: new.address_line2.trim().to_owned(),
                    ksef_environment: environment,
                    ksef_base_url: valid.base_url.clone(),
                },
                now,
            )?;
            let user = crate::access::current_user_in(tx, now)?;
            tx.grant_role(user.id, company.id, Role::Admin)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: Some(user.id),
                company_id: Some(company.id),
                action: "company.connected",
                detail: &format!("environment={}", environment.as_str()),
            })?;
            Ok(company)
        });
        match stored {
            Ok(company) => {
                self.remember_connection(company.id, true);
                tracing::info!(
                    company_id = company.id,
                    environment = environment.as_str(),
                    "company connected to KSeF"
                );
                Ok(Connected { company, report })
            }
            Err(error) => {
                // Leave no orphan secret behind.
                if let Err(cleanup) = self.vault_delete(valid.key()).await {
                    tracing::warn!(error = %cleanup, "could not remove the token after a failed save");
                }
                Err(error.into())
            }
        }
    }

    /// [`CoreError::AlreadyExists`] when a company with this NIP is stored already.
    pub(crate) fn refuse_known_nip(&self, nip: &Nip) -> Result<()> {
        let nip_text = nip.to_string();
        if self
            .store()
            .read(|tx| tx.list_companies())?
            .iter()
            .any(|c| c.nip == nip_text)
        {
            return Err(CoreError::AlreadyExists {
                entity: "company",
                detail: format!("NIP {nip_text}"),
            });
        }
        Ok(())
    }

    /// Tests `token` for a stored company and, if KSeF accepts it, replaces the keychain
    /// entry. The old token stays when anything fails.
    pub async fn replace_token(
        &self,
        company_id: i64,
        token: SecretString,
    ) -> Result<ConnectionReport> {
        let company = self.store().read(|tx| tx.company(company_id))?;
        let request = ConnectionRequest {
            nip: company.nip.clone(),
            environment: company.ksef_environment,
            base_url: company.ksef_base_url.clone(),
            token,
        };
        let mut problems = Vec::new();
        let Some(valid) = validate(&request, &mut problems) else {
            return Err(CoreError::InvalidInput(problems));
        };
        let report = self.check_token(&valid).await?;
        self.vault_save(valid.key(), valid.token.clone()).await?;
        self.remember_connection(company.id, true);
        self.audit(
            company.id,
            "company.token_replaced",
            company.ksef_environment,
        )?;
        Ok(report)
    }

    /// Removes the company's token and private key from the keychain (idempotent). The company and its
    /// documents stay; sending and receiving stop until a token is saved again.
    pub fn disconnect(&self, company_id: i64) -> Result<()> {
        let company = self.store().read(|tx| tx.company(company_id))?;
        let key = VaultKey::new(Nip::parse(&company.nip)?, company.ksef_environment);
        let token_existed = self.vault().delete(&key)?;
        let key_existed = self.vault().delete_private_key(&key)?;
        let existed = token_existed || key_existed;
        self.remember_connection(company.id, false);
        self.audit(company.id, "company.disconnected", company.ksef_environment)?;
        tracing::info!(company_id, existed, "company disconnected from KSeF");
        Ok(())
    }

    /// Whether the keychain holds the secret the company signs in with (its NIP and
    /// environment): the token, or the certificate's private key.
    pub fn is_connected(&self, company_id: i64) -> Result<bool> {
        let (company, method) = self
            .store()
            .read(|tx| Ok((tx.company(company_id)?, tx.company_credentials(company_id)?)))?;
        let key = VaultKey::new(Nip::parse(&company.nip)?, company.ksef_environment);
        Ok(match method {
            CredentialMethod::Token => self.vault().load(&key)?.is_some(),
            CredentialMethod::Certificate(_) => self.vault().load_private_key(&key)?.is_some(),
        })
    }

    fn audit(
        &self,
        company_id: i64,
        action: &'static str,
        environment: KsefEnvironment,
    ) -> Result<()> {
        let now = self.clock().now();
        Ok(self.store().write(|tx| {
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action,
                detail: &format!("environment={}", environment.as_str()),
            })
        })?)
    }

    async fn check_token(&self, request: &ValidRequest) -> Result<ConnectionReport> {
        let cancel = CancellationToken::new();
        let client = sign_in(
            request.environment,
            request.base_url.as_deref(),
            &request.nip,
            SavedCredentials::Token(request.token.clone()),
            interactive_config(),
            &cancel,
        )
        .await?;
        let now = self.clock().now();
        let granted = match client.list_tokens(&cancel).await {
            Ok(tokens) => {
                let own = token_reference(request.token.expose_secret());
                tokens
                    .into_iter()
                    .find(|t| Some(t.reference_number.as_str()) == own)
                    .map(|t| t.requested_permissions)
            }
            Err(error) => {
                tracing::warn!(%error, "reading the token's permissions failed");
                None
            }
        };
        if let Err(error) = client.logout(&cancel).await {
            tracing::debug!(%error, "ending the test authentication failed");
        }
        tracing::info!(
            environment = request.environment.as_str(),
            permissions_known = granted.is_some(),
            "KSeF token tested"
        );
        let granted: Option<Vec<KsefPermission>> = granted.map(|granted| {
            KsefPermission::ALL
                .into_iter()
                .filter(|p| granted.contains(&p.wire()))
                .collect()
        });
        Ok(report(
            request.nip.clone(),
            request.environment,
            granted.as_deref(),
            now,
        ))
    }

    /// The company's KSeF token from the vault; [`CoreError::NotConnected`] when none
    /// is saved.
    pub(crate) async fn saved_token(&self, company: &Company) -> Result<SecretString> {
        let key = VaultKey::new(Nip::parse(&company.nip)?, company.ksef_environment);
        let vault = Arc::clone(self.vault_arc());
        run_blocking(move || vault.load(&key))
            .await?
            .ok_or(CoreError::NotConnected {
                company_id: company.id,
            })
    }

    /// What the company signs in with, as its credentials say: the token from the
    /// keychain, or the stored certificate with its private key from the keychain.
    /// [`CoreError::NotConnected`] when the secret is missing.
    pub(crate) async fn saved_credentials(&self, company: &Company) -> Result<SavedCredentials> {
        let method = self.store().read(|tx| tx.company_credentials(company.id))?;
        let certificate = match method {
            CredentialMethod::Token => {
                return Ok(SavedCredentials::Token(self.saved_token(company).await?))
            }
            CredentialMethod::Certificate(certificate) => certificate,
        };
        let key = VaultKey::new(Nip::parse(&company.nip)?, company.ksef_environment);
        let vault = Arc::clone(self.vault_arc());
        let private_key = run_blocking(move || vault.load_private_key(&key))
            .await?
            .ok_or(CoreError::NotConnected {
                company_id: company.id,
            })?;
        let credential =
            SigningCredential::from_parts(&certificate.der, &private_key).map_err(|error| {
                CoreError::Internal {
                    detail: format!("the stored certificate and key cannot be used: {error}"),
                }
            })?;
        Ok(SavedCredentials::Certificate(Arc::new(credential)))
    }

    /// A client signed in to the company's KSeF context with `credentials`. Every part
    /// of the app that talks to KSeF for a stored company comes through here.
    pub(crate) async fn signed_in_client(
        &self,
        company: &Company,
        credentials: SavedCredentials,
        config: ClientConfig,
        cancel: &CancellationToken,
    ) -> Result<KsefClient> {
        sign_in(
            company.ksef_environment,
            company.ksef_base_url.as_deref(),
            &Nip::parse(&company.nip)?,
            credentials,
            config,
            cancel,
        )
        .await
    }

    /// [`Desk::signed_in_client`] with the company's saved credentials.
    pub(crate) async fn company_client(
        &self,
        company: &Company,
        config: ClientConfig,
        cancel: &CancellationToken,
    ) -> Result<KsefClient> {
        let credentials = self.saved_credentials(company).await?;
        self.signed_in_client(company, credentials, config, cancel)
            .await
    }

    async fn vault_save(&self, key: VaultKey, token: SecretString) -> Result<()> {
        let vault = Arc::clone(self.vault_arc());
        Ok(run_blocking(move || vault.save(&key, &token)).await?)
    }

    async fn vault_delete(&self, key: VaultKey) -> Result<bool> {
        let vault = Arc::clone(self.vault_arc());
        Ok(run_blocking(move || vault.delete(&key)).await?)
    }
}

/// What a stored company (or one being tested) signs in with. Debug prints no secret.
#[derive(Clone)]
pub(crate) enum SavedCredentials {
    Token(SecretString),
    Certificate(Arc<SigningCredential>),
}

impl SavedCredentials {
    /// The token, when the company signs in with one.
    pub(crate) fn token(&self) -> Option<&SecretString> {
        match self {
            SavedCredentials::Token(token) => Some(token),
            SavedCredentials::Certificate(_) => None,
        }
    }
}

/// A client signed in with `credentials` to `nip`'s context: the one place the app
/// authenticates, for credentials being tested and for a stored company alike.
pub(crate) async fn sign_in(
    environment_kind: KsefEnvironment,
    base_url: Option<&str>,
    nip: &Nip,
    credentials: SavedCredentials,
    config: ClientConfig,
    cancel: &CancellationToken,
) -> Result<KsefClient> {
    let env = environment(environment_kind, base_url)?;
    let client = KsefClient::new(env, config).map_err(|e| from_ksef(e, nip))?;
    match credentials {
        SavedCredentials::Token(token) => client
            .authenticate_with_token(nip.as_str(), token, cancel)
            .await
            .map_err(|e| from_ksef(e, nip))?,
        SavedCredentials::Certificate(credential) => {
            let subject = crate::credentials::import::subject_type(credential.certificate());
            client
                .authenticate_with_certificate(nip.as_str(), credential, subject, cancel)
                .await
                .map_err(|e| from_ksef_certificate(e, nip))?
        }
    };
    Ok(client)
}

/// [`from_ksef`] for a certificate sign-in: KSeF's refusal is about the certificate,
/// not a token, so its own code and words are kept.
fn from_ksef_certificate(error: KsefError, nip: &Nip) -> CoreError {
    match error {
        KsefError::AuthenticationFailed { status } if !matches!(status.code, 415 | 500 | 550) => {
            CoreError::KsefFailed {
                detail: format!(
                    "{} {} {}",
                    status.code,
                    status.description,
                    status.details.join("; ")
                )
                .trim_end()
                .to_owned(),
            }
        }
        other => from_ksef(other, nip),
    }
}

/// Runs a keychain call on the blocking pool (Secret Service may wait for a prompt).
pub(crate) async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, VaultError> + Send + 'static,
) -> std::result::Result<T, VaultError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|join| {
        Err(VaultError::Failed {
            detail: format!("the keychain call did not finish: {join}"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        nip: &str,
        environment: KsefEnvironment,
        base_url: Option<&str>,
        token: &str,
    ) -> ConnectionRequest {
        ConnectionRequest {
            nip: nip.into(),
            environment,
            base_url: base_url.map(str::to_owned),
            token: SecretString::from(token.to_owned()),
        }
    }

    fn problems(request: &ConnectionRequest) -> Vec<&'static str> {
        let mut found = Vec::new();
        let valid = validate(request, &mut found);
        assert_eq!(valid.is_some(), found.is_empty());
        found.iter().map(InputProblem::code).collect()
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let r = request("PL5265877635", KsefEnvironment::Simulator, None, "  ");
        assert_eq!(
            problems(&r),
            ["nip_eu_prefix", "token_empty", "simulator_url_missing"]
        );
        let r = request(
            "5265877636",
            KsefEnvironment::Production,
            Some("http://x"),
            "a b",
        );
        assert_eq!(
            problems(&r),
            ["nip_checksum", "token_malformed", "base_url_not_allowed"]
        );
        let r = request(
            "5265877635",
            KsefEnvironment::Simulator,
            Some("ftp://x"),
            "t",
        );
        assert_eq!(problems(&r), ["base_url_invalid"]);
    }

    #[test]
    fn a_token_naming_another_nip_is_caught_before_the_network() {
        let token = "20251125-EC-0000000000-0000000000-00|nip-7740001454|abcdef";
        let r = request("526-587-76-35", KsefEnvironment::Test, None, token);
        assert_eq!(problems(&r), ["token_for_another_nip"]);
        let r = request("774-000-14-54", KsefEnvironment::Test, None, token);
        assert!(problems(&r).is_empty());
        // Surrounding blanks from a paste are dropped, not an error.
        let r = request(
            "7740001454",
            KsefEnvironment::Test,
            None,
            &format!(" {token}\n"),
        );
        assert!(problems(&r).is_empty());
    }

    fn failed(code: i32, description: &str, details: &[&str]) -> KsefError {
        KsefError::AuthenticationFailed {
            status: ksef_client::StatusDetail {
                code,
                description: description.into(),
                details: details.iter().map(|d| (*d).to_owned()).collect(),
            },
        }
    }

    #[test]
    fn ksef_failures_map_to_what_the_user_must_do() {
        let nip = Nip::parse("5265877635").unwrap();
        let code = |error| from_ksef(error, &nip).code();
        let bad = "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu";
        assert_eq!(
            code(failed(450, bad, &["Nieprawidłowy token"])),
            "token_invalid"
        );
        assert_eq!(
            code(failed(450, bad, &["Token unieważniony"])),
            "token_revoked"
        );
        assert_eq!(
            code(failed(450, bad, &["Token nieaktywny"])),
            "token_expired"
        );
        assert_eq!(
            code(failed(425, "Uwierzytelnianie unieważnione", &[])),
            "token_revoked"
        );
        assert_eq!(
            code(failed(415, "Brak uprawnień", &[])),
            "token_no_rights_for_nip"
        );
        assert_eq!(
            code(failed(550, "Operacja anulowana", &[])),
            "ksef_unavailable"
        );
        assert_eq!(
            code(failed(480, "Zablokowane", &["incydent"])),
            "ksef_failed"
        );
        let server = KsefError::Server {
            operation: "auth.challenge",
            status: 503,
            retry_after: Some(Duration::from_secs(600)),
        };
        let error = from_ksef(server, &nip);
        assert!(
            matches!(
                error,
                CoreError::KsefUnavailable {
                    retry_after_secs: Some(600),
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(error.message(Locale::Pl).contains("za 10 min"));
        assert!(error.message(Locale::En).contains("in 10 minutes"));
        assert_eq!(
            code(KsefError::Timeout {
                operation: "auth.challenge"
            }),
            "ksef_unavailable"
        );
    }

    #[test]
    fn features_follow_permissions() {
        let checks = |write, read, introspection| {
            vec![
                PermissionCheck {
                    permission: KsefPermission::InvoiceWrite,
                    state: write,
                },
                PermissionCheck {
                    permission: KsefPermission::InvoiceRead,
                    state: read,
                },
                PermissionCheck {
                    permission: KsefPermission::Introspection,
                    state: introspection,
                },
            ]
        };
        use PermissionState::*;
        let read_only = checks(Missing, Granted, Missing);
        assert_eq!(
            feature_state(AppFeature::SendSalesInvoices, &read_only),
            FeatureState::Blocked
        );
        assert_eq!(
            feature_state(AppFeature::SalesStatusAndUpo, &read_only),
            FeatureState::Blocked
        );
        assert_eq!(
            feature_state(AppFeature::ReceiveCostInvoices, &read_only),
            FeatureState::Enabled
        );
        let write_only = checks(Granted, Missing, Unknown);
        assert_eq!(
            feature_state(AppFeature::SalesStatusAndUpo, &write_only),
            FeatureState::Enabled
        );
        assert_eq!(
            feature_state(AppFeature::DownloadFromKsef, &write_only),
            FeatureState::Blocked
        );
        let unknown = checks(Unknown, Unknown, Unknown);
        assert_eq!(
            feature_state(AppFeature::SendSalesInvoices, &unknown),
            FeatureState::Unknown
        );
    }
}
