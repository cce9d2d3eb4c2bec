//! KSeF certificates (`/certificates/*`, certyfikaty-KSeF.md) and the signed-in subject's
//! own permissions (`POST /permissions/query/personal/grants`, uprawnienia.md).
//!
//! Certificate operations concern the authenticated subject (the person or entity that
//! signed in), not the context. KSeF gives enrolment data and accepts an enrolment only
//! after a XAdES sign-in (25001 / 25002 after a token sign-in). Enrolment: read
//! [`KsefClient::certificate_enrollment_data`], build a CSR with exactly that subject
//! (`ksef_xades::new_p256_key` + `ksef_xades::build_csr` with
//! [`EnrollmentData::subject_attributes`]), [`KsefClient::enroll_certificate`],
//! [`KsefClient::wait_for_enrollment`], [`KsefClient::retrieve_certificates`].
//!
//! A certificate carries no rights: what the signed-in person may do in the company's
//! context is [`KsefClient::personal_permissions`].

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::auth::sleep;
use crate::client::{Call, KsefClient};
use crate::crypto;
use crate::error::{KsefError, Result};
use crate::limiter::EndpointGroup;
use crate::model::StatusInfo;
use crate::tokens::TypedIdentifier;

/// The type of a KSeF certificate (`KsefCertificateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateType {
    /// Signs in to KSeF (XAdES).
    Authentication,
    /// Signs offline invoices' QR code II; cannot sign in.
    Offline,
    /// A type this client does not know yet.
    #[serde(other)]
    Other,
}

/// One limit (`CertificateLimit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateLimit {
    /// The maximum.
    pub limit: i32,
    /// What is left.
    pub remaining: i32,
}

/// The subject's certificate limits (`CertificateLimitsResponse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLimits {
    /// Whether an enrolment would be accepted now.
    pub can_request: bool,
    /// Enrolments.
    pub enrollment: CertificateLimit,
    /// Certificates held.
    pub certificate: CertificateLimit,
}

/// The subject a new certificate must carry (`CertificateEnrollmentDataResponse`), read
/// from the certificate used to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentData {
    /// commonName (2.5.4.3).
    pub common_name: String,
    /// countryName (2.5.4.6).
    pub country_name: String,
    /// givenName (2.5.4.42).
    #[serde(default)]
    pub given_name: Option<String>,
    /// surname (2.5.4.4).
    #[serde(default)]
    pub surname: Option<String>,
    /// serialNumber (2.5.4.5), e.g. `PNOPL-…`.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// uniqueIdentifier (2.5.4.45).
    #[serde(default)]
    pub unique_identifier: Option<String>,
    /// organizationName (2.5.4.10).
    #[serde(default)]
    pub organization_name: Option<String>,
    /// organizationIdentifier (2.5.4.97), e.g. `VATPL-…`.
    #[serde(default)]
    pub organization_identifier: Option<String>,
}

impl EnrollmentData {
    /// The CSR subject `(OID, value)`: exactly these attributes, nothing added — KSeF
    /// refuses a CSR whose subject differs (25003).
    pub fn subject_attributes(&self) -> Vec<(String, String)> {
        let optional = [
            ("2.5.4.42", &self.given_name),
            ("2.5.4.4", &self.surname),
            ("2.5.4.5", &self.serial_number),
            ("2.5.4.45", &self.unique_identifier),
            ("2.5.4.10", &self.organization_name),
            ("2.5.4.97", &self.organization_identifier),
        ];
        let mut out = vec![("2.5.4.3".to_owned(), self.common_name.clone())];
        out.extend(
            optional
                .into_iter()
                .filter_map(|(oid, v)| v.as_ref().map(|v| (oid.to_owned(), v.clone()))),
        );
        out.push(("2.5.4.6".to_owned(), self.country_name.clone()));
        out
    }
}

/// A certificate enrolment (`EnrollCertificateRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEnrollment {
    /// A name for the user: 5..100 letters, digits, `_`, `-`, spaces.
    pub name: String,
    /// The type.
    pub kind: CertificateType,
    /// The PKCS#10 CSR, DER.
    pub csr_der: Vec<u8>,
    /// Start of validity (`None`: from issuance).
    pub valid_from: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnrollCertificateRequestWire<'a> {
    certificate_name: &'a str,
    certificate_type: CertificateType,
    csr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_from: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrollCertificateResponseWire {
    reference_number: String,
}

/// An enrolment's state (`CertificateEnrollmentStatusResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentStatus {
    /// When it was filed.
    pub request_date: DateTime<Utc>,
    /// 100 in progress, 200 issued, 400 refused, 500/550 failed.
    pub status: StatusInfo,
    /// The new certificate's serial number (status 200).
    #[serde(default)]
    pub certificate_serial_number: Option<String>,
}

/// A retrieved certificate (`RetrieveCertificatesListItem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrievedCertificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its name.
    pub name: String,
    /// Its serial number (16 hex digits).
    pub serial_number: String,
    /// Its type.
    pub kind: CertificateType,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrievedWire {
    certificate: String,
    certificate_name: String,
    certificate_serial_number: String,
    certificate_type: CertificateType,
}

#[derive(Deserialize)]
struct RetrieveResponseWire {
    certificates: Vec<RetrievedWire>,
}

/// A certificate's state (`CertificateListItemStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateStatus {
    /// Usable.
    Active,
    /// Blocked by KSeF.
    Blocked,
    /// Revoked by its owner.
    Revoked,
    /// Past its validity.
    Expired,
    /// A state this client does not know yet.
    #[serde(other)]
    Other,
}

/// Filters of [`KsefClient::query_certificates`] (`QueryCertificatesRequest`); all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateQuery {
    /// One serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_serial_number: Option<String>,
    /// Part of the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<CertificateType>,
    /// The state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CertificateStatus>,
    /// Only certificates valid beyond this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<DateTime<Utc>>,
}

/// One of the subject's KSeF certificates (`CertificateListItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KsefCertificate {
    /// Serial number (16 hex digits).
    pub certificate_serial_number: String,
    /// Name given at enrolment.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: CertificateType,
    /// commonName of its subject.
    pub common_name: String,
    /// State.
    pub status: CertificateStatus,
    /// Whose it is (`Nip`, `Pesel` or `Fingerprint`).
    pub subject_identifier: TypedIdentifier,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (renew before it).
    pub valid_to: DateTime<Utc>,
    /// Last sign-in with it.
    #[serde(default)]
    pub last_use_date: Option<DateTime<Utc>>,
    /// When it was requested.
    pub request_date: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryCertificatesResponseWire {
    certificates: Vec<KsefCertificate>,
    has_more: bool,
}

/// Why a certificate is revoked (`CertificateRevocationReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevocationReason {
    /// No reason given.
    Unspecified,
    /// Replaced by a new one.
    Superseded,
    /// The private key leaked.
    KeyCompromise,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevokeWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_reason: Option<RevocationReason>,
}

/// A right the signed-in subject holds (`PersonalPermissionScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PermissionScope {
    /// Manage permissions and credentials.
    CredentialsManage,
    /// Read permissions and credentials.
    CredentialsRead,
    /// Issue invoices.
    InvoiceWrite,
    /// Read invoices.
    InvoiceRead,
    /// Read session history.
    Introspection,
    /// Manage subunits.
    SubunitManage,
    /// Enforcement operations.
    EnforcementOperations,
    /// Manage permissions of an EU entity.
    VatUeManage,
    /// A right this client does not know yet.
    #[serde(other)]
    Other,
}

/// One of the signed-in subject's permissions (`PersonalPermission`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalPermission {
    /// Its id.
    pub id: String,
    /// The context it applies to.
    #[serde(default)]
    pub context_identifier: Option<TypedIdentifier>,
    /// Who holds it.
    #[serde(default)]
    pub authorized_identifier: Option<TypedIdentifier>,
    /// The right.
    pub permission_scope: PermissionScope,
    /// Description.
    pub description: String,
    /// `Active` or `Inactive`.
    pub permission_state: String,
    /// Since when.
    pub start_date: DateTime<Utc>,
    /// Whether it may be passed on.
    pub can_delegate: bool,
}

#[derive(Deserialize)]
struct PersonalPermissionsWire {
    permissions: Vec<PersonalPermission>,
    #[serde(rename = "hasMore")]
    has_more: bool,
}

/// Pages are followed up to this many, so a misbehaving server cannot loop us forever.
const MAX_PAGES: u32 = 1000;

impl KsefClient {
    /// `GET /certificates/limits`.
    pub async fn certificate_limits(
        &self,
        cancel: &CancellationToken,
    ) -> Result<CertificateLimits> {
        let call = Call::new(
            "certificates.limits",
            Method::GET,
            self.inner.url("certificates/limits")?,
            EndpointGroup::Other,
        );
        self.inner.call_json(call, cancel).await
    }

    /// `GET /certificates/enrollments/data` (after a XAdES sign-in only; 25001 otherwise).
    pub async fn certificate_enrollment_data(
        &self,
        cancel: &CancellationToken,
    ) -> Result<EnrollmentData> {
        let call = Call::new(
            "certificates.enrollment_data",
            Method::GET,
            self.inner.url("certificates/enrollments/data")?,
            EndpointGroup::Other,
        );
        self.inner.call_json(call, cancel).await
    }

    /// `POST /certificates/enrollments`: returns the enrolment's reference number. Not
    /// repeated after an ambiguous failure (it counts against the enrolment limit).
    pub async fn enroll_certificate(
        &self,
        enrollment: &CertificateEnrollment,
        cancel: &CancellationToken,
    ) -> Result<String> {
        let body = EnrollCertificateRequestWire {
            certificate_name: &enrollment.name,
            certificate_type: enrollment.kind,
            csr: crypto::b64(&enrollment.csr_der),
            valid_from: enrollment.valid_from,
        };
        let call = Call::new(
            "certificates.enroll",
            Method::POST,
            self.inner.url("certificates/enrollments")?,
            EndpointGroup::Other,
        )
        .idempotent(false)
        .json(&body)?;
        let r: EnrollCertificateResponseWire = self.inner.call_json(call, cancel).await?;
        Ok(r.reference_number)
    }

    /// `GET /certificates/enrollments/{referenceNumber}`.
    pub async fn certificate_enrollment_status(
        &self,
        reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<EnrollmentStatus> {
        let call = Call::new(
            "certificates.enrollment_status",
            Method::GET,
            self.inner
                .url(&format!("certificates/enrollments/{reference_number}"))?,
            EndpointGroup::Other,
        );
        self.inner.call_json(call, cancel).await
    }

    /// Polls an enrolment until the certificate is issued; returns its serial number.
    /// A refusal is [`KsefError::EnrollmentFailed`]; giving up after
    /// `PollPolicy::session_timeout` is [`KsefError::WaitTimeout`].
    pub async fn wait_for_enrollment(
        &self,
        reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<String> {
        let started = Instant::now();
        let mut delay = self.inner.config.poll.initial;
        loop {
            let s = self
                .certificate_enrollment_status(reference_number, cancel)
                .await?;
            match (s.status.code, s.certificate_serial_number) {
                (100, _) => {}
                (200, Some(serial)) => return Ok(serial),
                _ => {
                    return Err(KsefError::EnrollmentFailed {
                        reference_number: reference_number.to_owned(),
                        status: s.status.to_detail(),
                    })
                }
            }
            if started.elapsed() >= self.inner.config.poll.session_timeout {
                return Err(KsefError::WaitTimeout {
                    what: "certificate enrolment",
                    after: started.elapsed(),
                });
            }
            sleep(delay, cancel).await?;
            delay = (delay * 2).min(self.inner.config.poll.max);
        }
    }

    /// `POST /certificates/retrieve`: up to 10 of the subject's certificates by serial
    /// number (unknown ones are left out).
    pub async fn retrieve_certificates(
        &self,
        serial_numbers: &[String],
        cancel: &CancellationToken,
    ) -> Result<Vec<RetrievedCertificate>> {
        let call = Call::new(
            "certificates.retrieve",
            Method::POST,
            self.inner.url("certificates/retrieve")?,
            EndpointGroup::Other,
        )
        .idempotent(true)
        .json(&serde_json::json!({"certificateSerialNumbers": serial_numbers}))?;
        let r: RetrieveResponseWire = self.inner.call_json(call, cancel).await?;
        r.certificates
            .into_iter()
            .map(|c| {
                Ok(RetrievedCertificate {
                    der: crypto::b64_decode(&c.certificate)?,
                    name: c.certificate_name,
                    serial_number: c.certificate_serial_number,
                    kind: c.certificate_type,
                })
            })
            .collect()
    }

    /// `POST /certificates/query`: every matching certificate of the subject, following
    /// the pages.
    pub async fn query_certificates(
        &self,
        query: &CertificateQuery,
        cancel: &CancellationToken,
    ) -> Result<Vec<KsefCertificate>> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let mut url = self.inner.url("certificates/query")?;
            url.query_pairs_mut()
                .append_pair("pageSize", "50")
                .append_pair("pageOffset", &page.to_string());
            let call = Call::new(
                "certificates.query",
                Method::POST,
                url,
                EndpointGroup::Other,
            )
            .idempotent(true)
            .json(query)?;
            let r: QueryCertificatesResponseWire = self.inner.call_json(call, cancel).await?;
            out.extend(r.certificates);
            if !r.has_more {
                break;
            }
        }
        Ok(out)
    }

    /// `POST /certificates/{serial}/revoke`: the certificate signs in no more.
    pub async fn revoke_certificate(
        &self,
        serial_number: &str,
        reason: Option<RevocationReason>,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let call = Call::new(
            "certificates.revoke",
            Method::POST,
            self.inner
                .url(&format!("certificates/{serial_number}/revoke"))?,
            EndpointGroup::Other,
        )
        .idempotent(false)
        .json(&RevokeWire {
            revocation_reason: reason,
        })?;
        self.inner.send(&call, cancel).await.map(|_| ())
    }

    /// `POST /permissions/query/personal/grants`: what the signed-in subject may do in
    /// the current context (active permissions, every page).
    pub async fn personal_permissions(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Vec<PersonalPermission>> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let mut url = self.inner.url("permissions/query/personal/grants")?;
            url.query_pairs_mut()
                .append_pair("pageSize", "100")
                .append_pair("pageOffset", &page.to_string());
            let call = Call::new(
                "permissions.personal",
                Method::POST,
                url,
                EndpointGroup::Other,
            )
            .idempotent(true)
            .json(&serde_json::json!({"permissionState": "Active"}))?;
            let r: PersonalPermissionsWire = self.inner.call_json(call, cancel).await?;
            out.extend(r.permissions);
            if !r.has_more {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csr_subject_is_exactly_the_enrolment_data() {
        let data: EnrollmentData = serde_json::from_value(serde_json::json!({
            "commonName": "Firma Kowalski Certyfikat",
            "countryName": "PL",
            "organizationName": "Firma Kowalski Sp. z o.o.",
            "organizationIdentifier": "7762811692",
            "givenName": null
        }))
        .unwrap();
        assert_eq!(
            data.subject_attributes(),
            vec![
                ("2.5.4.3".to_owned(), "Firma Kowalski Certyfikat".to_owned()),
                (
                    "2.5.4.10".to_owned(),
                    "Firma Kowalski Sp. z o.o.".to_owned()
                ),
                ("2.5.4.97".to_owned(), "7762811692".to_owned()),
                ("2.5.4.6".to_owned(), "PL".to_owned()),
            ]
        );
    }

    #[test]
    fn unknown_types_states_and_scopes_do_not_break_lists() {
        let item: KsefCertificate = serde_json::from_value(serde_json::json!({
            "certificateSerialNumber": "018209160C631F1E", "name": "Certyfikat 1",
            "type": "Seal", "commonName": "Jan Kowalski", "status": "Suspended",
            "subjectIdentifier": {"type": "Nip", "value": "1234445678"},
            "validFrom": "2025-08-24T14:15:22+00:00", "validTo": "2027-08-24T14:15:22+00:00",
            "requestDate": "2025-08-24T14:15:22+00:00"
        }))
        .unwrap();
        assert_eq!(item.kind, CertificateType::Other);
        assert_eq!(item.status, CertificateStatus::Other);
        let scope: PermissionScope = serde_json::from_value(serde_json::json!("New")).unwrap();
        assert_eq!(scope, PermissionScope::Other);
    }
}
