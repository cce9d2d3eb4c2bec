//! How each company signs in to KSeF: one credentials model per company (issue 12).
//!
//! A company signs in with a KSeF token (until the cut-off, [`cutoff`]) or with a
//! certificate: a KSeF certificate (`.crt` + `.key`) or a qualified certificate / company
//! seal (PKCS#12). The store keeps which one and the certificate's public part; the
//! token and the private key live only in the OS keychain ([`crate::vault`]); a
//! password is never kept. [`Desk::credentials`] is what Settings, the dashboard and the
//! status bar show: the method, the days left for tokens, the certificate's validity and
//! its expiry warnings ([`expiry`]).
//!
//! Owns: the cut-off date, expiry thresholds, the per-company view. Sign-in itself is in
//! [`crate::connection`] (one path for every caller).

pub mod cutoff;
pub mod expiry;
pub mod import;
pub mod ksef_certificates;

use std::sync::Arc;

use chrono::NaiveDate;
use desk_store::{CredentialMethod, KsefEnvironment, NewAuditEntry, NewCompany, Role};
use ksef_client::CancellationToken;

use crate::access::authorize;
use crate::connection::{
    interactive_config, report, run_blocking, sign_in, validate_base_url, SavedCredentials,
};
use crate::vault::VaultKey;
use crate::{Connected, ConnectionReport, InputProblem, KsefPermission};
use crate::{CoreError, Desk, Nip, Result};
pub use cutoff::{token_cutoff, token_days_left, TOKEN_LAST_DAY};
pub use expiry::{CertificateExpiry, ExpiryLevel};

/// A company's credentials as Settings shows them. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyCredentials {
    pub company_id: i64,
    pub method: CredentialMethod,
    /// Whether the keychain holds the secret the method needs (token or private key).
    pub has_secret: bool,
    /// The last day token sign-in works ([`TOKEN_LAST_DAY`]).
    pub token_last_day: NaiveDate,
    /// Days, today included, on which token sign-in still works.
    pub token_days_left: u32,
    /// The certificate's remaining validity (certificate method only).
    pub certificate_expiry: Option<CertificateExpiry>,
    /// Whether the current user may change the credentials (the company's administrator).
    pub can_manage: bool,
}

/// A company moved to a certificate: its credentials now, and what the certificate's
/// person may do in the company's context (KSeF's personal permissions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSwitch {
    pub credentials: CompanyCredentials,
    pub report: ConnectionReport,
}

/// What the status bar and dashboard warn about for a company's sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialAlert {
    /// The company still signs in with a token; it stops working after the cut-off.
    TokenCutoff { days_left: u32 },
    /// The certificate ends within 30 days (or has ended).
    CertificateExpiring(CertificateExpiry),
}

impl CompanyCredentials {
    /// The warning to show, if any.
    pub fn alert(&self) -> Option<CredentialAlert> {
        alert(&self.method, self.token_days_left, self.certificate_expiry)
    }
}

fn alert(
    method: &CredentialMethod,
    token_days_left: u32,
    certificate_expiry: Option<CertificateExpiry>,
) -> Option<CredentialAlert> {
    match (method, certificate_expiry) {
        (CredentialMethod::Token, _) => Some(CredentialAlert::TokenCutoff {
            days_left: token_days_left,
        }),
        (CredentialMethod::Certificate(_), Some(expiry)) if expiry.level != ExpiryLevel::Fine => {
            Some(CredentialAlert::CertificateExpiring(expiry))
        }
        (CredentialMethod::Certificate(_), _) => None,
    }
}

/// The company setting that remembers the last expiry warning shown as a desktop
/// notification: `<fingerprint>:<level>`, so each threshold is announced once per
/// certificate.
const NOTIFIED_KEY: &str = "credentials.notified_expiry";

impl CertificateExpiry {
    /// The desktop notification's text for `company`.
    pub fn notification(&self, company: &str, locale: crate::Locale) -> String {
        let day = crate::sales::time::today_in_poland(self.not_after)
            .format("%d.%m.%Y")
            .to_string();
        match (self.level, locale) {
            (ExpiryLevel::Expired, crate::Locale::Pl) => format!(
                "{company}: certyfikat KSeF wygasł {day}. Wczytaj nowy w Ustawieniach, aby \
                 wysyłać i pobierać faktury."
            ),
            (ExpiryLevel::Expired, crate::Locale::En) => format!(
                "{company}: the KSeF certificate expired on {day}. Load a new one in Settings \
                 to keep sending and receiving invoices."
            ),
            (_, crate::Locale::Pl) => format!(
                "{company}: certyfikat KSeF wygasa {day} (dni: {}). Wystąp o nowy w Aplikacji \
                 Podatnika KSeF i wczytaj go w Ustawieniach.",
                self.days_left
            ),
            (_, crate::Locale::En) => format!(
                "{company}: the KSeF certificate expires on {day} ({} days left). Request a \
                 new one in the KSeF taxpayer application and load it in Settings.",
                self.days_left
            ),
        }
    }
}

impl Desk {
    /// Certificates that crossed a warning threshold (30, 7, 1 day, expired) since the
    /// last desktop notification, each with its company; the crossing is recorded, so a
    /// threshold is announced once per certificate.
    pub fn due_expiry_notices(&self) -> Result<Vec<(desk_store::Company, CertificateExpiry)>> {
        let now = self.clock().now();
        Ok(self.store().write(|tx| {
            let mut due = Vec::new();
            for company in tx.list_companies()? {
                let CredentialMethod::Certificate(certificate) =
                    tx.company_credentials(company.id)?
                else {
                    continue;
                };
                let expiry = CertificateExpiry::at(certificate.not_after, now);
                if expiry.level == ExpiryLevel::Fine {
                    continue;
                }
                let mark = format!("{}:{}", certificate.fingerprint_sha256, expiry.level.code());
                if tx.company_setting(company.id, NOTIFIED_KEY)?.as_deref() == Some(&mark) {
                    continue;
                }
                tx.set_company_setting(company.id, NOTIFIED_KEY, &mark)?;
                due.push((company, expiry));
            }
            Ok(due)
        })?)
    }

    /// The company's sign-in warning (read-only: the status bar asks every few seconds).
    pub(crate) fn credential_alert(&self, company_id: i64) -> Result<Option<CredentialAlert>> {
        let now = self.clock().now();
        let method = self.store().read(|tx| tx.company_credentials(company_id))?;
        let expiry = match &method {
            CredentialMethod::Certificate(certificate) => {
                Some(CertificateExpiry::at(certificate.not_after, now))
            }
            CredentialMethod::Token => None,
        };
        Ok(alert(&method, token_days_left(now), expiry))
    }

    /// The company's credentials: method, validity, days left, warnings. Never a secret.
    pub fn credentials(&self, company_id: i64) -> Result<CompanyCredentials> {
        let now = self.clock().now();
        let (method, roles) = self.store().write(|tx| {
            let method = tx.company_credentials(company_id)?;
            let user = crate::access::current_user_in(tx, now)?;
            Ok((method, tx.roles(user.id, company_id)?))
        })?;
        let certificate_expiry = match &method {
            CredentialMethod::Certificate(certificate) => {
                Some(CertificateExpiry::at(certificate.not_after, now))
            }
            CredentialMethod::Token => None,
        };
        Ok(CompanyCredentials {
            company_id,
            has_secret: self.has_token(company_id)?,
            method,
            token_last_day: TOKEN_LAST_DAY,
            token_days_left: token_days_left(now),
            certificate_expiry,
            can_manage: roles.contains(&Role::Admin),
        })
    }
}

impl Desk {
    /// Moves the company to a certificate: reads the files and names every problem
    /// ([`CoreError::CertificateRefused`]), signs in to KSeF with it for real, then keeps
    /// the private key in the keychain and the public certificate in the store. Only the
    /// company's administrator may. The token stays in the keychain, so nothing is lost
    /// and moving back works until the cut-off; the files and password are dropped here.
    pub async fn use_certificate(
        &self,
        company_id: i64,
        files: import::CertificateFiles,
        cancel: &CancellationToken,
    ) -> Result<CertificateSwitch> {
        let now = self.clock().now();
        self.store()
            .write(|tx| Ok(authorize(tx, now, company_id, Role::Admin).map(|_| ())))??;
        let company = self.store().read(|tx| tx.company(company_id))?;
        let nip = Nip::parse(&company.nip)?;
        let (credential, source) = usable_certificate(files, &nip, now)?;
        let client = self
            .signed_in_client(
                &company,
                SavedCredentials::Certificate(Arc::clone(&credential)),
                interactive_config(),
                cancel,
            )
            .await?;
        let report = certificate_report(client, &nip, company.ksef_environment, now, cancel).await;
        let key = VaultKey::new(nip, company.ksef_environment);
        let der = credential.private_key_pkcs8_der();
        let vault = Arc::clone(self.vault_arc());
        run_blocking(move || vault.save_private_key(&key, &der)).await?;
        let stored = import::stored(credential.certificate(), source);
        self.store().write(|tx| {
            tx.set_company_certificate(company_id, &stored, now)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action: "company.certificate_set",
                detail: &format!("fingerprint={}", stored.fingerprint_sha256),
            })
        })?;
        self.remember_connection(company_id, true);
        tracing::info!(company_id, "company signs in with a certificate");
        Ok(CertificateSwitch {
            credentials: self.credentials(company_id)?,
            report,
        })
    }
}

/// What a company connected with a certificate in the Add-company wizard needs.
#[derive(Debug)]
pub struct CompanyCertificateConnection {
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    /// The NIP as typed (dashes and spaces allowed).
    pub nip: String,
    pub environment: KsefEnvironment,
    /// Required for [`KsefEnvironment::Simulator`], refused for the official environments.
    pub base_url: Option<String>,
    pub files: import::CertificateFiles,
}

impl Desk {
    /// Adds a company that signs in with a certificate, in one step (the wizard's
    /// recommended way in): the same checks as [`Desk::use_certificate`], a real
    /// sign-in, then the private key to the keychain and the company, its certificate,
    /// the adder as its administrator and an audit entry to the store. Nothing is stored
    /// when any check or the sign-in fails; when the store fails the key is removed again.
    /// Errors: [`CoreError::InvalidInput`] (name, NIP, address of the environment, all at
    /// once), [`CoreError::AlreadyExists`], [`CoreError::CertificateRefused`], those of
    /// the sign-in, [`CoreError::Keychain`], [`CoreError::Store`].
    pub async fn connect_company_with_certificate(
        &self,
        new: CompanyCertificateConnection,
        cancel: &CancellationToken,
    ) -> Result<Connected> {
        let now = self.clock().now();
        let mut problems = Vec::new();
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            problems.push(InputProblem::CompanyNameEmpty);
        }
        let nip = Nip::parse(&new.nip)
            .map_err(|e| problems.push(InputProblem::Nip(e)))
            .ok();
        let base_url = validate_base_url(new.environment, new.base_url.as_deref(), &mut problems);
        let nip = match nip {
            Some(nip) if problems.is_empty() => nip,
            _ => return Err(CoreError::InvalidInput(problems)),
        };
        self.refuse_known_nip(&nip)?;
        let (credential, source) = usable_certificate(new.files, &nip, now)?;
        let client = sign_in(
            new.environment,
            base_url.as_deref(),
            &nip,
            SavedCredentials::Certificate(Arc::clone(&credential)),
            interactive_config(),
            cancel,
        )
        .await?;
        let report = certificate_report(client, &nip, new.environment, now, cancel).await;

        let key = VaultKey::new(nip.clone(), new.environment);
        let der = credential.private_key_pkcs8_der();
        let vault = Arc::clone(self.vault_arc());
        let saved_key = key.clone();
        run_blocking(move || vault.save_private_key(&saved_key, &der)).await?;
        let certificate = import::stored(credential.certificate(), source);
        let environment = new.environment;
        let stored = self.store().write(|tx| {
            let company = tx.insert_company(
                &NewCompany {
                    nip: nip.to_string(),
                    name: name.clone(),
                    address_line1: new.address_line1.trim().to_owned(),
                    address_line2: new.address_line2.trim().to_owned(),
                    ksef_environment: environment,
                    ksef_base_url: base_url.clone(),
                },
                now,
            )?;
            tx.set_company_certificate(company.id, &certificate, now)?;
            let user = crate::access::current_user_in(tx, now)?;
            tx.grant_role(user.id, company.id, Role::Admin)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: Some(user.id),
                company_id: Some(company.id),
                action: "company.connected",
                detail: &format!(
                    "environment={} method=certificate fingerprint={}",
                    environment.as_str(),
                    certificate.fingerprint_sha256
                ),
            })?;
            // The company's own read view after both writes.
            tx.company(company.id)
        });
        match stored {
            Ok(company) => {
                self.remember_connection(company.id, true);
                tracing::info!(
                    company_id = company.id,
                    environment = environment.as_str(),
                    "company connected to KSeF with a certificate"
                );
                Ok(Connected { company, report })
            }
            Err(error) => {
                // Leave no orphan private key behind.
                let vault = Arc::clone(self.vault_arc());
                if let Err(cleanup) = run_blocking(move || vault.delete_private_key(&key)).await {
                    tracing::warn!(error = %cleanup, "could not remove the key after a failed save");
                }
                Err(error.into())
            }
        }
    }
}

/// Reads the files and refuses them naming every blocking problem; the files and the
/// password are dropped here. Shared by moving a company and adding one.
fn usable_certificate(
    files: import::CertificateFiles,
    nip: &Nip,
    now: desk_store::Timestamp,
) -> Result<(
    Arc<ksef_xades::SigningCredential>,
    desk_store::CertificateSource,
)> {
    let checked = import::check(&files, nip.as_str(), now)
        .map_err(|issue| CoreError::CertificateRefused(vec![issue]))?;
    drop(files);
    let blocking: Vec<_> = checked
        .issues
        .iter()
        .filter(|issue| issue.blocks())
        .cloned()
        .collect();
    if !blocking.is_empty() {
        return Err(CoreError::CertificateRefused(blocking));
    }
    Ok((Arc::new(checked.credential), checked.source))
}

/// What the certificate's person may do in the company's context (KSeF's personal
/// permissions), as the token report tells for a token; ends the test sign-in.
async fn certificate_report(
    client: ksef_client::KsefClient,
    nip: &Nip,
    environment: KsefEnvironment,
    now: desk_store::Timestamp,
    cancel: &CancellationToken,
) -> ConnectionReport {
    let granted: Option<Vec<KsefPermission>> = match client.personal_permissions(cancel).await {
        Ok(list) => Some(
            list.iter()
                .filter_map(|p| KsefPermission::from_scope(&p.permission_scope))
                .collect(),
        ),
        Err(error) => {
            tracing::warn!(%error, "reading the person's permissions failed");
            None
        }
    };
    if let Err(error) = client.logout(cancel).await {
        tracing::debug!(%error, "ending the test authentication failed");
    }
    report(nip.clone(), environment, granted.as_deref(), now)
}
