//! Reading a company's certificate from the files the user chose, naming every problem.
//!
//! The files come as bytes (the shell reads them in Rust after a native file dialog); the
//! password is a [`SecretString`] dropped when the import ends. What is kept: the public
//! certificate (store) and the private key as unencrypted PKCS#8 DER (keychain only).

use desk_store::{CertificateSource, StoredCertificate, Timestamp};
use ksef_xades::{
    CertificateInfo, CertificateProblem, ImportError, KeyAlgorithm, SigningCredential,
    SubjectIdentifier,
};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::Locale;

/// The files of a certificate, as chosen by the user.
pub enum CertificateFiles {
    /// A KSeF certificate: the certificate file (`.crt/.cer/.pem`) and the private key
    /// file (`.key`), with the key's password when it is encrypted.
    Pem {
        certificate: Vec<u8>,
        private_key: Zeroizing<Vec<u8>>,
        password: Option<SecretString>,
    },
    /// A qualified certificate or company seal: a PKCS#12 file (`.p12/.pfx`) and its
    /// password.
    Pkcs12 {
        bytes: Zeroizing<Vec<u8>>,
        password: SecretString,
    },
}

impl std::fmt::Debug for CertificateFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertificateFiles::Pem { certificate, .. } => f
                .debug_struct("Pem")
                .field("certificate_len", &certificate.len())
                .finish_non_exhaustive(),
            CertificateFiles::Pkcs12 { bytes, .. } => f
                .debug_struct("Pkcs12")
                .field("len", &bytes.len())
                .finish_non_exhaustive(),
        }
    }
}

impl CertificateFiles {
    fn source(&self) -> CertificateSource {
        match self {
            CertificateFiles::Pem { .. } => CertificateSource::Ksef,
            CertificateFiles::Pkcs12 { .. } => CertificateSource::Qualified,
        }
    }
}

/// One reason a certificate cannot sign in for the company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateIssue {
    /// The files could not be read as a certificate and its key.
    Import(ImportError),
    /// The certificate was read but cannot sign in for this company now.
    Certificate(CertificateProblem),
}

impl CertificateIssue {
    pub fn code(&self) -> &'static str {
        match self {
            CertificateIssue::Import(error) => match error {
                ImportError::NotACertificate => "not_a_certificate",
                ImportError::NotAPrivateKey => "not_a_private_key",
                ImportError::PasswordRequired => "password_required",
                ImportError::WrongPassword => "wrong_password",
                ImportError::KeyDoesNotMatchCertificate => "key_does_not_match_certificate",
                ImportError::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
                ImportError::RsaKeyTooShort { .. } => "rsa_key_too_short",
                ImportError::Pkcs12WithoutKey => "pkcs12_without_key",
                ImportError::Pkcs12WithoutCertificate => "pkcs12_without_certificate",
                ImportError::NotPkcs12 { .. } => "not_pkcs12",
            },
            CertificateIssue::Certificate(problem) => match problem {
                CertificateProblem::Expired { .. } => "certificate_expired",
                CertificateProblem::NotYetValid { .. } => "certificate_not_yet_valid",
                CertificateProblem::NoDigitalSignatureUsage => "certificate_no_signature_usage",
                CertificateProblem::IdentifierIsOtherNip { .. } => "certificate_other_nip",
                CertificateProblem::NoIdentifier => "certificate_no_identifier",
            },
        }
    }

    /// The form field the issue belongs to: `certificate`, `private_key` or `password`.
    pub fn field(&self) -> &'static str {
        match self {
            CertificateIssue::Import(
                ImportError::PasswordRequired | ImportError::WrongPassword,
            ) => "password",
            CertificateIssue::Import(
                ImportError::NotAPrivateKey | ImportError::KeyDoesNotMatchCertificate,
            ) => "private_key",
            _ => "certificate",
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        use CertificateIssue::{Certificate as C, Import as I};
        let pl = locale == Locale::Pl;
        let day = |t: &Timestamp| {
            crate::sales::time::today_in_poland(*t)
                .format("%d.%m.%Y")
                .to_string()
        };
        match self {
            I(ImportError::NotACertificate) => if pl {
                "Wybrany plik nie jest certyfikatem (.crt, .cer, .pem). Wybierz plik certyfikatu pobrany z Aplikacji Podatnika KSeF."
            } else {
                "The chosen file is not a certificate (.crt, .cer, .pem). Choose the certificate file downloaded from the KSeF taxpayer application."
            }
            .into(),
            I(ImportError::NotAPrivateKey) => if pl {
                "Wybrany plik nie jest kluczem prywatnym (.key). Wybierz klucz zapisany przy składaniu wniosku o certyfikat."
            } else {
                "The chosen file is not a private key (.key). Choose the key saved when the certificate was requested."
            }
            .into(),
            I(ImportError::PasswordRequired) => if pl {
                "Klucz prywatny jest zaszyfrowany: podaj jego hasło."
            } else {
                "The private key is encrypted: enter its password."
            }
            .into(),
            I(ImportError::WrongPassword) => if pl {
                "Hasło jest nieprawidłowe. Sprawdź wielkość liter i układ klawiatury."
            } else {
                "The password is wrong. Check letter case and the keyboard layout."
            }
            .into(),
            I(ImportError::KeyDoesNotMatchCertificate) => if pl {
                "Klucz prywatny nie pasuje do certyfikatu. Wybierz klucz z tego samego wniosku co certyfikat."
            } else {
                "The private key does not belong to the certificate. Choose the key from the same request as the certificate."
            }
            .into(),
            I(ImportError::UnsupportedAlgorithm { name }) => if pl {
                format!("Nieobsługiwany algorytm: {name}. KSeF przyjmuje klucze RSA (od 2048 bitów) i EC P-256.")
            } else {
                format!("Unsupported algorithm: {name}. KSeF accepts RSA (2048 bits or more) and EC P-256 keys.")
            },
            I(ImportError::RsaKeyTooShort { bits }) => if pl {
                format!("Klucz RSA ma {bits} bitów; KSeF wymaga co najmniej 2048.")
            } else {
                format!("The RSA key has {bits} bits; KSeF requires at least 2048.")
            },
            I(ImportError::Pkcs12WithoutKey) => if pl {
                "Plik .p12/.pfx nie zawiera klucza prywatnego. Wyeksportuj certyfikat razem z kluczem."
            } else {
                "The .p12/.pfx file holds no private key. Export the certificate together with its key."
            }
            .into(),
            I(ImportError::Pkcs12WithoutCertificate) => if pl {
                "Plik .p12/.pfx nie zawiera certyfikatu pasującego do klucza."
            } else {
                "The .p12/.pfx file holds no certificate for its key."
            }
            .into(),
            I(ImportError::NotPkcs12 { .. }) => if pl {
                "Wybrany plik nie jest plikiem .p12/.pfx albo jest uszkodzony."
            } else {
                "The chosen file is not a .p12/.pfx file, or it is damaged."
            }
            .into(),
            C(CertificateProblem::Expired { not_after }) => if pl {
                format!("Certyfikat wygasł {}. Wystąp o nowy w Aplikacji Podatnika KSeF.", day(not_after))
            } else {
                format!("The certificate expired on {}. Request a new one in the KSeF taxpayer application.", day(not_after))
            },
            C(CertificateProblem::NotYetValid { not_before }) => if pl {
                format!("Certyfikat jest ważny dopiero od {}.", day(not_before))
            } else {
                format!("The certificate is valid only from {}.", day(not_before))
            },
            C(CertificateProblem::NoDigitalSignatureUsage) => if pl {
                "Certyfikat nie pozwala składać podpisu (brak użycia klucza „podpis cyfrowy”). Do logowania potrzebny jest certyfikat uwierzytelniający KSeF lub kwalifikowany."
            } else {
                "The certificate does not allow signatures (no digitalSignature key usage). Signing in needs a KSeF authentication certificate or a qualified one."
            }
            .into(),
            C(CertificateProblem::IdentifierIsOtherNip { found }) => if pl {
                format!("Certyfikat wystawiono dla NIP {found}, a nie dla tej firmy. Wybierz certyfikat tej firmy.")
            } else {
                format!("The certificate was issued for NIP {found}, not for this company. Choose this company's certificate.")
            },
            C(CertificateProblem::NoIdentifier) => if pl {
                "Certyfikat nie zawiera NIP ani PESEL; KSeF rozpozna go tylko po odcisku, jeśli temu odciskowi nadano uprawnienia."
            } else {
                "The certificate carries no NIP or PESEL; KSeF recognises it only by its fingerprint, if that fingerprint was granted permissions."
            }
            .into(),
        }
    }

    /// Whether the issue stops the certificate from being used. A certificate without
    /// a NIP or PESEL may still sign in by its fingerprint, so that one only warns.
    pub fn blocks(&self) -> bool {
        !matches!(
            self,
            CertificateIssue::Certificate(CertificateProblem::NoIdentifier)
        )
    }
}

/// A certificate read from the user's files, with what it means for the company.
pub struct CheckedCertificate {
    pub credential: SigningCredential,
    pub source: CertificateSource,
    /// Every finding; [`CertificateIssue::blocks`] tells which stop the import.
    pub issues: Vec<CertificateIssue>,
}

impl std::fmt::Debug for CheckedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedCertificate")
            .field("source", &self.source)
            .field("issues", &self.issues)
            .finish_non_exhaustive()
    }
}

/// Reads the files and lists every problem for signing in to `company_nip` at `now`.
pub fn check(
    files: &CertificateFiles,
    company_nip: &str,
    now: Timestamp,
) -> Result<CheckedCertificate, CertificateIssue> {
    let credential = match files {
        CertificateFiles::Pem {
            certificate,
            private_key,
            password,
        } => SigningCredential::from_pem_files(certificate, private_key, password.as_ref()),
        CertificateFiles::Pkcs12 { bytes, password } => {
            SigningCredential::from_pkcs12(bytes, password)
        }
    }
    .map_err(CertificateIssue::Import)?;
    let issues = credential
        .certificate()
        .problems_for(company_nip, now)
        .into_iter()
        .map(CertificateIssue::Certificate)
        .collect();
    Ok(CheckedCertificate {
        credential,
        source: files.source(),
        issues,
    })
}

/// The public part kept in the store.
pub fn stored(info: &CertificateInfo, source: CertificateSource) -> StoredCertificate {
    StoredCertificate {
        source,
        der: info.der.clone(),
        subject: info.subject.clone(),
        issuer: info.issuer.clone(),
        serial_hex: info.serial_hex.clone(),
        fingerprint_sha256: info.fingerprint_sha256_hex.clone(),
        key_algorithm: match info.key {
            KeyAlgorithm::Rsa { bits } => format!("RSA {bits}"),
            KeyAlgorithm::EcP256 => "EC P-256".to_owned(),
        },
        not_before: info.not_before,
        not_after: info.not_after,
    }
}

/// How KSeF should identify the signer: by the NIP/PESEL in the subject when there is
/// one, else by the certificate's fingerprint.
pub fn subject_type(info: &CertificateInfo) -> ksef_xades::SubjectIdentifierType {
    match info.identifier {
        Some(SubjectIdentifier::Nip(_) | SubjectIdentifier::Pesel(_)) => {
            ksef_xades::SubjectIdentifierType::CertificateSubject
        }
        None => ksef_xades::SubjectIdentifierType::CertificateFingerprint,
    }
}
