use tauri::State;

use super::with_desk;
use crate::dto::DashboardDto;
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<DashboardDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.dashboard(company_id).map(Into::into)
    })
    .await
}
