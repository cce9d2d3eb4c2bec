//! KSeF certificate enrolment: a fresh EC P-256 key (KSeF recommends EC) and a PKCS#10
//! request whose subject is exactly what GET /certificates/enrollments/data returned
//! (docs/certyfikaty-KSeF.md: any change gets the request refused).

use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, RequestBuilder};
use x509_cert::der::asn1::{Any, ObjectIdentifier, PrintableStringRef, SetOfVec, Utf8StringRef};
use x509_cert::der::Encode;
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
use zeroize::Zeroizing;

use crate::SignError;

/// countryName and serialNumber are PrintableString in X.520; everything else is
/// DirectoryString, written as UTF8String.
const PRINTABLE: [&str; 2] = ["2.5.4.6", "2.5.4.5"];

/// A fresh EC P-256 private key as unencrypted PKCS#8 DER.
pub fn new_p256_key() -> Zeroizing<Vec<u8>> {
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    // Encoding a valid P-256 key into PKCS#8 cannot fail short of allocation failure;
    // an empty result would be refused by build_csr and from_parts.
    key.to_pkcs8_der()
        .map(|doc| doc.to_bytes())
        .unwrap_or_default()
}

/// A PKCS#10 CSR (DER) signed with ECDSA-SHA256 by the P-256 key, whose subject is the
/// given (OID, value) attributes in order, one per RDN.
pub fn build_csr(
    private_key_pkcs8_der: &[u8],
    subject: &[(String, String)],
) -> Result<Vec<u8>, SignError> {
    let key = p256::ecdsa::SigningKey::from_pkcs8_der(private_key_pkcs8_der).map_err(|_| {
        SignError::Crypto {
            reason: "the key is not an EC P-256 PKCS#8 private key".into(),
        }
    })?;
    let invalid = |reason: String| SignError::InvalidSubject { reason };
    let mut rdns = Vec::with_capacity(subject.len());
    for (oid, value) in subject {
        let parsed =
            ObjectIdentifier::new(oid).map_err(|_| invalid(format!("{oid:?} is not an OID")))?;
        let encoded = if PRINTABLE.contains(&oid.as_str()) {
            PrintableStringRef::new(value)
                .map_err(|_| invalid(format!("{oid} must be a PrintableString")))
                .and_then(|s| Any::encode_from(&s).map_err(|e| invalid(e.to_string())))?
        } else {
            Utf8StringRef::new(value)
                .map_err(|e| invalid(e.to_string()))
                .and_then(|s| Any::encode_from(&s).map_err(|e| invalid(e.to_string())))?
        };
        let atv = AttributeTypeAndValue {
            oid: parsed,
            value: encoded,
        };
        let set = SetOfVec::try_from(vec![atv]).map_err(|e| invalid(e.to_string()))?;
        rdns.push(RelativeDistinguishedName(set));
    }
    let crypto = |e: &dyn std::fmt::Display| SignError::Crypto {
        reason: e.to_string(),
    };
    let builder = RequestBuilder::new(RdnSequence(rdns), &key).map_err(|e| crypto(&e))?;
    let request = builder
        .build::<p256::ecdsa::DerSignature>()
        .map_err(|e| crypto(&e))?;
    request.to_der().map_err(|e| crypto(&e))
}
