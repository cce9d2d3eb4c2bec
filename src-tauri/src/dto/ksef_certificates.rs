//! Settings → "KSeF certificates": what the panel shows and sends. No key ever crosses.

use desk_core::{
    KsefCertificateItem, KsefCertificateKind, KsefCertificateState, KsefCertificates,
    KsefEnrollment,
};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum KsefCertificateKindDto {
    Authentication,
    Offline,
}

impl From<KsefCertificateKind> for KsefCertificateKindDto {
    fn from(kind: KsefCertificateKind) -> Self {
        match kind {
            KsefCertificateKind::Authentication => KsefCertificateKindDto::Authentication,
            KsefCertificateKind::Offline => KsefCertificateKindDto::Offline,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum KsefCertificateStateDto {
    Active,
    Blocked,
    Revoked,
    Expired,
    Unknown,
}

/// One of the company's KSeF certificates.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KsefCertificateDto {
    pub serial: String,
    pub name: String,
    /// `null`: a type this app does not know.
    pub kind: Option<KsefCertificateKindDto>,
    pub state: KsefCertificateStateDto,
    /// RFC 3339.
    pub valid_from: String,
    pub valid_to: String,
    pub last_used_at: Option<String>,
    pub used_by_this_app: bool,
    pub key_in_app: bool,
}

/// The list with KSeF's limits.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KsefCertificatesDto {
    pub certificates: Vec<KsefCertificateDto>,
    pub can_request: bool,
    pub enrollment_limit: i32,
    pub enrollment_remaining: i32,
    pub certificate_limit: i32,
    pub certificate_remaining: i32,
    /// The company signs in with a certificate, so KSeF allows enrolment.
    pub can_enroll: bool,
}

impl From<KsefCertificates> for KsefCertificatesDto {
    fn from(list: KsefCertificates) -> Self {
        KsefCertificatesDto {
            certificates: list.certificates.into_iter().map(item).collect(),
            can_request: list.limits.can_request,
            enrollment_limit: list.limits.enrollment_limit,
            enrollment_remaining: list.limits.enrollment_remaining,
            certificate_limit: list.limits.certificate_limit,
            certificate_remaining: list.limits.certificate_remaining,
            can_enroll: list.can_enroll,
        }
    }
}

fn item(c: KsefCertificateItem) -> KsefCertificateDto {
    KsefCertificateDto {
        kind: c.kind.map(KsefCertificateKindDto::from),
        state: match c.state {
            KsefCertificateState::Active => KsefCertificateStateDto::Active,
            KsefCertificateState::Blocked => KsefCertificateStateDto::Blocked,
            KsefCertificateState::Revoked => KsefCertificateStateDto::Revoked,
            KsefCertificateState::Expired => KsefCertificateStateDto::Expired,
            KsefCertificateState::Unknown => KsefCertificateStateDto::Unknown,
        },
        valid_from: c.valid_from.to_rfc3339(),
        valid_to: c.valid_to.to_rfc3339(),
        last_used_at: c.last_used_at.map(|at| at.to_rfc3339()),
        used_by_this_app: c.used_by_this_app,
        key_in_app: c.key_in_app,
        serial: c.serial,
        name: c.name,
    }
}

/// What to enrol.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KsefEnrollmentDto {
    pub name: String,
    pub kind: KsefCertificateKindDto,
    pub use_to_sign_in: bool,
}

impl From<KsefEnrollmentDto> for KsefEnrollment {
    fn from(dto: KsefEnrollmentDto) -> Self {
        KsefEnrollment {
            name: dto.name,
            kind: match dto.kind {
                KsefCertificateKindDto::Authentication => KsefCertificateKind::Authentication,
                KsefCertificateKindDto::Offline => KsefCertificateKind::Offline,
            },
            use_to_sign_in: dto.use_to_sign_in,
        }
    }
}
