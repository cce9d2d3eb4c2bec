//! Our signatures against xmlsec1 (libxmlsec1 + OpenSSL), and xmlsec1's against our
//! verifier; tampered documents refused.

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use chrono::{TimeZone, Utc};
use ksef_xades::{
    auth_token_request, sign_enveloped, verify_enveloped, SigningCredential, SubjectIdentifierType,
    VerifyError,
};

use crate::fixtures::{run, Fixtures, CHALLENGE, NIP, OTHER_NIP};

const XADES_ID: &str = "--id-attr:Id";
const SIGNED_PROPERTIES: &str = "http://uri.etsi.org/01903/v1.3.2#:SignedProperties";

fn credential(f: &Fixtures, name: &str) -> SigningCredential {
    SigningCredential::from_pem_files(
        &f.read(&format!("{name}.crt")),
        &f.read(&format!("{name}.key")),
        None,
    )
    .unwrap()
}

fn signed_request(f: &Fixtures, name: &str) -> String {
    let xml = auth_token_request(CHALLENGE, NIP, SubjectIdentifierType::CertificateSubject);
    let time = Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap();
    sign_enveloped(&xml, &credential(f, name), time).unwrap()
}

fn xmlsec_verify(f: &Fixtures, file: &str, cert: &str) -> (bool, String) {
    run(
        "xmlsec1",
        &[
            "--verify",
            XADES_ID,
            SIGNED_PROPERTIES,
            "--enabled-reference-uris",
            "empty,same-doc",
            "--trusted-pem",
            cert,
            file,
        ],
        f.dir(),
    )
}

/// The 2.0 schema as libxml2 can compile it: see tests/data/README.md.
fn schema_2_0(f: &Fixtures) -> String {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let v20 = std::fs::read_to_string(format!("{data}schemat_auth_v2-0.xsd")).unwrap();
    let v21 = std::fs::read_to_string(format!("{data}schemat_auth_v2-1.xsd")).unwrap();
    let fixed = v21.replace("auth/token/2.1", "auth/token/2.0");
    let differing: Vec<(&str, &str)> = v20
        .lines()
        .zip(fixed.lines())
        .filter(|(a, b)| a.trim_end() != b.trim_end())
        .collect();
    assert_eq!(differing.len(), 3, "{differing:#?}");
    assert!(differing
        .iter()
        .all(|(a, _)| a.contains("<xsd:pattern") && a.contains("\\b")));
    f.write("auth-2.0.xsd", fixed.as_bytes());
    "auth-2.0.xsd".into()
}

#[test]
fn auth_token_request_is_valid_against_the_xsd() {
    let f = Fixtures::new();
    let xsd = schema_2_0(&f);
    for subject in [
        SubjectIdentifierType::CertificateSubject,
        SubjectIdentifierType::CertificateFingerprint,
    ] {
        f.write(
            "req.xml",
            auth_token_request(CHALLENGE, NIP, subject).as_bytes(),
        );
        let (ok, out) = run(
            "xmllint",
            &["--noout", "--schema", &xsd, "req.xml"],
            f.dir(),
        );
        assert!(ok, "{out}");
    }
    // The check can fail: a malformed challenge is refused by the schema.
    f.write(
        "bad.xml",
        auth_token_request(
            "not-a-challenge",
            NIP,
            SubjectIdentifierType::CertificateSubject,
        )
        .as_bytes(),
    );
    let (ok, _) = run(
        "xmllint",
        &["--noout", "--schema", &xsd, "bad.xml"],
        f.dir(),
    );
    assert!(!ok);
}

#[test]
fn xmlsec1_accepts_our_rsa_and_ec_signatures() {
    let f = Fixtures::new();
    f.rsa_person("rsa");
    f.ec_seal("ec");
    for name in ["rsa", "ec"] {
        let signed = signed_request(&f, name);
        f.write("signed.xml", signed.as_bytes());
        let (ok, out) = xmlsec_verify(&f, "signed.xml", &format!("{name}.crt"));
        assert!(ok, "xmlsec1 refused our {name} signature: {out}\n{signed}");
        // ...and the same check refuses a changed document, so it is a real check.
        f.write("changed.xml", signed.replace(NIP, OTHER_NIP).as_bytes());
        let (ok, _) = xmlsec_verify(&f, "changed.xml", &format!("{name}.crt"));
        assert!(!ok, "xmlsec1 accepted a changed document");
    }
}

#[test]
fn we_verify_our_own_signature_and_read_what_was_signed() {
    let f = Fixtures::new();
    f.ec_seal("ec");
    let signed = signed_request(&f, "ec");
    let verified = verify_enveloped(signed.as_bytes()).unwrap();
    assert_eq!(verified.signer, *credential(&f, "ec").certificate());
    assert_eq!(
        verified.signing_time,
        Some(Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap())
    );
    assert!(verified.signed_xml.contains(CHALLENGE));
    assert!(!verified.signed_xml.contains("Signature"));
}

/// A template for `xmlsec1 --sign`: the document plus an empty signature.
fn template(c14n: &str, transforms: &str, key_name: &str) -> String {
    let unsigned = auth_token_request(CHALLENGE, NIP, SubjectIdentifierType::CertificateSubject);
    let signature = format!(
        r#"
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
    <SignedInfo>
      <CanonicalizationMethod Algorithm="{c14n}"/>
      <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#{key_name}-sha256"/>
      <Reference URI="">
        <Transforms>{transforms}</Transforms>
        <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <DigestValue/>
      </Reference>
    </SignedInfo>
    <SignatureValue/>
    <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
  </Signature>
"#
    );
    unsigned.replace(
        "</AuthTokenRequest>",
        &format!("{signature}</AuthTokenRequest>"),
    )
}

fn xmlsec_sign(f: &Fixtures, template: &str, name: &str) -> String {
    f.write("template.xml", template.as_bytes());
    let key = format!("{name}.key,{name}.crt");
    let (ok, out) = run(
        "xmlsec1",
        &[
            "--sign",
            "--privkey-pem",
            &key,
            "--output",
            "signed.xml",
            "template.xml",
        ],
        f.dir(),
    );
    assert!(ok, "xmlsec1 --sign failed: {out}");
    String::from_utf8(f.read("signed.xml")).unwrap()
}

const ENVELOPED: &str =
    r#"<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#;
const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const INCLUSIVE: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

#[test]
fn we_accept_xmlsec1_signatures_rsa_and_ec_exclusive_and_inclusive() {
    let f = Fixtures::new();
    f.rsa_person("rsa");
    f.ec_seal("ec");
    let exc_transforms = format!(r#"{ENVELOPED}<Transform Algorithm="{EXC}"/>"#);
    for (name, alg) in [("rsa", "rsa"), ("ec", "ecdsa")] {
        for (c14n, transforms) in [(EXC, exc_transforms.as_str()), (INCLUSIVE, ENVELOPED)] {
            let signed = xmlsec_sign(&f, &template(c14n, transforms, alg), name);
            let verified = verify_enveloped(signed.as_bytes())
                .unwrap_or_else(|e| panic!("{name} {c14n}: {e}\n{signed}"));
            assert_eq!(verified.signer, *credential(&f, name).certificate());
            assert_eq!(verified.signing_time, None);
            assert!(verified.signed_xml.contains(CHALLENGE));

            let changed = signed.replace(CHALLENGE, "20250514-CR-FFFFFFFFFF-6F7A8B9C0D-E1");
            assert_eq!(
                verify_enveloped(changed.as_bytes()).unwrap_err(),
                VerifyError::DigestMismatch { uri: String::new() }
            );
        }
    }
}

#[test]
fn a_signature_over_part_of_the_document_is_refused() {
    let f = Fixtures::new();
    f.rsa_person("rsa");
    // xmlsec1 signs only the Challenge element (by Id): NIP and the rest are unsigned.
    let partial = template(EXC, &format!(r#"<Transform Algorithm="{EXC}"/>"#), "rsa")
        .replace("<Challenge>", r#"<Challenge Id="c">"#)
        .replace(r#"<Reference URI="">"#, r##"<Reference URI="#c">"##);
    f.write("template.xml", partial.as_bytes());
    let (ok, out) = run(
        "xmlsec1",
        &[
            "--sign",
            "--id-attr:Id",
            "Challenge",
            "--privkey-pem",
            "rsa.key,rsa.crt",
            "--output",
            "signed.xml",
            "template.xml",
        ],
        f.dir(),
    );
    assert!(ok, "{out}");
    let signed = f.read("signed.xml");
    assert_eq!(
        verify_enveloped(&signed).unwrap_err(),
        VerifyError::WholeDocumentNotSigned
    );
}

#[test]
fn tampered_documents_are_refused() {
    let f = Fixtures::new();
    f.rsa_person("rsa");
    f.ec_seal("other");
    let signed = signed_request(&f, "rsa");
    assert!(verify_enveloped(signed.as_bytes()).is_ok());
    let refused = |xml: &str| verify_enveloped(xml.as_bytes()).unwrap_err();

    // Changed challenge, changed NIP.
    let changed = signed.replace(CHALLENGE, "20250514-CR-FFFFFFFFFF-6F7A8B9C0D-E1");
    assert!(matches!(
        refused(&changed),
        VerifyError::DigestMismatch { .. }
    ));
    let changed = signed.replace(&format!("<Nip>{NIP}"), &format!("<Nip>{OTHER_NIP}"));
    assert!(matches!(
        refused(&changed),
        VerifyError::DigestMismatch { .. }
    ));

    // Another certificate swapped into KeyInfo.
    let ours = B64.encode(&credential(&f, "rsa").certificate().der);
    let theirs = B64.encode(&credential(&f, "other").certificate().der);
    let swapped = signed.replace(&ours, &theirs);
    assert_eq!(refused(&swapped), VerifyError::SigningCertificateMismatch);

    // An element injected into the signed document.
    let injected = signed.replace(
        "</SubjectIdentifierType>",
        "</SubjectIdentifierType><AuthorizationPolicy/>",
    );
    assert!(matches!(
        refused(&injected),
        VerifyError::DigestMismatch { .. }
    ));

    // Wrapping: the original request moved into ds:Object (not signed by URI=""), a
    // forged one in its place.
    let start = signed.find("<AuthTokenRequest").unwrap();
    let sig_start = signed.find("<ds:Signature").unwrap();
    let original_body = &signed[signed[start..].find('>').unwrap() + start + 1..sig_start];
    let forged_body = original_body.replace(NIP, OTHER_NIP);
    let wrapped = signed.replacen(original_body, &forged_body, 1).replace(
        "<ds:Object>",
        &format!("<ds:Object><Wrapped>{original_body}</Wrapped>"),
    );
    assert!(matches!(
        refused(&wrapped),
        VerifyError::DigestMismatch { .. }
    ));

    // A second signature.
    let sig_end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = &signed[sig_start..sig_end];
    let doubled = signed.replacen(signature, &format!("{signature}{signature}"), 1);
    assert_eq!(
        refused(&doubled),
        VerifyError::MultipleSignatures { count: 2 }
    );

    // Signed properties changed (signing time).
    let retimed = signed.replace("2026-12-04T15:00:00Z", "2026-12-05T15:00:00Z");
    assert!(
        matches!(refused(&retimed), VerifyError::DigestMismatch { uri } if uri == "#SignedProperties")
    );

    // A forged SignatureValue.
    let value = |xml: &str| {
        let s = xml.find("<ds:SignatureValue>").unwrap();
        let e = xml.find("</ds:SignatureValue>").unwrap();
        xml[s..e].to_owned()
    };
    let forged = signed.replace(&value(&signed), "<ds:SignatureValue>AAAA");
    assert_eq!(refused(&forged), VerifyError::BadSignatureValue);

    // The signature alone, as the document element, signs nothing.
    let alone = format!("<?xml version=\"1.0\"?>{signature}");
    assert_eq!(refused(&alone), VerifyError::NotEnveloped);

    // A DTD (entity expansion) is refused outright.
    let dtd = signed.replacen(
        "<AuthTokenRequest",
        "<!DOCTYPE AuthTokenRequest [<!ENTITY x \"y\">]><AuthTokenRequest",
        1,
    );
    assert!(matches!(refused(&dtd), VerifyError::NotWellFormed { .. }));
}

/// A XAdES-BES template for xmlsec1: our code only reads what xmlsec1 digested and signed.
fn xades_template(c14n: &str, alg: &str, cert_digest: &str) -> String {
    let unsigned = auth_token_request(
        CHALLENGE,
        NIP,
        SubjectIdentifierType::CertificateFingerprint,
    );
    let signature = format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="{c14n}"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#{alg}-sha256"/>
<ds:Reference URI="">
<ds:Transforms>{ENVELOPED}<ds:Transform Algorithm="{c14n}"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>
</ds:Reference>
<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#props">
<ds:Transforms><ds:Transform Algorithm="{c14n}"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
<ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig">
<xades:SignedProperties Id="props"><xades:SignedSignatureProperties>
<xades:SigningTime>2026-12-04T16:30:00+01:00</xades:SigningTime>
<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue>{cert_digest}</ds:DigestValue>
</xades:CertDigest></xades:Cert></xades:SigningCertificateV2>
</xades:SignedSignatureProperties></xades:SignedProperties>
</xades:QualifyingProperties></ds:Object>
</ds:Signature>"##,
        ENVELOPED = ENVELOPED.replace("<Transform", "<ds:Transform"),
    );
    unsigned.replace(
        "</AuthTokenRequest>",
        &format!("{signature}</AuthTokenRequest>"),
    )
}

fn xmlsec_sign_xades(f: &Fixtures, template: &str, name: &str) -> String {
    f.write("template.xml", template.as_bytes());
    let key = format!("{name}.key,{name}.crt");
    let (ok, out) = run(
        "xmlsec1",
        &[
            "--sign",
            XADES_ID,
            SIGNED_PROPERTIES,
            "--privkey-pem",
            &key,
            "--output",
            "signed.xml",
            "template.xml",
        ],
        f.dir(),
    );
    assert!(ok, "xmlsec1 --sign failed: {out}");
    String::from_utf8(f.read("signed.xml")).unwrap()
}

#[test]
fn we_accept_xmlsec1_xades_signatures_and_check_the_signing_certificate() {
    let f = Fixtures::new();
    f.ec_seal("ec");
    f.rsa_person("rsa");
    const C14N_11: &str = "http://www.w3.org/2006/12/xml-c14n11";
    for (name, alg, c14n) in [("ec", "ecdsa", C14N_11), ("rsa", "rsa", EXC)] {
        let cert = credential(&f, name).certificate().clone();
        let digest = B64.encode(<sha2::Sha256 as sha2::Digest>::digest(&cert.der));
        let signed = xmlsec_sign_xades(&f, &xades_template(c14n, alg, &digest), name);
        let verified = verify_enveloped(signed.as_bytes())
            .unwrap_or_else(|e| panic!("{name} {c14n}: {e}\n{signed}"));
        assert_eq!(verified.signer, cert);
        assert_eq!(
            verified.signing_time,
            Some(Utc.with_ymd_and_hms(2026, 12, 4, 15, 30, 0).unwrap())
        );
        // Changing the signed properties breaks their digest.
        let retimed = signed.replace("16:30:00+01:00", "16:31:00+01:00");
        assert_eq!(
            verify_enveloped(retimed.as_bytes()).unwrap_err(),
            VerifyError::DigestMismatch {
                uri: "#props".into()
            }
        );
    }
    // Properly signed, but SigningCertificate names another certificate.
    let other = B64.encode(<sha2::Sha256 as sha2::Digest>::digest(
        &credential(&f, "rsa").certificate().der,
    ));
    let signed = xmlsec_sign_xades(&f, &xades_template(EXC, "ecdsa", &other), "ec");
    assert_eq!(
        verify_enveloped(signed.as_bytes()).unwrap_err(),
        VerifyError::SigningCertificateMismatch
    );
}

/// Whatever single character is changed, the document is refused or still vouches for
/// exactly the same signed content and signer (e.g. an unsigned attribute like Target).
#[test]
fn no_single_character_change_alters_what_is_vouched_for() {
    let f = Fixtures::new();
    f.ec_seal("ec");
    let signed = signed_request(&f, "ec");
    let original = verify_enveloped(signed.as_bytes()).unwrap();
    let mut accepted = 0;
    for (i, c) in signed
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
    {
        let replacement = if c == 'A' { 'B' } else { 'A' };
        let mut mutated = signed.clone();
        mutated.replace_range(i..i + 1, &replacement.to_string());
        if let Ok(v) = verify_enveloped(mutated.as_bytes()) {
            accepted += 1;
            assert_eq!(v.signed_xml, original.signed_xml, "at {i}");
            assert_eq!(v.signer, original.signer, "at {i}");
        }
    }
    // Only a handful of unsigned spots (Id/Target values, element names the verifier
    // does not read) may change without effect.
    assert!(accepted < 60, "{accepted} mutations accepted");
}

#[test]
fn credentials_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SigningCredential>();
    assert_send_sync::<ksef_xades::VerifiedDocument>();
}
