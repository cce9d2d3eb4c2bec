//! KSeF credentials and XAdES: import a certificate with its private key (PEM, PKCS#8,
//! PKCS#12) naming every problem, sign an AuthTokenRequest as enveloped XAdES-BES,
//! verify such signatures strictly (the simulator's /auth/xades-signature), and build
//! the PKCS#10 request for a KSeF certificate. Pure Rust: no system XML or crypto
//! libraries, so it builds the same on Windows, macOS and Linux.

mod c14n;
mod certificate;
mod credential;
mod csr;
mod pem;
mod sign;
mod verify;

pub use certificate::{CertificateInfo, CertificateProblem, KeyAlgorithm, SubjectIdentifier};
pub use credential::{ImportError, SigningCredential};
pub use csr::{build_csr, new_p256_key};
pub use sign::{auth_token_request, sign_enveloped, SignError, SubjectIdentifierType};
pub use verify::{verify_enveloped, VerifiedDocument, VerifyError};
