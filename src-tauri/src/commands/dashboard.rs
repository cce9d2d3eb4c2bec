use tauri::State;

use super::with_desk;
use crate::dto::{CompanyOverviewDto, DashboardDto};
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

/// Every company at once: counts and connection (the bookkeeper's view).
#[tauri::command]
#[specta::specta]
pub async fn overview(state: State<'_, AppState>) -> Result<Vec<CompanyOverviewDto>, IpcError> {
    with_desk(&state, |desk| {
        Ok(desk.overview()?.into_iter().map(Into::into).collect())
    })
    .await
}
