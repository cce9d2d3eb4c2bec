//! The one error type that crosses IPC.

use desk_core::{CoreError, ErrorKind, Locale};
use serde::Serialize;
use specta::Type;

/// What a failed command returns to the UI: a stable `kind` to switch on, a
/// stable `code` for specific handling, and a `message` already in the
/// user's language.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub kind: IpcErrorKind,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum IpcErrorKind {
    Validation,
    NotFound,
    Conflict,
    Permission,
    Remote,
    Internal,
}

impl IpcError {
    pub fn from_core(error: &CoreError, locale: Locale) -> IpcError {
        let kind = match error.kind() {
            ErrorKind::Validation => IpcErrorKind::Validation,
            ErrorKind::NotFound => IpcErrorKind::NotFound,
            ErrorKind::Conflict => IpcErrorKind::Conflict,
            ErrorKind::Permission => IpcErrorKind::Permission,
            ErrorKind::Remote => IpcErrorKind::Remote,
            ErrorKind::Internal => IpcErrorKind::Internal,
        };
        if kind == IpcErrorKind::Internal {
            tracing::error!(code = error.code(), "{error}");
        }
        IpcError {
            kind,
            code: error.code().to_owned(),
            message: error.message(locale),
        }
    }

    /// A failure of the shell itself (a worker thread that died), not of a workflow.
    pub fn internal(locale: Locale, detail: &str) -> IpcError {
        tracing::error!("internal failure: {detail}");
        let message = match locale {
            Locale::Pl => "Wewnętrzny błąd aplikacji. Spróbuj ponownie; jeśli się powtórzy, uruchom aplikację jeszcze raz.",
            Locale::En => "An internal error occurred. Try again; if it happens again, restart the app.",
        };
        IpcError {
            kind: IpcErrorKind::Internal,
            code: "internal".into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_kind_code_and_language_on_the_wire() {
        let error = CoreError::UnsupportedLocale { tag: "de".into() };
        let ipc = IpcError::from_core(&error, Locale::En);
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["kind"], "validation");
        assert_eq!(json["code"], "unsupported_locale");
        assert_eq!(
            json["message"],
            "The language “de” is not available. Choose Polish or English."
        );
    }
}
