use tauri::State;

use super::with_desk;
use crate::dto::ContractorDto;
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_contractors(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<Vec<ContractorDto>, IpcError> {
    with_desk(&state, move |desk| {
        Ok(desk
            .contractors(company_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    })
    .await
}
