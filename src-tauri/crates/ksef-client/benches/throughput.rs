//! Throughput benchmark against the simulator: 1,000 invoices in one online session and
//! 10,000 in one batch session. Prints wall time, client CPU time, invoices/s and peak
//! memory.
//!
//! `cargo bench -p ksef-client --bench throughput [-- --online N --batch N]`
//! (without `--bench`, e.g. under `cargo test --all-targets`, it runs 20 + 100 as a smoke test)
//!
//! The simulator runs in a child process (this binary re-executed with
//! `KSEF_BENCH_ROLE=sim`), so CPU time and peak RSS read from `/proc/self` are the
//! client's alone (Linux).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark binary prints its figures and fails loudly"
)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use ksef_client::{
    BatchFile, BatchOptions, CancellationToken, ClientConfig, Environment, FormCode, KsefClient,
    PollPolicy, SecretString,
};

fn main() {
    if std::env::var("KSEF_BENCH_ROLE").as_deref() == Ok("sim") {
        run_sim();
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` run a quick smoke.
    let full = args.iter().any(|a| a == "--bench");
    let online_n = arg("--online", if full { 1_000 } else { 20 });
    let batch_n = arg("--batch", if full { 10_000 } else { 100 });

    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("KSEF_BENCH_ROLE", "sim")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base_url = ready["base_url"].as_str().unwrap().to_string();
    let nip = ready["nip"].as_str().unwrap().to_string();
    let token = ready["token"].as_str().unwrap().to_string();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let config = ClientConfig {
            poll: PollPolicy {
                initial: Duration::from_millis(100),
                max: Duration::from_millis(250),
                session_timeout: Duration::from_secs(1800),
                ..PollPolicy::default()
            },
            ..ClientConfig::default()
        };
        let client =
            KsefClient::new(Environment::custom(&base_url, None).unwrap(), config).unwrap();
        let cancel = CancellationToken::new();
        client
            .authenticate_with_token(&nip, SecretString::from(token), &cancel)
            .await
            .unwrap();
        let template = template();
        println!(
            "ksef-client throughput (simulator in a separate process; figures are the client's)"
        );
        println!(
            "{:<34} {:>10} {:>12} {:>12} {:>14}",
            "scenario", "wall s", "client CPU s", "invoices/s", "peak RSS MiB"
        );

        // Online: one session, `online_n` invoices, 16 in flight.
        let xmls: Vec<Vec<u8>> = (0..online_n)
            .map(|i| invoice(&template, &nip, &format!("BENCH/ON/{i}")))
            .collect();
        let m = Meter::start();
        let session = client
            .open_online_session(FormCode::fa3(), &cancel)
            .await
            .unwrap();
        let sent: Vec<_> = futures::stream::iter(xmls.iter())
            .map(|x| client.send_invoice(&session, x, &cancel))
            .buffer_unordered(16)
            .collect()
            .await;
        assert!(sent.iter().all(Result::is_ok), "all online sends succeed");
        client
            .close_online_session(&session, &cancel)
            .await
            .unwrap();
        let status = client
            .wait_for_session(&session.reference_number, &cancel)
            .await
            .unwrap();
        assert_eq!(
            status.successful_invoice_count,
            Some(online_n as i32),
            "{status:?}"
        );
        client.session_upos(&status, &cancel).await.unwrap();
        m.report(&format!("online session, {online_n} invoices"), online_n);
        drop(xmls);

        // Batch: one session, `batch_n` invoices.
        let files: Vec<BatchFile> = (0..batch_n)
            .map(|i| BatchFile {
                name: format!("f{i:05}.xml"),
                xml: invoice(&template, &nip, &format!("BENCH/BA/{i}")),
            })
            .collect();
        // The simulator refuses request bodies over 2 MB (axum's default body limit; KSeF
        // takes parts up to 100 MB), so the archive goes in 1.5 MB parts (<= 50 allowed).
        let options = BatchOptions {
            part_size: 1_500_000,
            ..BatchOptions::default()
        };
        let m = Meter::start();
        let batch = client.send_batch(&files, &options, &cancel).await.unwrap();
        let status = client
            .wait_for_session(&batch.reference_number, &cancel)
            .await
            .unwrap();
        assert_eq!(
            status.successful_invoice_count,
            Some(batch_n as i32),
            "{status:?}"
        );
        client.session_upos(&status, &cancel).await.unwrap();
        m.report(&format!("batch session, {batch_n} invoices"), batch_n);
        println!(
            "batch archive: {} bytes zipped in {} part(s); plain XML total {} bytes",
            batch.archive_size,
            batch.part_count,
            files.iter().map(|f| f.xml.len()).sum::<usize>()
        );
    });
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

fn run_sim() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut cfg = ksef_sim::SimConfig::default();
        cfg.timing.processing_delay = Duration::from_millis(20);
        let sim = ksef_sim::Simulator::start(cfg).await.unwrap();
        println!(
            "{}",
            serde_json::json!({"base_url": sim.base_url, "nip": sim.nip, "token": sim.token})
        );
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

fn template() -> String {
    let path = ksef_spec::sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn invoice(template: &str, nip: &str, number: &str) -> Vec<u8> {
    let today = chrono::Utc::now().date_naive().to_string();
    template
        .replacen("<NIP>5265877635</NIP>", &format!("<NIP>{nip}</NIP>"), 1)
        .replace("FA/YUCFO-4342344706/03/2026", number)
        .replace("<P_1>2025-10-31</P_1>", &format!("<P_1>{today}</P_1>"))
        .into_bytes()
}

/// CPU seconds (user + system) of this process, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields after the command: state(0) ... utime(11) stime(12), in clock ticks (100/s).
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
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

struct Meter {
    wall: Instant,
    cpu: f64,
}

impl Meter {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    fn report(&self, name: &str, n: usize) {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - self.cpu;
        println!(
            "{name:<34} {wall:>10.2} {cpu:>12.2} {:>12.0} {:>14.1}",
            n as f64 / wall,
            peak_rss_mib()
        );
    }
}
