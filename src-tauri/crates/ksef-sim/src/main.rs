//! `ksef-sim --port 0 [--data DIR] [--seed-demo] [--nip NIP] [--processing-ms N]
//! [--demo-feed-secs N] [--faults JSON]`
//!
//! Prints one JSON line `{"base_url": ..., "nip": ..., "token": ...}` to stdout when
//! ready, then serves until interrupted. Logs go to stderr (`RUST_LOG` filters).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ksef_sim::{SimConfig, SimError, Simulator};

const USAGE: &str =
    "usage: ksef-sim [--port N] [--data DIR] [--seed-demo] [--nip NIP] [--processing-ms N] \
                     [--demo-feed-secs N] [--faults JSON]";

fn parse_args() -> Result<SimConfig, String> {
    let mut cfg = SimConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--port" => {
                let port: u16 = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?;
                cfg.bind = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--data" => cfg.data_dir = Some(PathBuf::from(value("--data")?)),
            "--seed-demo" => cfg.seed_demo = true,
            "--nip" => cfg.demo_nip = value("--nip")?,
            "--processing-ms" => {
                let ms: u64 = value("--processing-ms")?
                    .parse()
                    .map_err(|e| format!("--processing-ms: {e}"))?;
                cfg.timing.processing_delay = Duration::from_millis(ms);
            }
            "--demo-feed-secs" => {
                let secs: u64 = value("--demo-feed-secs")?
                    .parse()
                    .map_err(|e| format!("--demo-feed-secs: {e}"))?;
                cfg.demo_feed_interval = Some(Duration::from_secs(secs.max(1)));
            }
            "--faults" => {
                cfg.faults = serde_json::from_str(&value("--faults")?)
                    .map_err(|e| format!("--faults: {e}"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(cfg)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cfg = match parse_args() {
        Ok(cfg) => cfg,
        Err(msg) => {
            tracing::error!("{msg}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(cfg).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "ksef-sim failed");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cfg: SimConfig) -> Result<(), SimError> {
    let sim = Simulator::start(cfg).await?;
    let line = serde_json::json!({"base_url": sim.base_url, "nip": sim.nip, "token": sim.token});
    #[allow(
        clippy::print_stdout,
        reason = "the one machine-readable ready line is the binary's contract"
    )]
    {
        println!("{line}");
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
