//! Settings → the company's credentials: choose certificate files (native dialog, from
//! Rust: the page has no dialog or file-system permission), move to a certificate.

use desk_core::credentials::import::CertificateFiles;
use desk_core::{
    CancellationToken, CompanyCertificateConnection, CoreError, KsefEnvironment, Locale,
    SecretString,
};
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use zeroize::Zeroizing;

use super::cancellable;
use crate::dto::credentials::{
    CertificateFileKindDto, CertificateKindDto, CertificateRequestDto, CertificateSwitchDto,
    CredentialsDto, NewCertificateCompanyDto,
};
use crate::dto::{CompanyDto, ConnectionReportDto};
use crate::error::IpcError;
use crate::AppState;

/// Opens the system's file dialog for one certificate file; the chosen path, or
/// nothing when the user cancelled. The file is read later, by `use_certificate`.
#[tauri::command]
#[specta::specta]
pub async fn choose_certificate_file(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    kind: CertificateFileKindDto,
) -> Result<Option<String>, IpcError> {
    let locale = state.desk.locale();
    let (label, extensions): (&str, &[&str]) = match kind {
        CertificateFileKindDto::Certificate => ("Certyfikat", &["crt", "cer", "pem"]),
        CertificateFileKindDto::PrivateKey => ("Klucz prywatny", &["key", "pem"]),
        CertificateFileKindDto::Pkcs12 => ("PKCS#12", &["p12", "pfx"]),
    };
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .add_filter(label, extensions)
            .blocking_pick_file()
    })
    .await
    .map_err(|e| IpcError::internal(locale, &e.to_string()))?;
    Ok(chosen
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// Moves the company to the certificate in the chosen files: every problem named,
/// a real sign-in, then the key to the keychain. The password is dropped afterwards.
#[tauri::command]
#[specta::specta]
pub async fn use_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company_id: i64,
    request: CertificateRequestDto,
) -> Result<CertificateSwitchDto, IpcError> {
    let locale = state.desk.locale();
    let files = files(request, locale)?;
    let cancel = CancellationToken::new();
    let work = state.desk.use_certificate(company_id, files, &cancel);
    let switch = cancellable(&state, operation_id, work).await?;
    Ok(CertificateSwitchDto {
        credentials: CredentialsDto::from(&switch.credentials),
        report: ConnectionReportDto::from_report(&switch.report, locale),
    })
}

/// Adds a company that signs in with the certificate in the chosen files (the
/// wizard's recommended way in): every problem named, a real sign-in, then the key to
/// the keychain and the company to the store; nothing is stored when anything fails.
#[tauri::command]
#[specta::specta]
pub async fn connect_company_with_certificate(
    state: State<'_, AppState>,
    operation_id: u32,
    company: NewCertificateCompanyDto,
) -> Result<CompanyDto, IpcError> {
    let locale = state.desk.locale();
    let environment: KsefEnvironment = company.environment.into();
    let base_url = match environment {
        KsefEnvironment::Simulator => {
            Some(super::connection::simulator(&state).await?.base_url.clone())
        }
        _ => None,
    };
    let new = CompanyCertificateConnection {
        name: company.name,
        address_line1: company.address_line1,
        address_line2: company.address_line2,
        nip: company.nip,
        environment,
        base_url,
        files: files(company.certificate, locale)?,
    };
    let cancel = CancellationToken::new();
    let work = state.desk.connect_company_with_certificate(new, &cancel);
    let connected = cancellable(&state, operation_id, work).await?;
    Ok(connected.company.into())
}

/// Reads the chosen files; the password becomes a secret here.
fn files(request: CertificateRequestDto, locale: Locale) -> Result<CertificateFiles, IpcError> {
    let password = request
        .password
        .filter(|p| !p.is_empty())
        .map(SecretString::from);
    Ok(match request.kind {
        CertificateKindDto::Ksef => CertificateFiles::Pem {
            certificate: read(&request.certificate_path, locale)?.to_vec(),
            private_key: read(
                request.private_key_path.as_deref().unwrap_or_default(),
                locale,
            )?,
            password,
        },
        CertificateKindDto::Pkcs12 => CertificateFiles::Pkcs12 {
            bytes: read(&request.certificate_path, locale)?,
            password: password.unwrap_or_else(|| SecretString::from(String::new())),
        },
    })
}

/// Reads a chosen file (certificates and keys are a few kilobytes; anything over 1 MB
/// is not one).
fn read(path: &str, locale: Locale) -> Result<Zeroizing<Vec<u8>>, IpcError> {
    const MAX: u64 = 1024 * 1024;
    let fail = |detail: String| IpcError::from_core(&CoreError::Internal { detail }, locale);
    if path.trim().is_empty() {
        return Err(fail("no file was chosen".into()));
    }
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read {path}: {e}")))?
        .len();
    if size > MAX {
        return Err(fail(format!(
            "{path} is {size} bytes, too large for a certificate"
        )));
    }
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| fail(format!("cannot read {path}: {e}")))
}
