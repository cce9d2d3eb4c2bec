//! Identifiers in the official shapes: reference numbers, KSeF numbers, NIP checks, JWTs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The two-letter kind inside a reference number (`YYYYMMDD-TT-...`).
#[derive(Debug, Clone, Copy)]
pub enum RefKind {
    /// Online (interactive) session.
    OnlineSession,
    /// Batch session.
    BatchSession,
    /// Invoice inside a session.
    Invoice,
    /// Authentication operation.
    Auth,
    /// Auth challenge.
    Challenge,
    /// UPO page.
    Upo,
    /// Export operation.
    Export,
    /// KSeF token.
    Token,
    /// Certificate enrolment.
    Enrollment,
}

impl RefKind {
    fn code(self) -> &'static str {
        match self {
            Self::OnlineSession => "SO",
            Self::BatchSession => "SB",
            Self::Invoice => "EE",
            Self::Auth => "AU",
            Self::Challenge => "CR",
            Self::Upo => "UP",
            Self::Export => "EX",
            Self::Token => "EC",
            Self::Enrollment => "EH",
        }
    }
}

fn hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| {
            let d: u8 = rng.gen_range(0..16);
            char::from_digit(u32::from(d), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect()
}

/// A 36-character reference number `YYYYMMDD-TT-XXXXXXXXXX-XXXXXXXXXX-XX`.
pub fn reference_number(kind: RefKind, now: DateTime<Utc>) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        now.format("%Y%m%d"),
        kind.code(),
        hex(10),
        hex(10),
        hex(2)
    )
}

/// The calendar date in Poland: KSeF's dates (issue, acceptance, the date inside a
/// KSeF number) are Polish dates.
pub fn polish_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Warsaw).date_naive()
}

/// CRC-8, polynomial 0x07, init 0, no reflection, no xor-out (the KSeF number checksum).
pub fn crc8(data: &[u8]) -> u8 {
    let mut crc: u8 = 0;
    for &byte in data {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// A KSeF number `NIP-YYYYMMDD-XXXXXXXXXXXX-CC` for an invoice accepted on `date`.
pub fn ksef_number(seller_nip: &str, date: NaiveDate) -> String {
    let body = format!("{}-{}-{}", seller_nip, date.format("%Y%m%d"), hex(12));
    let crc = crc8(body.as_bytes());
    format!("{body}-{crc:02X}")
}

/// Checks a KSeF number's shape and checksum (35-character form).
pub fn is_valid_ksef_number(s: &str) -> bool {
    if s.len() != 35 || !s.is_ascii() {
        return false;
    }
    let (body, crc) = s.split_at(32);
    let Some(crc) = crc.strip_prefix('-') else {
        return false;
    };
    u8::from_str_radix(crc, 16).ok() == Some(crc8(body.as_bytes()))
}

/// NIP checksum: weights 6,5,7,2,3,4,5,6,7, sum mod 11 equals the last digit.
pub fn is_valid_nip(nip: &str) -> bool {
    let digits: Vec<u32> = nip.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 || nip.len() != 10 || digits[0] == 0 {
        return false;
    }
    const W: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let sum: u32 = W.iter().zip(&digits).map(|(w, d)| w * d).sum();
    let check = sum % 11;
    check != 10 && check == digits[9]
}

/// Completes a 9-digit NIP prefix with its check digit, if one exists.
pub fn nip_with_checksum(prefix9: &str) -> Option<String> {
    let digits: Vec<u32> = prefix9.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 9 {
        return None;
    }
    const W: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let check = W.iter().zip(&digits).map(|(w, d)| w * d).sum::<u32>() % 11;
    (check != 10).then(|| format!("{prefix9}{check}"))
}

/// A JWT-shaped bearer token (`header.claims.signature`, Base64url). The signature is a
/// keyed SHA-256 over the first two parts with a per-process secret; the simulator
/// still looks every token up in its state, the shape is for clients that decode it.
pub fn jwt(claims: &serde_json::Value, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut h = Sha256::new();
    h.update(secret);
    h.update(header.as_bytes());
    h.update(b".");
    h.update(payload.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(h.finalize());
    format!("{header}.{payload}.{sig}")
}

/// Random hex string of `n` uppercase characters (token secrets, URL signatures).
pub fn random_hex(n: usize) -> String {
    hex(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_matches_official_examples() {
        assert_eq!(crc8(b"5265877635-20250826-0100001AF629"), 0xAF);
        assert_eq!(crc8(b"5265877635-20250916-010040741B3E"), 0x46);
        assert!(is_valid_ksef_number("5265877635-20250916-010040741B3E-46"));
        assert!(!is_valid_ksef_number("5265877635-20250916-010040741B3E-47"));
    }

    #[test]
    fn generated_numbers_have_the_official_shape() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 3).unwrap();
        let n = ksef_number("5265877635", d);
        assert!(is_valid_ksef_number(&n), "{n}");
        assert!(n.starts_with("5265877635-20260203-"));
        let r = reference_number(RefKind::OnlineSession, Utc::now());
        assert_eq!(r.len(), 36);
        assert_eq!(&r[8..12], "-SO-");
    }

    #[test]
    fn nip_checksum() {
        assert!(is_valid_nip("5265877635"));
        assert!(!is_valid_nip("5265877636"));
        assert!(!is_valid_nip("526587763"));
        let n = nip_with_checksum("111111111").unwrap();
        assert!(is_valid_nip(&n));
    }
}
