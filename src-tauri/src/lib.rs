//! The Tauri shell of KSeF Desk: window, IPC and logging around `desk-core`.
//!
//! Commands are adapters: they take arguments and state, call one core
//! function and map the result to a DTO or an [`error::IpcError`]. No business
//! rule, SQL or retry lives here.

mod commands;
mod dto;
mod error;
mod launch;
mod logging;

use std::sync::Arc;

use desk_core::{Desk, SystemClock};
use tauri::Manager;

pub use commands::specta_builder;

/// What every command reaches through `tauri::State`.
pub struct AppState {
    pub desk: Arc<Desk>,
}

pub fn run() {
    let options = launch::LaunchOptions::from_env_and_args(std::env::args().skip(1));
    let builder = specta_builder();
    let app = tauri::Builder::default()
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            let data_dir = options.data_dir(app.path().app_data_dir()?);
            std::fs::create_dir_all(&data_dir)?;
            let log_guard = logging::init(&data_dir.join("logs"))?;
            // The guard flushes the log file on exit; the app owns it from here.
            app.manage(log_guard);
            for warning in &options.warnings {
                tracing::warn!("{warning}");
            }
            tracing::info!(data_dir = %data_dir.display(), demo = options.demo, "starting KSeF Desk");
            let desk = Desk::open(
                &data_dir,
                Box::new(SystemClock),
                Arc::new(desk_core::KeyringVault::new()),
            )?;
            if options.demo && desk.seed_demo()? {
                tracing::info!("demo profile seeded");
            }
            app.manage(AppState {
                desk: Arc::new(desk),
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = app {
        // The subscriber may not be up if setup failed early: say it on stderr too.
        tracing::error!("KSeF Desk stopped: {error}");
        #[allow(clippy::print_stderr)]
        {
            eprintln!("KSeF Desk stopped: {error}");
        }
        std::process::exit(1);
    }
}
