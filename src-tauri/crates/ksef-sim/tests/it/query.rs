//! Metadata query as seller and buyer, date ranges, paging, sorting, truncation, HWM;
//! download; exports; persistence across restarts.

use std::io::Read as _;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ksef_sim::{Permission, Simulator, TokenSpec};
use serde_json::{json, Value};

use crate::common::*;

async fn query(api: &Api, params: &str, body: Value) -> Value {
    api.post(&format!("/invoices/query/metadata{params}"), body)
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

    // Over 300 demo costs: two pages of 250.
    let all = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 400)}),
    )
    .await;
    assert_eq!(all["hasMore"], true);
    assert_eq!(all["isTruncated"], false);
    let rest = query(
        &api,
        "?pageSize=250&pageOffset=1",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 400)}),
    )
    .await;
    assert_eq!(rest["hasMore"], false);
    let invoices: Vec<Value> = all["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["invoices"].as_array().unwrap())
        .cloned()
        .collect();
    assert!(invoices.len() >= 300, "{}", invoices.len());
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
    assert!(months.len() >= 5, "{months:?}");

    // Paging: pages of 10 add up, hasMore until the last one.
    let mut seen = Vec::new();
    for page in 0.. {
        let v = query(
            &api,
            &format!("?pageSize=10&pageOffset={page}"),
            json!({"subjectType": "Subject2", "dateRange": since("Issue", 400)}),
        )
        .await;
        seen.extend(
            v["invoices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["ksefNumber"].as_str().unwrap().to_owned()),
        );
        if v["hasMore"] == false {
            break;
        }
    }
    assert_eq!(seen.len(), invoices.len());

    // Desc.
    let desc = query(
        &api,
        "?pageSize=10&sortOrder=Desc",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 400)}),
    )
    .await;
    assert_eq!(desc["invoices"][0]["issueDate"], *dates.last().unwrap());

    // Filters: seller, amount, date window.
    let seller = invoices[0]["seller"]["nip"].as_str().unwrap();
    let by_seller = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 400), "sellerNip": seller}),
    )
    .await;
    assert!(by_seller["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["seller"]["nip"] == seller));
    let big = query(&api, "?pageSize=250", json!({"subjectType": "Subject2", "dateRange": since("Issue", 400), "amount": {"type": "Brutto", "from": 1000.0}})).await;
    assert!(big["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["grossAmount"].as_f64().unwrap() >= 1000.0));
    let recent = query(
        &api,
        "?pageSize=250",
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 45)}),
    )
    .await;
    assert!(recent["invoices"].as_array().unwrap().len() < invoices.len());

    // As seller the demo company has issued nothing yet.
    let mine = query(
        &api,
        "",
        json!({"subjectType": "Subject1", "dateRange": since("Issue", 400)}),
    )
    .await;
    assert_eq!(mine["invoices"].as_array().unwrap().len(), 0);

    // The buyer may download what it received.
    let k = invoices[0]["ksefNumber"].as_str().unwrap();
    let d = api.get(&format!("/invoices/ksef/{k}")).await.expect(200);
    assert_eq!(sha(&d.body), invoices[0]["invoiceHash"].as_str().unwrap());
    assert!(String::from_utf8_lossy(&d.body).contains(&sim.nip));

    // Validation errors, always in the spec's shapes.
    let r = api
        .post(
            "/invoices/query/metadata?pageSize=many",
            json!({"subjectType": "Subject2", "dateRange": since("Issue", 1)}),
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
        "filters": {"subjectType": "Subject2", "dateRange": since("PermanentStorage", 400)},
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
        json!({"subjectType": "Subject2", "dateRange": since("Issue", 400)}),
    )
    .await;
    assert_eq!(v["invoices"].as_array().unwrap().len(), count.min(250));
    assert_eq!(v["hasMore"], count > 250);
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
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
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

#[tokio::test]
async fn a_date_range_over_three_months_is_refused_when_configured() {
    let mut cfg = fast_config();
    cfg.refuse_ranges_over_3_months = true;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let range = |from: &str, to: &str| json!({"subjectType": "Subject2", "dateRange": {"dateType": "PermanentStorage", "from": from, "to": to}});
    // February to April is 89 days: three months exactly fit, a day more does not.
    query(
        &api,
        "",
        range("2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z"),
    )
    .await;
    let refused = api
        .post(
            "/invoices/query/metadata",
            range("2026-02-01T00:00:00Z", "2026-05-02T00:00:00Z"),
        )
        .await
        .expect(400)
        .json();
    assert_eq!(
        refused["exception"]["exceptionDetailList"][0]["exceptionCode"],
        21405
    );
    // Without `to` the range ends now.
    api.post(
        "/invoices/query/metadata",
        json!({"subjectType": "Subject2", "dateRange": since("PermanentStorage", 100)}),
    )
    .await
    .expect(400);
}
