//! Long operations the UI can cancel: each carries an id chosen by the UI;
//! `cancel_operation(id)` ends it at its next await point (dropping the future
//! drops its in-flight HTTP exchange). An operation may report where it is
//! ([`Operations::set_progress`]); the UI polls [`Operations::progress`] by the same id.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct Operations {
    running: Mutex<HashMap<u32, CancellationToken>>,
    progress: Mutex<HashMap<u32, &'static str>>,
}

/// Why an operation ended without its own result.
#[derive(Debug, PartialEq, Eq)]
pub struct Cancelled;

impl Operations {
    pub async fn run<T>(&self, id: u32, work: impl Future<Output = T>) -> Result<T, Cancelled> {
        let token = CancellationToken::new();
        self.lock().insert(id, token.clone());
        let outcome = tokio::select! {
            value = work => Ok(value),
            () = token.cancelled() => Err(Cancelled),
        };
        self.lock().remove(&id);
        self.progress_lock().remove(&id);
        outcome
    }

    /// Records the step `id` is at (a stable code the UI translates).
    pub fn set_progress(&self, id: u32, step: &'static str) {
        self.progress_lock().insert(id, step);
    }

    /// The step `id` last reported; `None` before its first report or once it ended.
    pub fn progress(&self, id: u32) -> Option<&'static str> {
        self.progress_lock().get(&id).copied()
    }

    fn progress_lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, &'static str>> {
        self.progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Cancels `id` if it is still running; cancelling a finished one is fine.
    pub fn cancel(&self, id: u32) {
        if let Some(token) = self.lock().remove(&id) {
            token.cancel();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, CancellationToken>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_cancelled_operation_stops_and_others_finish() {
        let operations = std::sync::Arc::new(Operations::default());
        let slow = {
            let operations = operations.clone();
            tokio::spawn(async move {
                operations
                    .run(1, tokio::time::sleep(Duration::from_secs(30)))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        operations.cancel(1);
        assert_eq!(slow.await.unwrap(), Err(Cancelled));
        assert_eq!(operations.run(2, async { 7 }).await, Ok(7));
        operations.cancel(2);
        assert!(operations.lock().is_empty());
    }

    #[tokio::test]
    async fn progress_is_reported_while_running_and_forgotten_after() {
        let operations = Operations::default();
        let seen = operations
            .run(3, async {
                operations.set_progress(3, "waiting");
                operations.progress(3)
            })
            .await;
        assert_eq!(seen, Ok(Some("waiting")));
        assert_eq!(operations.progress(3), None);
    }
}
