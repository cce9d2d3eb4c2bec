//! The simulator's key material and the KSeF encryption scheme.
//!
//! Two RSA-2048 key pairs (one per certificate usage, like the real service), each
//! wrapped in a self-signed X.509 certificate, generated once per process and shared by
//! every simulator instance in it (key generation is the slow part of a start).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rsa::pkcs8::EncodePublicKey;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::GeneralizedTime;
use x509_cert::der::Encode;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::error::SimError;

/// What a published certificate may be used for (SPEC `PublicKeyCertificateUsage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    /// Encrypting `token|timestampMs` during KSeF-token authentication.
    KsefTokenEncryption,
    /// Wrapping the AES key of a session or an export.
    SymmetricKeyEncryption,
}

impl KeyUsage {
    /// The spec's enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KsefTokenEncryption => "KsefTokenEncryption",
            Self::SymmetricKeyEncryption => "SymmetricKeyEncryption",
        }
    }
}

/// One RSA key pair with its certificate.
pub struct SimKey {
    private: RsaPrivateKey,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// Base64 SHA-256 of the DER SubjectPublicKeyInfo (44 chars, as the spec's `publicKeyId`).
    pub public_key_id: String,
    /// Base64 SHA-256 of the certificate (the spec's `certificateId`).
    pub certificate_id: String,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity.
    pub valid_to: DateTime<Utc>,
    /// The usage this key is published for.
    pub usage: KeyUsage,
}

impl std::fmt::Debug for SimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimKey")
            .field("public_key_id", &self.public_key_id)
            .field("usage", &self.usage)
            .finish_non_exhaustive()
    }
}

impl SimKey {
    /// RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) decryption.
    pub fn decrypt_oaep(&self, ciphertext: &[u8]) -> Result<Vec<u8>, SimError> {
        self.private
            .decrypt(Oaep::new::<Sha256>(), ciphertext)
            .map_err(|_| SimError::Crypto("RSA-OAEP decryption failed"))
    }

    /// The public key (tests and tools encrypt with it).
    pub fn public_key(&self) -> RsaPublicKey {
        self.private.to_public_key()
    }
}

/// Both published keys.
#[derive(Debug)]
pub struct SimKeys {
    /// `KsefTokenEncryption` key.
    pub token: SimKey,
    /// `SymmetricKeyEncryption` key.
    pub symmetric: SimKey,
}

static KEYS: OnceCell<Arc<SimKeys>> = OnceCell::const_new();

/// The process-wide keys, generated on first use (on a blocking thread).
pub async fn shared_keys() -> Result<Arc<SimKeys>, SimError> {
    KEYS.get_or_try_init(|| async {
        tokio::task::spawn_blocking(generate_keys)
            .await
            .map_err(|e| SimError::Startup(format!("key generation task failed: {e}")))?
            .map(Arc::new)
    })
    .await
    .cloned()
}

fn generate_keys() -> Result<SimKeys, SimError> {
    Ok(SimKeys {
        token: generate_key(KeyUsage::KsefTokenEncryption, 1)?,
        symmetric: generate_key(KeyUsage::SymmetricKeyEncryption, 2)?,
    })
}

fn generate_key(usage: KeyUsage, serial: u32) -> Result<SimKey, SimError> {
    let mut rng = rand::thread_rng();
    let private = RsaPrivateKey::new(&mut rng, 2048)
        .map_err(|e| SimError::Startup(format!("RSA key generation: {e}")))?;
    let public = private.to_public_key();
    let spki_der = public
        .to_public_key_der()
        .map_err(|e| SimError::Startup(format!("SPKI encoding: {e}")))?;
    let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes())
        .map_err(|e| SimError::Startup(format!("SPKI decoding: {e}")))?;

    let now = SystemTime::now();
    let from = now - Duration::from_secs(86_400);
    let to = now + Duration::from_secs(2 * 365 * 86_400);
    let time = |t: SystemTime| -> Result<Time, SimError> {
        GeneralizedTime::from_system_time(t)
            .map(Time::GeneralTime)
            .map_err(|e| SimError::Startup(format!("certificate time: {e}")))
    };
    let validity = Validity {
        not_before: time(from)?,
        not_after: time(to)?,
    };
    let subject: Name = format!("CN=KSeF Simulator {},O=KSeF Desk,C=PL", usage.as_str())
        .parse()
        .map_err(|e| SimError::Startup(format!("certificate subject: {e}")))?;
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone());
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(serial),
        validity,
        subject,
        spki,
        &signer,
    )
    .map_err(|e| SimError::Startup(format!("certificate builder: {e}")))?;
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(|e| SimError::Startup(format!("certificate signing: {e}")))?;
    let cert_der = cert
        .to_der()
        .map_err(|e| SimError::Startup(format!("certificate encoding: {e}")))?;

    let to_chrono = |t: SystemTime| DateTime::<Utc>::from(t);
    Ok(SimKey {
        public_key_id: sha256_b64(spki_der.as_bytes()),
        certificate_id: sha256_b64(&cert_der),
        cert_der,
        private,
        valid_from: to_chrono(from),
        valid_to: to_chrono(to),
        usage,
    })
}

/// Base64 (standard, padded) SHA-256.
pub fn sha256_b64(data: &[u8]) -> String {
    B64.encode(Sha256::digest(data))
}

/// Base64 decode (standard alphabet, padded).
pub fn b64_decode(s: &str) -> Result<Vec<u8>, SimError> {
    B64.decode(s.trim())
        .map_err(|_| SimError::Crypto("invalid Base64"))
}

/// Base64 encode (standard alphabet, padded).
pub fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// AES-256-CBC with PKCS#7 padding: decrypt.
pub fn aes_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, SimError> {
    let dec = Aes256CbcDec::new_from_slices(key, iv)
        .map_err(|_| SimError::Crypto("AES key must be 32 bytes and IV 16 bytes"))?;
    dec.decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| SimError::Crypto("AES-CBC decryption or padding failed"))
}

/// AES-256-CBC with PKCS#7 padding: encrypt (export packages).
pub fn aes_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SimError> {
    let enc = Aes256CbcEnc::new_from_slices(key, iv)
        .map_err(|_| SimError::Crypto("AES key must be 32 bytes and IV 16 bytes"))?;
    Ok(enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext))
}

/// Decrypts an invoice with the session key. KSeF docs say the IV may also travel as a
/// prefix of the ciphertext: when the first block equals the session IV and decrypting
/// the rest works, that form is accepted too.
pub fn decrypt_invoice(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, SimError> {
    if ciphertext.len() > 16 && &ciphertext[..16] == iv {
        if let Ok(plain) = aes_decrypt(key, iv, &ciphertext[16..]) {
            return Ok(plain);
        }
    }
    aes_decrypt(key, iv, ciphertext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_round_trip_and_iv_prefix_form() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let ct = aes_encrypt(&key, &iv, b"<Faktura/>").unwrap();
        assert_eq!(decrypt_invoice(&key, &iv, &ct).unwrap(), b"<Faktura/>");
        let mut prefixed = iv.to_vec();
        prefixed.extend_from_slice(&ct);
        assert_eq!(
            decrypt_invoice(&key, &iv, &prefixed).unwrap(),
            b"<Faktura/>"
        );
        assert!(aes_decrypt(&[1u8; 32], &iv, &ct)
            .map(|p| p != b"<Faktura/>")
            .unwrap_or(true));
    }

    #[test]
    fn sha256_b64_is_44_chars() {
        assert_eq!(sha256_b64(b"abc").len(), 44);
    }
}
