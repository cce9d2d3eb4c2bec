//! Listing benchmark: page through N cost invoices with `POST /invoices/query/metadata`
//! (pageSize 250, `PermanentStorage`, Asc, the incremental-sync query) and print the
//! wall time of the listing alone and of its first and last ten pages.
//!
//! `cargo bench -p ksef-sim --bench listing [-- --count N]` (default 100,000; without
//! `--bench`, e.g. under `cargo test --all-targets`, 2,000 as a smoke test).
//!
//! The store is filled directly (one invoice checked by the receipt rules, then copied
//! with new numbers), so seeding does not dominate; rate limits are switched off,
//! since production allows 20 listings an hour.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark binary prints its figures and fails loudly"
)]

use std::time::{Duration, Instant};

use chrono::Utc;
use ksef_sim::crypto::{b64, KeyUsage};
use ksef_sim::store::Store;
use ksef_sim::{FaultConfig, SimConfig, Simulator};
use rsa::Oaep;
use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let count: usize = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 2_000 });
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    seed(dir.path(), count);
    println!(
        "store seeded with {count} invoices in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(list(dir.path(), count));
}

/// Writes `count` copies of one demo cost invoice (new number and KSeF number each,
/// stored over the last hour) into `dir/ksef-sim.sqlite`.
fn seed(dir: &std::path::Path, count: usize) {
    let store = Store::open(Some(dir)).unwrap();
    let supplier = &ksef_sim::seed::SUPPLIERS[0];
    let now = Utc::now();
    let xml = ksef_sim::seed::invoice_xml(
        supplier,
        ksef_sim::DEMO_NIP,
        "Benchmark Sp. z o.o.",
        "BENCH-NUMBER",
        now.date_naive(),
        now,
        &vec![3.0; supplier.lines.len()],
        None,
    );
    let xml = ksef_sim::seed::through_fa3_writer(&xml).unwrap();
    let tmp = Store::open(None).unwrap();
    let ksef = ksef_sim::seed::store_seeded(&tmp, &xml, now).unwrap();
    let template = tmp.get(&ksef).unwrap().unwrap();
    let span = chrono::Duration::hours(1);
    let first = now - span - chrono::Duration::minutes(1);
    for i in 0..count {
        let at = first + span * (i as i32) / (count.max(1) as i32);
        let mut inv = template.clone();
        inv.invoice_number = format!("B/{i}");
        inv.ksef_number = ksef_sim::ids::ksef_number(supplier.nip, at.date_naive());
        inv.invoicing_date = at;
        inv.acquisition_date = at;
        inv.permanent_storage_date = at;
        store.insert(&inv).unwrap();
    }
}

async fn list(dir: &std::path::Path, count: usize) {
    let sim = Simulator::start(SimConfig {
        data_dir: Some(dir.to_owned()),
        faults: FaultConfig {
            enforce_rate_limits: false,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let access = login(&http, &sim).await;
    let mut from = (Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let mut seen = std::collections::HashSet::new();
    let mut pages: Vec<Duration> = Vec::new();
    let mut offset = 0;
    let started = Instant::now();
    loop {
        let body = json!({"subjectType": "Subject2", "dateRange": {"dateType": "PermanentStorage", "from": from}});
        let t = Instant::now();
        let v: Value = http
            .post(format!(
                "{}/invoices/query/metadata?pageSize=250&pageOffset={offset}&sortOrder=Asc",
                sim.base_url
            ))
            .bearer_auth(&access)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages.push(t.elapsed());
        let invoices = v["invoices"].as_array().unwrap();
        seen.extend(
            invoices
                .iter()
                .map(|i| i["ksefNumber"].as_str().unwrap().to_owned()),
        );
        match (v["hasMore"] == true, v["isTruncated"] == true) {
            (false, _) => break,
            (true, false) => offset += 1,
            // The technical limit (10,000): continue from the last date, offset 0, as
            // the spec tells clients to.
            (true, true) => {
                from = invoices.last().unwrap()["permanentStorageDate"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                offset = 0;
            }
        }
    }
    let seen = seen.len();
    assert_eq!(seen, count);
    let wall = started.elapsed().as_secs_f64();
    let avg = |d: &[Duration]| {
        d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len().max(1) as f64 * 1000.0
    };
    let head = &pages[..pages.len().min(10)];
    let tail = &pages[pages.len().saturating_sub(10)..];
    println!(
        "{:<34} {:>8} {:>8} {:>14} {:>14}",
        "scenario", "pages", "wall s", "first10 ms/pg", "last10 ms/pg"
    );
    println!(
        "{:<34} {:>8} {wall:>8.2} {:>14.1} {:>14.1}",
        format!("list {seen} of {count} (page 250)"),
        pages.len(),
        avg(head),
        avg(tail)
    );
    sim.shutdown().await;
}

async fn login(http: &reqwest::Client, sim: &ksef_sim::SimHandle) -> String {
    let base = &sim.base_url;
    let ch: Value = http
        .post(format!("{base}/auth/challenge"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plain = format!("{}|{}", sim.token, ch["timestampMs"].as_i64().unwrap());
    let encrypted = sim
        .public_key(KeyUsage::KsefTokenEncryption)
        .encrypt(
            &mut rand::thread_rng(),
            Oaep::new::<sha2::Sha256>(),
            plain.as_bytes(),
        )
        .unwrap();
    let init: Value = http
        .post(format!("{base}/auth/ksef-token"))
        .json(&json!({
            "challenge": ch["challenge"],
            "contextIdentifier": {"type": "Nip", "value": sim.nip},
            "encryptedToken": b64(&encrypted),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let auth = init["authenticationToken"]["token"].as_str().unwrap();
    let reference = init["referenceNumber"].as_str().unwrap();
    loop {
        let st: Value = http
            .get(format!("{base}/auth/{reference}"))
            .bearer_auth(auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if st["status"]["code"] != 100 {
            assert_eq!(st["status"]["code"], 200, "{st}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let tokens: Value = http
        .post(format!("{base}/auth/token/redeem"))
        .bearer_auth(auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["accessToken"]["token"].as_str().unwrap().to_owned()
}
