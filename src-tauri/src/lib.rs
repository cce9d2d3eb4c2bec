//! The Tauri shell of KSeF Desk: window, IPC and logging around `desk-core`.
//!
//! Commands are adapters: they take arguments and state, call one core
//! function and map the result to a DTO or an [`error::IpcError`]. No business
//! rule, SQL or retry lives here.

mod commands;
mod demo_reset;
mod dto;
mod error;
mod launch;
mod logging;
mod memory;
mod notify;
mod operations;
mod simulator;

use std::path::PathBuf;
use std::sync::Arc;

use desk_core::{Desk, SystemClock};
use tauri::Manager;

pub use commands::specta_builder;

/// What every command reaches through `tauri::State`.
pub struct AppState {
    pub desk: Arc<Desk>,
    pub operations: operations::Operations,
    pub simulator: Arc<simulator::BuiltInSimulator>,
    /// Started with `--demo`: the profile may be reset to the demo data.
    pub demo: bool,
    pub data_dir: PathBuf,
}

/// The cost retrieval schedule for the app's life; each run's new costs become a
/// desktop notification.
async fn retrieve_costs_on_schedule(app: tauri::AppHandle, desk: Arc<Desk>) {
    let notifier = desk.clone();
    desk.run_cost_schedule(move |company, report| {
        notify::new_costs(&app, &notifier, company, report);
    })
    .await;
}

async fn connect_demo(desk: Arc<Desk>, simulator: Arc<simulator::BuiltInSimulator>) {
    let handle = match simulator.get().await {
        Ok(handle) => handle,
        Err(error) => {
            tracing::error!("the built-in KSeF simulator did not start: {error}");
            return;
        }
    };
    // The demo company signs in as every company will from 2027: with a certificate
    // the simulator issues at each start (its CA lives as long as the process).
    let issued = handle.issue_certificate(
        desk_core::DEMO_NIP,
        ksef_sim::CertificateKind::Authentication,
    );
    let by_certificate = match issued {
        Ok((certificate, key)) => desk
            .connect_demo_company_by_certificate(&handle.base_url, certificate, key)
            .await
            .map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match by_certificate {
        Ok(()) => {
            tracing::info!("demo company signed in to the built-in simulator with a certificate");
            return;
        }
        Err(error) => tracing::error!("the demo company's certificate sign-in failed: {error}"),
    }
    let token = desk_core::SecretString::from(handle.token.clone());
    match desk.connect_demo_company(&handle.base_url, token).await {
        Ok(()) => tracing::info!("demo company connected to the built-in simulator with a token"),
        Err(error) => tracing::error!("connecting the demo company failed: {error}"),
    }
}

/// Outside demo mode, companies added with the "built-in simulator" environment
/// need it running at its new address; their tokens stay in the keychain.
async fn start_simulator_for_companies(
    desk: Arc<Desk>,
    simulator: Arc<simulator::BuiltInSimulator>,
) {
    match simulator.get().await {
        Ok(handle) => match desk.point_simulator_companies_at(&handle.base_url) {
            Ok(count) => tracing::info!(
                count,
                "simulator companies pointed at the built-in simulator"
            ),
            Err(error) => tracing::error!("pointing companies at the simulator failed: {error}"),
        },
        Err(error) => tracing::error!("the built-in KSeF simulator did not start: {error}"),
    }
}

pub fn run() {
    let options = launch::LaunchOptions::from_env_and_args(std::env::args().skip(1));
    let builder = specta_builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            let data_dir = options.data_dir(app.path().app_data_dir()?);
            std::fs::create_dir_all(&data_dir)?;
            let log_guard = logging::init(&data_dir.join("logs"))?;
            // The guard flushes the log file on exit; the app owns it from here.
            app.manage(log_guard);
            memory::slim_main_webview(app.handle())?;
            for warning in &options.warnings {
                tracing::warn!("{warning}");
            }
            tracing::info!(data_dir = %data_dir.display(), demo = options.demo, "starting KSeF Desk");
            if options.demo && demo_reset::apply_if_requested(&data_dir)? {
                tracing::info!("demo profile reset as requested");
            }
            // The demo profile never touches the OS keychain: its token is a
            // simulator credential, made anew at each start.
            let vault: Arc<dyn desk_core::TokenVault> = if options.demo {
                Arc::new(desk_core::MemoryVault::new())
            } else {
                Arc::new(desk_core::KeyringVault::new())
            };
            let desk = Arc::new(Desk::open(&data_dir, Box::new(SystemClock), vault)?);
            if options.demo && desk.seed_demo()? {
                tracing::info!("demo profile seeded");
            }
            let simulator = Arc::new(simulator::BuiltInSimulator::new(
                data_dir.join(simulator::DATA_DIR_NAME),
                options.sim_refuse_tokens_from,
            ));
            let handle = app.handle().clone();
            if options.demo {
                // The window opens at once; the status bar follows the connection, and
                // retrieval starts once the demo company is connected.
                let (desk, simulator) = (desk.clone(), simulator.clone());
                tauri::async_runtime::spawn(async move {
                    connect_demo(desk.clone(), simulator).await;
                    retrieve_costs_on_schedule(handle, desk).await;
                });
            } else {
                if desk.has_simulator_companies()? {
                    tauri::async_runtime::spawn(start_simulator_for_companies(
                        desk.clone(),
                        simulator.clone(),
                    ));
                }
                tauri::async_runtime::spawn(retrieve_costs_on_schedule(handle, desk.clone()));
            }
            tauri::async_runtime::spawn(notify::certificate_expiry_loop(
                app.handle().clone(),
                desk.clone(),
            ));
            // The outbox sender and end-of-day runs: they outlive every window and
            // stop with the process; the outbox makes an abrupt stop safe.
            let sender = desk.clone();
            tauri::async_runtime::spawn(async move {
                sender.run_sender(desk_core::CancellationToken::new()).await;
            });
            app.manage(AppState {
                desk,
                operations: operations::Operations::default(),
                simulator,
                demo: options.demo,
                data_dir,
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
