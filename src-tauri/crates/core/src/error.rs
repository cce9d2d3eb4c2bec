use desk_store::StoreError;

use crate::Locale;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The families of failure the UI can switch on. Stable: the UI depends on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    NotFound,
    Conflict,
    Permission,
    Remote,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },
    #[error("{entity} already exists: {detail}")]
    AlreadyExists {
        entity: &'static str,
        detail: String,
    },
    #[error("unsupported language {tag:?}")]
    UnsupportedLocale { tag: String },
    #[error("the local database failed: {0}")]
    Store(StoreError),
}

impl From<StoreError> for CoreError {
    fn from(error: StoreError) -> CoreError {
        match error {
            StoreError::NotFound { entity, id } => CoreError::NotFound { entity, id },
            StoreError::AlreadyExists { entity, detail } => {
                CoreError::AlreadyExists { entity, detail }
            }
            other => CoreError::Store(other),
        }
    }
}

impl CoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::AlreadyExists { .. } => ErrorKind::Conflict,
            CoreError::UnsupportedLocale { .. } => ErrorKind::Validation,
            CoreError::Store(_) => ErrorKind::Internal,
        }
    }

    /// A stable machine-readable code, finer than the kind.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { .. } => "not_found",
            CoreError::AlreadyExists { .. } => "already_exists",
            CoreError::UnsupportedLocale { .. } => "unsupported_locale",
            CoreError::Store(StoreError::NewerThanApp { .. }) => "store_newer_than_app",
            CoreError::Store(_) => "store_failed",
        }
    }

    /// What to tell the user, in their language, naming the problem and the fix.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (CoreError::NotFound { entity, id }, Locale::Pl) => {
                format!(
                    "Nie znaleziono: {} (nr {id}). Odśwież widok.",
                    entity_pl(entity)
                )
            }
            (CoreError::NotFound { entity, id }, Locale::En) => {
                format!("The {entity} (no. {id}) was not found. Refresh the view.")
            }
            (CoreError::AlreadyExists { entity, detail }, Locale::Pl) => {
                format!("{} już istnieje: {detail}.", capitalised(entity_pl(entity)))
            }
            (CoreError::AlreadyExists { entity, detail }, Locale::En) => {
                format!("This {entity} already exists: {detail}.")
            }
            (CoreError::UnsupportedLocale { tag }, Locale::Pl) => {
                format!("Język „{tag}” nie jest dostępny. Wybierz polski lub angielski.")
            }
            (CoreError::UnsupportedLocale { tag }, Locale::En) => {
                format!("The language “{tag}” is not available. Choose Polish or English.")
            }
            (CoreError::Store(error), Locale::Pl) => {
                format!("Błąd lokalnej bazy danych. Dane nie zostały zmienione. Szczegóły: {error}")
            }
            (CoreError::Store(error), Locale::En) => {
                format!("The local database failed; nothing was changed. Details: {error}")
            }
        }
    }
}

fn entity_pl(entity: &str) -> &'static str {
    match entity {
        "company" => "firma",
        "contractor" => "kontrahent",
        "user" => "użytkownik",
        _ => "obiekt",
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_conflicts_become_conflicts_with_a_message_per_language() {
        let error = CoreError::from(StoreError::AlreadyExists {
            entity: "company",
            detail: "NIP 5261040828".into(),
        });
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(error.code(), "already_exists");
        assert_eq!(
            error.message(Locale::Pl),
            "Firma już istnieje: NIP 5261040828."
        );
        assert_eq!(
            error.message(Locale::En),
            "This company already exists: NIP 5261040828."
        );
    }

    #[test]
    fn a_newer_database_has_its_own_code() {
        let error = CoreError::from(StoreError::NewerThanApp {
            path: "x.sqlite3".into(),
            found: 9,
            known: 2,
        });
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert_eq!(error.code(), "store_newer_than_app");
        assert!(error.message(Locale::En).contains("newer KSeF Desk"));
    }
}
