//! Importing a certificate and its private key from the files users have, naming every
//! problem, and keeping the key out of logs.

use p256::ecdsa::signature::Signer;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use secrecy::{ExposeSecret, SecretString};
use x509_cert::der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

use crate::certificate::{
    oid_name, CertificateInfo, KeyAlgorithm, MIN_RSA_BITS, OID_EC_PUBLIC_KEY, OID_P256,
    OID_RSA_ENCRYPTION,
};
use crate::pem;

/// Why a certificate or key could not be imported. Messages never contain key material
/// or passwords.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not an X.509 certificate")]
    NotACertificate,
    #[error("the file is not a private key")]
    NotAPrivateKey,
    #[error("the private key is encrypted: a password is required")]
    PasswordRequired,
    #[error("wrong password")]
    WrongPassword,
    #[error("the private key does not belong to the certificate")]
    KeyDoesNotMatchCertificate,
    #[error("unsupported algorithm: {name}")]
    UnsupportedAlgorithm { name: String },
    #[error("the RSA key has {bits} bits; KSeF requires at least 2048")]
    RsaKeyTooShort { bits: usize },
    #[error("the PKCS#12 file holds no private key")]
    Pkcs12WithoutKey,
    #[error("the PKCS#12 file holds no certificate for its private key")]
    Pkcs12WithoutCertificate,
    #[error("the file is not a readable PKCS#12 (.p12/.pfx) file: {reason}")]
    NotPkcs12 { reason: String },
}

/// A private key of an algorithm KSeF accepts. Both variants zeroize on drop.
pub(crate) enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    EcP256(p256::ecdsa::SigningKey),
}

impl PrivateKey {
    /// PKCS#8 PrivateKeyInfo (unencrypted) of RSA or EC P-256.
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, ImportError> {
        let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|_| ImportError::NotAPrivateKey)?;
        let oid = info.algorithm.oid;
        if oid == OID_RSA_ENCRYPTION {
            let key =
                rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| ImportError::NotAPrivateKey)?;
            return Self::rsa(key);
        }
        if oid == OID_EC_PUBLIC_KEY {
            let curve: Option<ObjectIdentifier> = info.algorithm.parameters_oid().ok();
            if curve != Some(OID_P256) {
                return Err(ImportError::UnsupportedAlgorithm {
                    name: match curve {
                        Some(c) => format!("elliptic curve {}", oid_name(c)),
                        None => "elliptic curve with explicit parameters".into(),
                    },
                });
            }
            let key =
                p256::SecretKey::from_pkcs8_der(der).map_err(|_| ImportError::NotAPrivateKey)?;
            return Ok(Self::EcP256(key.into()));
        }
        Err(ImportError::UnsupportedAlgorithm {
            name: format!("private key {}", oid_name(oid)),
        })
    }

    fn rsa(key: rsa::RsaPrivateKey) -> Result<Self, ImportError> {
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(ImportError::RsaKeyTooShort { bits });
        }
        Ok(Self::Rsa(Box::new(key)))
    }

    /// An encrypted PKCS#8 (PBES2) key.
    fn from_encrypted_pkcs8_der(
        der: &[u8],
        password: Option<&SecretString>,
    ) -> Result<Self, ImportError> {
        let encrypted = pkcs8::EncryptedPrivateKeyInfo::try_from(der)
            .map_err(|_| ImportError::NotAPrivateKey)?;
        let password = password.ok_or(ImportError::PasswordRequired)?;
        let decrypted = encrypted
            .decrypt(password.expose_secret().as_bytes())
            .map_err(|e| match e {
                pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
                    oid,
                }) => ImportError::UnsupportedAlgorithm {
                    name: format!("key encryption {}", oid_name(oid)),
                },
                _ => ImportError::WrongPassword,
            })?;
        // A wrong password occasionally yields valid padding over garbage.
        Self::from_pkcs8_der(decrypted.as_bytes()).map_err(|e| match e {
            ImportError::NotAPrivateKey => ImportError::WrongPassword,
            other => other,
        })
    }

    /// Any unencrypted DER form: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    fn from_any_der(der: &[u8], password: Option<&SecretString>) -> Result<Self, ImportError> {
        if pkcs8::PrivateKeyInfo::try_from(der).is_ok() {
            return Self::from_pkcs8_der(der);
        }
        if pkcs8::EncryptedPrivateKeyInfo::try_from(der).is_ok() {
            return Self::from_encrypted_pkcs8_der(der, password);
        }
        if let Ok(key) = rsa::RsaPrivateKey::from_pkcs1_der(der) {
            return Self::rsa(key);
        }
        Self::from_sec1_der(der)
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self, ImportError> {
        match p256::SecretKey::from_sec1_der(der) {
            Ok(key) => Ok(Self::EcP256(key.into())),
            Err(_) if looks_like_sec1(der) => Err(ImportError::UnsupportedAlgorithm {
                name: "EC private key on a curve other than P-256".into(),
            }),
            Err(_) => Err(ImportError::NotAPrivateKey),
        }
    }

    /// A key file: PEM (any of the labels) or DER.
    fn from_file(bytes: &[u8], password: Option<&SecretString>) -> Result<Self, ImportError> {
        let Some(blocks) = pem::blocks(bytes) else {
            return Self::from_any_der(bytes, password);
        };
        let block = blocks
            .into_iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or(ImportError::NotAPrivateKey)?;
        if block.has_legacy_encryption() {
            return Err(ImportError::UnsupportedAlgorithm {
                name: "legacy OpenSSL PEM encryption (convert the key with `openssl pkcs8 -topk8`)"
                    .into(),
            });
        }
        let der = block.der().map_err(|_| ImportError::NotAPrivateKey)?;
        match block.label {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "ENCRYPTED PRIVATE KEY" => Self::from_encrypted_pkcs8_der(&der, password),
            "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map_err(|_| ImportError::NotAPrivateKey)
                .and_then(Self::rsa),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            other => Err(ImportError::UnsupportedAlgorithm {
                name: format!("{other} key"),
            }),
        }
    }

    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, ImportError> {
        let doc = match self {
            Self::Rsa(key) => key.to_pkcs8_der(),
            Self::EcP256(key) => key.to_pkcs8_der(),
        }
        .map_err(|_| ImportError::NotAPrivateKey)?;
        Ok(doc.to_bytes())
    }

    /// Whether this key is the private half of the certificate's public key.
    fn matches(&self, cert: &CertificateInfo) -> Result<bool, ImportError> {
        use pkcs8::DecodePublicKey;
        let spki = cert.spki_der()?;
        Ok(match self {
            Self::Rsa(key) => match rsa::RsaPublicKey::from_public_key_der(&spki) {
                Ok(public) => public == key.to_public_key(),
                Err(_) => false,
            },
            Self::EcP256(key) => match p256::PublicKey::from_public_key_der(&spki) {
                Ok(public) => public == p256::PublicKey::from(key.verifying_key()),
                Err(_) => false,
            },
        })
    }

    /// RSASSA-PKCS1-v1_5 SHA-256, or ECDSA P-256 SHA-256 as R||S (XML-DSig 1.1).
    pub(crate) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, rsa::Error> {
        match self {
            Self::Rsa(key) => {
                let digest = <sha2::Sha256 as sha2::Digest>::digest(data);
                key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
            }
            Self::EcP256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(data);
                // Low-S form: valid everywhere, and required by the strictest verifiers.
                let signature = signature.normalize_s().unwrap_or(signature);
                Ok(signature.to_bytes().to_vec())
            }
        }
    }
}

/// SEC1 ECPrivateKey starts with SEQUENCE { INTEGER 1, OCTET STRING ... }.
fn looks_like_sec1(der: &[u8]) -> bool {
    der.len() > 6 && der[0] == 0x30 && der.windows(3).take(6).any(|w| w == [0x02, 0x01, 0x01])
}

/// A certificate plus its private key. Debug prints no key material; the key is zeroized
/// on drop.
pub struct SigningCredential {
    info: CertificateInfo,
    pub(crate) key: PrivateKey,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCredential")
            .field("subject", &self.info.subject)
            .field("fingerprint", &self.info.fingerprint_sha256_hex)
            .field("key", &self.info.key)
            .finish_non_exhaustive()
    }
}

impl SigningCredential {
    /// Certificate file (.crt/.cer/.pem: PEM or DER; of a PEM chain, the certificate the
    /// key fits) + private key file (.key: PEM PKCS#8,
    /// encrypted with a password (PBES2) or not; also SEC1 "EC PRIVATE KEY" / PKCS#1
    /// "RSA PRIVATE KEY"; DER of those also works).
    pub fn from_pem_files(
        certificate: &[u8],
        private_key: &[u8],
        password: Option<&SecretString>,
    ) -> Result<Self, ImportError> {
        let key = PrivateKey::from_file(private_key, password)?;
        // A .pem may hold the whole chain, in any order: take the certificate the key fits.
        if let Some(blocks) = pem::blocks(certificate) {
            let certificates: Vec<_> = blocks
                .iter()
                .filter(|b| b.label == "CERTIFICATE")
                .filter_map(|b| b.der().ok())
                .filter_map(|der| CertificateInfo::from_der(&der).ok())
                .collect();
            if certificates.len() > 1 {
                for info in certificates {
                    if key.matches(&info)? {
                        return Self::pair(info, key);
                    }
                }
                return Err(ImportError::KeyDoesNotMatchCertificate);
            }
        }
        Self::pair(CertificateInfo::from_der(certificate)?, key)
    }

    /// PKCS#12 (.p12/.pfx) with its password (qualified certificate / company seal).
    pub fn from_pkcs12(bytes: &[u8], password: &SecretString) -> Result<Self, ImportError> {
        let store =
            p12_keystore::KeyStore::from_pkcs12(bytes, password.expose_secret()).map_err(|e| {
                match e {
                    p12_keystore::error::Error::MacError(_) => ImportError::WrongPassword,
                    p12_keystore::error::Error::UnpadError => ImportError::WrongPassword,
                    p12_keystore::error::Error::UnsupportedEncryptionScheme => {
                        ImportError::UnsupportedAlgorithm {
                            name: "PKCS#12 encryption scheme".into(),
                        }
                    }
                    p12_keystore::error::Error::UnsupportedMacAlgorithm => {
                        ImportError::UnsupportedAlgorithm {
                            name: "PKCS#12 MAC algorithm".into(),
                        }
                    }
                    other => ImportError::NotPkcs12 {
                        reason: other.to_string(),
                    },
                }
            })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or(ImportError::Pkcs12WithoutKey)?;
        let key = PrivateKey::from_pkcs8_der(chain.key())?;
        // The chain holds the signer and maybe its CAs: the signer is the one the key fits.
        for cert in chain.chain() {
            let info = CertificateInfo::from_der(cert.as_der())?;
            if key.matches(&info)? {
                return Self::pair(info, key);
            }
        }
        Err(if chain.chain().is_empty() {
            ImportError::Pkcs12WithoutCertificate
        } else {
            ImportError::KeyDoesNotMatchCertificate
        })
    }

    /// Back from storage: the certificate DER + the unencrypted PKCS#8 DER kept in the OS
    /// keychain.
    pub fn from_parts(
        certificate_der: &[u8],
        private_key_pkcs8_der: &[u8],
    ) -> Result<Self, ImportError> {
        let info = CertificateInfo::from_der(certificate_der)?;
        let key = PrivateKey::from_pkcs8_der(private_key_pkcs8_der)?;
        Self::pair(info, key)
    }

    fn pair(info: CertificateInfo, key: PrivateKey) -> Result<Self, ImportError> {
        if let KeyAlgorithm::Rsa { bits } = info.key {
            if bits < MIN_RSA_BITS {
                return Err(ImportError::RsaKeyTooShort { bits });
            }
        }
        if !key.matches(&info)? {
            return Err(ImportError::KeyDoesNotMatchCertificate);
        }
        let pkcs8 = key.to_pkcs8_der()?;
        Ok(Self { info, key, pkcs8 })
    }

    pub fn certificate(&self) -> &CertificateInfo {
        &self.info
    }

    /// The unencrypted PKCS#8 DER of the private key, only to hand to the OS keychain.
    pub fn private_key_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_signatures_are_fixed_width_low_s() {
        let key = PrivateKey::EcP256(p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng));
        for i in 0..64u8 {
            let bytes = key.sign(&[i]).unwrap();
            assert_eq!(bytes.len(), 64);
            let signature = p256::ecdsa::Signature::from_slice(&bytes).unwrap();
            assert!(signature.normalize_s().is_none(), "high S in signature {i}");
        }
    }
}
