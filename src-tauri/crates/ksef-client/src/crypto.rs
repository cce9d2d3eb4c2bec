//! The spec's cryptography: RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) with the MF
//! certificate's public key, AES-256-CBC with PKCS#7, SHA-256 in Base64.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand::RngCore;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

use crate::error::{KsefError, Result};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// Base64 of SHA-256 (the spec's `Sha256HashBase64`).
pub fn sha256_b64(data: &[u8]) -> String {
    B64.encode(Sha256::digest(data))
}

/// Base64 (standard alphabet, padded).
pub fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

/// Decode standard Base64.
pub fn b64_decode(text: &str) -> Result<Vec<u8>> {
    B64.decode(text.trim())
        .map_err(|e| KsefError::Crypto(format!("base64: {e}")))
}

/// The RSA public key from a DER X.509 certificate's SubjectPublicKeyInfo.
pub fn public_key_from_cert_der(der: &[u8]) -> Result<RsaPublicKey> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| KsefError::Crypto(format!("X.509: {e}")))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| KsefError::Crypto(format!("SPKI: {e}")))?;
    RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| KsefError::Crypto(format!("RSA public key: {e}")))
}

/// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label.
pub fn rsa_oaep_sha256(key: &RsaPublicKey, plaintext: &[u8]) -> Result<Vec<u8>> {
    key.encrypt(&mut rand::thread_rng(), Oaep::new::<Sha256>(), plaintext)
        .map_err(|e| KsefError::Crypto(format!("RSA-OAEP: {e}")))
}

/// An AES-256 key and IV for one session or export. Debug prints nothing secret.
#[derive(Clone)]
pub struct SymmetricKey {
    key: [u8; 32],
    iv: [u8; 16],
}

impl std::fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SymmetricKey([redacted])")
    }
}

impl Drop for SymmetricKey {
    fn drop(&mut self) {
        // Best-effort wipe; volatile writes are not needed for this threat model.
        self.key = [0; 32];
        self.iv = [0; 16];
    }
}

impl SymmetricKey {
    /// 32 random key bytes and 16 random IV bytes from the OS-seeded CSPRNG.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        let mut iv = [0u8; 16];
        let mut rng = rand::thread_rng();
        rng.fill_bytes(&mut key);
        rng.fill_bytes(&mut iv);
        Self { key, iv }
    }

    /// From given bytes (tests, exports).
    pub fn from_parts(key: [u8; 32], iv: [u8; 16]) -> Self {
        Self { key, iv }
    }

    /// The IV (public: it travels in `initializationVector`).
    pub fn iv(&self) -> &[u8; 16] {
        &self.iv
    }

    /// AES-256-CBC + PKCS#7. Ciphertext only: the IV travels separately.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        Aes256CbcEnc::new(&self.key.into(), &self.iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext)
    }

    /// Inverse of [`SymmetricKey::encrypt`].
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        Aes256CbcDec::new(&self.key.into(), &self.iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .map_err(|_| KsefError::Crypto("AES-CBC: bad padding".into()))
    }

    /// `EncryptionInfo` for the spec: the key wrapped with the MF `SymmetricKeyEncryption` key.
    pub fn encryption_info(
        &self,
        mf_key: &RsaPublicKey,
        public_key_id: Option<String>,
    ) -> Result<crate::model::EncryptionInfo> {
        Ok(crate::model::EncryptionInfo {
            encrypted_symmetric_key: b64(&rsa_oaep_sha256(mf_key, &self.key)?),
            initialization_vector: b64(&self.iv),
            public_key_id,
        })
    }

    #[cfg(test)]
    pub(crate) fn key_bytes(&self) -> &[u8; 32] {
        &self.key
    }
}

/// An invoice prepared for `SendInvoiceRequest`: hashes and sizes of plain and encrypted bytes.
pub(crate) struct EncryptedDocument {
    pub plain_hash: String,
    pub plain_size: u64,
    pub encrypted: Vec<u8>,
    pub encrypted_hash: String,
}

pub(crate) fn encrypt_document(key: &SymmetricKey, plain: &[u8]) -> EncryptedDocument {
    let encrypted = key.encrypt(plain);
    EncryptedDocument {
        plain_hash: sha256_b64(plain),
        plain_size: plain.len() as u64,
        encrypted_hash: sha256_b64(&encrypted),
        encrypted,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rsa::{pkcs8::EncodePublicKey, RsaPrivateKey};

    pub(crate) fn test_keypair() -> (RsaPrivateKey, RsaPublicKey) {
        let mut rng = rand::thread_rng();
        let private = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let public = RsaPublicKey::from(&private);
        (private, public)
    }

    #[test]
    fn rsa_oaep_sha256_round_trip() {
        let (private, public) = test_keypair();
        let ct = rsa_oaep_sha256(&public, b"token-123|1752000000000").unwrap();
        assert_eq!(ct.len(), 256);
        let pt = private.decrypt(Oaep::new::<Sha256>(), &ct).unwrap();
        assert_eq!(pt, b"token-123|1752000000000");
        // OAEP is randomised.
        assert_ne!(
            ct,
            rsa_oaep_sha256(&public, b"token-123|1752000000000").unwrap()
        );
        // SHA-1 OAEP must not decrypt it (guards against the wrong digest).
        assert!(private.decrypt(Oaep::new::<sha2::Sha512>(), &ct).is_err());
    }

    #[test]
    fn aes_cbc_pkcs7_round_trip_and_sizes() {
        let key = SymmetricKey::generate();
        for len in [0usize, 1, 15, 16, 17, 3360] {
            let plain = vec![0x41u8; len];
            let ct = key.encrypt(&plain);
            assert_eq!(ct.len(), (len / 16 + 1) * 16, "PKCS#7 always pads");
            assert_eq!(key.decrypt(&ct).unwrap(), plain);
        }
        let other = SymmetricKey::generate();
        let ct = key.encrypt(b"<Faktura/>");
        assert_ne!(other.decrypt(&ct).ok(), Some(b"<Faktura/>".to_vec()));
    }

    #[test]
    fn aes_known_answer_nist_sp800_38a() {
        // NIST SP 800-38A F.2.5 CBC-AES256.Encrypt, first block.
        let key: [u8; 32] = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f");
        let k = SymmetricKey::from_parts(key, iv);
        let pt: [u8; 16] = hex("6bc1bee22e409f96e93d7e117393172a");
        let ct = k.encrypt(&pt);
        assert_eq!(&ct[..16], &hex::<16>("f58c4c04d6e5f1ba779eabfb5f7bfbd6"));
    }

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn wrapped_key_unwraps_with_private_key() {
        let (private, public) = test_keypair();
        let key = SymmetricKey::generate();
        let info = key.encryption_info(&public, None).unwrap();
        let wrapped = b64_decode(&info.encrypted_symmetric_key).unwrap();
        let unwrapped = private.decrypt(Oaep::new::<Sha256>(), &wrapped).unwrap();
        assert_eq!(unwrapped.as_slice(), key.key_bytes());
        assert_eq!(b64_decode(&info.initialization_vector).unwrap(), key.iv());
    }

    #[test]
    fn document_hashes_and_sizes() {
        let key = SymmetricKey::generate();
        let doc = encrypt_document(&key, b"abc");
        assert_eq!(doc.plain_size, 3);
        assert_eq!(
            doc.plain_hash,
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(doc.encrypted.len(), 16);
        assert_eq!(doc.encrypted_hash, sha256_b64(&doc.encrypted));
        assert_eq!(doc.plain_hash.len(), 44);
    }

    #[test]
    fn public_key_from_spki_rejects_garbage() {
        assert!(public_key_from_cert_der(b"not a cert").is_err());
        let (_, public) = test_keypair();
        // A bare SPKI is not a certificate.
        let spki = public.to_public_key_der().unwrap();
        assert!(public_key_from_cert_der(spki.as_bytes()).is_err());
    }
}
