use desk_store::{CostStage, Role, StoreError};

use crate::costs::CostAction;

use crate::connection::{InputProblem, TokenRejection};
use crate::sales::SalesProblem;
use crate::vault::VaultError;
use crate::Locale;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The families of failure the UI can switch on. Stable: the UI depends on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    NotFound,
    Conflict,
    Permission,
    Remote,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },
    #[error("{entity} already exists: {detail}")]
    AlreadyExists {
        entity: &'static str,
        detail: String,
    },
    #[error("unsupported language {tag:?}")]
    UnsupportedLocale { tag: String },
    #[error("the local database failed: {0}")]
    Store(StoreError),
    /// The input of a form is wrong; every problem found is listed, each with its field.
    #[error("invalid input: {}", .0.iter().map(|p| p.message(Locale::En)).collect::<Vec<_>>().join(" "))]
    InvalidInput(Vec<InputProblem>),
    /// KSeF refused the token itself: unknown, revoked or no longer active.
    #[error("KSeF refused the token ({reason:?}, KSeF status {ksef_status})")]
    TokenRejected {
        reason: TokenRejection,
        ksef_status: i32,
    },
    /// KSeF accepted the token but it gives no rights in the context of this NIP
    /// (KSeF status 415): the token belongs to another company or has no permissions.
    #[error("the token gives no rights for NIP {nip}")]
    TokenNotForNip { nip: String },
    /// No connection to KSeF at all: no network, DNS failure, connection refused.
    #[error("KSeF cannot be reached: {detail}")]
    KsefUnreachable { detail: String },
    /// KSeF answered that it cannot work now (5xx, outage, maintenance) or did not answer in time.
    #[error("KSeF is unavailable: {detail}")]
    KsefUnavailable {
        detail: String,
        /// Seconds KSeF asked us to wait (`Retry-After`), if it said.
        retry_after_secs: Option<u64>,
    },
    /// KSeF's request limit was hit and its wait is longer than we wait by ourselves.
    #[error("KSeF rate limit hit")]
    KsefRateLimited { retry_after_secs: Option<u64> },
    /// Any other refusal or malformed answer of KSeF.
    #[error("KSeF failed: {detail}")]
    KsefFailed { detail: String },
    /// The operating system's keychain could not store or read the token.
    #[error(transparent)]
    Keychain(VaultError),
    /// The company has no KSeF token saved (never connected, or disconnected).
    #[error("company {company_id} is not connected to KSeF")]
    NotConnected { company_id: i64 },
    /// Only a profile of simulator companies may be wiped back to the demo data.
    #[error("the profile holds {company}, which works with the real KSeF")]
    NotADemoProfile { company: String },
    /// The person using the app lacks the role this action needs in this company.
    #[error("the role {} is needed in company {company_id}", .needed.as_str())]
    Forbidden { needed: Role, company_id: i64 },
    /// An invoice or contractor form is wrong; every problem found is listed.
    #[error("invalid invoice: {}", .0.iter().map(|p| p.message(Locale::En)).collect::<Vec<_>>().join(" "))]
    InvalidSales(Vec<SalesProblem>),
    /// The document is past the state this action needs (e.g. editing a sent invoice).
    #[error("sales document {id} is {status}; {action} is not possible")]
    WrongDocumentState {
        id: i64,
        status: &'static str,
        action: &'static str,
    },
    /// Local data the app wrote cannot be read back, or a local file cannot be written.
    #[error("internal failure: {detail}")]
    Internal { detail: String },
    /// End-of-day sending was chosen but the company has it turned off.
    #[error("end-of-day sending is off for company {company_id}")]
    EndOfDayOff { company_id: i64 },
    /// The workflow does not allow this step from where the cost stands.
    #[error("cannot {} a cost that is {stage:?}", .action.code())]
    CostStepNotAllowed {
        action: CostAction,
        stage: CostStage,
    },
    /// The supplier is not on the trusted list and approval was not confirmed.
    #[error("the supplier is not trusted; approving needs an explicit confirmation")]
    UnknownSupplierNotConfirmed,
    /// The invoice names no supplier NIP, so the supplier cannot be put on the list.
    #[error("the supplier has no NIP")]
    SupplierWithoutNip,
    /// The chosen certificate files cannot sign in for the company; every finding listed.
    #[error("the certificate cannot be used: {}", .0.iter().map(|i| i.code()).collect::<Vec<_>>().join(", "))]
    CertificateRefused(Vec<crate::credentials::import::CertificateIssue>),
    /// KSeF enrols certificates only after a certificate (XAdES) sign-in.
    #[error("enrolling a KSeF certificate needs a certificate sign-in, not a token")]
    EnrollmentNeedsCertificate,
    /// A KSeF certificate's name breaks KSeF's rule.
    #[error("a KSeF certificate name must have 5 to 100 letters, digits, spaces, '_' or '-'")]
    KsefCertificateNameInvalid,
    /// Only an `Authentication` certificate signs in (and only a known type is renewed).
    #[error("only an Authentication KSeF certificate can sign in or be renewed here")]
    KsefCertificateCannotSignIn,
}

impl From<StoreError> for CoreError {
    fn from(error: StoreError) -> CoreError {
        match error {
            StoreError::NotFound { entity, id } => CoreError::NotFound { entity, id },
            StoreError::AlreadyExists { entity, detail } => {
                CoreError::AlreadyExists { entity, detail }
            }
            other => CoreError::Store(other),
        }
    }
}

impl CoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::AlreadyExists { .. } => ErrorKind::Conflict,
            CoreError::UnsupportedLocale { .. } => ErrorKind::Validation,
            CoreError::Store(_) => ErrorKind::Internal,
            CoreError::InvalidInput(_) => ErrorKind::Validation,
            CoreError::TokenNotForNip { .. } => ErrorKind::Permission,
            CoreError::TokenRejected { .. }
            | CoreError::KsefUnreachable { .. }
            | CoreError::KsefUnavailable { .. }
            | CoreError::KsefRateLimited { .. }
            | CoreError::KsefFailed { .. } => ErrorKind::Remote,
            CoreError::Keychain(_) => ErrorKind::Internal,
            CoreError::Forbidden { .. } => ErrorKind::Permission,
            CoreError::NotConnected { .. } => ErrorKind::Conflict,
            CoreError::NotADemoProfile { .. } => ErrorKind::Conflict,
            CoreError::InvalidSales(_) | CoreError::EndOfDayOff { .. } => ErrorKind::Validation,
            CoreError::WrongDocumentState { .. } => ErrorKind::Conflict,
            CoreError::Internal { .. } => ErrorKind::Internal,
            CoreError::CostStepNotAllowed { .. } | CoreError::UnknownSupplierNotConfirmed => {
                ErrorKind::Conflict
            }
            CoreError::SupplierWithoutNip | CoreError::CertificateRefused(_) => {
                ErrorKind::Validation
            }
            CoreError::EnrollmentNeedsCertificate => ErrorKind::Conflict,
            CoreError::KsefCertificateNameInvalid | CoreError::KsefCertificateCannotSignIn => {
                ErrorKind::Validation
            }
        }
    }

    /// The problems of [`CoreError::InvalidSales`], each naming its field (empty otherwise).
    pub fn sales_problems(&self) -> &[SalesProblem] {
        match self {
            CoreError::InvalidSales(problems) => problems,
            _ => &[],
        }
    }

    /// The findings of [`CoreError::CertificateRefused`] (empty otherwise).
    pub fn certificate_issues(&self) -> &[crate::credentials::import::CertificateIssue] {
        match self {
            CoreError::CertificateRefused(issues) => issues,
            _ => &[],
        }
    }

    /// The problems of [`CoreError::InvalidInput`], each naming its field (empty otherwise).
    pub fn input_problems(&self) -> &[InputProblem] {
        match self {
            CoreError::InvalidInput(problems) => problems,
            _ => &[],
        }
    }

    /// A stable machine-readable code, finer than the kind.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { .. } => "not_found",
            CoreError::AlreadyExists { .. } => "already_exists",
            CoreError::UnsupportedLocale { .. } => "unsupported_locale",
            CoreError::Store(StoreError::NewerThanApp { .. }) => "store_newer_than_app",
            CoreError::Store(_) => "store_failed",
            CoreError::InvalidInput(_) => "invalid_input",
            CoreError::TokenRejected { reason, .. } => reason.code(),
            CoreError::TokenNotForNip { .. } => "token_no_rights_for_nip",
            CoreError::KsefUnreachable { .. } => "ksef_unreachable",
            CoreError::KsefUnavailable { .. } => "ksef_unavailable",
            CoreError::KsefRateLimited { .. } => "ksef_rate_limited",
            CoreError::KsefFailed { .. } => "ksef_failed",
            CoreError::Keychain(error) => error.code(),
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::NotConnected { .. } => "not_connected",
            CoreError::NotADemoProfile { .. } => "not_demo_profile",
            CoreError::InvalidSales(_) => "invalid_input",
            CoreError::WrongDocumentState { .. } => "wrong_document_state",
            CoreError::EndOfDayOff { .. } => "end_of_day_off",
            CoreError::Internal { .. } => "internal",
            CoreError::CostStepNotAllowed { .. } => "cost_step_not_allowed",
            CoreError::UnknownSupplierNotConfirmed => "unknown_supplier_not_confirmed",
            CoreError::SupplierWithoutNip => "supplier_without_nip",
            CoreError::CertificateRefused(_) => "certificate_refused",
            CoreError::EnrollmentNeedsCertificate => "enrollment_needs_certificate",
            CoreError::KsefCertificateNameInvalid => "ksef_certificate_name_invalid",
            CoreError::KsefCertificateCannotSignIn => "ksef_certificate_cannot_sign_in",
        }
    }

    /// What to tell the user, in their language, naming the problem and the fix.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (CoreError::NotFound { entity, id }, Locale::Pl) => {
                format!(
                    "Nie znaleziono: {} (nr {id}). Odśwież widok.",
                    entity_pl(entity)
                )
            }
            (CoreError::NotFound { entity, id }, Locale::En) => {
                format!("The {entity} (no. {id}) was not found. Refresh the view.")
            }
            (CoreError::AlreadyExists { entity, detail }, Locale::Pl) => {
                format!("{} już istnieje: {detail}.", capitalised(entity_pl(entity)))
            }
            (CoreError::AlreadyExists { entity, detail }, Locale::En) => {
                format!("This {entity} already exists: {detail}.")
            }
            (CoreError::UnsupportedLocale { tag }, Locale::Pl) => {
                format!("Język „{tag}” nie jest dostępny. Wybierz polski lub angielski.")
            }
            (CoreError::UnsupportedLocale { tag }, Locale::En) => {
                format!("The language “{tag}” is not available. Choose Polish or English.")
            }
            (CoreError::Store(error), Locale::Pl) => {
                format!("Błąd lokalnej bazy danych. Dane nie zostały zmienione. Szczegóły: {error}")
            }
            (CoreError::Store(error), Locale::En) => {
                format!("The local database failed; nothing was changed. Details: {error}")
            }
            (CoreError::InvalidInput(problems), locale) => problems
                .iter()
                .map(|p| p.message(locale))
                .collect::<Vec<_>>()
                .join(" "),
            (CoreError::TokenRejected { reason, .. }, locale) => reason.message(locale),
            (CoreError::NotADemoProfile { company }, Locale::Pl) => format!(
                "Dane demonstracyjne można przywrócić tylko w profilu demo, a firma „{company}” \
                 pracuje z prawdziwym KSeF. Nic nie zostało usunięte."
            ),
            (CoreError::NotADemoProfile { company }, Locale::En) => format!(
                "Demo data can only be reset in a demo profile, and “{company}” works with the \
                 real KSeF. Nothing was deleted."
            ),
            (CoreError::NotConnected { .. }, Locale::Pl) => "Firma nie jest połączona z KSeF. \
                 Połącz ją w Ustawieniach, wklejając token KSeF."
                .to_owned(),
            (CoreError::NotConnected { .. }, Locale::En) => "The company is not connected to \
                 KSeF. Connect it in Settings by pasting a KSeF token."
                .to_owned(),
            (CoreError::EnrollmentNeedsCertificate, Locale::Pl) => "KSeF wydaje certyfikaty \
                 tylko po logowaniu certyfikatem, a ta firma loguje się tokenem. Najpierw \
                 ustaw logowanie certyfikatem w Ustawieniach → Logowanie do KSeF."
                .to_owned(),
            (CoreError::EnrollmentNeedsCertificate, Locale::En) => "KSeF issues certificates \
                 only after a certificate sign-in, and this company signs in with a token. \
                 First set up certificate sign-in in Settings → KSeF sign-in."
                .to_owned(),
            (CoreError::KsefCertificateNameInvalid, Locale::Pl) => "Nazwa certyfikatu musi \
                 mieć od 5 do 100 znaków: litery, cyfry, spacje, „_” lub „-”."
                .to_owned(),
            (CoreError::KsefCertificateNameInvalid, Locale::En) => "The certificate's name \
                 must have 5 to 100 characters: letters, digits, spaces, “_” or “-”."
                .to_owned(),
            (CoreError::KsefCertificateCannotSignIn, Locale::Pl) => "Do logowania służy tylko \
                 certyfikat typu Uwierzytelnianie; certyfikatu offline ani nieznanego typu nie \
                 można tu użyć do logowania ani odnowić."
                .to_owned(),
            (CoreError::KsefCertificateCannotSignIn, Locale::En) => "Only an Authentication \
                 certificate signs in; an Offline certificate or one of an unknown type cannot \
                 sign in or be renewed here."
                .to_owned(),
            (CoreError::CertificateRefused(issues), locale) => issues
                .iter()
                .map(|i| i.message(locale))
                .collect::<Vec<_>>()
                .join(" "),
            (CoreError::InvalidSales(problems), locale) => problems
                .iter()
                .map(|p| p.message(locale))
                .collect::<Vec<_>>()
                .join(" "),
            (CoreError::WrongDocumentState { status, action, .. }, Locale::Pl) => format!(
                "Tej czynności ({}) nie można wykonać, bo dokument ma status „{}”. Odśwież \
                 widok; wysłaną fakturę zmienia się fakturą korygującą.",
                action_pl(action),
                status_pl(status)
            ),
            (CoreError::WrongDocumentState { status, action, .. }, Locale::En) => format!(
                "This ({action}) is not possible because the document is {status}. Refresh the \
                 view; a sent invoice is changed with a correction invoice."
            ),
            (CoreError::Internal { detail }, Locale::Pl) => format!(
                "Wewnętrzny błąd aplikacji; dane nie zostały zmienione. Szczegóły: {detail}"
            ),
            (CoreError::Internal { detail }, Locale::En) => {
                format!("An internal error; nothing was changed. Details: {detail}")
            }
            (CoreError::EndOfDayOff { .. }, Locale::Pl) => "Wysyłka na koniec dnia jest \
                wyłączona dla tej firmy. Wyślij fakturę teraz albo włącz wysyłkę na koniec dnia \
                w ustawieniach sprzedaży."
                .into(),
            (CoreError::EndOfDayOff { .. }, Locale::En) => "End-of-day sending is off for this \
                company. Send the invoice now or turn end-of-day sending on in the sales \
                settings."
                .into(),
            (CoreError::Forbidden { needed, .. }, Locale::Pl) => format!(
                "Twoja rola w tej firmie nie pozwala na tę czynność (potrzebna rola: {}). \
                 Poproś administratora firmy o jej nadanie.",
                role_pl(*needed)
            ),
            (CoreError::Forbidden { needed, .. }, Locale::En) => format!(
                "Your role in this company does not allow this (needed: {}). Ask the \
                 company's administrator to grant it.",
                needed.as_str()
            ),
            (CoreError::CostStepNotAllowed { action, stage }, locale) => {
                crate::costs::step_not_allowed_message(*action, *stage, locale)
            }
            (CoreError::UnknownSupplierNotConfirmed, Locale::Pl) => "Dostawca nie jest na liście \
                zaufanych. Sprawdź fakturę i potwierdź akceptację kosztu od nieznanego dostawcy \
                albo najpierw oznacz dostawcę jako zaufanego."
                .to_owned(),
            (CoreError::UnknownSupplierNotConfirmed, Locale::En) => "The supplier is not on the \
                trusted list. Check the invoice and confirm approving a cost from an unknown \
                supplier, or mark the supplier trusted first."
                .to_owned(),
            (CoreError::SupplierWithoutNip, Locale::Pl) => "Faktura nie podaje NIP dostawcy, więc \
                nie można dodać go do listy zaufanych. Zaakceptuj koszt z potwierdzeniem."
                .to_owned(),
            (CoreError::SupplierWithoutNip, Locale::En) => "The invoice gives no supplier NIP, so \
                the supplier cannot be put on the trusted list. Approve the cost with a \
                confirmation."
                .to_owned(),
            (CoreError::TokenNotForNip { nip }, Locale::Pl) => format!(
                "Token nie daje żadnych uprawnień w KSeF dla NIP {nip}. Został wygenerowany \
                 dla innej firmy albo bez uprawnień. Sprawdź NIP albo wygeneruj w Aplikacji \
                 Podatnika KSeF token dla tej firmy z uprawnieniami do faktur."
            ),
            (CoreError::TokenNotForNip { nip }, Locale::En) => format!(
                "The token gives no rights in KSeF for NIP {nip}. It was generated for another \
                 company or without permissions. Check the NIP or generate a token for this \
                 company with invoice permissions in the KSeF taxpayer application."
            ),
            (CoreError::KsefUnreachable { detail }, Locale::Pl) => format!(
                "Brak połączenia z KSeF: serwer nie odpowiada na połączenie (brak sieci, \
                 błędny adres lub blokada zapory). Sprawdź połączenie z internetem i spróbuj \
                 ponownie. Szczegóły: {detail}"
            ),
            (CoreError::KsefUnreachable { detail }, Locale::En) => format!(
                "No connection to KSeF: the server cannot be reached (no network, wrong \
                 address or a firewall). Check the internet connection and try again. \
                 Details: {detail}"
            ),
            (
                CoreError::KsefUnavailable {
                    detail,
                    retry_after_secs,
                },
                Locale::Pl,
            ) => format!(
                "KSeF jest chwilowo niedostępny (awaria, przerwa techniczna lub przeciążenie). \
                 {}Dane w aplikacji są bezpieczne. Szczegóły: {detail}",
                match retry_after_secs {
                    Some(secs) => format!("Spróbuj ponownie za {}. ", wait_pl(*secs)),
                    None => "Spróbuj ponownie później. ".to_owned(),
                }
            ),
            (
                CoreError::KsefUnavailable {
                    detail,
                    retry_after_secs,
                },
                Locale::En,
            ) => format!(
                "KSeF is temporarily unavailable (failure, maintenance or overload). {}Your \
                 data in the app is safe. Details: {detail}",
                match retry_after_secs {
                    Some(secs) => format!("Try again in {}. ", wait_en(*secs)),
                    None => "Try again later. ".to_owned(),
                }
            ),
            (CoreError::KsefRateLimited { retry_after_secs }, Locale::Pl) => format!(
                "KSeF ogranicza liczbę zapytań. Spróbuj ponownie za {}.",
                wait_pl(retry_after_secs.unwrap_or(60))
            ),
            (CoreError::KsefRateLimited { retry_after_secs }, Locale::En) => format!(
                "KSeF limits the number of requests. Try again in {}.",
                wait_en(retry_after_secs.unwrap_or(60))
            ),
            (CoreError::KsefFailed { detail }, Locale::Pl) => {
                format!("KSeF odrzucił żądanie. Szczegóły od KSeF: {detail}")
            }
            (CoreError::KsefFailed { detail }, Locale::En) => {
                format!("KSeF refused the request. Details from KSeF: {detail}")
            }
            (CoreError::Keychain(error), Locale::Pl) => match error {
                VaultError::Locked { detail } => format!(
                    "Systemowy pęk kluczy jest zablokowany lub odmówił dostępu, więc token nie \
                     może zostać zapisany ani odczytany. Odblokuj pęk kluczy (zaloguj się \
                     ponownie lub zezwól aplikacji na dostęp) i spróbuj jeszcze raz. \
                     Szczegóły: {detail}"
                ),
                VaultError::Unavailable { detail } => format!(
                    "Systemowy pęk kluczy jest niedostępny (Menedżer poświadczeń Windows, \
                     Pęk kluczy macOS lub Secret Service w Linuksie), więc token nie może \
                     zostać zapisany ani odczytany. Uruchom usługę pęku kluczy i spróbuj \
                     ponownie. Szczegóły: {detail}"
                ),
                VaultError::Failed { detail } => format!(
                    "Systemowy pęk kluczy zgłosił błąd przy obsłudze tokena. Szczegóły: {detail}"
                ),
            },
            (CoreError::Keychain(error), Locale::En) => {
                match error {
                    VaultError::Locked { detail } => format!(
                        "The system keychain is locked or refused access, so the token cannot be \
                     saved or read. Unlock the keychain (sign in again or allow the app \
                     access) and try again. Details: {detail}"
                    ),
                    VaultError::Unavailable { detail } => format!(
                        "The system keychain is unavailable (Windows Credential Manager, macOS \
                     Keychain or Linux Secret Service), so the token cannot be saved or read. \
                     Start the keychain service and try again. Details: {detail}"
                    ),
                    VaultError::Failed { detail } => {
                        format!("The system keychain failed while handling the token. Details: {detail}")
                    }
                }
            }
        }
    }
}

fn wait_pl(secs: u64) -> String {
    match secs {
        0..=90 => format!("{secs} s"),
        _ => format!("{} min", secs.div_ceil(60)),
    }
}

fn wait_en(secs: u64) -> String {
    match secs {
        0..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

fn entity_pl(entity: &str) -> &'static str {
    match entity {
        "company" => "firma",
        "contractor" => "kontrahent",
        "user" => "użytkownik",
        "sales document" => "dokument sprzedaży",
        "numbering series" => "seria numeracji",
        "cost document" | "pending cost document" => "dokument kosztowy",
        _ => "obiekt",
    }
}

fn action_pl(action: &str) -> &'static str {
    match action {
        "edit" => "edycja",
        "issue" => "wystawienie",
        "send" => "wysyłka",
        "correct" => "korekta",
        "redraft" => "nowy szkic z odrzuconej faktury",
        "delete" => "usunięcie",
        _ => "zmiana",
    }
}

fn status_pl(status: &str) -> &'static str {
    match status {
        "draft" => "szkic",
        "issued" => "wystawiona",
        "queued" => "w kolejce",
        "sending" => "wysyłanie",
        "accepted" => "przyjęta przez KSeF",
        "rejected" => "odrzucona przez KSeF",
        _ => "nieznany",
    }
}

fn role_pl(role: Role) -> &'static str {
    match role {
        Role::Admin => "administrator",
        Role::Sales => "sprzedaż",
        Role::Costs => "koszty",
        Role::Accounting => "księgowość",
        Role::Finance => "finanse",
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_conflicts_become_conflicts_with_a_message_per_language() {
        let error = CoreError::from(StoreError::AlreadyExists {
            entity: "company",
            detail: "NIP 5261040828".into(),
        });
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(error.code(), "already_exists");
        assert_eq!(
            error.message(Locale::Pl),
            "Firma już istnieje: NIP 5261040828."
        );
        assert_eq!(
            error.message(Locale::En),
            "This company already exists: NIP 5261040828."
        );
    }

    #[test]
    fn a_newer_database_has_its_own_code() {
        let error = CoreError::from(StoreError::NewerThanApp {
            path: "x.sqlite3".into(),
            found: 9,
            known: 2,
        });
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert_eq!(error.code(), "store_newer_than_app");
        assert!(error.message(Locale::En).contains("newer KSeF Desk"));
    }
}
