//! Verifying an enveloped XML-DSig / XAdES signature the strict way: one signature, the
//! whole document signed, every reference and the SignatureValue checked.

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use chrono::{DateTime, Utc};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use roxmltree::{Document, Node};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::c14n::{self, Method, C14N_10};
use crate::certificate::{CertificateInfo, KeyAlgorithm, MIN_RSA_BITS};
use crate::sign::{ENVELOPED, SIGNED_PROPERTIES_TYPE, XADES_NS};
use crate::ImportError;

pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Refuse absurdly large or deep documents before walking them.
const MAX_NODES: u32 = 100_000;

/// Why a signed document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the document is not UTF-8")]
    NotUtf8,
    #[error("the document is not well-formed XML (DTDs are refused): {reason}")]
    NotWellFormed { reason: String },
    #[error("the document carries no XML signature")]
    NoSignature,
    #[error(
        "the signature is not inside the signed document (only enveloped signatures are accepted)"
    )]
    NotEnveloped,
    #[error("the document carries {count} XML signatures; exactly one is accepted")]
    MultipleSignatures { count: usize },
    #[error("the signature's {element} element is missing or repeated")]
    Malformed { element: &'static str },
    #[error("the signature does not sign the whole document (a Reference with URI=\"\" and the enveloped-signature transform)")]
    WholeDocumentNotSigned,
    #[error("unsupported canonicalisation {uri}")]
    UnsupportedCanonicalization { uri: String },
    #[error("unsupported signature algorithm {uri}")]
    UnsupportedSignatureMethod { uri: String },
    #[error("unsupported digest algorithm {uri}")]
    UnsupportedDigestMethod { uri: String },
    #[error("unsupported transform {uri}")]
    UnsupportedTransform { uri: String },
    #[error("unsupported reference URI {uri}")]
    UnsupportedReference { uri: String },
    #[error("the reference {uri} points at no element, or at more than one")]
    UnresolvedReference { uri: String },
    #[error("the digest of reference {uri:?} does not match: the signed content was changed")]
    DigestMismatch { uri: String },
    #[error("the signature carries no X509Certificate")]
    MissingCertificate,
    #[error("the embedded certificate is unusable: {0}")]
    BadCertificate(#[from] ImportError),
    #[error("the signature algorithm does not fit the certificate's key")]
    AlgorithmDoesNotFitKey,
    #[error("the signature value does not verify with the embedded certificate")]
    BadSignatureValue,
    #[error("SignedProperties names a signing certificate that is not the embedded one")]
    SigningCertificateMismatch,
    #[error("SignedProperties has no SigningCertificate")]
    MissingSigningCertificate,
    #[error("SigningTime {value:?} is not an xsd:dateTime")]
    BadSigningTime { value: String },
}

/// What a valid signature vouches for.
#[derive(Debug, Clone)]
pub struct VerifiedDocument {
    pub signer: CertificateInfo,
    /// XAdES SigningTime, when the signed properties carry it.
    pub signing_time: Option<DateTime<Utc>>,
    /// Exactly the octets the whole-document reference digested: the canonical document
    /// with the Signature removed. Read the signed content from here, never from the
    /// original input, so nothing unsigned can slip in.
    pub signed_xml: String,
}

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest_method(uri: &str) -> Result<Self, VerifyError> {
        match uri {
            "http://www.w3.org/2001/04/xmlenc#sha256" => Ok(Self::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => Ok(Self::Sha384),
            "http://www.w3.org/2001/04/xmlenc#sha512" => Ok(Self::Sha512),
            _ => Err(VerifyError::UnsupportedDigestMethod { uri: uri.into() }),
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

#[derive(Clone, Copy)]
enum SignatureMethod {
    Rsa(Hash),
    Ecdsa(Hash),
}

impl SignatureMethod {
    fn from_uri(uri: &str) -> Result<Self, VerifyError> {
        const MORE: &str = "http://www.w3.org/2001/04/xmldsig-more#";
        match uri.strip_prefix(MORE) {
            Some("rsa-sha256") => Ok(Self::Rsa(Hash::Sha256)),
            Some("rsa-sha384") => Ok(Self::Rsa(Hash::Sha384)),
            Some("rsa-sha512") => Ok(Self::Rsa(Hash::Sha512)),
            Some("ecdsa-sha256") => Ok(Self::Ecdsa(Hash::Sha256)),
            Some("ecdsa-sha384") => Ok(Self::Ecdsa(Hash::Sha384)),
            Some("ecdsa-sha512") => Ok(Self::Ecdsa(Hash::Sha512)),
            _ => Err(VerifyError::UnsupportedSignatureMethod { uri: uri.into() }),
        }
    }
}

/// Elements whose Id (also ID, id) attribute is `id`.
pub(crate) fn find_by_id<'a, 'i>(
    doc: &'a Document<'i>,
    id: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    doc.descendants().filter(move |n| {
        n.is_element()
            && ["Id", "ID", "id"]
                .iter()
                .any(|name| n.attribute(*name) == Some(id))
    })
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |n| n.has_tag_name((ns, name)))
}

/// The one child `ns:name` of `node`.
fn only_child<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'static str,
) -> Result<Node<'a, 'i>, VerifyError> {
    let mut found = children(node, ns, name);
    match (found.next(), found.next()) {
        (Some(child), None) => Ok(child),
        _ => Err(VerifyError::Malformed { element: name }),
    }
}

fn algorithm<'a>(node: Node<'a, '_>, element: &'static str) -> Result<&'a str, VerifyError> {
    node.attribute("Algorithm")
        .ok_or(VerifyError::Malformed { element })
}

fn base64_text(node: Node<'_, '_>, element: &'static str) -> Result<Vec<u8>, VerifyError> {
    let text: String = node
        .text()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    B64.decode(text)
        .map_err(|_| VerifyError::Malformed { element })
}

/// Verifies an enveloped XML-DSig/XAdES document as KSeF does: exactly one ds:Signature,
/// a Reference URI="" (whole document, enveloped-signature transform + an allowed c14n)
/// so nothing unsigned can be smuggled in, digests, SignatureValue against the embedded
/// X509Certificate, and (when present) the SignedProperties reference and the
/// SigningCertificate digest. Does NOT judge validity dates or trust (the caller does).
pub fn verify_enveloped(xml: &[u8]) -> Result<VerifiedDocument, VerifyError> {
    let text = std::str::from_utf8(xml).map_err(|_| VerifyError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc =
        Document::parse_with_options(text, options).map_err(|e| VerifyError::NotWellFormed {
            reason: e.to_string(),
        })?;
    let signatures: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name((DSIG_NS, "Signature")))
        .collect();
    let signature = match signatures.as_slice() {
        [] => return Err(VerifyError::NoSignature),
        [one] => *one,
        more => return Err(VerifyError::MultipleSignatures { count: more.len() }),
    };
    // A Signature as the document element would "envelop" nothing: URI="" minus the
    // signature is empty.
    if signature.parent().is_some_and(|p| p.is_root()) {
        return Err(VerifyError::NotEnveloped);
    }
    let signed_info = only_child(signature, DSIG_NS, "SignedInfo")?;
    let c14n_uri = algorithm(
        only_child(signed_info, DSIG_NS, "CanonicalizationMethod")?,
        "CanonicalizationMethod",
    )?;
    let signed_info_c14n = c14n::Method::from_uri(c14n_uri).ok_or_else(|| {
        VerifyError::UnsupportedCanonicalization {
            uri: c14n_uri.into(),
        }
    })?;
    let method = SignatureMethod::from_uri(algorithm(
        only_child(signed_info, DSIG_NS, "SignatureMethod")?,
        "SignatureMethod",
    )?)?;

    let mut signed_xml = None;
    let mut signed_properties = None;
    for reference in children(signed_info, DSIG_NS, "Reference") {
        let uri = reference.attribute("URI").ok_or(VerifyError::Malformed {
            element: "Reference",
        })?;
        let mut enveloped = false;
        let mut method: Option<Method> = None;
        if let Some(transforms) = children(reference, DSIG_NS, "Transforms").next() {
            for transform in children(transforms, DSIG_NS, "Transform") {
                let t = algorithm(transform, "Transform")?;
                if t == ENVELOPED && uri.is_empty() && !enveloped && method.is_none() {
                    enveloped = true;
                } else if let (Some(m), None) = (Method::from_uri(t), method) {
                    if transform.children().any(|c| c.is_element()) {
                        // InclusiveNamespaces PrefixList and the like.
                        return Err(VerifyError::UnsupportedTransform {
                            uri: format!("{t} with parameters"),
                        });
                    }
                    method = Some(m);
                } else {
                    return Err(VerifyError::UnsupportedTransform { uri: t.into() });
                }
            }
        }
        // Same-document references drop comments; without a c14n transform the node-set
        // is serialised with Canonical XML 1.0.
        let method = method
            .or_else(|| Method::from_uri(C14N_10))
            .ok_or(VerifyError::UnsupportedCanonicalization {
                uri: C14N_10.into(),
            })?
            .without_comments();
        let hash = Hash::digest_method(algorithm(
            only_child(reference, DSIG_NS, "DigestMethod")?,
            "DigestMethod",
        )?)?;
        let expected = base64_text(
            only_child(reference, DSIG_NS, "DigestValue")?,
            "DigestValue",
        )?;
        let canonical = if uri.is_empty() {
            if !enveloped || signed_xml.is_some() {
                return Err(VerifyError::WholeDocumentNotSigned);
            }
            c14n::canonicalize(doc.root(), Some(signature.id()), method)
        } else if let Some(id) = uri.strip_prefix('#') {
            let mut targets = find_by_id(&doc, id);
            let target = match (targets.next(), targets.next()) {
                (Some(t), None) => t,
                _ => return Err(VerifyError::UnresolvedReference { uri: uri.into() }),
            };
            if reference.attribute("Type") == Some(SIGNED_PROPERTIES_TYPE)
                || target.has_tag_name((XADES_NS, "SignedProperties"))
            {
                if !target.has_tag_name((XADES_NS, "SignedProperties"))
                    || signed_properties.is_some()
                    || !target.ancestors().any(|a| a == signature)
                {
                    return Err(VerifyError::UnresolvedReference { uri: uri.into() });
                }
                signed_properties = Some(target);
            }
            c14n::canonicalize(target, None, method)
        } else {
            return Err(VerifyError::UnsupportedReference { uri: uri.into() });
        };
        if hash.digest(canonical.as_bytes()) != expected {
            return Err(VerifyError::DigestMismatch { uri: uri.into() });
        }
        if uri.is_empty() {
            signed_xml = Some(canonical);
        }
    }
    let signed_xml = signed_xml.ok_or(VerifyError::WholeDocumentNotSigned)?;

    // The embedded certificates; with signed properties the signer is the one their
    // SigningCertificate names, otherwise the first.
    let key_info =
        only_child(signature, DSIG_NS, "KeyInfo").map_err(|_| VerifyError::MissingCertificate)?;
    let mut certificates = Vec::new();
    for node in key_info
        .descendants()
        .filter(|n| n.has_tag_name((DSIG_NS, "X509Certificate")))
    {
        certificates.push(base64_text(node, "X509Certificate")?);
    }
    let (signer_der, signing_time) = match signed_properties {
        Some(properties) => {
            let cert_digest = properties
                .descendants()
                .find(|n| {
                    n.has_tag_name((XADES_NS, "SigningCertificate"))
                        || n.has_tag_name((XADES_NS, "SigningCertificateV2"))
                })
                .and_then(|sc| {
                    sc.descendants()
                        .find(|n| n.has_tag_name((XADES_NS, "CertDigest")))
                })
                .ok_or(VerifyError::MissingSigningCertificate)?;
            let hash = Hash::digest_method(algorithm(
                only_child(cert_digest, DSIG_NS, "DigestMethod")?,
                "DigestMethod",
            )?)?;
            let expected = base64_text(
                only_child(cert_digest, DSIG_NS, "DigestValue")?,
                "DigestValue",
            )?;
            let signer = certificates
                .iter()
                .find(|der| hash.digest(der) == expected)
                .ok_or(if certificates.is_empty() {
                    VerifyError::MissingCertificate
                } else {
                    VerifyError::SigningCertificateMismatch
                })?;
            let signing_time = match properties
                .descendants()
                .find(|n| n.has_tag_name((XADES_NS, "SigningTime")))
            {
                Some(node) => {
                    let value = node.text().unwrap_or_default().trim();
                    Some(
                        DateTime::parse_from_rfc3339(value)
                            .map_err(|_| VerifyError::BadSigningTime {
                                value: value.into(),
                            })?
                            .with_timezone(&Utc),
                    )
                }
                None => None,
            };
            (signer.clone(), signing_time)
        }
        None => (
            certificates
                .first()
                .cloned()
                .ok_or(VerifyError::MissingCertificate)?,
            None,
        ),
    };
    let signer = CertificateInfo::from_der(&signer_der)?;

    let canonical_signed_info = c14n::canonicalize(signed_info, None, signed_info_c14n);
    let signature_value = base64_text(
        only_child(signature, DSIG_NS, "SignatureValue")?,
        "SignatureValue",
    )?;
    check_signature_value(
        &signer,
        method,
        canonical_signed_info.as_bytes(),
        &signature_value,
    )?;
    Ok(VerifiedDocument {
        signer,
        signing_time,
        signed_xml,
    })
}

fn check_signature_value(
    signer: &CertificateInfo,
    method: SignatureMethod,
    data: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    use pkcs8::DecodePublicKey;
    let spki = signer.spki_der()?;
    match (method, signer.key) {
        (SignatureMethod::Rsa(hash), KeyAlgorithm::Rsa { bits }) => {
            if bits < MIN_RSA_BITS {
                return Err(ImportError::RsaKeyTooShort { bits }.into());
            }
            let key = rsa::RsaPublicKey::from_public_key_der(&spki)
                .map_err(|_| ImportError::NotACertificate)?;
            let digest = hash.digest(data);
            let scheme = match hash {
                Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(scheme, &digest, signature)
                .map_err(|_| VerifyError::BadSignatureValue)
        }
        (SignatureMethod::Ecdsa(hash), KeyAlgorithm::EcP256) => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki)
                .map_err(|_| ImportError::NotACertificate)?;
            // XML-DSig 1.1: R||S, each as wide as the curve order.
            let signature = p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| VerifyError::BadSignatureValue)?;
            key.verify_prehash(&hash.digest(data), &signature)
                .map_err(|_| VerifyError::BadSignatureValue)
        }
        _ => Err(VerifyError::AlgorithmDoesNotFitKey),
    }
}
