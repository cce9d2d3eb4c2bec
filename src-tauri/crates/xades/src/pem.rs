//! PEM files as users have them: several blocks (a chain, or a certificate and its key in
//! one file), text around them, CRLF line ends.

use x509_cert::der::pem;
use zeroize::Zeroizing;

pub(crate) struct Block<'a> {
    pub label: &'a str,
    /// The whole block, BEGIN to END line.
    text: &'a str,
}

impl Block<'_> {
    /// Legacy OpenSSL encryption ("Proc-Type: 4,ENCRYPTED" headers), which RFC 7468 has no
    /// place for.
    pub fn has_legacy_encryption(&self) -> bool {
        self.text.contains("Proc-Type:")
    }

    pub fn der(&self) -> Result<Zeroizing<Vec<u8>>, pem::Error> {
        let normalized = Zeroizing::new(self.text.replace("\r\n", "\n"));
        let (_, der) = pem::decode_vec(normalized.as_bytes())?;
        Ok(Zeroizing::new(der))
    }
}

/// The PEM blocks of `bytes`, or None when it is not PEM text (then it may be DER).
pub(crate) fn blocks(bytes: &[u8]) -> Option<Vec<Block<'_>>> {
    let text = std::str::from_utf8(bytes).ok()?;
    if !text.contains("-----BEGIN ") {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[start..].find(&end_marker) else {
            break;
        };
        let block_end = start + end + end_marker.len();
        out.push(Block {
            label,
            text: &rest[start..block_end],
        });
        rest = &rest[block_end..];
    }
    Some(out)
}
