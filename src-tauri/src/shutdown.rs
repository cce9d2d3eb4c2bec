//! Ending cleanly. Logout, shutdown and `kill` send SIGTERM (a terminal Ctrl+C sends
//! SIGINT, a closed session SIGHUP); their default action ends the process on the spot,
//! which left WebKitGTK's web and network processes running after it. Instead the app
//! asks Tauri to exit, as closing the window does: the event loop ends, the WebViews
//! are torn down and their processes with them. On the way out ([`on_exit`]) the
//! outbox sender stops at its next safe point (every step it took is committed
//! already) and the log file is flushed; the profile lock goes with the process.

use std::sync::Mutex;
use std::time::Duration;

use desk_core::CancellationToken;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Manager, Runtime};

use crate::logging::LogGuard;

/// How long the exit waits for the sender to finish the step it is in.
const SENDER_GRACE: Duration = Duration::from_secs(5);

/// The background work that stops at a safe point when the app ends.
#[derive(Default)]
pub struct Shutdown {
    cancel: CancellationToken,
    sender: Mutex<Option<JoinHandle<()>>>,
}

impl Shutdown {
    /// What the outbox sender watches to know when to stop.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    pub fn track_sender(&self, task: JoinHandle<()>) {
        if let Ok(mut sender) = self.sender.lock() {
            *sender = Some(task);
        }
    }

    /// Tells the sender to stop and waits for it at most `grace`; whether it stopped.
    pub fn stop(&self, grace: Duration) -> bool {
        self.cancel.cancel();
        let task = self.sender.lock().ok().and_then(|mut sender| sender.take());
        let Some(task) = task else { return true };
        // The timer must be made inside the runtime, hence the async block.
        tauri::async_runtime::block_on(async move { tokio::time::timeout(grace, task).await })
            .is_ok()
    }
}

/// Turns SIGTERM, SIGINT and SIGHUP into a normal exit; a second one while that is
/// under way ends the process at once.
pub fn exit_on_signals<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut signals = match TerminationSignals::new() {
            Ok(signals) => signals,
            Err(error) => {
                tracing::warn!("cannot listen for termination signals: {error}");
                return;
            }
        };
        let name = signals.next().await;
        tracing::info!("{name} received: ending KSeF Desk");
        app.exit(0);
        let name = signals.next().await;
        tracing::warn!("{name} received again while ending: stopping at once");
        std::process::exit(1);
    });
}

/// Runs at [`tauri::RunEvent::Exit`], however the app ends (window closed, signal).
pub fn on_exit<R: Runtime>(app: &AppHandle<R>) {
    if let Some(shutdown) = app.try_state::<Shutdown>() {
        if shutdown.stop(SENDER_GRACE) {
            tracing::info!("the outbox sender stopped");
        } else {
            tracing::warn!(
                "the outbox sender was still busy after {SENDER_GRACE:?}; what it committed \
                 stays, the rest continues at the next start"
            );
        }
    }
    tracing::info!("KSeF Desk ended");
    if let Some(log) = app.try_state::<LogGuard>() {
        log.flush_and_close();
    }
}

#[cfg(unix)]
struct TerminationSignals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl TerminationSignals {
    fn new() -> std::io::Result<TerminationSignals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(TerminationSignals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.hangup.recv() => "SIGHUP",
        }
    }
}

// Windows asks a GUI app to end through window messages, which Tauri handles; only a
// console's Ctrl+C arrives as a signal.
#[cfg(not(unix))]
struct TerminationSignals;

#[cfg(not(unix))]
impl TerminationSignals {
    fn new() -> std::io::Result<TerminationSignals> {
        Ok(TerminationSignals)
    }

    async fn next(&mut self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl+C",
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn stop_waits_for_the_sender_to_reach_its_safe_point() {
        let shutdown = Shutdown::default();
        let cancel = shutdown.token();
        let (finished_tx, finished_rx) = std::sync::mpsc::channel();
        shutdown.track_sender(tauri::async_runtime::spawn(async move {
            cancel.cancelled().await;
            // The step under way finishes before the task ends.
            tokio::time::sleep(Duration::from_millis(200)).await;
            finished_tx.send(()).unwrap();
        }));

        assert!(shutdown.stop(Duration::from_secs(10)));
        finished_rx
            .try_recv()
            .expect("stop returned only after the task ended");
    }

    #[test]
    fn stop_gives_up_after_the_grace_period() {
        let shutdown = Shutdown::default();
        shutdown.track_sender(tauri::async_runtime::spawn(async {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }));
        let started = Instant::now();
        assert!(!shutdown.stop(Duration::from_millis(300)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn stop_without_a_sender_is_immediate() {
        assert!(Shutdown::default().stop(Duration::from_secs(10)));
    }
}
