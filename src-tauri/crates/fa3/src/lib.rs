//! `fa3`: the FA(3) e-invoice format (KSeF, schema `FA (3)` v1-0E) as a library.
//!
//! Owns the typed invoice model, XML reading and writing, structural (XSD)
//! checking done in pure Rust against the embedded official schema, money
//! arithmetic, business validation, the KSeF document hash and verification
//! link (KOD I), and the printable rendering.
//!
//! It knows nothing about KSeF sessions, HTTP, storage or Tauri.
//!
//! Two levels of checking are kept apart:
//! - structure ([`parse`] fails with [`ParseError::Schema`] listing every
//!   violation of the XSD; [`write()`] refuses to emit a document that breaks it);
//! - business rules ([`validate_for_sending`]), which on received documents are
//!   only warnings ([`Parsed::warnings`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::NaiveDate;
//! use rust_decimal::Decimal;
//!
//! let day = NaiveDate::from_ymd_opt(2026, 3, 10).ok_or("date")?;
//! let mut fa = fa3::Fa::new(fa3::InvoiceKind::Vat, "PLN", day, "FV/1/2026");
//! fa.lines.push(fa3::Line {
//!     number: 1,
//!     name: Some("Usługa".into()),
//!     quantity: Some(Decimal::ONE),
//!     unit_net_price: Some(Decimal::new(10000, 2)),
//!     rate: Some(fa3::VatRate::R23),
//!     ..fa3::Line::default()
//! });
//! fa3::amounts::recompute(&mut fa);
//! let invoice = fa3::Invoice {
//!     header: fa3::Header { created: day.and_hms_opt(8, 0, 0).ok_or("time")?.and_utc().fixed_offset(), system_info: None },
//!     seller: fa3::Seller::new("5265877635", "Sprzedawca", fa3::Address::new("PL", "ul. Prosta 1, Warszawa")),
//!     buyer: fa3::Buyer::new(fa3::PartyId::Nip("1111111111".into()), "Nabywca", fa3::Address::new("PL", "ul. Krzywa 2, Kraków")),
//!     third_parties: vec![],
//!     fa,
//!     footer: None,
//!     extra: vec![],
//! };
//! assert!(fa3::validate_for_sending(&invoice).is_empty());
//! let xml = fa3::write(&invoice)?;
//! let parsed = fa3::parse(&xml)?;
//! assert_eq!(parsed.invoice.gross_total(), Decimal::new(12300, 2));
//! let _hash = fa3::document_hash(&xml);
//! let _link = fa3::verification_link(fa3::Environment::Test, "5265877635", day, &xml);
//! # Ok(())
//! # }
//! ```

pub mod amounts;
pub mod model;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod qr;
mod read;
pub mod render;
pub mod validate;
mod write;
pub mod xml;
pub mod xsd;

pub use model::*;
pub use qr::{verification_link, Environment};
pub use validate::{validate_for_sending, Finding, Severity};
pub use xsd::{IssueKind, SchemaIssue, FA_NS};

use base64::Engine as _;
use sha2::Digest as _;

/// A received or stored document, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The invoice; unmodelled parts are kept in its `extra` fields.
    pub invoice: Invoice,
    /// Business-rule findings: warnings to show, never a reason to drop the document.
    pub warnings: Vec<Finding>,
}

/// Why a document could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    /// Not well-formed or refused XML (DOCTYPE, entities, size, depth, ...).
    #[error("XML: {0}")]
    Xml(#[from] xml::XmlError),
    /// Well-formed, but breaks the FA(3) schema; every finding is listed.
    #[error("{} schema violation(s): {}", .0.len(), summary(.0))]
    Schema(Vec<SchemaIssue>),
    /// A value the model cannot hold (should be caught by the schema first).
    #[error("{path}: {message}")]
    Value {
        /// Element path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The embedded schema failed to compile (a bug in this crate).
    #[error(transparent)]
    Internal(#[from] xsd::SchemaBuildError),
}

/// Why an invoice could not be written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    /// The model holds values the schema forbids; nothing is emitted.
    #[error("{} schema violation(s): {}", .0.len(), summary(.0))]
    Schema(Vec<SchemaIssue>),
    /// The embedded schema failed to compile (a bug in this crate).
    #[error(transparent)]
    Internal(#[from] xsd::SchemaBuildError),
}

fn summary(issues: &[SchemaIssue]) -> String {
    let mut s: Vec<String> = issues.iter().take(3).map(ToString::to_string).collect();
    if issues.len() > 3 {
        s.push(format!("and {} more", issues.len() - 3));
    }
    s.join("; ")
}

/// Read an FA(3) document. Fails on malformed XML or any schema violation.
#[tracing::instrument(level = "debug", skip_all, fields(bytes = xml.len()))]
pub fn parse(xml: &[u8]) -> Result<Parsed, ParseError> {
    let invoice = read_checked(xml)?;
    let warnings = validate::validate_for_sending(&invoice);
    Ok(Parsed { invoice, warnings })
}

/// Read an FA(3) document with the same structural checks as [`parse`] but without
/// the business findings: bulk retrieval stores tens of thousands of received
/// invoices and shows none of those findings, which cost about as much as reading.
#[tracing::instrument(level = "debug", skip_all, fields(bytes = xml.len()))]
pub fn parse_structure(xml: &[u8]) -> Result<Invoice, ParseError> {
    read_checked(xml)
}

fn read_checked(xml: &[u8]) -> Result<Invoice, ParseError> {
    let tree = xml::read(xml, xml::Limits::default())?;
    let issues = xsd::schema()?.validate(&tree);
    if !issues.is_empty() {
        tracing::debug!(count = issues.len(), "schema violations");
        return Err(ParseError::Schema(issues));
    }
    read::invoice(&tree)
}

/// Write `invoice` as UTF-8 FA(3) XML. The output is checked against the schema
/// before it is returned, so every `Ok` is a structurally valid document.
#[tracing::instrument(level = "debug", skip_all)]
pub fn write(invoice: &Invoice) -> Result<Vec<u8>, WriteError> {
    let schema = xsd::schema()?;
    let tree = write::invoice(invoice, schema);
    let issues = schema.validate(&tree);
    if !issues.is_empty() {
        return Err(WriteError::Schema(issues));
    }
    Ok(xml::write(&tree).into_bytes())
}

/// The document hash KSeF uses (`invoiceHash`): SHA-256 of the exact bytes,
/// standard Base64 with padding.
pub fn document_hash(xml: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(xml))
}
