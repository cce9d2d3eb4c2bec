//! Online session: send, asynchronous statuses, KSeF numbers, UPO, download, rejects.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn certificates_are_real_x509_with_both_usages() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    assert_ne!(keys.token_key_id, keys.symmetric_key_id);
    assert_eq!(
        keys.token,
        sim.public_key(ksef_sim::crypto::KeyUsage::KsefTokenEncryption)
    );
    aes_roundtrip_ok();
}

#[tokio::test]
async fn online_invoice_goes_100_150_200_with_ksef_number_and_valid_upo() {
    let sim = start_slow().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let session = open_online(&api, &keys).await;

    let buyer = "7770001281";
    let number = unique_number();
    let xml = invoice(&sim.nip, buyer, &number);
    let inv = send(&api, &session, &xml).await;
    let (seen, status) = invoice_final(&api, &session.reference, &inv).await;
    assert_eq!(seen.first(), Some(&100), "in progress first: {seen:?}");
    assert_eq!(seen.last(), Some(&200), "{status}");
    let ksef = status["ksefNumber"].as_str().unwrap();
    assert!(ksef.starts_with(&format!("{}-{}", sim.nip, today().replace('-', ""))));
    assert!(ksef_sim::ids::is_valid_ksef_number(ksef));
    assert_eq!(status["invoiceNumber"], number.as_str());
    assert_eq!(status["invoiceHash"], sha(&xml));
    assert_eq!(status["ordinalNumber"], 1);

    // Invoice UPO by pre-signed URL (no Authorization).
    let url = status["upoDownloadUrl"].as_str().unwrap();
    let upo = reqwest::get(url).await.unwrap();
    assert_eq!(upo.status(), 200);
    let hash = upo.headers()["x-ms-meta-hash"].to_str().unwrap().to_owned();
    let upo = upo.bytes().await.unwrap();
    assert_eq!(hash, sha(&upo));
    assert!(String::from_utf8_lossy(&upo).contains(ksef));
    xmllint_valid(&upo, &upo_xsd());
    // And through the API, by invoice reference and by KSeF number.
    let r = api
        .get(&format!(
            "/sessions/{}/invoices/{inv}/upo",
            session.reference
        ))
        .await
        .expect(200);
    assert_eq!(r.content_type(), "application/xml");
    let r2 = api
        .get(&format!(
            "/sessions/{}/invoices/ksef/{ksef}/upo",
            session.reference
        ))
        .await
        .expect(200);
    assert_eq!(r.body, r2.body);

    // Session: open (100) -> close -> 170/200 -> UPO.
    let st = api
        .get(&format!("/sessions/{}", session.reference))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"]["code"], 100);
    assert!(st.get("upo").is_none() || st["upo"].is_null());
    api.post_empty(&format!("/sessions/online/{}/close", session.reference))
        .await
        .expect(204);
    let (_, st) = session_final(&api, &session.reference).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["invoiceCount"], 1);
    assert_eq!(st["successfulInvoiceCount"], 1);
    let page = &st["upo"]["pages"][0];
    let upo = api
        .get(&format!(
            "/sessions/{}/upo/{}",
            session.reference,
            page["referenceNumber"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(upo.header("x-ms-meta-hash").unwrap(), sha(&upo.body));
    xmllint_valid(&upo.body, &upo_xsd());
    let direct = reqwest::get(page["downloadUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(direct.to_vec(), upo.body);

    // Sending to a closed session is refused.
    let r = api
        .post(
            &format!("/sessions/online/{}/invoices", session.reference),
            send_body(&session, &xml),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21180);

    // Download by KSeF number returns the exact bytes.
    let d = download_when_stored(&api, ksef).await;
    assert_eq!(d.body, xml);
    assert_eq!(d.header("x-ms-meta-hash").unwrap(), sha(&xml));
}

#[tokio::test]
async fn duplicates_wrong_seller_bad_xml_and_bad_hashes_are_answered_like_ksef() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;

    let number = unique_number();
    let xml = invoice(&sim.nip, "7770001281", &number);
    let first = send(&api, &s, &xml).await;
    let (_, first) = invoice_final(&api, &s.reference, &first).await;
    let original = first["ksefNumber"].as_str().unwrap().to_owned();

    // Duplicate: same seller, kind and number.
    let dup = send(&api, &s, &xml).await;
    let (_, dup) = invoice_final(&api, &s.reference, &dup).await;
    assert_eq!(dup["status"]["code"], 440, "{dup}");
    assert_eq!(
        dup["status"]["extensions"]["originalKsefNumber"],
        original.as_str()
    );
    assert_eq!(
        dup["status"]["extensions"]["originalSessionReferenceNumber"],
        s.reference.as_str()
    );

    // Seller NIP outside the session context.
    let other = invoice("7770001281", &sim.nip, &unique_number());
    let r = send(&api, &s, &other).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        410
    );

    // Not FA(3).
    let bad = b"<Faktura xmlns=\"urn:wrong\"><Naglowek/></Faktura>".to_vec();
    let r = send(&api, &s, &bad).await;
    let (_, v) = invoice_final(&api, &s.reference, &r).await;
    assert_eq!(v["status"]["code"], 430);
    assert!(!v["status"]["details"].as_array().unwrap().is_empty());

    // Content encrypted with another key: 435. About one random key in 256 yields
    // ciphertext whose decryption with the session key still ends in valid padding
    // (garbage of the wrong size, answered 400 at once): pick a key that does not.
    let wrong_invoice = invoice(&sim.nip, "7770001281", &unique_number());
    let wrong_key = std::iter::repeat_with(|| random(32))
        .find(|key| {
            let ciphertext = aes_encrypt(key, &s.iv, &wrong_invoice);
            cbc::Decryptor::<aes::Aes256>::new_from_slices(&s.key, &s.iv)
                .unwrap()
                .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
                .is_err()
        })
        .unwrap();
    let mut wrong = OnlineSession {
        reference: s.reference.clone(),
        key: wrong_key,
        iv: s.iv.clone(),
    };
    let r = send(&api, &wrong, &wrong_invoice).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        435
    );

    // Declared hash or size that does not match: 400 at once.
    wrong.key = s.key.clone();
    let mut body = send_body(&s, &xml);
    body["encryptedInvoiceHash"] = json!(sha(b"other"));
    let r = api
        .post(&format!("/sessions/online/{}/invoices", s.reference), body)
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21403);
    let mut body = send_body(&s, &xml);
    body["invoiceSize"] = json!(xml.len() + 1);
    let r = api
        .post(&format!("/sessions/online/{}/invoices", s.reference), body)
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21402);

    // The failed list holds the four rejects; the full list pages with a continuation token.
    let failed = api
        .get(&format!("/sessions/{}/invoices/failed", s.reference))
        .await
        .expect(200)
        .json();
    assert_eq!(failed["invoices"].as_array().unwrap().len(), 4);
    let all = api
        .get(&format!("/sessions/{}/invoices?pageSize=10", s.reference))
        .await
        .expect(200)
        .json();
    assert_eq!(all["invoices"].as_array().unwrap().len(), 5);
    let mut bad_token = Api::new(&api.base).with_bearer(api.bearer.as_deref().unwrap());
    bad_token
        .extra_headers
        .push(("x-continuation-token".into(), "not-a-token".into()));
    let r = bad_token
        .get(&format!("/sessions/{}/invoices?pageSize=10", s.reference))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21418);
    // No UPO for a KSeF number the session does not hold, nor for an unknown UPO: 21178.
    let r = api
        .get(&format!(
            "/sessions/{}/invoices/ksef/5265877635-20250916-010040741B3E-46/upo",
            s.reference
        ))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21178);
    let r = api
        .get(&format!("/sessions/{}/upo/{}", s.reference, s.reference))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21178);

    // Closing: 200 because one invoice was accepted; its UPO lists only that one.
    api.post_empty(&format!("/sessions/online/{}/close", s.reference))
        .await
        .expect(204);
    let (_, st) = session_final(&api, &s.reference).await;
    assert_eq!(st["status"]["code"], 200);
    assert_eq!(st["successfulInvoiceCount"], 1);
    assert_eq!(st["failedInvoiceCount"], 4);

    // Unknown session: 21173.
    let r = api
        .get("/sessions/20250101-SO-0000000000-0000000000-00")
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21173);
}

#[tokio::test]
async fn iv_prefixed_ciphertext_is_accepted_too() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;
    let xml = invoice(&sim.nip, "7770001281", &unique_number());
    let mut enc = s.iv.clone();
    enc.extend(aes_encrypt(&s.key, &s.iv, &xml));
    let body = json!({
        "invoiceHash": sha(&xml), "invoiceSize": xml.len(),
        "encryptedInvoiceHash": sha(&enc), "encryptedInvoiceSize": enc.len(),
        "encryptedInvoiceContent": B64.encode(&enc),
    });
    let r = api
        .post(&format!("/sessions/online/{}/invoices", s.reference), body)
        .await
        .expect(202)
        .json();
    let (_, v) = invoice_final(&api, &s.reference, r["referenceNumber"].as_str().unwrap()).await;
    assert_eq!(v["status"]["code"], 200);
}

#[tokio::test]
async fn empty_session_is_cancelled_440_and_a_bad_key_gives_415() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;
    api.post_empty(&format!("/sessions/online/{}/close", s.reference))
        .await
        .expect(204);
    let st = api
        .get(&format!("/sessions/{}", s.reference))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"]["code"], 440);

    // Key wrapped with the token-encryption key instead: the session cannot decrypt it.
    let body = json!({
        "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encryptedSymmetricKey": oaep(&keys.token, &random(32)), "initializationVector": B64.encode(random(16))},
    });
    let v = api.post("/sessions/online", body).await.expect(201).json();
    let st = api
        .get(&format!(
            "/sessions/{}",
            v["referenceNumber"].as_str().unwrap()
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"]["code"], 415);
}

#[tokio::test]
async fn invoices_with_attachments_need_the_attachment_permission() {
    let mut cfg = fast_config();
    cfg.attachments_allowed = false;
    let sim = ksef_sim::Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let xml = sample("fa3-zalacznik-FA_3_Zalacznik_Przyklad_1_ksef-fop.xml")
        .replace("<NIP>1234567890</NIP>", "<NIP>5265877635</NIP>")
        .replace("<NIP>9876543210</NIP>", "<NIP>7770001281</NIP>");
    let facts = ksef_sim::receipt::check_invoice(xml.as_bytes()).unwrap();
    assert!(facts.has_attachment);
    let token = sim.add_token(ksef_sim::TokenSpec::full(facts.seller_nip.clone()));
    let (access, _) = login(&api, &keys, &facts.seller_nip, &token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;
    let inv = send(&api, &s, xml.as_bytes()).await;
    let (_, v) = invoice_final(&api, &s.reference, &inv).await;
    assert_eq!(v["status"]["code"], 415, "{v}");
}

#[tokio::test]
async fn future_issue_dates_bom_and_online_attachments_are_refused() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;

    let tomorrow = (chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").unwrap()
        + chrono::Duration::days(1))
    .to_string();
    let future = String::from_utf8(invoice(&sim.nip, "7770001281", &unique_number()))
        .unwrap()
        .replace(
            &format!("<P_1>{}</P_1>", today()),
            &format!("<P_1>{tomorrow}</P_1>"),
        );
    let r = send(&api, &s, future.as_bytes()).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        450
    );

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(invoice(&sim.nip, "7770001281", &unique_number()));
    let r = send(&api, &s, &bom).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        430
    );

    // Attachments go in batch sessions only.
    let with_attachment = sample("fa3-zalacznik-FA_3_Zalacznik_Przyklad_1_ksef-fop.xml")
        .replace("<NIP>1234567890</NIP>", &format!("<NIP>{}</NIP>", sim.nip))
        .replace("<NIP>9876543210</NIP>", "<NIP>7770001281</NIP>");
    let r = send(&api, &s, with_attachment.as_bytes()).await;
    let (_, v) = invoice_final(&api, &s.reference, &r).await;
    assert_eq!(v["status"]["code"], 415);
    assert!(v["status"]["details"][0]
        .as_str()
        .unwrap()
        .contains("wsadowej"));
}

#[tokio::test]
async fn technical_correction_replaces_a_rejected_invoice_once() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;
    // An offline invoice that KSeF rejects (bad buyer NIP checksum: 450).
    let number = unique_number();
    let rejected = invoice(&sim.nip, "7770001282", &number);
    let r = send(&api, &s, &rejected).await;
    assert_eq!(
        invoice_final(&api, &s.reference, &r).await.1["status"]["code"],
        450
    );
    // Its technical correction goes through, with the link in the metadata.
    let fixed = invoice(&sim.nip, "7770001281", &number);
    let mut body = send_body(&s, &fixed);
    body["offlineMode"] = json!(true);
    body["hashOfCorrectedInvoice"] = json!(sha(&rejected));
    let r = api
        .post(
            &format!("/sessions/online/{}/invoices", s.reference),
            body.clone(),
        )
        .await
        .expect(202)
        .json();
    let (_, v) = invoice_final(&api, &s.reference, r["referenceNumber"].as_str().unwrap()).await;
    assert_eq!(v["status"]["code"], 200, "{v}");
    // A second correction of the same invoice: 21166; correcting an accepted one: 21167.
    let again = api
        .post(&format!("/sessions/online/{}/invoices", s.reference), body)
        .await
        .expect(400);
    assert_eq!(again.exception_code(), 21166);
    let mut body = send_body(&s, &invoice(&sim.nip, "7770001281", &unique_number()));
    body["hashOfCorrectedInvoice"] = json!(sha(&fixed));
    let r = api
        .post(&format!("/sessions/online/{}/invoices", s.reference), body)
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21167);
    download_when_stored(&api, v["ksefNumber"].as_str().unwrap()).await;
    let meta = api
        .post("/invoices/query/metadata", json!({"subjectType": "Subject1", "dateRange": {"dateType": "Invoicing", "from": crate::common::days_ago(30)}}))
        .await
        .expect(200)
        .json();
    assert_eq!(
        meta["invoices"][0]["hashOfCorrectedInvoice"],
        sha(&rejected)
    );
}
