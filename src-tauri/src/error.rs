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
    /// For a form: every wrong field with its own message (empty otherwise).
    pub fields: Vec<FieldErrorDto>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldErrorDto {
    pub field: String,
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
    /// The user cancelled the operation.
    Cancelled,
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
            fields: error
                .input_problems()
                .iter()
                .map(|problem| FieldErrorDto {
                    field: problem.field().to_owned(),
                    code: problem.code().to_owned(),
                    message: problem.message(locale),
                })
                .chain(error.sales_problems().iter().map(|problem| FieldErrorDto {
                    field: problem.field(),
                    code: problem.code().to_owned(),
                    message: problem.message(locale),
                }))
                .chain(
                    error
                        .certificate_issues()
                        .iter()
                        .map(|issue| FieldErrorDto {
                            field: issue.field().to_owned(),
                            code: issue.code().to_owned(),
                            message: issue.message(locale),
                        }),
                )
                .collect(),
        }
    }

    pub fn cancelled(locale: Locale) -> IpcError {
        let message = match locale {
            Locale::Pl => "Przerwano na Twoją prośbę.",
            Locale::En => "Cancelled at your request.",
        };
        IpcError {
            kind: IpcErrorKind::Cancelled,
            code: "cancelled".into(),
            message: message.into(),
            fields: Vec::new(),
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
            fields: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use desk_core::{InputProblem, NipError};

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
        assert_eq!(json["fields"], serde_json::json!([]));
    }

    #[test]
    fn form_errors_name_each_field_in_the_users_language() {
        let error = CoreError::InvalidInput(vec![
            InputProblem::Nip(NipError::Checksum),
            InputProblem::TokenEmpty,
        ]);
        let ipc = IpcError::from_core(&error, Locale::Pl);
        assert_eq!(ipc.kind, IpcErrorKind::Validation);
        let fields: Vec<_> = ipc.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["nip", "token"]);
        assert!(ipc.fields[0].message.contains("cyfrę kontrolną"));
    }
}
