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

use chrono::NaiveDate;
use desk_store::{CredentialMethod, Role};

use crate::{Desk, Result};
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

impl Desk {
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
