//! The built-in KSeF simulator of demo mode: the same HTTP API as KSeF, on a
//! free loopback port, started on first need and kept for the app's life. Its
//! data (received invoices, tokens) lives in `<profile>/simulator`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use ksef_sim::{SimConfig, SimError, SimHandle, Simulator};
use tokio::sync::OnceCell;

/// The simulator's data directory inside a profile.
pub const DATA_DIR_NAME: &str = "simulator";

pub struct BuiltInSimulator {
    data_dir: PathBuf,
    /// Token sign-in refused from this instant (the launch switch rehearsing 2027).
    refuse_tokens_from: Option<DateTime<Utc>>,
    handle: OnceCell<SimHandle>,
}

impl BuiltInSimulator {
    pub fn new(data_dir: PathBuf, refuse_tokens_from: Option<DateTime<Utc>>) -> BuiltInSimulator {
        BuiltInSimulator {
            data_dir,
            refuse_tokens_from,
            handle: OnceCell::new(),
        }
    }

    pub async fn get(&self) -> Result<&SimHandle, SimError> {
        self.handle
            .get_or_try_init(|| async {
                std::fs::create_dir_all(&self.data_dir)?;
                let handle = Simulator::start(SimConfig {
                    data_dir: Some(self.data_dir.clone()),
                    seed_demo: true,
                    token_auth_refused_from: self.refuse_tokens_from,
                    ..SimConfig::default()
                })
                .await?;
                tracing::info!(
                    base_url = %handle.base_url,
                    refuse_tokens_from = ?self.refuse_tokens_from,
                    "built-in KSeF simulator started"
                );
                Ok(handle)
            })
            .await
    }
}
