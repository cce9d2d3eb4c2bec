//! Batch session: ZIP, split, encrypt, pre-signed PUT upload, close, asynchronous processing.

use std::io::Write as _;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;

fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

struct Prepared {
    body: Value,
    parts: Vec<Vec<u8>>,
}

fn prepare(keys: &Keys, archive: &[u8], part_count: usize, key: &[u8], iv: &[u8]) -> Prepared {
    let chunk = archive.len().div_ceil(part_count);
    let parts: Vec<Vec<u8>> = archive
        .chunks(chunk)
        .map(|c| aes_encrypt(key, iv, c))
        .collect();
    let infos: Vec<Value> = parts
        .iter()
        .enumerate()
        .map(|(n, p)| json!({"ordinalNumber": n + 1, "fileSize": p.len(), "fileHash": sha(p)}))
        .collect();
    Prepared {
        body: json!({
            "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
            "batchFile": {"fileSize": archive.len(), "fileHash": sha(archive), "fileParts": infos},
            "encryption": {"encryptedSymmetricKey": oaep(&keys.symmetric, key), "initializationVector": B64.encode(iv)},
        }),
        parts,
    }
}

async fn upload(open: &Value, parts: &[Vec<u8>]) {
    let http = reqwest::Client::new();
    for req in open["partUploadRequests"].as_array().unwrap() {
        let n = req["ordinalNumber"].as_u64().unwrap() as usize;
        assert_eq!(req["method"], "PUT");
        let mut r = http
            .put(req["url"].as_str().unwrap())
            .body(parts[n - 1].clone());
        for (k, v) in req["headers"].as_object().unwrap() {
            r = r.header(k, v.as_str().unwrap());
        }
        assert_eq!(r.send().await.unwrap().status(), 201);
    }
}

#[tokio::test]
async fn batch_of_three_in_two_parts_is_processed_with_file_names_and_upo() {
    let sim = start_slow().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);

    let dup_number = unique_number();
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "a.xml".into(),
            invoice(&sim.nip, "7770001281", &unique_number()),
        ),
        ("b.xml".into(), invoice(&sim.nip, "5213012343", &dup_number)),
        ("c.xml".into(), invoice(&sim.nip, "5213012343", &dup_number)),
    ];
    let archive = zip(&files);
    let key = random(32);
    let iv = random(16);
    let prepared = prepare(&keys, &archive, 2, &key, &iv);
    let open = api
        .post("/sessions/batch", prepared.body.clone())
        .await
        .expect(201)
        .json();
    let reference = open["referenceNumber"].as_str().unwrap().to_owned();
    assert_eq!(&reference[8..12], "-SB-");

    // Closing before every part is uploaded is refused.
    let r = api
        .post_empty(&format!("/sessions/batch/{reference}/close"))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21205);
    upload(&open, &prepared.parts).await;
    api.post_empty(&format!("/sessions/batch/{reference}/close"))
        .await
        .expect(204);

    let (seen, st) = session_final(&api, &reference).await;
    assert_eq!(seen.first(), Some(&150), "processing first: {seen:?}");
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["invoiceCount"], 3);
    assert_eq!(st["successfulInvoiceCount"], 2);
    assert_eq!(st["failedInvoiceCount"], 1);
    let list = api
        .get(&format!("/sessions/{reference}/invoices"))
        .await
        .expect(200)
        .json();
    let names: Vec<&str> = list["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["invoiceFileName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.xml", "b.xml", "c.xml"]);
    let failed = api
        .get(&format!("/sessions/{reference}/invoices/failed"))
        .await
        .expect(200)
        .json();
    assert_eq!(failed["invoices"][0]["status"]["code"], 440);
    let upo = reqwest::get(st["upo"]["pages"][0]["downloadUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    xmllint_valid(&upo, &upo_xsd());
    assert_eq!(
        String::from_utf8_lossy(&upo).matches("<Dokument>").count(),
        2
    );

    // The sessions list knows it.
    let sessions = api
        .get("/sessions?sessionType=Batch")
        .await
        .expect(200)
        .json();
    assert_eq!(
        sessions["sessions"][0]["referenceNumber"],
        reference.as_str()
    );
}

#[tokio::test]
async fn a_tampered_part_or_archive_fails_like_ksef() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let key = random(32);
    let iv = random(16);

    // A part whose bytes differ from the declaration: 21157 on close.
    let archive = zip(&[(
        "a.xml".into(),
        invoice(&sim.nip, "7770001281", &unique_number()),
    )]);
    let mut prepared = prepare(&keys, &archive, 1, &key, &iv);
    let open = api
        .post("/sessions/batch", prepared.body.clone())
        .await
        .expect(201)
        .json();
    prepared.parts[0][0] ^= 1;
    upload(&open, &prepared.parts).await;
    let r = api
        .post_empty(&format!(
            "/sessions/batch/{}/close",
            open["referenceNumber"].as_str().unwrap()
        ))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21157);

    // Not a ZIP inside: session status 430.
    let prepared = prepare(&keys, b"this is not a zip archive at all", 1, &key, &iv);
    let open = api
        .post("/sessions/batch", prepared.body.clone())
        .await
        .expect(201)
        .json();
    let reference = open["referenceNumber"].as_str().unwrap();
    upload(&open, &prepared.parts).await;
    api.post_empty(&format!("/sessions/batch/{reference}/close"))
        .await
        .expect(204);
    let (_, st) = session_final(&api, reference).await;
    assert_eq!(st["status"]["code"], 430);
    let failed = api
        .get("/sessions?sessionType=Batch&statuses=Failed&statuses=Cancelled&pageSize=10")
        .await
        .expect(200)
        .json();
    let refs: Vec<&str> = failed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["referenceNumber"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [reference]);
    let ok = api
        .get("/sessions?sessionType=Batch&statuses=Succeeded")
        .await
        .expect(200)
        .json();
    assert!(ok["sessions"].as_array().unwrap().is_empty());
    let since = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let later = api
        .get(&format!(
            "/sessions?sessionType=Batch&dateCreatedFrom={}",
            url::form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>()
        ))
        .await
        .expect(200)
        .json();
    assert!(later["sessions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn invoices_with_attachments_are_accepted_in_batch() {
    let mut cfg = fast_config();
    cfg.attachments_allowed = false;
    let sim = ksef_sim::Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let xml = sample("fa3-zalacznik-FA_3_Zalacznik_Przyklad_1_ksef-fop.xml")
        .replace("<NIP>1234567890</NIP>", &format!("<NIP>{}</NIP>", sim.nip))
        .replace("<NIP>9876543210</NIP>", "<NIP>7770001281</NIP>");
    let archive = zip(&[("z.xml".into(), xml.into_bytes())]);
    let (key, iv) = (random(32), random(16));
    let run = |api: &Api| {
        let prepared = prepare(&keys, &archive, 1, &key, &iv);
        let api = api.with_bearer(api.bearer.as_deref().unwrap());
        async move {
            let open = api
                .post("/sessions/batch", prepared.body.clone())
                .await
                .expect(201)
                .json();
            let reference = open["referenceNumber"].as_str().unwrap().to_owned();
            upload(&open, &prepared.parts).await;
            api.post_empty(&format!("/sessions/batch/{reference}/close"))
                .await
                .expect(204);
            reference
        }
    };
    // Not registered for attachments: 415, the session has no valid invoice (445).
    let refused = run(&api).await;
    let (_, st) = session_final(&api, &refused).await;
    assert_eq!(st["status"]["code"], 445, "{st}");
    let failed = api
        .get(&format!("/sessions/{refused}/invoices/failed"))
        .await
        .expect(200)
        .json();
    assert_eq!(failed["invoices"][0]["status"]["code"], 415);
    // After the TEST-environment registration, the same file goes through.
    api.post("/testdata/attachment", json!({"nip": sim.nip}))
        .await
        .expect(200);
    let reference = run(&api).await;
    let reference = reference.as_str();
    let (_, st) = session_final(&api, reference).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    let list = api
        .get(&format!("/sessions/{reference}/invoices"))
        .await
        .expect(200)
        .json();
    let k = list["invoices"][0]["ksefNumber"].as_str().unwrap();
    download_when_stored(&api, k).await;
    let meta = api
        .post(
            "/invoices/query/metadata",
            json!({"subjectType": "Subject1", "dateRange": {"dateType": "Invoicing", "from": crate::common::days_ago(30)}, "hasAttachment": true}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(meta["invoices"][0]["ksefNumber"], k);
    assert_eq!(meta["invoices"][0]["hasAttachment"], true);
}

#[tokio::test]
async fn large_parts_and_large_invoices_are_accepted_over_http() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    // 800 invoices (~2.7 MB) stored, not deflated: more than axum's default body limit.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for n in 0..800 {
        w.start_file(format!("{n}.xml"), opts).unwrap();
        w.write_all(&invoice(&sim.nip, "7770001281", &unique_number()))
            .unwrap();
    }
    let archive = w.finish().unwrap().into_inner();
    assert!(archive.len() > 2 * 1024 * 1024 + 1, "{}", archive.len());
    let (key, iv) = (random(32), random(16));
    let prepared = prepare(&keys, &archive, 1, &key, &iv);
    let open = api
        .post("/sessions/batch", prepared.body.clone())
        .await
        .expect(201)
        .json();
    let reference = open["referenceNumber"].as_str().unwrap().to_owned();
    upload(&open, &prepared.parts).await;
    api.post_empty(&format!("/sessions/batch/{reference}/close"))
        .await
        .expect(204);
    let (_, st) = session_final(&api, &reference).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["successfulInvoiceCount"], 800);

    // An online invoice near the 1 MiB limit (a long line description) fits the JSON body.
    let s = open_online(&api, &keys).await;
    let padding = "x".repeat(900 * 1024);
    let big = String::from_utf8(invoice(&sim.nip, "7770001281", &unique_number()))
        .unwrap()
        .replace("<P_1M>", &format!("<!-- {padding} --><P_1M>"));
    let r = send(&api, &s, big.as_bytes()).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        200
    );
}
