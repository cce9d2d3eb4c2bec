//! XAdES sign-in, KSeF as certificate authority, rights in a context, the token cut-off.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use ksef_sim::{CertificateKind, SimConfig, SimHandle, Simulator, SubjectId};
use ksef_xades::{SigningCredential, SubjectIdentifierType};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{auth_final, fast_config, init_auth, keys, login, Api, Resp};
use crate::spec::spec;

const NIP: &str = ksef_sim::DEMO_NIP;
const OWNER_SEAL: &str =
    "CN=Firma Testowa,O=Firma Testowa Sp. z o.o.,2.5.4.97=VATPL-5265877635,C=PL";
const PERSON: &str = "CN=Jan Kowalski,2.5.4.42=Jan,2.5.4.4=Kowalski,2.5.4.5=PNOPL-90010112345,C=PL";
const PESEL: &str = "90010112345";

pub use ksef_sim::certs::TestKey as Key;

/// A self-signed certificate (as KSeF Test accepts) with keyUsage digitalSignature:
/// `(certificate DER, PKCS#8 DER)`.
pub fn self_signed(
    subject: &str,
    key: Key,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Vec<u8>, Vec<u8>) {
    ksef_sim::certs::self_signed(subject, key, from, to).unwrap()
}

pub fn valid_now(subject: &str, key: Key) -> (Vec<u8>, Vec<u8>) {
    let now = Utc::now();
    self_signed(
        subject,
        key,
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(365),
    )
}

/// POSTs a raw body; a JSON answer is checked against the spec.
pub async fn post_raw(api: &Api, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
    let mut req = api
        .http
        .post(format!("{}{}", api.base, path))
        .header("content-type", content_type)
        .body(body);
    if let Some(b) = &api.bearer {
        req = req.bearer_auth(b);
    }
    let resp = req.send().await.unwrap();
    let out = Resp {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    };
    if out.content_type().contains("json") {
        let problems = spec().check(
            "post",
            path,
            out.status.as_u16(),
            &out.content_type(),
            &out.json(),
        );
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
    out
}

pub async fn challenge(api: &Api) -> String {
    let ch = api.post_empty("/auth/challenge").await.expect(200).json();
    ch["challenge"].as_str().unwrap().to_owned()
}

pub fn signed_request(
    challenge: &str,
    nip: &str,
    cert: &(Vec<u8>, Vec<u8>),
    subject: SubjectIdentifierType,
) -> String {
    let credential = SigningCredential::from_parts(&cert.0, &cert.1).unwrap();
    let xml = ksef_xades::auth_token_request(challenge, nip, subject);
    ksef_xades::sign_enveloped(&xml, &credential, Utc::now()).unwrap()
}

/// Posts a signed AuthTokenRequest; 202 → (reference, authenticationToken).
pub async fn xades_init(api: &Api, signed: String) -> (String, String) {
    let v = post_raw(
        api,
        "/auth/xades-signature",
        "application/xml",
        signed.into_bytes(),
    )
    .await
    .expect(202)
    .json();
    (
        v["referenceNumber"].as_str().unwrap().to_owned(),
        v["authenticationToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Signs in with a certificate; returns the final auth status and the authentication token.
pub async fn xades_status(
    api: &Api,
    nip: &str,
    cert: &(Vec<u8>, Vec<u8>),
    subject: SubjectIdentifierType,
) -> (Value, String) {
    let ch = challenge(api).await;
    let (reference, auth_token) = xades_init(api, signed_request(&ch, nip, cert, subject)).await;
    (auth_final(api, &reference, &auth_token).await, auth_token)
}

/// The whole XAdES flow; returns an API client with the access token.
pub async fn xades_login(
    api: &Api,
    nip: &str,
    cert: &(Vec<u8>, Vec<u8>),
    subject: SubjectIdentifierType,
) -> Api {
    let (st, auth_token) = xades_status(api, nip, cert, subject).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    let v = api
        .with_bearer(&auth_token)
        .post_empty("/auth/token/redeem")
        .await
        .expect(200)
        .json();
    api.with_bearer(v["accessToken"]["token"].as_str().unwrap())
}

async fn start_with(f: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut cfg = fast_config();
    cfg.certificates.enrollment_delay = Duration::from_millis(300);
    f(&mut cfg);
    Simulator::start(cfg).await.unwrap()
}

#[tokio::test]
async fn a_self_signed_rsa_seal_of_the_owner_signs_in_with_every_right() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let cert = valid_now(OWNER_SEAL, Key::Rsa2048);
    let (st, _) = xades_status(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["authenticationMethodInfo"]["category"], "XadesSignature");
    assert_eq!(st["authenticationMethod"], "QualifiedSeal");
    let access = xades_login(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    let perms = access
        .post("/permissions/query/personal/grants", json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(perms["permissions"].as_array().unwrap().len(), 7, "{perms}");
    assert_eq!(
        perms["permissions"][0]["authorizedIdentifier"]["value"],
        NIP
    );
    // The access token works for the rest of the API.
    access.get("/tokens").await.expect(200);
}

#[tokio::test]
async fn an_ec_p256_certificate_signs_in_and_another_companys_nip_needs_a_grant() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let cert = valid_now(OWNER_SEAL, Key::EcP256);
    let (st, _) = xades_status(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    // The same seal in another company's context: no rights there.
    let other = "1111111111";
    let (st, _) = xades_status(
        &api,
        other,
        &cert,
        SubjectIdentifierType::CertificateSubject,
    )
    .await;
    assert_eq!(st["status"]["code"], 415, "{st}");
    assert_eq!(st["status"]["details"][0], "Brak przypisanych uprawnień");
}

#[tokio::test]
async fn a_person_needs_a_grant_and_sees_only_what_was_granted() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let cert = valid_now(PERSON, Key::EcP256);
    let (st, _) = xades_status(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 415, "{st}");
    api.post(
        "/testdata/permissions",
        json!({
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "authorizedIdentifier": {"type": "Pesel", "value": PESEL},
            "permissions": [{"description": "Księgowa czyta faktury", "permissionType": "InvoiceRead"}],
        }),
    )
    .await
    .expect(200);
    let access = xades_login(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    let perms = access
        .post("/permissions/query/personal/grants", json!({}))
        .await
        .expect(200)
        .json();
    let scopes: Vec<&str> = perms["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["permissionScope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["InvoiceRead"]);
    assert_eq!(
        perms["permissions"][0]["authorizedIdentifier"]["type"],
        "Pesel"
    );
    // InvoiceRead does not let one generate KSeF tokens.
    let r = access
        .call(
            Method::POST,
            "/tokens",
            Some(json!({"permissions": ["InvoiceRead"], "description": "Token księgowej"})),
        )
        .await
        .expect(403);
    assert_eq!(r.json()["reasonCode"], "missing-permissions");
    // The fingerprint of the same certificate is another subject: a grant on SimHandle.
    let (st, _) = xades_status(
        &api,
        NIP,
        &cert,
        SubjectIdentifierType::CertificateFingerprint,
    )
    .await;
    assert_eq!(st["status"]["code"], 415, "{st}");
    sim.grant(
        NIP,
        SubjectId::Fingerprint(ksef_sim::certs::fingerprint(&cert.0)),
        vec![ksef_sim::Permission::InvoiceWrite],
    );
    let (st, _) = xades_status(
        &api,
        NIP,
        &cert,
        SubjectIdentifierType::CertificateFingerprint,
    )
    .await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    // Revoking the test grant takes the right away again.
    api.post(
        "/testdata/permissions/revoke",
        json!({
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "authorizedIdentifier": {"type": "Pesel", "value": PESEL},
            "permissions": [],
        }),
    )
    .await
    .expect(200);
    let (st, _) = xades_status(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 415, "{st}");
}

#[tokio::test]
async fn expired_revoked_and_offline_ksef_certificates_are_refused_with_460() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let good = sim
        .issue_certificate(NIP, CertificateKind::Authentication)
        .unwrap();
    let (st, _) = xades_status(&api, NIP, &good, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["authenticationMethod"], "InternalCertificate");

    let now = Utc::now();
    let expired = sim
        .issue_certificate_valid(
            NIP,
            CertificateKind::Authentication,
            now - chrono::Duration::days(30),
            now - chrono::Duration::days(1),
        )
        .unwrap();
    let (st, _) = xades_status(
        &api,
        NIP,
        &expired,
        SubjectIdentifierType::CertificateSubject,
    )
    .await;
    assert_eq!(st["status"]["code"], 460, "{st}");
    assert_eq!(st["status"]["details"][0], "Nieważny certyfikat");

    let serial = x509_serial(&good.0);
    assert!(sim.revoke_certificate(&serial));
    let (st, _) = xades_status(&api, NIP, &good, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 460, "{st}");
    assert_eq!(st["status"]["details"][0], "Certyfikat odwołany");

    let offline = sim
        .issue_certificate(NIP, CertificateKind::Offline)
        .unwrap();
    let (st, _) = xades_status(
        &api,
        NIP,
        &offline,
        SubjectIdentifierType::CertificateSubject,
    )
    .await;
    assert_eq!(st["status"]["code"], 460, "{st}");

    // A certificate of another CA (here: one whose issuer is not its subject) is untrusted;
    // an expired self-signed one is invalid.
    let old = self_signed(
        OWNER_SEAL,
        Key::EcP256,
        now - chrono::Duration::days(30),
        now - chrono::Duration::days(1),
    );
    let (st, _) = xades_status(&api, NIP, &old, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 460, "{st}");
    assert_eq!(st["status"]["details"][0], "Nieważny certyfikat");
}

fn x509_serial(der: &[u8]) -> String {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der).unwrap();
    cert.tbs_certificate
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[tokio::test]
async fn a_replayed_challenge_and_a_tampered_document_are_refused() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let cert = valid_now(OWNER_SEAL, Key::EcP256);
    let ch = challenge(&api).await;
    let signed = signed_request(&ch, NIP, &cert, SubjectIdentifierType::CertificateSubject);
    xades_init(&api, signed.clone()).await;
    let again = post_raw(
        &api,
        "/auth/xades-signature",
        "application/xml",
        signed.into_bytes(),
    )
    .await
    .expect(400);
    assert_eq!(again.exception_code(), 21111);

    let ch = challenge(&api).await;
    let signed = signed_request(&ch, NIP, &cert, SubjectIdentifierType::CertificateSubject);
    let tampered = signed.replace(NIP, "1111111111");
    let r = post_raw(
        &api,
        "/auth/xades-signature",
        "application/xml",
        tampered.into_bytes(),
    )
    .await
    .expect(400);
    assert_eq!(r.exception_code(), 9105);

    let unsigned =
        ksef_xades::auth_token_request(&ch, NIP, SubjectIdentifierType::CertificateSubject);
    let r = post_raw(
        &api,
        "/auth/xades-signature",
        "application/xml",
        unsigned.into_bytes(),
    )
    .await
    .expect(400);
    assert_eq!(r.exception_code(), 9102);
    // The challenge was not used up by the refused documents.
    let signed = signed_request(&ch, NIP, &cert, SubjectIdentifierType::CertificateSubject);
    xades_init(&api, signed).await;
}

#[tokio::test]
async fn the_switch_refuses_token_sign_in_while_certificates_work() {
    let sim =
        start_with(|c| c.token_auth_refused_from = Some(Utc::now() - chrono::Duration::seconds(1)))
            .await;
    let api = Api::new(&sim.base_url);
    let k = keys(&api).await;
    let (reference, auth_token) = init_auth(&api, &k, NIP, &sim.token).await;
    let st = auth_final(&api, &reference, &auth_token).await;
    assert_eq!(st["status"]["code"], 450, "{st}");
    assert_eq!(st["status"]["details"][0], "Token nieaktywny");
    assert_eq!(st["authenticationMethodInfo"]["category"], "Token");
    let cert = sim
        .issue_certificate(NIP, CertificateKind::Authentication)
        .unwrap();
    let (st, _) = xades_status(&api, NIP, &cert, SubjectIdentifierType::CertificateSubject).await;
    assert_eq!(st["status"]["code"], 200, "{st}");

    // Without the switch, the same token signs in.
    let open = start_with(|_| {}).await;
    let api = Api::new(&open.base_url);
    let k = keys(&api).await;
    login(&api, &k, NIP, &open.token).await;
}

#[tokio::test]
async fn after_a_token_sign_in_ksef_refuses_enrolment() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let k = keys(&api).await;
    let (access, _) = login(&api, &k, NIP, &sim.token).await;
    let a = api.with_bearer(&access);
    let limits = a.get("/certificates/limits").await.expect(200).json();
    assert_eq!(limits["canRequest"], false);
    assert_eq!(
        a.get("/certificates/enrollments/data")
            .await
            .expect(400)
            .exception_code(),
        25001
    );
    let r = a
        .post(
            "/certificates/enrollments",
            json!({"certificateName": "Certyfikat 1", "certificateType": "Authentication", "csr": "AAAA"}),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 25002);
    // The token's company may still list (and revoke) its certificates.
    sim.issue_certificate(NIP, CertificateKind::Offline)
        .unwrap();
    let q = a
        .post("/certificates/query", json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(q["certificates"].as_array().unwrap().len(), 1, "{q}");
    assert_eq!(q["certificates"][0]["type"], "Offline");
    let perms = a
        .post("/permissions/query/personal/grants", json!({}))
        .await
        .expect(200)
        .json();
    assert_eq!(perms["permissions"].as_array().unwrap().len(), 7);
}

fn csr_for(data: &Value) -> (Vec<u8>, Vec<u8>) {
    let fields = [
        ("commonName", "2.5.4.3"),
        ("givenName", "2.5.4.42"),
        ("surname", "2.5.4.4"),
        ("serialNumber", "2.5.4.5"),
        ("uniqueIdentifier", "2.5.4.45"),
        ("organizationName", "2.5.4.10"),
        ("organizationIdentifier", "2.5.4.97"),
        ("countryName", "2.5.4.6"),
    ];
    let subject: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(f, oid)| data[*f].as_str().map(|v| ((*oid).to_owned(), v.to_owned())))
        .collect();
    let key = ksef_xades::new_p256_key();
    let csr = ksef_xades::build_csr(&key, &subject).unwrap();
    (csr, key.to_vec())
}

#[tokio::test]
async fn enrol_poll_retrieve_sign_in_with_the_new_certificate_then_revoke_it() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let seal = valid_now(OWNER_SEAL, Key::EcP256);
    let a = xades_login(&api, NIP, &seal, SubjectIdentifierType::CertificateSubject).await;
    let limits = a.get("/certificates/limits").await.expect(200).json();
    assert_eq!(limits["canRequest"], true, "{limits}");
    assert_eq!(limits["certificate"]["remaining"], 2);
    let data = a
        .get("/certificates/enrollments/data")
        .await
        .expect(200)
        .json();
    assert_eq!(data["organizationIdentifier"], "VATPL-5265877635");
    assert_eq!(data["countryName"], "PL");

    let (csr, key) = csr_for(&data);
    let v = a
        .post(
            "/certificates/enrollments",
            json!({"certificateName": "Certyfikat Desk 1", "certificateType": "Authentication", "csr": B64.encode(&csr)}),
        )
        .await
        .expect(202)
        .json();
    let reference = v["referenceNumber"].as_str().unwrap().to_owned();
    let st = a
        .get(&format!("/certificates/enrollments/{reference}"))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"]["code"], 100, "{st}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let st = a
        .get(&format!("/certificates/enrollments/{reference}"))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"]["code"], 200, "{st}");
    let serial = st["certificateSerialNumber"].as_str().unwrap().to_owned();

    let got = a
        .post(
            "/certificates/retrieve",
            json!({"certificateSerialNumbers": [serial]}),
        )
        .await
        .expect(200)
        .json();
    let der = B64
        .decode(got["certificates"][0]["certificate"].as_str().unwrap())
        .unwrap();
    assert_eq!(got["certificates"][0]["certificateType"], "Authentication");
    assert_eq!(x509_serial(&der), serial);

    let new_cert = (der, key);
    let b = xades_login(
        &api,
        NIP,
        &new_cert,
        SubjectIdentifierType::CertificateSubject,
    )
    .await;
    let q = b
        .post("/certificates/query", json!({"status": "Active"}))
        .await
        .expect(200)
        .json();
    let item = &q["certificates"][0];
    assert_eq!(item["certificateSerialNumber"], serial.as_str());
    assert_eq!(
        item["subjectIdentifier"],
        json!({"type": "Nip", "value": NIP})
    );
    assert!(item["lastUseDate"].is_string(), "{item}");

    a.post(
        &format!("/certificates/{serial}/revoke"),
        json!({"revocationReason": "Superseded"}),
    )
    .await
    .expect(204);
    let (st, _) = xades_status(
        &api,
        NIP,
        &new_cert,
        SubjectIdentifierType::CertificateSubject,
    )
    .await;
    assert_eq!(st["status"]["code"], 460, "{st}");
    let again = a
        .post(&format!("/certificates/{serial}/revoke"), json!({}))
        .await
        .expect(400);
    assert_eq!(again.exception_code(), 25009);
    assert_eq!(
        a.post("/certificates/0000000000000001/revoke", json!({}))
            .await
            .expect(400)
            .exception_code(),
        25008
    );
    let q = a
        .post("/certificates/query", json!({"status": "Revoked"}))
        .await
        .expect(200)
        .json();
    assert_eq!(q["certificates"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn limits_a_foreign_subject_and_a_bad_csr_are_refused() {
    let sim = start_with(|c| {
        c.certificates.certificate_limit = 1;
        c.certificates.enrollment_limit = 3;
    })
    .await;
    let api = Api::new(&sim.base_url);
    let seal = valid_now(OWNER_SEAL, Key::Rsa2048);
    let a = xades_login(&api, NIP, &seal, SubjectIdentifierType::CertificateSubject).await;
    let data = a
        .get("/certificates/enrollments/data")
        .await
        .expect(200)
        .json();
    let enrol = |csr: Vec<u8>| json!({"certificateName": "Certyfikat limitu", "certificateType": "Offline", "csr": B64.encode(csr)});
    let mut other = data.clone();
    other["commonName"] = json!("Ktoś Inny");
    let r = a
        .post("/certificates/enrollments", enrol(csr_for(&other).0))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 25003);
    let r = a
        .post("/certificates/enrollments", enrol(b"not a csr".to_vec()))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 25004);
    a.post("/certificates/enrollments", enrol(csr_for(&data).0))
        .await
        .expect(202);
    let r = a
        .post("/certificates/enrollments", enrol(csr_for(&data).0))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 25007);
    let limits = a.get("/certificates/limits").await.expect(200).json();
    assert_eq!(limits["certificate"], json!({"limit": 1, "remaining": 0}));
    assert_eq!(limits["enrollment"], json!({"limit": 3, "remaining": 2}));
    assert_eq!(limits["canRequest"], false);
}

/// Interop: a document signed by `xmlsec1` (plain enveloped XML-DSig, RSA-SHA256,
/// exclusive c14n) is accepted; the same document altered after signing is refused.
#[tokio::test]
async fn the_simulator_accepts_an_xmlsec1_signature_and_refuses_it_altered() {
    let sim = start_with(|_| {}).await;
    let api = Api::new(&sim.base_url);
    let cert = valid_now(OWNER_SEAL, Key::Rsa2048);
    let dir = tempfile::tempdir().unwrap();
    let pem = |label: &str, der: &[u8]| {
        let b64 = B64.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    };
    let key_path = dir.path().join("key.pem");
    let cert_path = dir.path().join("cert.pem");
    std::fs::write(&key_path, pem("PRIVATE KEY", &cert.1)).unwrap();
    std::fs::write(&cert_path, pem("CERTIFICATE", &cert.0)).unwrap();
    let ch = challenge(&api).await;
    let template = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<AuthTokenRequest xmlns="http://ksef.mf.gov.pl/auth/token/2.0">
  <Challenge>{ch}</Challenge>
  <ContextIdentifier><Nip>{NIP}</Nip></ContextIdentifier>
  <SubjectIdentifierType>certificateSubject</SubjectIdentifierType>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      <ds:Reference URI="">
        <ds:Transforms>
          <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
          <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
        </ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
    <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
  </ds:Signature>
</AuthTokenRequest>
"#
    );
    let template_path = dir.path().join("template.xml");
    std::fs::write(&template_path, template).unwrap();
    let out = std::process::Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(format!("{},{}", key_path.display(), cert_path.display()))
        .arg(&template_path)
        .output()
        .expect("xmlsec1 is installed (apt-get install xmlsec1)");
    assert!(
        out.status.success(),
        "xmlsec1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = String::from_utf8(out.stdout).unwrap();
    assert!(signed.contains("<ds:X509Certificate>"), "{signed}");

    let altered = signed.replace("certificateSubject", "certificateFingerprint");
    let r = post_raw(
        &api,
        "/auth/xades-signature",
        "application/xml",
        altered.into_bytes(),
    )
    .await
    .expect(400);
    assert_eq!(r.exception_code(), 9105);

    let (reference, auth_token) = xades_init(&api, signed).await;
    let st = auth_final(&api, &reference, &auth_token).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
}
