use tauri::State;

use super::with_desk;
use crate::dto::CompanyDto;
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn select_company(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<CompanyDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.select_company(company_id).map(Into::into)
    })
    .await
}
