//! Metadata query as seller and buyer, date ranges, paging, sorting, truncation, HWM;
//! download; exports; persistence across restarts.

use std::io::Read as _;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ksef_sim::{Permission, Simulator, TokenSpec};
use serde_json::{json, Value};

use crate::common::*;

/// A metadata query, waiting out 429s (8 per second is easily reached in a test).
async fn query(api: &Api, params: &str, body: Value) -> Value {
    api.call_paced(
        reqwest::Method::POST,
        &format!("/invoices/query/metadata{params}"),
        Some(body),
    )
    .await
    .expect(200)
    .json()
}

fn since(date_type: &str, days: i64) -> Value {
    json!({"dateType": date_type, "from": (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()})
}

#[tokio::test]
async fn buyer_sees_seeded_cost_invoices_with_paging_and_sorting() {
    let mut cfg = fast_config();
    cfg.seed_demo = true;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    // Production limits: at most 16 metadata queries a minute, 20 an hour; this test
    // makes 14.

    // Nearly three months of demo costs (the longest window KSeF allows) in one page.
    let all = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 88)}),
    )
    .await;
    assert_eq!(all["hasMore"], false);
    assert_eq!(all["isTruncated"], false);
    let invoices: Vec<Value> = all["invoices"].as_array().unwrap().clone();
    assert!(invoices.len() >= 60, "{}", invoices.len());
    assert!(
        all.get("permanentStorageHwmDate")
            .is_none_or(Value::is_null),
        "HWM only for PermanentStorage"
    );
    let sellers: std::collections::BTreeSet<&str> = invoices
        .iter()
        .map(|i| i["seller"]["nip"].as_str().unwrap())
        .collect();
    assert!(sellers.len() >= 4, "{sellers:?}");
    assert!(invoices
        .iter()
        .all(|i| i["buyer"]["identifier"]["value"] == sim.nip.as_str()));
    let dates: Vec<&str> = invoices
        .iter()
        .map(|i| i["issueDate"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "Asc by issue date");
    let months: std::collections::BTreeSet<&str> = dates.iter().map(|d| &d[..7]).collect();
    assert!(months.len() >= 3, "{months:?}");

    // Paging: the third page first (read by offset), then pages in order (read by
    // keyset after the previous page); together they are the whole result, in order.
    let page = |n: usize| {
        let api = &api;
        async move {
            query(
                api,
                &format!("?pageSize=25&pageOffset={n}"),
                json!({"subjectType": "Subject2", "dateRange": since("Issue", 88)}),
            )
            .await
        }
    };
    let third = page(2).await;
    let mut seen = Vec::new();
    for n in 0.. {
        let v = page(n).await;
        if n == 2 {
            assert_eq!(v["invoices"], third["invoices"]);
        }
        seen.extend(v["invoices"].as_array().unwrap().iter().cloned());
        if v["hasMore"] == false {
            break;
        }
    }
    let ksef = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|i| i["ksefNumber"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ksef(&seen), ksef(&invoices));

    // Desc.
    let desc = query(
        &api,
        "?pageSize=10&sortOrder=Desc",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 88)}),
    )
    .await;
    assert_eq!(desc["invoices"][0]["issueDate"], *dates.last().unwrap());

    // Filters: seller and amount; the invoice number matches exactly, not as a part.
    let seller = invoices[0]["seller"]["nip"].as_str().unwrap();
    let number = invoices[0]["invoiceNumber"].as_str().unwrap();
    let by_seller = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 88), "sellerNip": seller, "amount": {"type": "Brutto", "from": 1000.0}}),
    )
    .await;
    assert!(by_seller["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["seller"]["nip"] == seller && i["grossAmount"].as_f64().unwrap() >= 1000.0));
    let exact = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 88), "invoiceNumber": number}),
    )
    .await;
    assert_eq!(exact["invoices"].as_array().unwrap().len(), 1);
    let part = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 88), "invoiceNumber": &number[..number.len() - 1]}),
    )
    .await;
    assert_eq!(
        part["invoices"].as_array().unwrap().len(),
        0,
        "no substring match"
    );

    // As seller the demo company has issued nothing yet.
    let mine = query(
        &api,
        "",
        json!({"subjectType": "Subject1", "dateRange": since("Issue", 88)}),
    )
    .await;
    assert_eq!(mine["invoices"].as_array().unwrap().len(), 0);

    // The buyer may download what it received.
    let k = invoices[0]["ksefNumber"].as_str().unwrap();
    let d = api.get(&format!("/invoices/ksef/{k}")).await.expect(200);
    assert_eq!(sha(&d.body), invoices[0]["invoiceHash"].as_str().unwrap());
    assert!(String::from_utf8_lossy(&d.body).contains(&sim.nip));

    // Validation errors, always in the spec's shapes: a window longer than 3 months,
    // a bad page size.
    let r = api
        .post(
            "/invoices/query/metadata",
            json!({"subjectType": "Subject2", "dateRange": since("Issue", 100)}),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21405);
    let r = api
        .post(
            "/invoices/query/metadata?pageSize=5",
            json!({"subjectType": "Subject2", "dateRange": since("Issue", 1)}),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21405);
    let r = api
        .get("/invoices/ksef/5265877635-20250916-010040741B3E-46")
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21164);
}

#[tokio::test]
async fn third_parties_and_authorised_subjects_find_their_invoices() {
    let mut cfg = fast_config();
    cfg.seed_demo = true;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    for (subject, tag) in [
        ("Subject3", "<Podmiot3>"),
        ("SubjectAuthorized", "<PodmiotUpowazniony>"),
    ] {
        let v = query(
            &api,
            "",
            json!({"subjectType": subject, "dateRange": since("Invoicing", 60)}),
        )
        .await;
        let found = v["invoices"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{subject}: {v}");
        // Sold to someone else, yet the demo company may read it.
        assert_ne!(found[0]["buyer"]["identifier"]["value"], sim.nip.as_str());
        let k = found[0]["ksefNumber"].as_str().unwrap();
        let xml = api.get(&format!("/invoices/ksef/{k}")).await.expect(200);
        let xml = String::from_utf8(xml.body).unwrap();
        assert!(xml.contains(tag) && xml.contains(&sim.nip), "{xml}");
    }
}

#[tokio::test]
async fn dates_without_an_offset_are_polish_time() {
    let sim = start().await;
    // 2026-07-01 10:00 UTC is 12:00 in Warsaw (CEST).
    let at = chrono::DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let xml = String::from_utf8(invoice("7740001454", &sim.nip, &unique_number()))
        .unwrap()
        .replace(&format!("<P_1>{}</P_1>", today()), "<P_1>2026-07-01</P_1>");
    sim.seed_invoice(xml.as_bytes(), at).unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let found = |from: &str, to: &str| {
        let api = &api;
        let body = json!({"subjectType": "Subject2", "dateRange": {"dateType": "Invoicing", "from": from, "to": to}});
        async move {
            query(api, "", body).await["invoices"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    // Read as UTC, 11:30-12:30 would miss an invoice received at 10:00 UTC.
    assert_eq!(found("2026-07-01T11:30:00", "2026-07-01T12:30:00").await, 1);
    assert_eq!(found("2026-07-01T09:30:00", "2026-07-01T10:30:00").await, 0);
    assert_eq!(
        found("2026-07-01T09:30:00Z", "2026-07-01T10:30:00Z").await,
        1
    );
}

#[tokio::test]
async fn an_invoice_sent_by_one_company_is_found_by_its_buyer_with_hwm_and_truncation() {
    let mut cfg = fast_config();
    cfg.max_query_results = 12;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let buyer = "7770001281";
    let buyer_token = sim.add_token(TokenSpec {
        context_nip: buyer.into(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });

    let (seller_access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let seller = api.with_bearer(&seller_access);
    let s = open_online(&seller, &keys).await;
    let mut refs = Vec::new();
    for _ in 0..15 {
        refs.push(send(&seller, &s, &invoice(&sim.nip, buyer, &unique_number())).await);
    }
    for r in &refs {
        assert_eq!(
            invoice_final(&seller, &s.reference, r).await.1["status"]["code"],
            200
        );
    }
    tokio::time::sleep(Duration::from_millis(120)).await;

    let (buyer_access, _) = login(&api, &keys, buyer, &buyer_token).await;
    let b = api.with_bearer(&buyer_access);
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let body = json!({"subjectType": "Subject2", "dateRange": {"dateType": "PermanentStorage", "from": from, "restrictToPermanentStorageHwmDate": true}});
    let p0 = query(&b, "?pageSize=10", body.clone()).await;
    assert_eq!(p0["invoices"].as_array().unwrap().len(), 10);
    assert_eq!(
        (p0["hasMore"].as_bool(), p0["isTruncated"].as_bool()),
        (Some(true), Some(false))
    );
    let hwm = p0["permanentStorageHwmDate"].as_str().unwrap().to_owned();
    let p1 = query(&b, "?pageSize=10&pageOffset=1", body.clone()).await;
    // 15 matches, technical limit 12: the second page ends the truncated window.
    assert_eq!(p1["invoices"].as_array().unwrap().len(), 2);
    assert_eq!(
        (p1["hasMore"].as_bool(), p1["isTruncated"].as_bool()),
        (Some(true), Some(true))
    );
    // Continue from the last record's date, offset 0: the rest arrives.
    let last = p1["invoices"][1]["permanentStorageDate"].as_str().unwrap();
    let rest = query(&b, "?pageSize=10", json!({"subjectType": "Subject2", "dateRange": {"dateType": "PermanentStorage", "from": last, "restrictToPermanentStorageHwmDate": true}})).await;
    assert_eq!(rest["hasMore"], false);
    let mut all: Vec<String> = p0["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p1["invoices"].as_array().unwrap())
        .chain(rest["invoices"].as_array().unwrap())
        .map(|i| i["ksefNumber"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 15);
    assert!(chrono::DateTime::parse_from_rfc3339(&hwm).unwrap() <= chrono::Utc::now());

    // from beyond the HWM with the restriction on: 21183.
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let r = b
        .post("/invoices/query/metadata", json!({"subjectType": "Subject2", "dateRange": {"dateType": "PermanentStorage", "from": future, "restrictToPermanentStorageHwmDate": true}}))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21183);

    // The seller sees them as Subject1; a stranger sees nothing and cannot download.
    let mine = query(
        &seller,
        "?pageSize=50",
        json!({"subjectType": "Subject1", "dateRange": since("Invoicing", 1)}),
    )
    .await;
    assert_eq!(mine["invoices"].as_array().unwrap().len(), 12);
    let k = mine["invoices"][0]["ksefNumber"].as_str().unwrap();
    download_when_stored(&b, k).await;
    let stranger = sim.add_token(TokenSpec::full("9512234562"));
    let (sa, _) = login(&api, &keys, "9512234562", &stranger).await;
    let r = api
        .with_bearer(&sa)
        .get(&format!("/invoices/ksef/{k}"))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21164);
}

#[tokio::test]
async fn export_package_is_encrypted_zip_with_invoices_and_metadata() {
    let mut cfg = fast_config();
    cfg.seed_demo = true;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let key = random(32);
    let iv = random(16);
    let body = json!({
        "encryption": {"encryptedSymmetricKey": oaep(&keys.symmetric, &key), "initializationVector": B64.encode(&iv)},
        "filters": {"subjectType": "Subject2", "dateRange": since("PermanentStorage", 80)},
    });
    let r = api.post("/invoices/exports", body).await.expect(201).json();
    let reference = r["referenceNumber"].as_str().unwrap();
    let mut status = Value::Null;
    for _ in 0..100 {
        status = api
            .get(&format!("/invoices/exports/{reference}"))
            .await
            .expect(200)
            .json();
        if status["status"]["code"] != 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status["status"]["code"], 200, "{status}");
    let package = &status["package"];
    assert_eq!(package["isTruncated"], false);
    let part = &package["parts"][0];
    let enc = reqwest::get(part["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(sha(&enc), part["encryptedPartHash"].as_str().unwrap());
    let zip_bytes = aes_decrypt(&key, &iv, &enc);
    assert_eq!(sha(&zip_bytes), part["partHash"].as_str().unwrap());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut meta = String::new();
    zip.by_name("_metadata.json")
        .unwrap()
        .read_to_string(&mut meta)
        .unwrap();
    let meta: Value = serde_json::from_str(&meta).unwrap();
    let listed = meta["invoices"].as_array().unwrap();
    assert_eq!(
        listed.len() as i64,
        package["invoiceCount"].as_i64().unwrap()
    );
    assert!(listed.len() >= 20);
    for m in listed {
        let problems = crate::spec::spec().check_schema("InvoiceMetadata", m);
        assert!(problems.is_empty(), "{problems:?}");
        let k = m["ksefNumber"].as_str().unwrap();
        let mut xml = Vec::new();
        zip.by_name(&format!("{k}.xml"))
            .unwrap()
            .read_to_end(&mut xml)
            .unwrap();
        assert_eq!(sha(&xml), m["invoiceHash"].as_str().unwrap());
    }
}

#[tokio::test]
async fn exports_pack_tar_gz_hash_their_parts_and_are_limited_like_ksef() {
    let mut cfg = fast_config();
    cfg.seed_demo = true;
    cfg.max_concurrent_exports = 2;
    cfg.timing.processing_delay = Duration::from_millis(1500);
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let key = random(32);
    let iv = random(16);
    let body = |filters: Value, compression: &str| {
        json!({
            "encryption": {"encryptedSymmetricKey": oaep(&keys.symmetric, &key), "initializationVector": B64.encode(&iv)},
            "filters": filters,
            "compressionType": compression,
        })
    };
    let costs = json!({"subjectType": "Subject2", "dateRange": since("PermanentStorage", 80)});
    // Longer than 3 months: refused at once.
    let r = api
        .post(
            "/invoices/exports",
            body(
                json!({"subjectType": "Subject2", "dateRange": since("PermanentStorage", 95)}),
                "Zip",
            ),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21405);
    let tar = api
        .post("/invoices/exports", body(costs.clone(), "TarGz"))
        .await
        .expect(201)
        .json();
    api.post("/invoices/exports", body(costs.clone(), "Zip"))
        .await
        .expect(201);
    // A third while two run: 21182 (the limit is 10 in KSeF, 2 here).
    let r = api
        .post("/invoices/exports", body(costs.clone(), "Zip"))
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21182);
    // An unknown export: 21175.
    let r = api
        .get("/invoices/exports/20250101-EE-0000000000-0000000000-00")
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21175);

    let reference = tar["referenceNumber"].as_str().unwrap();
    let mut status = Value::Null;
    for _ in 0..40 {
        status = api
            .get(&format!("/invoices/exports/{reference}"))
            .await
            .expect(200)
            .json();
        if status["status"]["code"] != 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status["status"]["code"], 200, "{status}");
    let package = &status["package"];
    // Not truncated: no last-date fields.
    assert!(
        package.get("lastPermanentStorageDate").is_none(),
        "{package}"
    );
    let part = &package["parts"][0];
    assert!(part["partName"].as_str().unwrap().ends_with(".tar.gz.aes"));
    let resp = reqwest::get(part["url"].as_str().unwrap()).await.unwrap();
    let meta_hash = resp.headers()["x-ms-meta-hash"]
        .to_str()
        .unwrap()
        .to_owned();
    let enc = resp.bytes().await.unwrap().to_vec();
    assert_eq!(meta_hash, sha(&enc));
    assert_eq!(meta_hash, part["encryptedPartHash"].as_str().unwrap());
    let gz = aes_decrypt(&key, &iv, &enc);
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz.as_slice()));
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == "_metadata.json" {
            let meta: Value = serde_json::from_slice(&data).unwrap();
            assert_eq!(
                meta["invoices"].as_array().unwrap().len() as i64,
                package["invoiceCount"].as_i64().unwrap()
            );
        }
        names.push(name);
    }
    assert_eq!(
        names.len() as i64,
        package["invoiceCount"].as_i64().unwrap() + 1
    );
    assert!(names.iter().filter(|n| n.ends_with(".xml")).count() >= 20);
    // Finished exports no longer count against the limit.
    api.post("/invoices/exports", body(costs, "Zip"))
        .await
        .expect(201);
}

#[tokio::test]
async fn a_data_directory_keeps_invoices_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = fast_config();
    cfg.data_dir = Some(dir.path().to_owned());
    cfg.seed_demo = true;
    let sim = Simulator::start(cfg.clone()).await.unwrap();
    let count = sim.invoice_count().unwrap();
    assert!(count >= 20);
    let token = sim.token.clone();
    let revoked = sim.add_token(TokenSpec::full(sim.nip.clone()));
    sim.revoke_token(&revoked);
    sim.shutdown().await;
    let again = Simulator::start(cfg).await.unwrap();
    assert_eq!(
        again.invoice_count().unwrap(),
        count,
        "seeding is idempotent and data persists"
    );
    assert_eq!(again.token, token, "the demo token survives a restart");
    let api = Api::new(&again.base_url);
    let keys = keys(&api).await;
    let (r, t) = init_auth(&api, &keys, &again.nip, &revoked).await;
    assert_eq!(
        auth_final(&api, &r, &t).await["status"]["code"],
        450,
        "revocation survives too"
    );
    let (access, _) = login(&api, &keys, &again.nip, &again.token).await;
    let v = query(
        &api.with_bearer(&access),
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 80)}),
    )
    .await;
    assert!(v["invoices"].as_array().unwrap().len() >= 20, "{v}");
}

#[tokio::test]
async fn an_offline_dated_invoice_is_classified_offline_everywhere() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let s = open_online(&api, &keys).await;
    let today = today();
    let yesterday = (chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let xml = String::from_utf8(invoice(&sim.nip, "7770001281", &unique_number()))
        .unwrap()
        .replace(
            &format!("<P_1>{today}</P_1>"),
            &format!("<P_1>{yesterday}</P_1>"),
        )
        .into_bytes();
    let inv = send(&api, &s, &xml).await;
    let (_, st) = invoice_final(&api, &s.reference, &inv).await;
    assert_eq!(st["invoicingMode"], "Offline");
    let ksef = st["ksefNumber"].as_str().unwrap();
    let upo = api
        .get(&format!("/sessions/{}/invoices/{inv}/upo", s.reference))
        .await
        .expect(200);
    assert!(String::from_utf8_lossy(&upo.body).contains("<TrybWysylki>Offline</TrybWysylki>"));
    download_when_stored(&api, ksef).await;
    let v = query(&api, "", json!({"subjectType": "Subject1", "dateRange": since("Invoicing", 1), "invoicingMode": "Offline"})).await;
    assert_eq!(v["invoices"][0]["ksefNumber"], ksef);
}

#[tokio::test]
async fn the_demo_feed_keeps_issuing_cost_invoices() {
    let mut cfg = fast_config();
    cfg.demo_feed_interval = Some(Duration::from_millis(200));
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let mut found = 0;
    // Within invoiceMetadata's limits: 8 a second, 16 a minute.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let v = query(
            &api,
            "?pageSize=250",
            json!({"subjectType": "Subject2", "dateRange": since("PermanentStorage", 1)}),
        )
        .await;
        found = v["invoices"].as_array().unwrap().len();
        if found >= 3 {
            break;
        }
    }
    assert!(found >= 3, "{found}");
}
