//! KSeF verification link and QR code KOD I (see `ksef-docs` `kody-qr.md`).
//!
//! The link is `https://{qr-host}/invoice/{seller NIP}/{P_1 as DD-MM-YYYY}/{hash}`
//! where the hash is SHA-256 over the exact bytes sent to KSeF, Base64URL
//! without padding. The printout shows it as a QR code labelled with the KSeF
//! number (online invoices) or `OFFLINE`.

use base64::Engine as _;
use chrono::NaiveDate;
use sha2::Digest as _;

/// KSeF environment, which decides the QR verification host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// `qr-test.ksef.mf.gov.pl`.
    Test,
    /// `qr-demo.ksef.mf.gov.pl`.
    Demo,
    /// `qr.ksef.mf.gov.pl`.
    Production,
}

impl Environment {
    /// Host of the verification service.
    pub fn qr_host(self) -> &'static str {
        match self {
            Self::Test => "qr-test.ksef.mf.gov.pl",
            Self::Demo => "qr-demo.ksef.mf.gov.pl",
            Self::Production => "qr.ksef.mf.gov.pl",
        }
    }
}

/// SHA-256 of `xml`, Base64URL without padding (the link's last segment).
pub fn hash_base64url(xml: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(xml))
}

/// The KOD I verification link for the document `xml` issued by `seller_nip` on `issue_date`.
pub fn verification_link(
    env: Environment,
    seller_nip: &str,
    issue_date: NaiveDate,
    xml: &[u8],
) -> String {
    verification_link_on_host(env.qr_host(), seller_nip, issue_date, xml)
}

/// Like [`verification_link`] for another host (e.g. a local simulator).
pub fn verification_link_on_host(
    host: &str,
    seller_nip: &str,
    issue_date: NaiveDate,
    xml: &[u8],
) -> String {
    format!(
        "https://{host}/invoice/{seller_nip}/{}/{}",
        issue_date.format("%d-%m-%Y"),
        hash_base64url(xml)
    )
}

/// Why a QR code could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("QR code: {0}")]
pub struct QrError(String);

/// The QR code as a square matrix of dark (`true`) modules, without quiet zone.
pub fn qr_matrix(text: &str) -> Result<Vec<Vec<bool>>, QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| QrError(e.to_string()))?;
    let w = code.width();
    let colors = code.to_colors();
    Ok(colors
        .chunks(w)
        .map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect())
        .collect())
}

/// The QR code as a standalone SVG of `size` CSS pixels, with a 4-module quiet zone.
pub fn qr_svg(text: &str, size: u32) -> Result<String, QrError> {
    let m = qr_matrix(text)?;
    let n = m.len() + 8;
    let mut path = String::new();
    for (y, row) in m.iter().enumerate() {
        for (x, dark) in row.iter().enumerate() {
            if *dark {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// Checksum of a KSeF number (CRC-8, poly 0x07, init 0) over its first 32 characters.
pub fn ksef_number_crc(prefix32: &str) -> String {
    let mut crc: u8 = 0;
    for b in prefix32.bytes() {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    format!("{crc:02X}")
}

/// Whether `n` is a well-formed KSeF number with a correct checksum.
pub fn ksef_number_is_valid(n: &str) -> bool {
    let n = n.trim();
    // 35 chars, or 36 with the optional dash inside the technical part.
    let compact: String = if n.len() == 36 && n.as_bytes().get(25) == Some(&b'-') {
        format!("{}{}", &n[..25], &n[26..])
    } else {
        n.to_owned()
    };
    if compact.len() != 35 || !compact.is_ascii() {
        return false;
    }
    let (body, crc) = compact.split_at(33);
    body.ends_with('-') && ksef_number_crc(&compact[..32]) == crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_matches_the_documented_shape() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let link = verification_link(Environment::Test, "1111111111", d, b"<x/>");
        assert!(
            link.starts_with("https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/"),
            "{link}"
        );
        let hash = link.rsplit('/').next().unwrap();
        assert_eq!(hash.len(), 43);
        assert!(!hash.contains('=') && !hash.contains('+') && !hash.contains('/'));
    }

    #[test]
    fn ksef_number_checksum_matches_documented_examples() {
        assert_eq!(ksef_number_crc("5265877635-20250826-0100001AF629"), "AF");
        assert_eq!(ksef_number_crc("5265877635-20250916-010040741B3E"), "46");
        assert!(ksef_number_is_valid("5265877635-20250826-0100001AF629-AF"));
        assert!(!ksef_number_is_valid("5265877635-20250826-0100001AF629-AE"));
    }

    #[test]
    fn qr_svg_is_square_and_dark() {
        let svg = qr_svg("https://qr.ksef.mf.gov.pl/invoice/x", 120).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("h1v1h-1z"));
        let m = qr_matrix("abc").unwrap();
        assert!(m.iter().all(|r| r.len() == m.len()));
    }
}
