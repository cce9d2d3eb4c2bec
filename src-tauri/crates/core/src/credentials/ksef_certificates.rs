//! KSeF certificates managed in the app (issue 12 item 5): list them with the limits,
//! enrol a new `Authentication` or `Offline` certificate entirely in the app, renew one
//! before it ends, revoke one.
//!
//! Enrolment (docs certyfikaty-KSeF.md): KSeF gives enrolment data only after a
//! certificate (XAdES) sign-in, so a company still on its token gets
//! [`CoreError::EnrollmentNeedsCertificate`] before anything is generated. A fresh EC
//! P-256 key is put in the keychain at once (a pending entry), the CSR carries exactly
//! the enrolment data's subject, KSeF is polled until it issues the certificate, the
//! certificate is retrieved and checked against the key, and the key moves to an entry
//! named by the serial number. The public certificate goes to the store for display.
//! An `Authentication` certificate can then become the company's sign-in credential
//! ([`Desk::sign_in_with_ksef_certificate`]): the old one stays until the new one has
//! really signed in.
//!
//! Only the company's administrator may list, enrol, renew or revoke (like tokens).

use std::sync::Arc;

use desk_store::{EnrolledCertificate, EnrolledKind, NewAuditEntry, Role, Timestamp};
use ksef_client::{
    CancellationToken, CertificateEnrollment, CertificateQuery, CertificateStatus, CertificateType,
    KsefCertificate, KsefClient,
};
use ksef_xades::SigningCredential;

use crate::access::authorize;
use crate::connection::{from_ksef, interactive_config, run_blocking, SavedCredentials};
use crate::vault::VaultKey;
use crate::{CoreError, Desk, Nip, Result};

/// The state of a KSeF certificate as KSeF reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsefCertificateState {
    Active,
    Blocked,
    Revoked,
    Expired,
    Unknown,
}

/// The type of a listed certificate (`None` in [`KsefCertificateItem::kind`]: a type
/// this app does not know).
pub type KsefCertificateKind = EnrolledKind;

/// One of the company's KSeF certificates. Never carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefCertificateItem {
    pub serial: String,
    pub name: String,
    pub kind: Option<KsefCertificateKind>,
    pub state: KsefCertificateState,
    pub valid_from: Timestamp,
    pub valid_to: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// The certificate this app signs in with.
    pub used_by_this_app: bool,
    /// The app enrolled it and holds its private key in the keychain.
    pub key_in_app: bool,
}

/// The enrolment limits KSeF sets for the signed-in person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KsefCertificateLimits {
    pub can_request: bool,
    pub enrollment_limit: i32,
    pub enrollment_remaining: i32,
    pub certificate_limit: i32,
    pub certificate_remaining: i32,
}

/// What the "KSeF certificates" panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefCertificates {
    pub certificates: Vec<KsefCertificateItem>,
    pub limits: KsefCertificateLimits,
    /// Whether the company signs in with a certificate (enrolment needs that).
    pub can_enroll: bool,
}

/// What to enrol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsefEnrollment {
    /// 5..100 letters, digits, `_`, `-` or spaces (KSeF's rule).
    pub name: String,
    pub kind: KsefCertificateKind,
    /// For an `Authentication` certificate: make it the company's sign-in credential.
    pub use_to_sign_in: bool,
}

/// Where an enrolment is, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentStep {
    /// Signing in, reading the enrolment data, generating the key and CSR.
    Preparing,
    /// KSeF accepted the request and is issuing the certificate.
    Waiting,
    /// Downloading the issued certificate.
    Retrieving,
    /// Signing in with the new certificate before it replaces the old one.
    SigningIn,
}

impl Desk {
    /// The company's KSeF certificates and limits (administrators only).
    pub async fn ksef_certificates(
        &self,
        company_id: i64,
        cancel: &CancellationToken,
    ) -> Result<KsefCertificates> {
        let session = self.certificate_session(company_id, cancel).await?;
        let listed = session
            .client
            .query_certificates(&CertificateQuery::default(), cancel)
            .await
            .map_err(|e| from_ksef(e, &session.nip))?;
        let limits = session
            .client
            .certificate_limits(cancel)
            .await
            .map_err(|e| from_ksef(e, &session.nip))?;
        let enrolled = self
            .store()
            .read(|tx| tx.enrolled_certificates(company_id))?;
        let mut certificates: Vec<_> = listed
            .into_iter()
            .map(|c| item(c, session.own_serial.as_deref(), &enrolled))
            .collect();
        certificates.sort_by_key(|c| std::cmp::Reverse(c.valid_from));
        Ok(KsefCertificates {
            certificates,
            limits: KsefCertificateLimits {
                can_request: limits.can_request,
                enrollment_limit: limits.enrollment.limit,
                enrollment_remaining: limits.enrollment.remaining,
                certificate_limit: limits.certificate.limit,
                certificate_remaining: limits.certificate.remaining,
            },
            can_enroll: session.signs_in_with_certificate,
        })
    }

    /// Enrols a new KSeF certificate for the company's signed-in person (administrators
    /// only, after a certificate sign-in). Returns its serial number.
    pub async fn enroll_ksef_certificate(
        &self,
        company_id: i64,
        request: &KsefEnrollment,
        on_step: &(dyn Fn(EnrollmentStep) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<String> {
        check_name(&request.name)?;
        if request.use_to_sign_in && request.kind != EnrolledKind::Authentication {
            return Err(CoreError::KsefCertificateCannotSignIn);
        }
        on_step(EnrollmentStep::Preparing);
        let session = self.certificate_session(company_id, cancel).await?;
        if !session.signs_in_with_certificate {
            return Err(CoreError::EnrollmentNeedsCertificate);
        }
        let nip = session.nip.clone();
        let data = session
            .client
            .certificate_enrollment_data(cancel)
            .await
            .map_err(|e| from_ksef(e, &nip))?;
        let key = ksef_xades::new_p256_key();
        let csr = ksef_xades::build_csr(&key, &data.subject_attributes()).map_err(|e| {
            CoreError::Internal {
                detail: format!("building the certificate request failed: {e}"),
            }
        })?;
        // The key is in the keychain before KSeF hears of it: nothing issued for it can
        // be left without its key by a crash while waiting.
        let pending = format!("pending-{}", self.clock().now().timestamp_millis());
        let vault_key = session.vault_key.clone();
        self.save_enrolled_key(&vault_key, &pending, &key).await?;
        // A failure, or the UI's Cancel dropping this future while KSeF works, must not
        // leave the pending key behind: nothing would ever find it again.
        let guard = PendingKey {
            vault: Arc::clone(self.vault_arc()),
            key: vault_key.clone(),
            entry: pending,
        };
        let credential = self
            .enroll_and_retrieve(&session.client, &nip, request, csr, on_step, cancel)
            .await
            .and_then(|der| {
                SigningCredential::from_parts(&der, &key).map_err(|e| CoreError::Internal {
                    detail: format!("KSeF issued a certificate that does not fit the key: {e}"),
                })
            })?;
        let serial = credential.certificate().serial_hex.clone();
        self.save_enrolled_key(&vault_key, &serial, &key).await?;
        drop(guard);
        let now = self.clock().now();
        let info = credential.certificate();
        let row = EnrolledCertificate {
            company_id,
            serial: serial.clone(),
            kind: request.kind,
            name: request.name.clone(),
            der: info.der.clone(),
            key_entry: vault_key.enrolled_key_account(&serial),
            valid_from: info.not_before,
            valid_to: info.not_after,
            created_at: now,
        };
        self.store().write(|tx| {
            tx.add_enrolled_certificate(&row)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action: "company.ksef_certificate_enrolled",
                detail: &format!("serial={serial} type={}", request.kind.as_str()),
            })
        })?;
        tracing::info!(company_id, %serial, "KSeF certificate enrolled");
        if request.use_to_sign_in {
            on_step(EnrollmentStep::SigningIn);
            self.sign_in_with_ksef_certificate(company_id, &serial, cancel)
                .await?;
        }
        Ok(serial)
    }

    /// Enrols a new certificate of the same type and name as `serial` before it ends;
    /// if the company signs in with the old one, it moves to the new one.
    pub async fn renew_ksef_certificate(
        &self,
        company_id: i64,
        serial: &str,
        on_step: &(dyn Fn(EnrollmentStep) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<String> {
        let listed = self.ksef_certificates(company_id, cancel).await?;
        let old = listed
            .certificates
            .into_iter()
            .find(|c| c.serial == serial)
            .ok_or(CoreError::NotFound {
                entity: "KSeF certificate",
                id: 0,
            })?;
        // A type this app does not know cannot be enrolled again from here.
        let kind = old.kind.ok_or(CoreError::KsefCertificateCannotSignIn)?;
        self.enroll_ksef_certificate(
            company_id,
            &KsefEnrollment {
                name: old.name,
                kind,
                use_to_sign_in: old.used_by_this_app,
            },
            on_step,
            cancel,
        )
        .await
    }

    /// Makes an `Authentication` certificate the app enrolled the company's sign-in
    /// credential: signs in with it for real first, and only then replaces the old
    /// certificate (whose key is kept until this succeeds).
    pub async fn sign_in_with_ksef_certificate(
        &self,
        company_id: i64,
        serial: &str,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let now = self.clock().now();
        self.store()
            .write(|tx| Ok(authorize(tx, now, company_id, Role::Admin).map(|_| ())))??;
        let (company, enrolled) = self.store().read(|tx| {
            Ok((
                tx.company(company_id)?,
                tx.enrolled_certificates(company_id)?,
            ))
        })?;
        let row = enrolled
            .into_iter()
            .find(|c| c.serial == serial && c.kind == EnrolledKind::Authentication)
            .ok_or(CoreError::NotFound {
                entity: "KSeF certificate",
                id: 0,
            })?;
        let nip = Nip::parse(&company.nip)?;
        let vault_key = VaultKey::new(nip, company.ksef_environment);
        let vault = Arc::clone(self.vault_arc());
        let (entry_key, entry) = (vault_key.clone(), serial.to_owned());
        let key = run_blocking(move || vault.load_enrolled_key(&entry_key, &entry))
            .await?
            .ok_or(CoreError::NotConnected { company_id })?;
        let credential = Arc::new(SigningCredential::from_parts(&row.der, &key).map_err(|e| {
            CoreError::Internal {
                detail: format!("the enrolled certificate does not fit its key: {e}"),
            }
        })?);
        let client = self
            .signed_in_client(
                &company,
                SavedCredentials::Certificate(Arc::clone(&credential)),
                interactive_config(),
                cancel,
            )
            .await?;
        if let Err(error) = client.logout(cancel).await {
            tracing::debug!(%error, "ending the test authentication failed");
        }
        let vault = Arc::clone(self.vault_arc());
        let der = credential.private_key_pkcs8_der();
        run_blocking(move || vault.save_private_key(&vault_key, &der)).await?;
        let stored = super::import::stored(
            credential.certificate(),
            desk_store::CertificateSource::Ksef,
        );
        self.store().write(|tx| {
            tx.set_company_certificate(company_id, &stored, now)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action: "company.certificate_set",
                detail: &format!("ksef_serial={serial}"),
            })
        })?;
        tracing::info!(company_id, %serial, "company signs in with its new KSeF certificate");
        Ok(())
    }

    /// Revokes one of the signed-in person's KSeF certificates (administrators only).
    /// Revoking the one the app signs in with disconnects the company. Returns whether
    /// it was that one.
    pub async fn revoke_ksef_certificate(
        &self,
        company_id: i64,
        serial: &str,
        cancel: &CancellationToken,
    ) -> Result<bool> {
        let session = self.certificate_session(company_id, cancel).await?;
        session
            .client
            .revoke_certificate(serial, None, cancel)
            .await
            .map_err(|e| from_ksef(e, &session.nip))?;
        let was_own = session
            .own_serial
            .as_deref()
            .is_some_and(|own| same_serial(own, serial));
        let now = self.clock().now();
        self.store().write(|tx| {
            tx.remove_enrolled_certificate(company_id, serial)?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action: "company.ksef_certificate_revoked",
                detail: &format!("serial={serial}"),
            })
        })?;
        self.delete_enrolled_key(&session.vault_key, serial).await?;
        tracing::info!(company_id, %serial, was_own, "KSeF certificate revoked");
        if was_own {
            self.disconnect(company_id)?;
        }
        Ok(was_own)
    }

    async fn enroll_and_retrieve(
        &self,
        client: &KsefClient,
        nip: &Nip,
        request: &KsefEnrollment,
        csr_der: Vec<u8>,
        on_step: &(dyn Fn(EnrollmentStep) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>> {
        let nip_error = |e| from_ksef(e, nip);
        let reference = client
            .enroll_certificate(
                &CertificateEnrollment {
                    name: request.name.clone(),
                    kind: match request.kind {
                        EnrolledKind::Authentication => CertificateType::Authentication,
                        EnrolledKind::Offline => CertificateType::Offline,
                    },
                    csr_der,
                    valid_from: None,
                },
                cancel,
            )
            .await
            .map_err(nip_error)?;
        on_step(EnrollmentStep::Waiting);
        let serial = client
            .wait_for_enrollment(&reference, cancel)
            .await
            .map_err(nip_error)?;
        on_step(EnrollmentStep::Retrieving);
        let retrieved = client
            .retrieve_certificates(std::slice::from_ref(&serial), cancel)
            .await
            .map_err(nip_error)?;
        retrieved
            .into_iter()
            .find(|c| c.serial_number == serial)
            .map(|c| c.der)
            .ok_or_else(|| CoreError::KsefFailed {
                detail: format!("KSeF issued certificate {serial} but did not return it"),
            })
    }

    /// Signs in as the company's administrator; what certificate operations need.
    async fn certificate_session(
        &self,
        company_id: i64,
        cancel: &CancellationToken,
    ) -> Result<CertificateSession> {
        let now = self.clock().now();
        self.store()
            .write(|tx| Ok(authorize(tx, now, company_id, Role::Admin).map(|_| ())))??;
        let company = self.store().read(|tx| tx.company(company_id))?;
        let nip = Nip::parse(&company.nip)?;
        let credentials = self.saved_credentials(&company).await?;
        let own_serial = match &credentials {
            SavedCredentials::Certificate(credential) => {
                Some(credential.certificate().serial_hex.clone())
            }
            SavedCredentials::Token(_) => None,
        };
        let client = self
            .signed_in_client(&company, credentials, interactive_config(), cancel)
            .await?;
        Ok(CertificateSession {
            client,
            signs_in_with_certificate: own_serial.is_some(),
            own_serial,
            vault_key: VaultKey::new(nip.clone(), company.ksef_environment),
            nip,
        })
    }

    async fn save_enrolled_key(&self, key: &VaultKey, entry: &str, der: &[u8]) -> Result<()> {
        let vault = Arc::clone(self.vault_arc());
        let (key, entry, der) = (
            key.clone(),
            entry.to_owned(),
            zeroize::Zeroizing::new(der.to_vec()),
        );
        Ok(run_blocking(move || vault.save_enrolled_key(&key, &entry, &der)).await?)
    }

    async fn delete_enrolled_key(&self, key: &VaultKey, entry: &str) -> Result<bool> {
        let vault = Arc::clone(self.vault_arc());
        let (key, entry) = (key.clone(), entry.to_owned());
        Ok(run_blocking(move || vault.delete_enrolled_key(&key, &entry)).await?)
    }
}

/// Removes a pending enrolment's key from the keychain when dropped (on the blocking
/// pool: the keychain may block).
struct PendingKey {
    vault: Arc<dyn crate::vault::TokenVault>,
    key: VaultKey,
    entry: String,
}

impl Drop for PendingKey {
    fn drop(&mut self) {
        let (vault, key, entry) = (
            Arc::clone(&self.vault),
            self.key.clone(),
            std::mem::take(&mut self.entry),
        );
        let remove = move || {
            if let Err(error) = vault.delete_enrolled_key(&key, &entry) {
                tracing::warn!(%error, "removing a pending enrolment's key failed");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(remove)),
            Err(_) => remove(),
        }
    }
}

struct CertificateSession {
    client: KsefClient,
    nip: Nip,
    vault_key: VaultKey,
    /// The serial of the certificate the company signs in with (certificate sign-in).
    own_serial: Option<String>,
    signs_in_with_certificate: bool,
}

/// KSeF writes serials as 16 hex digits; a certificate's DER may carry a leading zero
/// byte: compare the numbers, not the spellings.
fn same_serial(a: &str, b: &str) -> bool {
    a.trim_start_matches('0')
        .eq_ignore_ascii_case(b.trim_start_matches('0'))
}

/// KSeF's rule for `certificateName`: 5..100 letters, digits, `_`, `-`, spaces.
fn check_name(name: &str) -> Result<()> {
    let length = name.chars().count();
    let allowed = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '));
    if (5..=100).contains(&length) && allowed {
        Ok(())
    } else {
        Err(CoreError::KsefCertificateNameInvalid)
    }
}

fn item(
    certificate: KsefCertificate,
    own_serial: Option<&str>,
    enrolled: &[EnrolledCertificate],
) -> KsefCertificateItem {
    let serial = certificate.certificate_serial_number;
    KsefCertificateItem {
        used_by_this_app: own_serial.is_some_and(|own| same_serial(own, &serial)),
        key_in_app: enrolled.iter().any(|e| same_serial(&e.serial, &serial)),
        kind: match certificate.kind {
            CertificateType::Authentication => Some(EnrolledKind::Authentication),
            CertificateType::Offline => Some(EnrolledKind::Offline),
            CertificateType::Other => None,
        },
        state: match certificate.status {
            CertificateStatus::Active => KsefCertificateState::Active,
            CertificateStatus::Blocked => KsefCertificateState::Blocked,
            CertificateStatus::Revoked => KsefCertificateState::Revoked,
            CertificateStatus::Expired => KsefCertificateState::Expired,
            CertificateStatus::Other => KsefCertificateState::Unknown,
        },
        name: certificate.name,
        valid_from: certificate.valid_from,
        valid_to: certificate.valid_to,
        last_used_at: certificate.last_use_date,
        serial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_compare_as_numbers_in_any_case() {
        assert!(same_serial("00A1B2", "a1b2"));
        assert!(!same_serial("A1B2", "A1B3"));
    }

    #[test]
    fn names_follow_ksefs_rule() {
        assert!(check_name("Laptop księgowej-1").is_ok());
        assert!(check_name("abcd").is_err());
        assert!(check_name("zły/znak").is_err());
        assert!(check_name(&"a".repeat(101)).is_err());
    }
}
