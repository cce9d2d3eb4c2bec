use tauri::State;

use super::with_desk;
use crate::dto::{LocaleDto, StartupDto, StatusDto};
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn startup(state: State<'_, AppState>) -> Result<StartupDto, IpcError> {
    with_desk(&state, |desk| {
        Ok(StartupDto {
            locale: desk.locale().into(),
            companies: desk.companies()?.into_iter().map(Into::into).collect(),
            active_company_id: desk.active_company()?.map(|c| c.id),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn status(state: State<'_, AppState>) -> Result<StatusDto, IpcError> {
    with_desk(&state, |desk| desk.status().map(Into::into)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_locale(
    state: State<'_, AppState>,
    locale: LocaleDto,
) -> Result<LocaleDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.set_locale(locale.tag()).map(Into::into)
    })
    .await
}
