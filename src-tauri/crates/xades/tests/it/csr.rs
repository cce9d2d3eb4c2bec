//! PKCS#10 requests for KSeF certificates, checked by `openssl req -verify`.

use ksef_xades::{build_csr, new_p256_key, SignError, SigningCredential};

use crate::fixtures::{run, Fixtures};

fn subject() -> Vec<(String, String)> {
    [
        ("2.5.4.3", "Jan Kowalski"),
        ("2.5.4.42", "Jan"),
        ("2.5.4.4", "Kowalski"),
        ("2.5.4.5", "TINPL-5265877635"),
        ("2.5.4.6", "PL"),
        ("2.5.4.45", "ŁÓDŹ-żółć-1"),
    ]
    .iter()
    .map(|(o, v)| (o.to_string(), v.to_string()))
    .collect()
}

#[test]
fn csr_verifies_in_openssl_with_the_subject_in_order() {
    let f = Fixtures::new();
    let key = new_p256_key();
    let csr = build_csr(&key, &subject()).unwrap();
    f.write("req.der", &csr);
    let (ok, out) = run(
        "openssl",
        &[
            "req",
            "-in",
            "req.der",
            "-inform",
            "DER",
            "-verify",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253,-esc_msb",
            "-text",
        ],
        f.dir(),
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("verify OK") || out.contains("Certificate request self-signature verify OK"),
        "{out}"
    );
    // RFC 2253 prints the last RDN first: reversed order proves the order is kept.
    assert!(
        out.contains("subject=x500UniqueIdentifier=ŁÓDŹ-żółć-1,C=PL,serialNumber=TINPL-5265877635,SN=Kowalski,GN=Jan,CN=Jan Kowalski"),
        "{out}"
    );
    assert!(out.contains("ecdsa-with-SHA256"), "{out}");
    assert!(out.contains("prime256v1") || out.contains("P-256"), "{out}");

    // A certificate issued for that request works with the key: sign it with a CA and
    // import the pair.
    f.self_signed("ca", "ec", "/CN=Test CA", "keyCertSign,digitalSignature");
    f.openssl(&[
        "x509",
        "-req",
        "-in",
        "req.der",
        "-inform",
        "DER",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-days",
        "2",
        "-out",
        "issued.crt",
    ]);
    let cred = SigningCredential::from_parts(&f.read("issued.crt"), &key).unwrap();
    assert!(cred.certificate().subject.contains("CN=Jan Kowalski"));
}

#[test]
fn fresh_keys_differ_and_bad_input_is_named() {
    assert_ne!(*new_p256_key(), *new_p256_key());
    let key = new_p256_key();
    let bad_oid = vec![("not-an-oid".to_string(), "x".to_string())];
    assert!(matches!(
        build_csr(&key, &bad_oid),
        Err(SignError::InvalidSubject { .. })
    ));
    let bad_country = vec![("2.5.4.6".to_string(), "Polska*".to_string())];
    assert!(matches!(
        build_csr(&key, &bad_country),
        Err(SignError::InvalidSubject { .. })
    ));
    assert!(matches!(
        build_csr(b"garbage", &subject()),
        Err(SignError::Crypto { .. })
    ));
}
