//! Retrieval benchmark: sync N cost invoices (a first retrieval: export packages with
//! metadata and XML, parse, store) from the simulator into a fresh SQLite profile.
//! Prints wall time, documents/s and the peak memory of the app side.
//!
//! `cargo bench -p desk-core --bench cost_sync [-- --count N]` (default 100,000;
//! without `--bench`, e.g. under `cargo test --all-targets`, 300 as a smoke test).
//!
//! The simulator runs in a child process (this binary re-executed with
//! `COST_BENCH_ROLE=sim`), so the peak RSS read from `/proc/self` is the app's alone
//! (Linux): it stays flat as N grows because packages (at most 10,000 invoices) and
//! their 1,000-document chunks stream.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark binary prints its figures and fails loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use desk_core::{
    CompanyConnection, ConnectionRequest, CostSyncOptions, CostSyncPhase, Desk, KsefEnvironment,
    MemoryVault, SecretString, SystemClock,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let count = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 300 });
    if std::env::var("COST_BENCH_ROLE").as_deref() == Ok("sim") {
        run_sim(count);
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--count", &count.to_string()])
        .env("COST_BENCH_ROLE", "sim")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let started = Instant::now();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    println!(
        "simulator seeded with {count} cost invoices in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            dir.path(),
            Box::new(SystemClock),
            Arc::new(MemoryVault::new()),
        )
        .unwrap();
        let company = desk
            .connect_company(&CompanyConnection {
                name: "Benchmark Sp. z o.o.".into(),
                address_line1: String::new(),
                address_line2: String::new(),
                connection: ConnectionRequest {
                    nip: ready["nip"].as_str().unwrap().into(),
                    environment: KsefEnvironment::Simulator,
                    base_url: Some(ready["base_url"].as_str().unwrap().into()),
                    token: SecretString::from(ready["token"].as_str().unwrap().to_owned()),
                },
            })
            .await
            .unwrap()
            .company;
        desk.set_cost_sync_options(CostSyncOptions {
            start: Utc::now() - Duration::days(2),
            download_concurrency: 8,
            ..CostSyncOptions::default()
        });
        let listed_ms = AtomicU64::new(0);
        let started = Instant::now();
        let report = desk
            .sync_costs(company.id, &|p| {
                if p.phase == CostSyncPhase::Downloading && listed_ms.load(Ordering::Relaxed) == 0 {
                    listed_ms.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                }
            })
            .await
            .unwrap();
        let wall = started.elapsed().as_secs_f64();
        assert_eq!(report.new_documents as usize, count, "{report:?}");
        assert_eq!(report.downloaded as usize, count, "{report:?}");
        let listed = listed_ms.load(Ordering::Relaxed) as f64 / 1000.0;
        let db: u64 = ["", "-wal"]
            .iter()
            .filter_map(|suffix| {
                let name = format!("{}{suffix}", desk_core::DATABASE_FILE_NAME);
                std::fs::metadata(dir.path().join(name)).ok()
            })
            .map(|m| m.len())
            .sum();
        println!(
            "{:<28} {:>10} {:>10} {:>12} {:>14}",
            "scenario", "wall s", "listing s", "docs/s", "peak RSS MiB"
        );
        println!(
            "{:<28} {wall:>10.1} {listed:>10.1} {:>12.0} {:>14.1}",
            format!("sync {count} cost invoices"),
            count as f64 / wall,
            peak_rss_mib()
        );
        println!("store (with WAL): {:.1} MiB", db as f64 / 1024.0 / 1024.0);
    });
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

fn run_sim(count: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = ksef_sim::Simulator::start(ksef_sim::SimConfig::default())
            .await
            .unwrap();
        // One template per supplier through the FA(3) writer; each invoice then
        // only differs by its number (the simulator still checks every one).
        let templates: Vec<String> = ksef_sim::seed::SUPPLIERS
            .iter()
            .map(|s| {
                let xml = ksef_sim::seed::invoice_xml(
                    s,
                    &sim.nip,
                    "Benchmark Sp. z o.o.",
                    "BENCH-NUMBER",
                    Utc::now().date_naive(),
                    Utc::now(),
                    &vec![3.0; s.lines.len()],
                    None,
                );
                String::from_utf8(ksef_sim::seed::through_fa3_writer(&xml).unwrap()).unwrap()
            })
            .collect();
        let span = Duration::hours(1);
        let first = Utc::now() - span - Duration::minutes(1);
        for i in 0..count {
            let template = &templates[i % templates.len()];
            let xml = template.replace("BENCH-NUMBER", &format!("B/{i}"));
            let at = first + span * (i as i32) / (count.max(1) as i32);
            sim.seed_invoice(xml.as_bytes(), at).unwrap();
        }
        let mut out = std::io::stdout();
        writeln!(
            out,
            "{}",
            serde_json::json!({"base_url": sim.base_url, "nip": sim.nip, "token": sim.token})
        )
        .unwrap();
        out.flush().unwrap();
        // Serve until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
        sim.shutdown().await;
    });
}

/// Peak resident set size in MiB (VmHWM).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
