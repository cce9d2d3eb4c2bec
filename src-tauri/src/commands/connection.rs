use desk_core::{
    CompanyConnection, ConnectionRequest, CoreError, InputProblem, KsefEnvironment, Nip,
    SecretString,
};
use ksef_sim::{Permission, SimHandle, TokenSpec};
use tauri::State;

use super::cancellable;
use crate::dto::credentials::CredentialsDto;
use crate::dto::{CompanyDto, ConnectionReportDto, ConnectionRequestDto, NewCompanyDto};
use crate::error::IpcError;
use crate::AppState;

/// "Test connection": authenticates for real and reports what the token may do.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    operation_id: u32,
    request: ConnectionRequestDto,
) -> Result<ConnectionReportDto, IpcError> {
    let locale = state.desk.locale();
    let request = connection_request(
        &state,
        request.nip,
        request.environment.into(),
        request.token,
    )
    .await?;
    let report = cancellable(&state, operation_id, state.desk.test_connection(&request)).await?;
    Ok(ConnectionReportDto::from_report(&report, locale))
}

/// "Connect company": stores the company, the token goes to the OS keychain.
#[tauri::command]
#[specta::specta]
pub async fn connect_company(
    state: State<'_, AppState>,
    operation_id: u32,
    company: NewCompanyDto,
) -> Result<CompanyDto, IpcError> {
    let connection = connection_request(
        &state,
        company.nip,
        company.environment.into(),
        company.token,
    )
    .await?;
    let new = CompanyConnection {
        name: company.name,
        address_line1: company.address_line1,
        address_line2: company.address_line2,
        connection,
    };
    let connected = cancellable(&state, operation_id, state.desk.connect_company(&new)).await?;
    Ok(connected.company.into())
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_operation(
    state: State<'_, AppState>,
    operation_id: u32,
) -> Result<(), IpcError> {
    state.operations.cancel(operation_id);
    Ok(())
}

/// A token of the built-in simulator for `nip` with every permission, so a
/// demo company can be connected without the KSeF taxpayer application. It is
/// a simulator credential, worthless outside this app.
#[tauri::command]
#[specta::specta]
pub async fn simulator_token(state: State<'_, AppState>, nip: String) -> Result<String, IpcError> {
    let nip = Nip::parse(&nip).map_err(|error| {
        IpcError::from_core(
            &CoreError::InvalidInput(vec![InputProblem::Nip(error)]),
            state.desk.locale(),
        )
    })?;
    Ok(simulator(&state).await?.add_token(TokenSpec {
        context_nip: nip.to_string(),
        permissions: Permission::ALL.to_vec(),
        valid_until: None,
    }))
}

/// Builds the core's request; the simulator's address is the app's own.
async fn connection_request(
    state: &AppState,
    nip: String,
    environment: KsefEnvironment,
    token: String,
) -> Result<ConnectionRequest, IpcError> {
    let base_url = match environment {
        KsefEnvironment::Simulator => Some(simulator(state).await?.base_url.clone()),
        _ => None,
    };
    Ok(ConnectionRequest {
        nip,
        environment,
        base_url,
        token: SecretString::from(token),
    })
}

/// Tests a new token for a stored company and, when KSeF accepts it,
/// overwrites the keychain entry; the old token stays if the new one fails.
#[tauri::command]
#[specta::specta]
pub async fn replace_token(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    token: String,
) -> Result<ConnectionReportDto, IpcError> {
    let token = SecretString::from(token);
    let replace = state.desk.replace_token(company_id, token);
    let report = cancellable(&state, operation_id, replace).await?;
    Ok(ConnectionReportDto::from_report(
        &report,
        state.desk.locale(),
    ))
}

/// Removes the company's token from the keychain; the company and its
/// documents stay.
#[tauri::command]
#[specta::specta]
pub async fn disconnect_company(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<(), IpcError> {
    super::with_desk(&state, move |desk| desk.disconnect(company_id)).await
}

/// Settings → the company's credentials: method, certificate, days left. No secret.
#[tauri::command]
#[specta::specta]
pub async fn company_credentials(
    state: State<'_, AppState>,
    company_id: i64,
) -> Result<CredentialsDto, IpcError> {
    super::with_desk(&state, move |desk| {
        desk.credentials(company_id)
            .map(|c| CredentialsDto::from(&c))
    })
    .await
}

/// The built-in simulator, started on first need.
pub(super) async fn simulator(state: &AppState) -> Result<&SimHandle, IpcError> {
    state
        .simulator
        .get()
        .await
        .map_err(|error| IpcError::internal(state.desk.locale(), &format!("simulator: {error}")))
}
