//! The AuthTokenRequest and its enveloped XAdES-BES signature, shaped like the official
//! KSeF clients' (docs/auth/podpis-xades.md).

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::c14n::{self, Method, EXC_C14N};
use crate::credential::{PrivateKey, SigningCredential};
use crate::verify::{find_by_id, DSIG_NS};

pub(crate) const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub(crate) const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub(crate) const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
pub(crate) const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub(crate) const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const AUTH_NS: &str = "http://ksef.mf.gov.pl/auth/token/2.0";
const SIGNATURE_ID: &str = "Signature";
const SIGNED_PROPERTIES_ID: &str = "SignedProperties";

/// Why a document could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the document is not well-formed XML: {reason}")]
    NotWellFormed { reason: String },
    #[error("the document already carries an XML signature")]
    AlreadySigned,
    #[error("the document uses the id {id} that the signature needs")]
    IdInUse { id: String },
    #[error("the signature could not be computed: {reason}")]
    Crypto { reason: String },
    #[error("a CSR subject attribute is invalid: {reason}")]
    InvalidSubject { reason: String },
    #[error("the signed document did not verify: {0}")]
    SelfCheck(#[from] crate::VerifyError),
}

/// How KSeF identifies the signer: by the NIP/PESEL in the certificate subject, or by
/// the certificate's SHA-256 fingerprint (KSeF certificates, certificates without an
/// identifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectIdentifierType {
    CertificateSubject,
    CertificateFingerprint,
}

/// The unsigned AuthTokenRequest (namespace http://ksef.mf.gov.pl/auth/token/2.0, valid
/// against the auth XSD when the challenge and the NIP are).
pub fn auth_token_request(
    challenge: &str,
    context_nip: &str,
    subject: SubjectIdentifierType,
) -> String {
    let subject = match subject {
        SubjectIdentifierType::CertificateSubject => "certificateSubject",
        SubjectIdentifierType::CertificateFingerprint => "certificateFingerprint",
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!("<AuthTokenRequest xmlns=\"{AUTH_NS}\">"));
    xml.push_str("<Challenge>");
    push_escaped(challenge, &mut xml);
    xml.push_str("</Challenge><ContextIdentifier><Nip>");
    push_escaped(context_nip, &mut xml);
    xml.push_str("</Nip></ContextIdentifier><SubjectIdentifierType>");
    xml.push_str(subject);
    xml.push_str("</SubjectIdentifierType></AuthTokenRequest>");
    xml
}

fn push_escaped(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn parse(xml: &str) -> Result<roxmltree::Document<'_>, SignError> {
    roxmltree::Document::parse(xml).map_err(|e| SignError::NotWellFormed {
        reason: e.to_string(),
    })
}

/// Enveloped XAdES-BES: exc-c14n, SHA-256 digests, RSA-SHA256 (PKCS#1 v1.5) or
/// ECDSA-SHA256 (R||S), SignedProperties with SigningTime and SigningCertificate. The
/// signature becomes the last child of the document element; the result is checked
/// with [`crate::verify_enveloped`] before it is returned.
pub fn sign_enveloped(
    xml: &str,
    credential: &SigningCredential,
    signing_time: DateTime<Utc>,
) -> Result<String, SignError> {
    let doc = parse(xml)?;
    if doc
        .descendants()
        .any(|n| n.has_tag_name((DSIG_NS, "Signature")))
    {
        return Err(SignError::AlreadySigned);
    }
    for id in [SIGNATURE_ID, SIGNED_PROPERTIES_ID] {
        if find_by_id(&doc, id).next().is_some() {
            return Err(SignError::IdInUse { id: id.into() });
        }
    }
    let root = doc.root_element();
    let exc = Method::EXCLUSIVE;
    let document_digest = B64.encode(Sha256::digest(c14n::canonicalize(doc.root(), None, exc)));

    // Where the signature goes: just before the document element's end tag.
    let range = root.range();
    let element_text = &xml[range.clone()];
    let (head, tail) = if element_text.ends_with("/>") {
        let open = &xml[..range.end - 2];
        let name = element_text[1..]
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or_default();
        (
            format!("{open}>"),
            format!("</{name}>{}", &xml[range.end..]),
        )
    } else {
        let end_tag = element_text
            .rfind("</")
            .map_or(range.end, |i| range.start + i);
        (xml[..end_tag].to_owned(), xml[end_tag..].to_owned())
    };

    let cert = credential.certificate();
    let signature_method = match credential.key {
        PrivateKey::Rsa(_) => RSA_SHA256,
        PrivateKey::EcP256(_) => ECDSA_SHA256,
    };
    let serial = cert.serial_decimal().map_err(|e| SignError::Crypto {
        reason: e.to_string(),
    })?;
    let signed_properties = format!(
        "<xades:SignedProperties Id=\"{SIGNED_PROPERTIES_ID}\">\
<xades:SignedSignatureProperties>\
<xades:SigningTime>{time}</xades:SigningTime>\
<xades:SigningCertificate><xades:Cert><xades:CertDigest>\
<ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{cert_digest}</ds:DigestValue>\
</xades:CertDigest><xades:IssuerSerial><ds:X509IssuerName>{issuer}</ds:X509IssuerName>\
<ds:X509SerialNumber>{serial}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert>\
</xades:SigningCertificate></xades:SignedSignatureProperties></xades:SignedProperties>",
        time = signing_time.to_rfc3339_opts(SecondsFormat::Secs, true),
        cert_digest = B64.encode(Sha256::digest(&cert.der)),
        issuer = escape(&cert.issuer),
    );
    let object = format!(
        "<ds:Object><xades:QualifyingProperties xmlns:xades=\"{XADES_NS}\" Target=\"#{SIGNATURE_ID}\">\
{signed_properties}</xades:QualifyingProperties></ds:Object>"
    );
    let key_info = format!(
        "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        B64.encode(&cert.der)
    );
    let signed_info = |properties_digest: &str| {
        format!(
            "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
<ds:SignatureMethod Algorithm=\"{signature_method}\"/>\
<ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"{ENVELOPED}\"/>\
<ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{document_digest}</ds:DigestValue></ds:Reference>\
<ds:Reference Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#{SIGNED_PROPERTIES_ID}\">\
<ds:Transforms><ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{properties_digest}</ds:DigestValue></ds:Reference>\
</ds:SignedInfo>"
        )
    };
    let assemble = |signed_info: &str, signature_value: &str| {
        format!(
            "{head}<ds:Signature xmlns:ds=\"{DSIG_NS}\" Id=\"{SIGNATURE_ID}\">{signed_info}\
<ds:SignatureValue>{signature_value}</ds:SignatureValue>{key_info}{object}</ds:Signature>{tail}"
        )
    };

    // 1. Digest of SignedProperties as it sits in the final document.
    let draft = assemble(&signed_info(""), "");
    let draft_doc = parse(&draft)?;
    let properties = find_by_id(&draft_doc, SIGNED_PROPERTIES_ID)
        .next()
        .ok_or_else(|| SignError::NotWellFormed {
            reason: "SignedProperties went missing".into(),
        })?;
    let properties_digest = B64.encode(Sha256::digest(c14n::canonicalize(properties, None, exc)));

    // 2. Sign the canonical SignedInfo, again in place.
    let signed_info = signed_info(&properties_digest);
    let draft = assemble(&signed_info, "");
    let draft_doc = parse(&draft)?;
    let signed_info_node = draft_doc
        .descendants()
        .find(|n| n.has_tag_name((DSIG_NS, "SignedInfo")))
        .ok_or_else(|| SignError::NotWellFormed {
            reason: "SignedInfo went missing".into(),
        })?;
    let canonical = c14n::canonicalize(signed_info_node, None, exc);
    let signature = credential
        .key
        .sign(canonical.as_bytes())
        .map_err(|e| SignError::Crypto {
            reason: e.to_string(),
        })?;
    let signed = assemble(&signed_info, &B64.encode(signature));
    crate::verify_enveloped(signed.as_bytes())?;
    Ok(signed)
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    push_escaped(text, &mut out);
    out
}
