use desk_core::CancellationToken;
use tauri::State;

use super::{cancellable, with_desk};
use crate::dto::tokens::{CompanyTokenDto, RoleDto};
use crate::error::IpcError;
use crate::AppState;

/// The company's KSeF tokens as KSeF lists them (administrators only).
#[tauri::command]
#[specta::specta]
pub async fn company_tokens(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
) -> Result<Vec<CompanyTokenDto>, IpcError> {
    let cancel = CancellationToken::new();
    let tokens = cancellable(
        &state,
        operation_id,
        state.desk.company_tokens(company_id, &cancel),
    )
    .await?;
    let locale = state.desk.locale();
    Ok(tokens
        .into_iter()
        .map(|token| CompanyTokenDto::new(token, locale))
        .collect())
}

/// Revokes a KSeF token; `true` when it was the app's own (the company is now
/// disconnected).
#[tauri::command]
#[specta::specta]
pub async fn revoke_company_token(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    reference: String,
) -> Result<bool, IpcError> {
    let cancel = CancellationToken::new();
    cancellable(
        &state,
        operation_id,
        state
            .desk
            .revoke_company_token(company_id, &reference, &cancel),
    )
    .await
}

/// The current user's roles in the company; the UI mirrors them, the core enforces them.
#[tauri::command]
#[specta::specta]
pub async fn current_roles(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<Vec<RoleDto>, IpcError> {
    with_desk(&state, move |desk| {
        Ok(desk
            .current_roles(company_id)?
            .into_iter()
            .map(RoleDto::from)
            .collect())
    })
    .await
}
