//! Logs go to stderr and to a daily-rotated file in the profile's `logs/`
//! directory (two weeks kept). Libraries only emit events; this is the one
//! place a subscriber is installed. Nothing secret is ever logged upstream.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

const DEFAULT_FILTER: &str = "info";
const KEPT_LOG_FILES: usize = 14;

/// Keeps the file writer going; [`LogGuard::flush_and_close`] (or dropping it) writes
/// out what is buffered. The app ends with `std::process::exit`, which runs no
/// destructor, so the exit handler closes it explicitly.
pub struct LogGuard {
    flush_on_drop: Mutex<Option<WorkerGuard>>,
}

impl LogGuard {
    /// Writes out every buffered line; later lines go to stderr only.
    pub fn flush_and_close(&self) {
        if let Ok(mut guard) = self.flush_on_drop.lock() {
            drop(guard.take());
        }
    }
}

pub fn init(dir: &Path) -> Result<LogGuard, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("ksef-desk")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(dir)?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .try_init()?;
    Ok(LogGuard {
        flush_on_drop: Mutex::new(Some(guard)),
    })
}
