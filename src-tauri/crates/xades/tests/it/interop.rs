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

    // A DTD (entity expansion) is refused outright.
    let dtd = signed.replacen(
        "<AuthTokenRequest",
        "<!DOCTYPE AuthTokenRequest [<!ENTITY x \"y\">]><AuthTokenRequest",
        1,
    );
    assert!(matches!(refused(&dtd), VerifyError::NotWellFormed { .. }));
}
