//! Every credential format users bring, and every way an import can go wrong, named.

use chrono::{Duration, Utc};
use ksef_xades::{
    CertificateInfo, CertificateProblem, ImportError, KeyAlgorithm, SigningCredential,
    SubjectIdentifier,
};
use secrecy::SecretString;

use crate::fixtures::{Fixtures, NIP, OTHER_NIP, PASSWORD};

fn password() -> SecretString {
    SecretString::from(PASSWORD)
}

fn encrypt_pkcs8(f: &Fixtures, name: &str) -> Vec<u8> {
    let pass = format!("pass:{PASSWORD}");
    let (input, output) = (format!("{name}.key"), format!("{name}.enc.key"));
    f.openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        &input,
        "-out",
        &output,
        "-passout",
        &pass,
    ]);
    f.read(&output)
}

#[test]
fn rsa_pem_certificate_with_encrypted_pkcs8_key() {
    let f = Fixtures::new();
    f.rsa_person("p");
    let key = encrypt_pkcs8(&f, "p");
    assert!(String::from_utf8_lossy(&key).contains("ENCRYPTED PRIVATE KEY"));
    let cred =
        SigningCredential::from_pem_files(&f.read("p.crt"), &key, Some(&password())).unwrap();
    let info = cred.certificate();
    assert_eq!(info.key, KeyAlgorithm::Rsa { bits: 2048 });
    assert_eq!(info.identifier, Some(SubjectIdentifier::Nip(NIP.into())));
    assert!(info.subject.contains("CN=Jan Kowalski"), "{}", info.subject);
    assert!(info.digital_signature_usage);
    // The fingerprint is the uppercase SHA-256 of the DER, as openssl computes it.
    f.openssl(&["x509", "-in", "p.crt", "-outform", "DER", "-out", "p.der"]);
    let (ok, out) = crate::fixtures::run(
        "openssl",
        &["x509", "-in", "p.crt", "-noout", "-fingerprint", "-sha256"],
        f.dir(),
    );
    assert!(ok);
    assert!(
        out.replace(':', "").contains(&info.fingerprint_sha256_hex),
        "{out}"
    );
    assert_eq!(info.der, f.read("p.der"));
    assert!(info.problems_for(NIP, Utc::now()).is_empty());
}

#[test]
fn wrong_or_missing_password_is_named() {
    let f = Fixtures::new();
    f.rsa_person("p");
    let key = encrypt_pkcs8(&f, "p");
    let crt = f.read("p.crt");
    let wrong = SecretString::from("nie-to-haslo");
    assert_eq!(
        SigningCredential::from_pem_files(&crt, &key, Some(&wrong)).unwrap_err(),
        ImportError::WrongPassword
    );
    assert_eq!(
        SigningCredential::from_pem_files(&crt, &key, None).unwrap_err(),
        ImportError::PasswordRequired
    );
}

#[test]
fn ec_unencrypted_pkcs8_der_certificate_and_sec1_key() {
    let f = Fixtures::new();
    f.ec_seal("s");
    f.openssl(&["x509", "-in", "s.crt", "-outform", "DER", "-out", "s.der"]);
    let pkcs8 =
        SigningCredential::from_pem_files(&f.read("s.der"), &f.read("s.key"), None).unwrap();
    assert_eq!(pkcs8.certificate().key, KeyAlgorithm::EcP256);
    assert_eq!(
        pkcs8.certificate().identifier,
        Some(SubjectIdentifier::Nip(NIP.into()))
    );
    f.openssl(&["ec", "-in", "s.key", "-out", "s.sec1"]);
    let sec1 = f.read("s.sec1");
    assert!(String::from_utf8_lossy(&sec1).contains("BEGIN EC PRIVATE KEY"));
    let from_sec1 = SigningCredential::from_pem_files(&f.read("s.crt"), &sec1, None).unwrap();
    assert_eq!(
        *from_sec1.private_key_pkcs8_der(),
        *pkcs8.private_key_pkcs8_der()
    );
}

#[test]
fn rsa_pkcs1_key_and_round_trip_through_keychain_parts() {
    let f = Fixtures::new();
    f.rsa_person("p");
    f.openssl(&["rsa", "-in", "p.key", "-traditional", "-out", "p.pkcs1"]);
    let pkcs1 = f.read("p.pkcs1");
    assert!(String::from_utf8_lossy(&pkcs1).contains("BEGIN RSA PRIVATE KEY"));
    let cred = SigningCredential::from_pem_files(&f.read("p.crt"), &pkcs1, None).unwrap();
    let back =
        SigningCredential::from_parts(&cred.certificate().der, &cred.private_key_pkcs8_der())
            .unwrap();
    assert_eq!(back.certificate(), cred.certificate());
}

#[test]
fn pkcs12_rsa_modern_and_ec_legacy() {
    let f = Fixtures::new();
    f.rsa_person("p");
    f.pkcs12("p", &[]); // OpenSSL 3 default: PBES2 AES-256, HMAC-SHA256 MAC
    let rsa = SigningCredential::from_pkcs12(&f.read("p.p12"), &password()).unwrap();
    assert_eq!(rsa.certificate().key, KeyAlgorithm::Rsa { bits: 2048 });

    f.ec_seal("s");
    // What older vendors and Windows export: PBE-SHA1-3DES with a SHA-1 MAC.
    f.pkcs12(
        "s",
        &[
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
    );
    let ec = SigningCredential::from_pkcs12(&f.read("s.p12"), &password()).unwrap();
    assert_eq!(ec.certificate().key, KeyAlgorithm::EcP256);
    assert_eq!(
        SigningCredential::from_pkcs12(&f.read("s.p12"), &SecretString::from("zle")).unwrap_err(),
        ImportError::WrongPassword
    );
}

#[test]
fn pkcs12_without_key_is_named() {
    let f = Fixtures::new();
    f.ec_seal("s");
    let pass = format!("pass:{PASSWORD}");
    f.openssl(&[
        "pkcs12", "-export", "-nokeys", "-in", "s.crt", "-out", "s.p12", "-passout", &pass,
    ]);
    assert_eq!(
        SigningCredential::from_pkcs12(&f.read("s.p12"), &password()).unwrap_err(),
        ImportError::Pkcs12WithoutKey
    );
}

#[test]
fn key_of_another_certificate_is_refused() {
    let f = Fixtures::new();
    f.rsa_person("a");
    f.rsa_person("b");
    assert_eq!(
        SigningCredential::from_pem_files(&f.read("a.crt"), &f.read("b.key"), None).unwrap_err(),
        ImportError::KeyDoesNotMatchCertificate
    );
    f.ec_seal("e");
    assert_eq!(
        SigningCredential::from_pem_files(&f.read("a.crt"), &f.read("e.key"), None).unwrap_err(),
        ImportError::KeyDoesNotMatchCertificate
    );
}

#[test]
fn rsa_1024_and_other_curves_are_refused() {
    let f = Fixtures::new();
    f.self_signed("weak", "rsa:1024", "/CN=Weak", "digitalSignature");
    assert_eq!(
        SigningCredential::from_pem_files(&f.read("weak.crt"), &f.read("weak.key"), None)
            .unwrap_err(),
        ImportError::RsaKeyTooShort { bits: 1024 }
    );
    f.openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        "p384.key",
    ]);
    f.openssl(&[
        "req", "-x509", "-key", "p384.key", "-out", "p384.crt", "-days", "2", "-subj", "/CN=P384",
    ]);
    let err = SigningCredential::from_pem_files(&f.read("p384.crt"), &f.read("p384.key"), None)
        .unwrap_err();
    assert!(
        matches!(&err, ImportError::UnsupportedAlgorithm { name } if name.contains("1.3.132.0.34")),
        "{err:?}"
    );
    f.openssl(&["genpkey", "-algorithm", "ED25519", "-out", "ed.key"]);
    f.openssl(&[
        "req", "-x509", "-key", "ed.key", "-out", "ed.crt", "-days", "2", "-subj", "/CN=Ed",
    ]);
    let err =
        SigningCredential::from_pem_files(&f.read("ed.crt"), &f.read("ed.key"), None).unwrap_err();
    assert!(
        matches!(&err, ImportError::UnsupportedAlgorithm { name } if name.contains("1.3.101.112")),
        "{err:?}"
    );
}

#[test]
fn garbage_is_named_for_what_it_is_not() {
    let f = Fixtures::new();
    f.ec_seal("s");
    let garbage = b"to nie jest certyfikat";
    assert_eq!(
        SigningCredential::from_pem_files(garbage, &f.read("s.key"), None).unwrap_err(),
        ImportError::NotACertificate
    );
    assert_eq!(
        CertificateInfo::from_der(&f.read("s.key")).unwrap_err(),
        ImportError::NotACertificate
    );
    assert_eq!(
        SigningCredential::from_pem_files(&f.read("s.crt"), garbage, None).unwrap_err(),
        ImportError::NotAPrivateKey
    );
    assert_eq!(
        SigningCredential::from_pem_files(&f.read("s.crt"), &f.read("s.crt"), None).unwrap_err(),
        ImportError::NotAPrivateKey
    );
    assert!(matches!(
        SigningCredential::from_pkcs12(garbage, &password()).unwrap_err(),
        ImportError::NotPkcs12 { .. }
    ));
}

#[test]
fn problems_name_dates_usage_and_identifiers() {
    let f = Fixtures::new();
    f.rsa_person("p");
    let info = CertificateInfo::from_der(&f.read("p.crt")).unwrap();
    let later = info.not_after + Duration::days(1);
    assert_eq!(
        info.problems_for(NIP, later),
        vec![CertificateProblem::Expired {
            not_after: info.not_after
        }]
    );
    let earlier = info.not_before - Duration::days(1);
    assert_eq!(
        info.problems_for(NIP, earlier),
        vec![CertificateProblem::NotYetValid {
            not_before: info.not_before
        }]
    );
    assert_eq!(
        info.problems_for(OTHER_NIP, Utc::now()),
        vec![CertificateProblem::IdentifierIsOtherNip { found: NIP.into() }]
    );

    f.self_signed("enc", "ec", "/CN=Bez identyfikatora", "keyEncipherment");
    let info = CertificateInfo::from_der(&f.read("enc.crt")).unwrap();
    assert!(!info.digital_signature_usage);
    assert_eq!(
        info.problems_for(NIP, Utc::now()),
        vec![
            CertificateProblem::NoDigitalSignatureUsage,
            CertificateProblem::NoIdentifier
        ]
    );

    f.self_signed(
        "pesel",
        "ec",
        "/CN=Anna Nowak/serialNumber=PNOPL-80010112345",
        "nonRepudiation",
    );
    let info = CertificateInfo::from_der(&f.read("pesel.crt")).unwrap();
    assert_eq!(
        info.identifier,
        Some(SubjectIdentifier::Pesel("80010112345".into()))
    );
    assert!(
        info.digital_signature_usage,
        "nonRepudiation alone is how qualified certificates sign"
    );
    assert!(info.problems_for(NIP, Utc::now()).is_empty());
}

#[test]
fn debug_and_errors_never_show_key_or_password() {
    let f = Fixtures::new();
    f.rsa_person("p");
    let key = encrypt_pkcs8(&f, "p");
    let cred =
        SigningCredential::from_pem_files(&f.read("p.crt"), &key, Some(&password())).unwrap();
    let debug = format!("{cred:?} {:?}", password());
    assert!(debug.contains("SigningCredential"));
    assert!(!debug.contains(PASSWORD), "{debug}");
    let pkcs8 = cred.private_key_pkcs8_der();
    let hex: String = pkcs8.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &pkcs8[..]);
    for window in [&hex[40..72], &b64[40..72]] {
        assert!(
            !debug.to_lowercase().contains(&window.to_lowercase()),
            "key material in Debug"
        );
    }
    // Decimal numbers of the RSA private exponent would show up as long digit runs.
    assert!(!debug
        .chars()
        .collect::<String>()
        .contains("0000000000000000"));

    let wrong = SecretString::from("nie-to-haslo-123");
    let errors = [
        SigningCredential::from_pem_files(&f.read("p.crt"), &key, Some(&wrong)).unwrap_err(),
        SigningCredential::from_pem_files(&f.read("p.crt"), &key, None).unwrap_err(),
        SigningCredential::from_pem_files(&f.read("p.crt"), &f.read("p.crt"), None).unwrap_err(),
        SigningCredential::from_pkcs12(&key, &password()).unwrap_err(),
    ];
    for err in errors {
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains(PASSWORD) && !text.contains("nie-to-haslo-123"),
            "{text}"
        );
        assert!(!text.contains(&b64[40..72]), "{text}");
    }
}

#[test]
fn a_pem_chain_yields_the_certificate_the_key_fits() {
    let f = Fixtures::new();
    f.ec_seal("ca");
    f.rsa_person("p");
    let mut chain = f.read("ca.crt");
    chain.extend(f.read("p.crt"));
    let cred = SigningCredential::from_pem_files(&chain, &f.read("p.key"), None).unwrap();
    assert_eq!(
        cred.certificate().der,
        CertificateInfo::from_der(&f.read("p.crt")).unwrap().der
    );
    f.rsa_person("x");
    assert_eq!(
        SigningCredential::from_pem_files(&chain, &f.read("x.key"), None).unwrap_err(),
        ImportError::KeyDoesNotMatchCertificate
    );
}
