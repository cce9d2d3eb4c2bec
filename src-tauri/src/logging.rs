//! Logs go to stderr and to a daily-rotated file in the profile's `logs/`
//! directory (two weeks kept). Libraries only emit events; this is the one
//! place a subscriber is installed. Nothing secret is ever logged upstream.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

const DEFAULT_FILTER: &str = "info";
const KEPT_LOG_FILES: usize = 14;
/// Lines queued for the file writer's thread; beyond them new lines are dropped
/// (counted) rather than stalling the app. tracing-appender's default, 128,000,
/// allocates its 4 MiB queue up front: a fifth of the app's idle heap (heaptrack).
/// The app writes a few lines a second; 8,192 is a burst of minutes.
const QUEUED_LOG_LINES: usize = 8_192;

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
    let (file_writer, guard) = file_writer(appender);
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

fn file_writer<W: std::io::Write + Send + 'static>(writer: W) -> (NonBlocking, WorkerGuard) {
    NonBlockingBuilder::default()
        .buffered_lines_limit(QUEUED_LOG_LINES)
        .finish(writer)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::mpsc;

    use super::*;

    /// A file that takes its first line, then hangs until the test lets it go.
    struct StuckFile {
        release: mpsc::Receiver<()>,
    }

    impl Write for StuckFile {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = self.release.recv();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_file_writer_queues_a_bounded_number_of_lines() {
        let (release, stuck) = mpsc::channel();
        let (mut writer, guard) = file_writer(StuckFile { release: stuck });
        let lines = QUEUED_LOG_LINES + 100;
        for n in 0..lines {
            writer.write_all(format!("line {n}\n").as_bytes()).unwrap();
        }
        let dropped = writer.error_counter().dropped_lines();
        // One line may be in the stuck write instead of the queue.
        assert!(
            (99..=100).contains(&dropped),
            "{dropped} of {lines} lines dropped"
        );
        drop(release);
        drop(guard);
    }
}
