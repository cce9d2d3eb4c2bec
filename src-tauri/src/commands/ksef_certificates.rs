//! Settings → "KSeF certificates": list with limits, enrol, renew, use to sign in,
//! revoke. Each is a cancellable operation (enrolment polls KSeF).

use desk_core::{CancellationToken, EnrollmentStep};
use tauri::State;

use super::cancellable;
use crate::dto::ksef_certificates::{KsefCertificatesDto, KsefEnrollmentDto};
use crate::error::IpcError;
use crate::AppState;

/// The signed-in person's KSeF certificates and limits (administrators only).
#[tauri::command]
#[specta::specta]
pub async fn ksef_certificates(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
) -> Result<KsefCertificatesDto, IpcError> {
    let cancel = CancellationToken::new();
    let work = state.desk.ksef_certificates(company_id, &cancel);
    Ok(cancellable(&state, operation_id, work).await?.into())
}

/// Enrols a new certificate (key to the keychain, CSR, poll, retrieve); its serial.
#[tauri::command]
#[specta::specta]
pub async fn enroll_ksef_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    request: KsefEnrollmentDto,
) -> Result<String, IpcError> {
    let cancel = CancellationToken::new();
    let request = request.into();
    let on_step = |step| state.operations.set_progress(operation_id, step_code(step));
    let work = state
        .desk
        .enroll_ksef_certificate(company_id, &request, &on_step, &cancel);
    cancellable(&state, operation_id, work).await
}

/// Enrols a successor of the same type and name; its serial.
#[tauri::command]
#[specta::specta]
pub async fn renew_ksef_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    serial: String,
) -> Result<String, IpcError> {
    let cancel = CancellationToken::new();
    let on_step = |step| state.operations.set_progress(operation_id, step_code(step));
    let work = state
        .desk
        .renew_ksef_certificate(company_id, &serial, &on_step, &cancel);
    cancellable(&state, operation_id, work).await
}

/// Makes an enrolled Authentication certificate the company's sign-in credential.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_with_ksef_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    serial: String,
) -> Result<(), IpcError> {
    let cancel = CancellationToken::new();
    let work = state
        .desk
        .sign_in_with_ksef_certificate(company_id, &serial, &cancel);
    cancellable(&state, operation_id, work).await
}

/// Revokes a certificate; `true` when the company signed in with it (now disconnected).
#[tauri::command]
#[specta::specta]
pub async fn revoke_ksef_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    serial: String,
) -> Result<bool, IpcError> {
    let cancel = CancellationToken::new();
    let work = state
        .desk
        .revoke_ksef_certificate(company_id, &serial, &cancel);
    cancellable(&state, operation_id, work).await
}

/// Where a running enrolment or renewal is: `preparing`, `waiting`, `retrieving`,
/// `signingIn`; `null` before it starts or once it ended.
#[tauri::command]
#[specta::specta]
pub async fn enrollment_progress(
    state: State<'_, AppState>,
    operation_id: u32,
) -> Result<Option<String>, IpcError> {
    Ok(state.operations.progress(operation_id).map(str::to_owned))
}

fn step_code(step: EnrollmentStep) -> &'static str {
    match step {
        EnrollmentStep::Preparing => "preparing",
        EnrollmentStep::Waiting => "waiting",
        EnrollmentStep::Retrieving => "retrieving",
        EnrollmentStep::SigningIn => "signingIn",
    }
}
