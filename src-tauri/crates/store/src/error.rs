use std::path::PathBuf;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the database at {path} was written by a newer KSeF Desk (schema version {found}, \
         this app knows up to {known}); update the app, the file was left unchanged"
    )]
    NewerThanApp {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error("migrating the database at {path} failed: {source}")]
    Migration {
        path: PathBuf,
        source: rusqlite_migration::Error,
    },
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },
    /// A uniqueness rule of the schema refused the change, e.g. a second
    /// company with the same NIP.
    #[error("{entity} already exists: {detail}")]
    AlreadyExists {
        entity: &'static str,
        detail: String,
    },
    #[error("a stored value is not valid: column {column} holds {value:?}")]
    InvalidColumn { column: &'static str, value: String },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Maps a unique-constraint failure to [`StoreError::AlreadyExists`] and
    /// passes anything else through.
    pub(crate) fn unique(
        entity: &'static str,
        detail: String,
    ) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |error| match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation)
                if error.to_string().contains("UNIQUE") =>
            {
                StoreError::AlreadyExists { entity, detail }
            }
            _ => StoreError::Sqlite(error),
        }
    }
}
