//! The costs inbox: pages, one cost's panel, workflow steps, retrieval.

use tauri::{AppHandle, State};

use super::{cancellable, with_desk};
use crate::dto::costs::{
    CostDescriptionDto, CostDetailDto, CostDto, CostInboxCountsDto, CostPageDto, CostQueryDto,
    CostSyncReportDto, CostSyncStatusDto, PaymentInputDto,
};
use crate::error::IpcError;
use crate::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_costs(
    state: State<'_, AppState>,
    company_id: i64,
    query: CostQueryDto,
) -> Result<CostPageDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostPageDto::from(
            &desk.costs(company_id, &query.into_query()?)?,
        ))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn cost_inbox_counts(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<CostInboxCountsDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostInboxCountsDto::from(
            &desk.cost_inbox_counts(company_id)?,
        ))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn cost_detail(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
) -> Result<CostDetailDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDetailDto::from(&desk.cost(company_id, cost_id)?))
    })
    .await
}

/// The invoice's visualisation as self-contained HTML (`null` until its XML is here).
#[tauri::command]
#[specta::specta]
pub async fn cost_visualisation(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
) -> Result<Option<String>, IpcError> {
    with_desk(&state, move |desk| {
        desk.cost_visualisation(company_id, cost_id)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn describe_cost(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
    description: CostDescriptionDto,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(&desk.describe_cost(
            company_id,
            cost_id,
            &description.into(),
        )?))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn submit_cost(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(&desk.submit_cost(company_id, cost_id)?))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn approve_cost(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
    confirm_unknown_supplier: bool,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(&desk.approve_cost(
            company_id,
            cost_id,
            confirm_unknown_supplier,
        )?))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn reject_cost(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
    reason: String,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(
            &desk.reject_cost(company_id, cost_id, &reason)?,
        ))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn record_cost_payment(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
    payment: PaymentInputDto,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(&desk.record_cost_payment(
            company_id,
            cost_id,
            &payment.into(),
        )?))
    })
    .await
}

/// "Trusted supplier" in one click from the invoice.
#[tauri::command]
#[specta::specta]
pub async fn set_supplier_trusted(
    state: State<'_, AppState>,
    company_id: i64,
    cost_id: i64,
    trusted: bool,
) -> Result<CostDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostDto::from(
            &desk.set_supplier_trusted(company_id, cost_id, trusted)?,
        ))
    })
    .await
}

/// "Retrieve now": a cancellable operation; the UI polls `cost_sync_status` for progress.
#[tauri::command]
#[specta::specta]
pub async fn retrieve_costs(
    app: AppHandle,
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
) -> Result<CostSyncReportDto, IpcError> {
    let report = cancellable(
        &state,
        operation_id,
        state.desk.sync_costs(company_id, &|_| {}),
    )
    .await?;
    let company = state
        .desk
        .companies()
        .ok()
        .and_then(|all| all.into_iter().find(|c| c.id == company_id));
    if let Some(company) = company {
        crate::notify::new_costs(&app, &state.desk, &company, &report);
    }
    Ok(CostSyncReportDto::from(&report))
}

#[tauri::command]
#[specta::specta]
pub async fn cost_sync_status(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<CostSyncStatusDto, IpcError> {
    with_desk(&state, move |desk| {
        Ok(CostSyncStatusDto::from(&desk.cost_sync_status(company_id)?))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_cost_sync_interval(
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<u32, IpcError> {
    with_desk(&state, move |desk| desk.set_cost_sync_interval(minutes)).await
}
