//! The workflows of KSeF Desk, free of Tauri and of SQL.
//!
//! [`Desk`] is the one object the shell holds: it owns the store and a clock and
//! exposes what the UI may do (list companies, read the dashboard, switch the
//! language, seed the demo profile). Errors are [`CoreError`], which knows its
//! stable [`ErrorKind`] and code and can explain itself in the user's language.
//!
//! Must not know: Tauri, HTTP, SQL. Time comes from [`Clock`] so tests can fix it.

mod clock;
mod demo;
mod desk;
mod error;
mod locale;

pub use clock::{Clock, FixedClock, SystemClock};
pub use desk::{ConnectionState, Dashboard, Desk, StatusSummary};
pub use desk_store::{
    Company, Contractor, CostCounts, KsefEnvironment, Role, SalesCounts, DATABASE_FILE_NAME,
};
pub use error::{CoreError, ErrorKind, Result};
pub use locale::Locale;
