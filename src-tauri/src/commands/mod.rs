//! The IPC surface, grouped by UI area and registered in one list.

mod app;
mod companies;
mod connection;
mod contractors;
mod costs;
mod credentials;
mod dashboard;
mod ksef_certificates;
mod sales;
mod tokens;

use std::future::Future;
use std::sync::Arc;

use desk_core::Desk;
use tauri_specta::{collect_commands, Builder};

use crate::error::IpcError;
use crate::AppState;

pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            app::startup,
            app::status,
            app::set_locale,
            app::reset_demo,
            companies::select_company,
            connection::test_connection,
            connection::connect_company,
            connection::cancel_operation,
            connection::simulator_token,
            connection::replace_token,
            connection::disconnect_company,
            connection::company_credentials,
            credentials::choose_certificate_file,
            credentials::use_certificate,
            credentials::connect_company_with_certificate,
            dashboard::dashboard,
            dashboard::overview,
            contractors::list_contractors,
            tokens::company_tokens,
            tokens::revoke_company_token,
            tokens::current_roles,
            ksef_certificates::ksef_certificates,
            ksef_certificates::enroll_ksef_certificate,
            ksef_certificates::renew_ksef_certificate,
            ksef_certificates::sign_in_with_ksef_certificate,
            ksef_certificates::revoke_ksef_certificate,
            ksef_certificates::enrollment_progress,
            sales::sales_list,
            sales::sales_detail,
            sales::sales_overview,
            sales::save_draft,
            sales::delete_draft,
            sales::draft_totals,
            sales::preview_invoice,
            sales::issue_invoice,
            sales::send_invoice,
            sales::start_correction,
            sales::redraft_rejected,
            sales::save_upo,
            sales::add_contractor,
            sales::sales_settings,
            sales::set_sales_settings,
            costs::list_costs,
            costs::cost_inbox_counts,
            costs::cost_detail,
            costs::cost_visualisation,
            costs::describe_cost,
            costs::submit_cost,
            costs::approve_cost,
            costs::reject_cost,
            costs::record_cost_payment,
            costs::set_supplier_trusted,
            costs::retrieve_costs,
            costs::cost_sync_status,
            costs::set_cost_sync_interval,
        ])
        // Row ids are SQLite rowids, far below 2^53, so they are safe as JS numbers.
        .dangerously_cast_bigints_to_number()
        // DTOs only travel one way each, so one TypeScript type per Rust type.
        .disable_serde_phases()
}

/// Runs a core call off the async runtime's threads (the store does blocking
/// IO) and maps its error for the UI, in the user's language.
async fn with_desk<T, F>(state: &AppState, f: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(&Desk) -> desk_core::Result<T> + Send + 'static,
{
    let desk: Arc<Desk> = state.desk.clone();
    let locale = desk.locale();
    tauri::async_runtime::spawn_blocking(move || {
        f(&desk).map_err(|error| IpcError::from_core(&error, desk.locale()))
    })
    .await
    .map_err(|error| IpcError::internal(locale, &error.to_string()))?
}

/// Runs a core future as an operation the UI can cancel by `operation_id`.
async fn cancellable<T>(
    state: &AppState,
    operation_id: u32,
    work: impl Future<Output = desk_core::Result<T>>,
) -> Result<T, IpcError> {
    let locale = state.desk.locale();
    state
        .operations
        .run(operation_id, work)
        .await
        .map_err(|_| IpcError::cancelled(locale))?
        .map_err(|error| IpcError::from_core(&error, state.desk.locale()))
}

#[cfg(test)]
mod tests {
    use specta_typescript::Typescript;

    use super::*;

    /// Where the generated TypeScript bindings live, relative to the repo root.
    const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

    fn typescript() -> Typescript {
        Typescript::default().header(
            "// Generated from the Rust commands by tauri-specta. Do not edit: regenerate with\n\
             // UPDATE_BINDINGS=1 cargo test -p ksef-desk bindings\n",
        )
    }

    /// CI fails when the checked-in bindings differ from what the commands
    /// generate; `UPDATE_BINDINGS=1` rewrites them instead.
    #[test]
    fn bindings_are_fresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked_in = root.join(BINDINGS_PATH);
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        specta_builder().export(typescript(), &fresh).unwrap();
        let fresh = std::fs::read_to_string(&fresh).unwrap();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&checked_in, &fresh).unwrap();
        }
        let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            current == fresh,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p ksef-desk bindings` and commit it",
            checked_in.display()
        );
    }
}
