//! A minimal KSeF client for the tests, written from the spec (not the ksef-client crate).

use std::time::Duration;

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ksef_sim::{SimConfig, SimHandle, Simulator};
use rand::RngCore;
use reqwest::{Method, StatusCode};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

use crate::spec::spec;

/// An official sample invoice's text (`ksef-spec/samples`).
pub fn sample(name: &str) -> String {
    std::fs::read_to_string(ksef_spec::sample(name)).unwrap()
}

/// The UPO schema the simulator's receipts must satisfy.
pub fn upo_xsd() -> std::path::PathBuf {
    ksef_spec::schema("upo-v4-3.xsd")
}

pub fn fast_config() -> SimConfig {
    let mut cfg = SimConfig::default();
    cfg.timing.processing_delay = Duration::from_millis(200);
    cfg.timing.auth_delay = Duration::from_millis(20);
    cfg.timing.permanent_storage_lag = Duration::from_millis(50);
    cfg.timing.hwm_lag = Duration::from_millis(10);
    cfg
}

/// A simulator whose invoices stay "in progress" long enough to be observed even on
/// a loaded machine.
pub async fn start_slow() -> SimHandle {
    let mut cfg = fast_config();
    cfg.timing.processing_delay = Duration::from_millis(2000);
    Simulator::start(cfg).await.unwrap()
}

pub async fn start() -> SimHandle {
    Simulator::start(fast_config()).await.unwrap()
}

pub fn sha(data: &[u8]) -> String {
    B64.encode(Sha256::digest(data))
}

pub fn aes_encrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
        .unwrap()
        .encrypt_padded_vec_mut::<Pkcs7>(data)
}

pub fn aes_decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
        .unwrap()
        .decrypt_padded_vec_mut::<Pkcs7>(data)
        .unwrap()
}

pub fn oaep(key: &RsaPublicKey, data: &[u8]) -> String {
    B64.encode(
        key.encrypt(&mut rand::thread_rng(), Oaep::new::<Sha256>(), data)
            .unwrap(),
    )
}

pub fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut v);
    v
}

/// A response, already checked against the spec when it is JSON.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }
    /// The KSeF exception code of a 400 (either error format).
    pub fn exception_code(&self) -> i64 {
        let v = self.json();
        v["exception"]["exceptionDetailList"][0]["exceptionCode"]
            .as_i64()
            .or_else(|| v["errors"][0]["code"].as_i64())
            .unwrap()
    }
}

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub bearer: Option<String>,
    pub extra_headers: Vec<(String, String)>,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            base: base.to_owned(),
            bearer: None,
            extra_headers: Vec::new(),
        }
    }

    pub fn with_bearer(&self, token: &str) -> Self {
        Self {
            http: self.http.clone(),
            base: self.base.clone(),
            bearer: Some(token.to_owned()),
            extra_headers: self.extra_headers.clone(),
        }
    }

    /// Sends a request; JSON answers are validated against the spec (panics on mismatch).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.try_call(method, path, body).await.unwrap()
    }

    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Resp, reqwest::Error> {
        let url = format!("{}{}", self.base, path);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(b) = &self.bearer {
            req = req.bearer_auth(b);
        }
        for (k, v) in &self.extra_headers {
            req = req.header(k, v);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?.to_vec();
        let out = Resp {
            status,
            headers,
            body,
        };
        let ct = out.content_type();
        // 5xx are not documented by the spec (gateway/outage answers): not checked.
        if ct.contains("json") && status != StatusCode::NOT_FOUND && !status.is_server_error() {
            let path_only = path.split('?').next().unwrap_or(path);
            let problems = spec().check(
                &method.as_str().to_lowercase(),
                path_only,
                status.as_u16(),
                &ct,
                &out.json(),
            );
            assert!(
                problems.is_empty(),
                "spec conformance of {method} {path} -> {status}:\n{}\nbody: {}",
                problems.join("\n"),
                String::from_utf8_lossy(&out.body)
            );
        }
        Ok(out)
    }

    /// Like [`Api::call`], but on 429 waits `Retry-After` and tries again, as a client
    /// keeping to KSeF's rate limits must (the simulator enforces production limits).
    pub async fn call_paced(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        for _ in 0..30 {
            let r = self.call(method.clone(), path, body.clone()).await;
            if r.status != StatusCode::TOO_MANY_REQUESTS {
                return r;
            }
            let secs: u64 = r
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(secs)).await;
        }
        panic!("{method} {path}: still 429 after 30 waits");
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn get_paced(&self, path: &str) -> Resp {
        self.call_paced(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.call(Method::POST, path, None).await
    }
}

pub struct Keys {
    pub token: RsaPublicKey,
    pub symmetric: RsaPublicKey,
    pub token_key_id: String,
    pub symmetric_key_id: String,
}

/// Reads the published certificates and extracts the public keys from the X.509 DER.
pub async fn keys(api: &Api) -> Keys {
    let v = api
        .get("/security/public-key-certificates")
        .await
        .expect(200)
        .json();
    let mut token = None;
    let mut symmetric = None;
    for c in v.as_array().unwrap() {
        let der = B64.decode(c["certificate"].as_str().unwrap()).unwrap();
        let cert = x509_cert::Certificate::from_der(&der).unwrap();
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap();
        let key = RsaPublicKey::from_public_key_der(&spki).unwrap();
        assert_eq!(c["publicKeyId"].as_str().unwrap(), sha(&spki));
        let id = c["publicKeyId"].as_str().unwrap().to_owned();
        for u in c["usage"].as_array().unwrap() {
            match u.as_str().unwrap() {
                "KsefTokenEncryption" => token = Some((key.clone(), id.clone())),
                "SymmetricKeyEncryption" => symmetric = Some((key.clone(), id.clone())),
                other => panic!("unexpected usage {other}"),
            }
        }
    }
    let (token, token_key_id) = token.unwrap();
    let (symmetric, symmetric_key_id) = symmetric.unwrap();
    Keys {
        token,
        symmetric,
        token_key_id,
        symmetric_key_id,
    }
}

/// Starts a token authentication; returns (referenceNumber, authenticationToken).
pub async fn init_auth(api: &Api, keys: &Keys, nip: &str, token: &str) -> (String, String) {
    let ch = api.post_empty("/auth/challenge").await.expect(200).json();
    let plain = format!("{}|{}", token, ch["timestampMs"].as_i64().unwrap());
    let body = json!({
        "challenge": ch["challenge"],
        "contextIdentifier": {"type": "Nip", "value": nip},
        "encryptedToken": oaep(&keys.token, plain.as_bytes()),
    });
    let v = api.post("/auth/ksef-token", body).await.expect(202).json();
    (
        v["referenceNumber"].as_str().unwrap().to_owned(),
        v["authenticationToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Polls the auth status until it is final; returns the status JSON.
pub async fn auth_final(api: &Api, reference: &str, auth_token: &str) -> Value {
    let a = api.with_bearer(auth_token);
    for _ in 0..100 {
        let v = a
            .get(&format!("/auth/{reference}"))
            .await
            .expect(200)
            .json();
        if v["status"]["code"] != 100 {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("auth did not finish");
}

/// The whole token flow; returns (accessToken, refreshToken).
pub async fn login(api: &Api, keys: &Keys, nip: &str, token: &str) -> (String, String) {
    let (reference, auth_token) = init_auth(api, keys, nip, token).await;
    let st = auth_final(api, &reference, &auth_token).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    let v = api
        .with_bearer(&auth_token)
        .post_empty("/auth/token/redeem")
        .await
        .expect(200)
        .json();
    (
        v["accessToken"]["token"].as_str().unwrap().to_owned(),
        v["refreshToken"]["token"].as_str().unwrap().to_owned(),
    )
}

pub struct OnlineSession {
    pub reference: String,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
}

pub async fn open_online(api: &Api, keys: &Keys) -> OnlineSession {
    let key = random(32);
    let iv = random(16);
    let body = json!({
        "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encryptedSymmetricKey": oaep(&keys.symmetric, &key), "initializationVector": B64.encode(&iv)},
    });
    let v = api.post("/sessions/online", body).await.expect(201).json();
    OnlineSession {
        reference: v["referenceNumber"].as_str().unwrap().to_owned(),
        key,
        iv,
    }
}

pub fn send_body(s: &OnlineSession, xml: &[u8]) -> Value {
    let enc = aes_encrypt(&s.key, &s.iv, xml);
    json!({
        "invoiceHash": sha(xml),
        "invoiceSize": xml.len(),
        "encryptedInvoiceHash": sha(&enc),
        "encryptedInvoiceSize": enc.len(),
        "encryptedInvoiceContent": B64.encode(&enc),
        "offlineMode": false,
    })
}

pub async fn send(api: &Api, s: &OnlineSession, xml: &[u8]) -> String {
    let v = api
        .call_paced(
            Method::POST,
            &format!("/sessions/online/{}/invoices", s.reference),
            Some(send_body(s, xml)),
        )
        .await
        .expect(202)
        .json();
    v["referenceNumber"].as_str().unwrap().to_owned()
}

/// Polls an invoice status until final; returns every status code seen and the last body.
pub async fn invoice_final(api: &Api, session: &str, invoice: &str) -> (Vec<i64>, Value) {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let v = api
            .get_paced(&format!("/sessions/{session}/invoices/{invoice}"))
            .await
            .expect(200)
            .json();
        let code = v["status"]["code"].as_i64().unwrap();
        if seen.last() != Some(&code) {
            seen.push(code);
        }
        if code >= 200 {
            return (seen, v);
        }
        // invoiceStatus allows 30 per second and 120 per minute.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("invoice did not finish: {seen:?}");
}

pub async fn session_final(api: &Api, session: &str) -> (Vec<i64>, Value) {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        let v = api
            .get_paced(&format!("/sessions/{session}"))
            .await
            .expect(200)
            .json();
        let code = v["status"]["code"].as_i64().unwrap();
        if seen.last() != Some(&code) {
            seen.push(code);
        }
        if code >= 200 {
            return (seen, v);
        }
        // sessionMisc allows 10 per second and 120 per minute.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!("session did not finish: {seen:?}");
}

/// An FA(3) invoice from `seller` to `buyer` with a unique number (official sample as template).
pub fn invoice(seller: &str, buyer: &str, number: &str) -> Vec<u8> {
    let xml = sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml");
    xml.replace("<NIP>5265877635</NIP>", &format!("<NIP>{seller}</NIP>"))
        .replace("<NIP>6808208874</NIP>", &format!("<NIP>{buyer}</NIP>"))
        .replace("FA/YUCFO-4342344706/03/2026", number)
        .replace("<P_1>2025-10-31</P_1>", &format!("<P_1>{}</P_1>", today()))
        .into_bytes()
}

/// Today in Poland (the date KSeF compares `P_1` with).
pub fn today() -> String {
    ksef_sim::ids::polish_date(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string()
}

pub fn unique_number() -> String {
    format!("FA/T/{}", ksef_sim::ids::random_hex(10))
}

/// Validates XML against an XSD with xmllint (CI installs libxml2-utils).
pub fn xmllint_valid(xml: &[u8], xsd: &std::path::Path) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(&file)
        .output()
        .expect("xmllint must be installed (apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "XSD validation failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(xml)
    );
}

pub fn aes_roundtrip_ok() {
    let k = random(32);
    let iv = random(16);
    assert_eq!(aes_decrypt(&k, &iv, &aes_encrypt(&k, &iv, b"x")), b"x");
}

/// Downloads an invoice, waiting while KSeF answers 21165 (not yet permanently stored).
pub async fn download_when_stored(api: &Api, ksef: &str) -> Resp {
    for _ in 0..100 {
        let r = api.get_paced(&format!("/invoices/ksef/{ksef}")).await;
        if r.status == 400 && r.exception_code() == 21165 {
            // invoiceDownload allows 8 per second (and 16 per minute).
            tokio::time::sleep(Duration::from_millis(150)).await;
            continue;
        }
        return r.expect(200);
    }
    panic!("invoice {ksef} never became available");
}

/// An RFC 3339 instant `days` ago: query windows may not exceed 3 months.
pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}
