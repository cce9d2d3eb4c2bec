//! Wire types of KSeF API 2.0, field names exactly as `open-api.json`
//! (`components/schemas`). Request types are unit-tested against the spec's JSON schemas.
//! Optional request fields are omitted when `None`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------ common

/// `StatusInfo` (also `InvoiceStatusInfo`, which adds `extensions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusInfo {
    /// Status code.
    pub code: i32,
    /// Description (Polish).
    pub description: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
    /// Extensions (invoice status only), e.g. `originalKsefNumber` for duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, Option<String>>>,
}

impl StatusInfo {
    pub(crate) fn to_detail(&self) -> crate::error::StatusDetail {
        crate::error::StatusDetail {
            code: self.code,
            description: self.description.clone(),
            details: self.details.clone().unwrap_or_default(),
        }
    }
}

/// `TokenInfo` as received. The token is wrapped immediately into a secret by the auth layer.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenInfoWire {
    pub token: String,
    pub valid_until: DateTime<Utc>,
}

impl std::fmt::Debug for TokenInfoWire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenInfo")
            .field("token", &"[redacted]")
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

/// `FormCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCode {
    /// e.g. `FA (3)`.
    pub system_code: String,
    /// e.g. `1-0E`.
    pub schema_version: String,
    /// e.g. `FA`.
    pub value: String,
}

impl FormCode {
    /// FA (3) / 1-0E / FA — the structured invoice of KSeF 2.0.
    pub fn fa3() -> Self {
        Self {
            system_code: "FA (3)".into(),
            schema_version: "1-0E".into(),
            value: "FA".into(),
        }
    }
}

/// `EncryptionInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionInfo {
    /// Base64 RSA-OAEP-SHA256 wrapped AES-256 key.
    pub encrypted_symmetric_key: String,
    /// Base64 16-byte IV.
    pub initialization_vector: String,
    /// Optional `publicKeyId` (44 chars base64) of the MF key used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
}

/// `CompressionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CompressionType {
    /// ZIP (default).
    #[default]
    Zip,
    /// tar.gz.
    TarGz,
}

/// `InvoicingMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoicingMode {
    /// Online.
    Online,
    /// Offline.
    Offline,
}

// ------------------------------------------------------------------ security

/// `PublicKeyCertificateUsage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PublicKeyCertificateUsage {
    /// For the KSeF token in auth.
    KsefTokenEncryption,
    /// For session / export symmetric keys.
    SymmetricKeyEncryption,
    /// Unknown future usage.
    #[serde(other)]
    Other,
}

/// `PublicKeyCertificate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCertificate {
    /// Base64 DER X.509.
    pub certificate: String,
    /// Certificate id.
    pub certificate_id: String,
    /// Key id (may be echoed as `publicKeyId`).
    pub public_key_id: String,
    /// Validity start.
    pub valid_from: DateTime<Utc>,
    /// Validity end.
    pub valid_to: DateTime<Utc>,
    /// Usages.
    pub usage: Vec<PublicKeyCertificateUsage>,
}

// ------------------------------------------------------------------ auth

/// `AuthenticationChallengeResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationChallengeResponse {
    /// 36-char challenge.
    pub challenge: String,
    /// Time of generation.
    pub timestamp: DateTime<Utc>,
    /// Same, Unix ms (goes into `token|timestampMs`).
    pub timestamp_ms: i64,
    /// The client IP as seen by KSeF.
    pub client_ip: String,
}

/// `AuthenticationContextIdentifierType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContextIdentifierType {
    /// NIP.
    Nip,
    /// Internal id.
    InternalId,
    /// NIP-VAT UE.
    NipVatUe,
    /// Peppol id.
    PeppolId,
}

/// `AuthenticationContextIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextIdentifier {
    /// Type.
    #[serde(rename = "type")]
    pub kind: ContextIdentifierType,
    /// Value.
    pub value: String,
}

impl ContextIdentifier {
    /// A NIP context.
    pub fn nip(nip: impl Into<String>) -> Self {
        Self {
            kind: ContextIdentifierType::Nip,
            value: nip.into(),
        }
    }
}

/// `AllowedIps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AllowedIps {
    /// Single IPv4 addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_addresses: Option<Vec<String>>,
    /// `a.b.c.d-e.f.g.h` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_ranges: Option<Vec<String>>,
    /// CIDR masks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_masks: Option<Vec<String>>,
}

/// `AuthorizationPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// Allowed IPs for the access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ips: Option<AllowedIps>,
}

/// `InitTokenAuthenticationRequest`.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitTokenAuthenticationRequest {
    /// Challenge from `/auth/challenge`.
    pub challenge: String,
    /// Context.
    pub context_identifier: ContextIdentifier,
    /// Base64 RSA-OAEP(`token|timestampMs`). Ciphertext only, never the token.
    pub encrypted_token: String,
    /// Optional key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
    /// Optional IP policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_policy: Option<AuthorizationPolicy>,
}

impl std::fmt::Debug for InitTokenAuthenticationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitTokenAuthenticationRequest")
            .field("context_identifier", &self.context_identifier)
            .finish_non_exhaustive()
    }
}

/// `AuthenticationInitResponse` (wire form; the token becomes a secret right away).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthenticationInitResponseWire {
    pub reference_number: String,
    pub authentication_token: TokenInfoWire,
}

/// `AuthenticationMethodInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationMethodInfo {
    /// Category.
    pub category: String,
    /// Code.
    pub code: String,
    /// Display name.
    pub display_name: String,
}

/// `AuthenticationOperationStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationOperationStatusResponse {
    /// Start.
    pub start_date: DateTime<Utc>,
    /// Deprecated method name.
    #[serde(default)]
    pub authentication_method: Option<String>,
    /// Method info.
    #[serde(default)]
    pub authentication_method_info: Option<AuthenticationMethodInfo>,
    /// Status: 100 in progress, 200 ok, 4xx/5xx failures.
    pub status: StatusInfo,
    /// Whether tokens were redeemed.
    #[serde(default)]
    pub is_token_redeemed: Option<bool>,
    /// Last refresh.
    #[serde(default)]
    pub last_token_refresh_date: Option<DateTime<Utc>>,
    /// Refresh token validity.
    #[serde(default)]
    pub refresh_token_valid_until: Option<DateTime<Utc>>,
}

/// `AuthenticationTokensResponse` (wire form).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthenticationTokensResponseWire {
    pub access_token: TokenInfoWire,
    pub refresh_token: TokenInfoWire,
}

/// `AuthenticationTokenRefreshResponse` (wire form).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthenticationTokenRefreshResponseWire {
    pub access_token: TokenInfoWire,
}

// ------------------------------------------------------------------ sessions

/// `OpenOnlineSessionRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionRequest {
    /// Form code.
    pub form_code: FormCode,
    /// Wrapped key + IV.
    pub encryption: EncryptionInfo,
}

/// `OpenOnlineSessionResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionResponse {
    /// Session reference number.
    pub reference_number: String,
    /// Auto-close time.
    pub valid_until: DateTime<Utc>,
}

/// `SendInvoiceRequest`.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceRequest {
    /// Base64 SHA-256 of the plain XML.
    pub invoice_hash: String,
    /// Plain size in bytes.
    pub invoice_size: u64,
    /// Base64 SHA-256 of the ciphertext.
    pub encrypted_invoice_hash: String,
    /// Ciphertext size.
    pub encrypted_invoice_size: u64,
    /// Base64 ciphertext (AES-256-CBC/PKCS#7).
    pub encrypted_invoice_content: String,
    /// Offline mode declaration.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub offline_mode: bool,
    /// For technical corrections of a rejected offline invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<String>,
}

impl std::fmt::Debug for SendInvoiceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendInvoiceRequest")
            .field("invoice_hash", &self.invoice_hash)
            .field("invoice_size", &self.invoice_size)
            .field("encrypted_invoice_size", &self.encrypted_invoice_size)
            .field("offline_mode", &self.offline_mode)
            .finish_non_exhaustive()
    }
}

/// `SendInvoiceResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceResponse {
    /// Invoice reference number.
    pub reference_number: String,
}

/// `SessionInvoiceStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoiceStatusResponse {
    /// Ordinal in session.
    pub ordinal_number: i32,
    /// Invoice number (P_2) when readable.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// KSeF number once accepted.
    #[serde(default)]
    pub ksef_number: Option<String>,
    /// Invoice reference number.
    pub reference_number: String,
    /// Base64 SHA-256 of the invoice.
    pub invoice_hash: String,
    /// File name (batch).
    #[serde(default)]
    pub invoice_file_name: Option<String>,
    /// KSeF number assignment time.
    #[serde(default)]
    pub acquisition_date: Option<DateTime<Utc>>,
    /// Receipt time.
    pub invoicing_date: DateTime<Utc>,
    /// Durable storage time.
    #[serde(default)]
    pub permanent_storage_date: Option<DateTime<Utc>>,
    /// Pre-signed UPO URL.
    #[serde(default)]
    pub upo_download_url: Option<String>,
    /// Its expiry.
    #[serde(default)]
    pub upo_download_url_expiration_date: Option<DateTime<Utc>>,
    /// Online / Offline.
    #[serde(default)]
    pub invoicing_mode: Option<InvoicingMode>,
    /// Status.
    pub status: StatusInfo,
}

/// `SessionInvoicesResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoicesResponse {
    /// Next page token.
    #[serde(default)]
    pub continuation_token: Option<String>,
    /// Invoices.
    pub invoices: Vec<SessionInvoiceStatusResponse>,
}

/// `UpoPageResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoPageResponse {
    /// UPO reference number.
    pub reference_number: String,
    /// Pre-signed URL (no auth header).
    pub download_url: String,
    /// Expiry.
    pub download_url_expiration_date: DateTime<Utc>,
}

/// `UpoResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoResponse {
    /// Pages.
    pub pages: Vec<UpoPageResponse>,
}

/// `SessionStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatusResponse {
    /// Status (100 open, 170 closed/processing, 200 done, 4xx/5xx failed).
    pub status: StatusInfo,
    /// Created.
    pub date_created: DateTime<Utc>,
    /// Updated.
    pub date_updated: DateTime<Utc>,
    /// Valid until.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// Session UPO pages.
    #[serde(default)]
    pub upo: Option<UpoResponse>,
    /// Invoice count.
    #[serde(default)]
    pub invoice_count: Option<i32>,
    /// Successful count.
    #[serde(default)]
    pub successful_invoice_count: Option<i32>,
    /// Failed count.
    #[serde(default)]
    pub failed_invoice_count: Option<i32>,
}

/// `BatchFilePartInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFilePartInfo {
    /// 1-based.
    pub ordinal_number: i32,
    /// Encrypted part size.
    pub file_size: u64,
    /// Base64 SHA-256 of the encrypted part.
    pub file_hash: String,
}

/// `BatchFileInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFileInfo {
    /// Plain archive size.
    pub file_size: u64,
    /// Base64 SHA-256 of the plain archive.
    pub file_hash: String,
    /// Compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
    /// Parts.
    pub file_parts: Vec<BatchFilePartInfo>,
}

/// `OpenBatchSessionRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionRequest {
    /// Form code.
    pub form_code: FormCode,
    /// Archive description.
    pub batch_file: BatchFileInfo,
    /// Wrapped key + IV.
    pub encryption: EncryptionInfo,
    /// Offline mode.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub offline_mode: bool,
}

/// `PartUploadRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartUploadRequest {
    /// 1-based.
    pub ordinal_number: i32,
    /// HTTP method (PUT).
    pub method: String,
    /// Pre-signed URL.
    pub url: String,
    /// Headers to send exactly.
    #[serde(default)]
    pub headers: BTreeMap<String, Option<String>>,
}

/// `OpenBatchSessionResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionResponse {
    /// Session reference.
    pub reference_number: String,
    /// Where to upload each part.
    pub part_upload_requests: Vec<PartUploadRequest>,
}

// ------------------------------------------------------------------ invoices

/// `InvoiceQuerySubjectType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectType {
    /// Seller (Podmiot1): invoices I issued.
    Subject1,
    /// Buyer (Podmiot2): invoices I received.
    Subject2,
    /// Third party (Podmiot3).
    Subject3,
    /// Authorized subject.
    SubjectAuthorized,
}

/// `InvoiceQueryDateType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateType {
    /// P_1.
    Issue,
    /// Receipt in KSeF.
    Invoicing,
    /// Durable storage (use for incremental sync).
    PermanentStorage,
}

/// `InvoiceQueryDateRange`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateRange {
    /// Date type.
    pub date_type: DateType,
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// To.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Cap at the HWM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_to_permanent_storage_hwm_date: Option<bool>,
}

/// `AmountType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmountType {
    /// Gross.
    Brutto,
    /// Net.
    Netto,
    /// VAT.
    Vat,
}

/// `InvoiceQueryAmount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountFilter {
    /// Which amount.
    #[serde(rename = "type")]
    pub kind: AmountType,
    /// From.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// To.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
}

/// `BuyerIdentifierType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BuyerIdentifierType {
    /// NIP.
    Nip,
    /// VAT UE.
    VatUe,
    /// Other.
    Other,
    /// None.
    None,
    /// A type this client does not know yet (responses only).
    #[serde(other)]
    Unknown,
}

/// `InvoiceQueryBuyerIdentifier` / `InvoiceMetadataBuyerIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerIdentifier {
    /// Type.
    #[serde(rename = "type")]
    pub kind: BuyerIdentifierType,
    /// Value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `InvoiceType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum InvoiceType {
    Vat,
    Zal,
    Kor,
    Roz,
    Upr,
    KorZal,
    KorRoz,
    VatPef,
    VatPefSp,
    KorPef,
    VatRr,
    KorVatRr,
    /// A type this client does not know yet (responses only; never send it).
    #[serde(other)]
    Unknown,
}

/// `InvoiceQueryFormType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs, clippy::upper_case_acronyms)]
pub enum FormType {
    FA,
    PEF,
    #[serde(rename = "FA_RR")]
    FaRr,
}

/// `InvoiceQueryFilters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryFilters {
    /// Role of the context in the invoice.
    pub subject_type: SubjectType,
    /// Date range.
    pub date_range: DateRange,
    /// KSeF number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<String>,
    /// Invoice number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// Amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountFilter>,
    /// Seller NIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_nip: Option<String>,
    /// Buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_identifier: Option<BuyerIdentifier>,
    /// ISO currency codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_codes: Option<Vec<String>>,
    /// Mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_mode: Option<InvoicingMode>,
    /// Self-invoicing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_self_invoicing: Option<bool>,
    /// Form type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_type: Option<FormType>,
    /// Invoice types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_types: Option<Vec<InvoiceType>>,
    /// Has attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_attachment: Option<bool>,
}

impl InvoiceQueryFilters {
    /// Filters with only the required fields.
    pub fn new(subject_type: SubjectType, date_range: DateRange) -> Self {
        Self {
            subject_type,
            date_range,
            ksef_number: None,
            invoice_number: None,
            amount: None,
            seller_nip: None,
            buyer_identifier: None,
            currency_codes: None,
            invoicing_mode: None,
            is_self_invoicing: None,
            form_type: None,
            invoice_types: None,
            has_attachment: None,
        }
    }
}

/// `SortOrder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortOrder {
    /// Ascending (required for incremental sync).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "Asc",
            SortOrder::Desc => "Desc",
        }
    }
}

/// Paging of `POST /invoices/query/metadata` (`pageOffset` is a page index, 0 = first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Page index.
    pub page_offset: u32,
    /// 10..=250.
    pub page_size: u32,
    /// Sort order.
    pub sort_order: SortOrder,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page_offset: 0,
            page_size: 100,
            sort_order: SortOrder::Asc,
        }
    }
}

/// `InvoiceMetadataSeller`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceMetadataSeller {
    /// NIP.
    pub nip: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `InvoiceMetadataBuyer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceMetadataBuyer {
    /// Identifier.
    pub identifier: BuyerIdentifier,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `InvoiceMetadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceMetadata {
    /// KSeF number.
    pub ksef_number: String,
    /// P_2.
    pub invoice_number: String,
    /// P_1.
    pub issue_date: NaiveDate,
    /// Receipt.
    pub invoicing_date: DateTime<Utc>,
    /// KSeF number assignment.
    pub acquisition_date: DateTime<Utc>,
    /// Durable storage.
    pub permanent_storage_date: DateTime<Utc>,
    /// Seller.
    pub seller: InvoiceMetadataSeller,
    /// Buyer.
    pub buyer: InvoiceMetadataBuyer,
    /// Net.
    pub net_amount: f64,
    /// Gross.
    pub gross_amount: f64,
    /// VAT.
    pub vat_amount: f64,
    /// Currency.
    pub currency: String,
    /// Mode.
    pub invoicing_mode: InvoicingMode,
    /// Type.
    pub invoice_type: InvoiceType,
    /// Form code.
    pub form_code: FormCode,
    /// Self-invoicing.
    pub is_self_invoicing: bool,
    /// Attachment.
    pub has_attachment: bool,
    /// Base64 SHA-256.
    pub invoice_hash: String,
    /// Corrected invoice hash.
    #[serde(default)]
    pub hash_of_corrected_invoice: Option<String>,
    /// Podmiot3 entries (kept raw).
    #[serde(default)]
    pub third_subjects: Option<Vec<serde_json::Value>>,
    /// Authorized subject (kept raw).
    #[serde(default)]
    pub authorized_subject: Option<serde_json::Value>,
}

/// `QueryInvoicesMetadataResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryInvoicesMetadataResponse {
    /// More pages.
    pub has_more: bool,
    /// 10 000 record limit hit.
    pub is_truncated: bool,
    /// HWM (PermanentStorage queries only).
    #[serde(default)]
    pub permanent_storage_hwm_date: Option<DateTime<Utc>>,
    /// Invoices.
    pub invoices: Vec<InvoiceMetadata>,
}

/// `InvoiceExportRequest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceExportRequest {
    /// Wrapped key for the package.
    pub encryption: EncryptionInfo,
    /// Metadata only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub only_metadata: bool,
    /// Filters.
    pub filters: InvoiceQueryFilters,
    /// Compression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
}

/// `ExportInvoicesResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportInvoicesResponse {
    /// Export reference.
    pub reference_number: String,
}

/// `InvoicePackagePart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePackagePart {
    /// 1-based.
    pub ordinal_number: i32,
    /// File name.
    pub part_name: String,
    /// HTTP method.
    pub method: String,
    /// Pre-signed URL.
    pub url: String,
    /// Plain size.
    pub part_size: u64,
    /// Plain hash.
    pub part_hash: String,
    /// Encrypted size.
    pub encrypted_part_size: u64,
    /// Encrypted hash.
    pub encrypted_part_hash: String,
    /// URL expiry.
    pub expiration_date: DateTime<Utc>,
}

/// `InvoicePackage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePackage {
    /// Count.
    pub invoice_count: u64,
    /// Size.
    pub size: u64,
    /// Parts.
    pub parts: Vec<InvoicePackagePart>,
    /// Truncated.
    pub is_truncated: bool,
    /// Last issue date (truncated, Issue).
    #[serde(default)]
    pub last_issue_date: Option<NaiveDate>,
    /// Last invoicing date (truncated, Invoicing).
    #[serde(default)]
    pub last_invoicing_date: Option<DateTime<Utc>>,
    /// Last permanent storage date (truncated, PermanentStorage).
    #[serde(default)]
    pub last_permanent_storage_date: Option<DateTime<Utc>>,
    /// HWM.
    #[serde(default)]
    pub permanent_storage_hwm_date: Option<DateTime<Utc>>,
}

/// `InvoiceExportStatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceExportStatusResponse {
    /// Status (100, 200, 210, 415, 420, 500, 550).
    pub status: StatusInfo,
    /// Completed.
    #[serde(default)]
    pub completed_date: Option<DateTime<Utc>>,
    /// Expiry.
    #[serde(default)]
    pub package_expiration_date: Option<DateTime<Utc>>,
    /// Package.
    #[serde(default)]
    pub package: Option<InvoicePackage>,
}

// ------------------------------------------------------------------ limits

/// One group of `EffectiveApiRateLimits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitValues {
    /// Per second.
    pub per_second: u32,
    /// Per minute.
    pub per_minute: u32,
    /// Per hour.
    pub per_hour: u32,
}

/// `EffectiveApiRateLimits` (`GET /rate-limits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct EffectiveApiRateLimits {
    pub online_session: RateLimitValues,
    pub batch_session: RateLimitValues,
    pub invoice_send: RateLimitValues,
    pub invoice_status: RateLimitValues,
    pub session_list: RateLimitValues,
    pub session_invoice_list: RateLimitValues,
    pub session_misc: RateLimitValues,
    pub invoice_metadata: RateLimitValues,
    pub invoice_export: RateLimitValues,
    pub invoice_export_status: RateLimitValues,
    pub invoice_download: RateLimitValues,
    pub other: RateLimitValues,
}

// ------------------------------------------------------------------ errors (wire)

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExceptionDetailsWire {
    #[serde(default)]
    pub exception_code: Option<i64>,
    #[serde(default)]
    pub exception_description: Option<String>,
    #[serde(default)]
    pub details: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExceptionInfoWire {
    #[serde(default)]
    pub exception_detail_list: Option<Vec<ExceptionDetailsWire>>,
    #[serde(default)]
    pub service_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiErrorWire {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub details: Option<Vec<String>>,
}

/// Union of the error bodies KSeF may send (legacy, problem details, 429).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBodyWire {
    #[serde(default)]
    pub exception: Option<ExceptionInfoWire>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub errors: Option<Vec<ApiErrorWire>>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub reason_code: Option<String>,
    #[serde(default)]
    pub status: Option<serde_json::Value>,
    #[serde(default)]
    pub title: Option<String>,
}
