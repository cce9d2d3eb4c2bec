use tauri::{AppHandle, State};

use super::with_desk;
use crate::demo_reset;
use crate::dto::{LocaleDto, StartupDto, StatusDto};
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn startup(state: State<'_, AppState>) -> Result<StartupDto, IpcError> {
    let demo = state.demo;
    with_desk(&state, move |desk| {
        Ok(StartupDto {
            locale: desk.locale().into(),
            companies: desk.companies()?.into_iter().map(Into::into).collect(),
            active_company_id: desk.active_company()?.map(|c| c.id),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            demo,
            token_last_day: desk_core::credentials::TOKEN_LAST_DAY.to_string(),
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

/// "Reset demo data": checks the profile is a demo one, asks for the wipe and
/// restarts the app, which wipes and seeds anew before opening the store.
#[tauri::command]
#[specta::specta]
pub async fn reset_demo(app: AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    let locale = state.desk.locale();
    if !state.demo {
        return Err(IpcError::from_core(
            &desk_core::CoreError::NotADemoProfile {
                company: state
                    .desk
                    .active_company()
                    .ok()
                    .flatten()
                    .map(|c| c.name)
                    .unwrap_or_default(),
            },
            locale,
        ));
    }
    with_desk(&state, |desk| desk.check_demo_reset()).await?;
    demo_reset::request(&state.data_dir)
        .map_err(|error| IpcError::internal(locale, &error.to_string()))?;
    tracing::info!("demo reset requested; restarting");
    app.restart()
}
