//! The sales page: list, document, drafts, issuing, sending, corrections, settings.

use tauri::State;
use tauri_plugin_dialog::DialogExt;

use super::with_desk;
use crate::dto::{
    ContractorDto, ContractorInputDto, InvoiceDraftDto, SalesDetailDto, SalesDocumentDto,
    SalesOverviewDto, SalesPageDto, SalesQueryDto, SalesSettingsDto, SendModeDto, TotalsDto,
};
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn sales_list(
    state: State<'_, AppState>,
    company_id: i64,
    query: SalesQueryDto,
) -> Result<SalesPageDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.sales_list(company_id, &query.into_query()?)
            .map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sales_detail(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<SalesDetailDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.sales_detail(company_id, document_id).map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sales_overview(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<SalesOverviewDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.sales_overview(company_id).map(Into::into)
    })
    .await
}

/// Autosave: creates the draft (`documentId` null) or overwrites it.
#[tauri::command]
#[specta::specta]
pub async fn save_draft(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: Option<i64>,
    draft: InvoiceDraftDto,
) -> Result<SalesDocumentDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.save_draft(company_id, document_id, &draft.into_draft()?)
            .map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_draft(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<(), IpcError> {
    with_desk(&state, move |desk| {
        desk.delete_draft(company_id, document_id)
    })
    .await
}

/// Totals per VAT rate of the form as typed (incomplete lines count as zero).
#[tauri::command]
#[specta::specta]
pub async fn draft_totals(
    state: State<'_, AppState>,
    draft: InvoiceDraftDto,
) -> Result<TotalsDto, IpcError> {
    with_desk(&state, move |_| Ok(draft.into_draft()?.totals().into())).await
}

/// The visualisation (HTML) of a draft or an issued invoice.
#[tauri::command]
#[specta::specta]
pub async fn preview_invoice(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<String, IpcError> {
    with_desk(&state, move |desk| desk.preview(company_id, document_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn issue_invoice(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<SalesDocumentDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.issue(company_id, document_id).map(Into::into)
    })
    .await
}

/// Queues an issued invoice: sent at once by the background sender, or at the
/// company's end-of-day time.
#[tauri::command]
#[specta::specta]
pub async fn send_invoice(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
    mode: SendModeDto,
) -> Result<SalesDocumentDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.send(company_id, document_id, mode.into())
            .map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn start_correction(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<SalesDocumentDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.start_correction(company_id, document_id)
            .map(Into::into)
    })
    .await
}

/// "Save UPO": asks where (the system's save dialog) and writes the UPO exactly
/// as KSeF sent it. Returns the path, or nothing when the user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_upo(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<Option<String>, IpcError> {
    let locale = state.desk.locale();
    let (xml, name) = with_desk(&state, move |desk| {
        let detail = desk.sales_detail(company_id, document_id)?;
        let xml = desk.upo_xml(company_id, document_id)?.ok_or(
            desk_core::CoreError::WrongDocumentState {
                id: document_id,
                status: detail.document.status.as_str(),
                action: "upo",
            },
        )?;
        let name = detail
            .document
            .ksef_number
            .unwrap_or_else(|| document_id.to_string());
        Ok((xml, format!("UPO-{name}.xml")))
    })
    .await?;
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_file_name(name)
            .add_filter("XML", &["xml"])
            .blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::internal(locale, &e.to_string()))?;
    let Some(path) = chosen.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    std::fs::write(&path, xml).map_err(|e| {
        IpcError::from_core(
            &desk_core::CoreError::Internal {
                detail: format!("cannot write {}: {e}", path.display()),
            },
            locale,
        )
    })?;
    Ok(Some(path.display().to_string()))
}

#[tauri::command]
#[specta::specta]
pub async fn add_contractor(
    state: State<'_, AppState>,
    company_id: i64,
    contractor: ContractorInputDto,
) -> Result<ContractorDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.add_contractor(company_id, &contractor.into())
            .map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn sales_settings(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<SalesSettingsDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.sales_settings(company_id).map(Into::into)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_sales_settings(
    state: State<'_, AppState>,
    company_id: i64,
    settings: SalesSettingsDto,
) -> Result<SalesSettingsDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.set_sales_settings(company_id, &settings.into())
            .map(Into::into)
    })
    .await
}

/// A new draft from a rejected invoice, to fix and issue under a new number.
#[tauri::command]
#[specta::specta]
pub async fn redraft_rejected(
    state: State<'_, AppState>,
    company_id: i64,
    document_id: i64,
) -> Result<SalesDocumentDto, IpcError> {
    with_desk(&state, move |desk| {
        desk.redraft_rejected(company_id, document_id)
            .map(Into::into)
    })
    .await
}
