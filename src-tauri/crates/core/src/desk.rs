use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use desk_store::{
    Company, Contractor, CostCounts, KsefEnvironment, NewAuditEntry, SalesCounts, Store,
    DATABASE_FILE_NAME,
};

use crate::vault::TokenVault;
use crate::{Clock, CoreError, Locale, Result};

const LOCALE_KEY: &str = "ui.locale";
const ACTIVE_COMPANY_KEY: &str = "ui.active_company_id";

/// The application's state and the entry point of every workflow.
pub struct Desk {
    store: Store,
    clock: Box<dyn Clock>,
    vault: Arc<dyn TokenVault>,
    locale: RwLock<Locale>,
    /// Whether a company has a token in the vault. The status bar asks every
    /// few seconds and a keychain read can be slow, so the answer is kept and
    /// updated by connect, replace and disconnect.
    connected: Mutex<HashMap<i64, bool>>,
    /// One outbox run at a time (the background loop and "send now" share it).
    sender_lock: tokio::sync::Mutex<()>,
    sender_wakeup: tokio::sync::Notify,
    costs: crate::cost_sync::SyncRuntime,
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSummary {
    pub environment: Option<KsefEnvironment>,
    pub connection: ConnectionState,
    /// Documents waiting in the outbox for KSeF, across all companies.
    pub queued: u32,
    /// The active company's sign-in warning: still on a token (days to the cut-off) or
    /// a certificate ending within 30 days.
    pub credential_alert: Option<crate::CredentialAlert>,
}

/// The link to KSeF as the user should understand it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// No company is connected to KSeF yet (no token saved).
    NotConnected,
    Online,
    /// KSeF is down or unreachable; work continues and documents queue.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub company: Company,
    pub sales: SalesCounts,
    pub costs: CostCounts,
    pub contractors: u32,
}

/// One company's line in the all-companies view of a bookkeeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyOverview {
    pub dashboard: Dashboard,
    pub connected: bool,
}

impl Desk {
    /// Opens the profile in `data_dir` (the directory must exist). KSeF tokens go to
    /// `vault` (the app passes [`crate::KeyringVault`], tests a [`crate::MemoryVault`]).
    pub fn open(
        data_dir: &Path,
        clock: Box<dyn Clock>,
        vault: Arc<dyn TokenVault>,
    ) -> Result<Desk> {
        let store = Store::open(&data_dir.join(DATABASE_FILE_NAME))?;
        let locale = store
            .read(|tx| tx.app_setting(LOCALE_KEY))?
            .as_deref()
            .and_then(Locale::from_tag)
            .unwrap_or_default();
        Ok(Desk {
            store,
            clock,
            vault,
            locale: RwLock::new(locale),
            connected: Mutex::new(HashMap::new()),
            sender_lock: tokio::sync::Mutex::new(()),
            sender_wakeup: tokio::sync::Notify::new(),
            costs: crate::cost_sync::SyncRuntime::new(),
        })
    }

    pub fn locale(&self) -> Locale {
        *self
            .locale
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set_locale(&self, tag: &str) -> Result<Locale> {
        let locale = Locale::from_tag(tag).ok_or_else(|| CoreError::UnsupportedLocale {
            tag: tag.to_owned(),
        })?;
        let now = self.clock.now();
        self.store.write(|tx| {
            tx.set_app_setting(LOCALE_KEY, locale.code())?;
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: None,
                action: "settings.locale",
                detail: locale.code(),
            })
        })?;
        *self
            .locale
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = locale;
        tracing::info!(locale = locale.code(), "language changed");
        Ok(locale)
    }

    pub fn companies(&self) -> Result<Vec<Company>> {
        Ok(self.store.read(|tx| tx.list_companies())?)
    }

    /// The company the user last worked on, or the first one; `None` before
    /// any company exists.
    pub fn active_company(&self) -> Result<Option<Company>> {
        Ok(self.store.read(|tx| {
            let chosen = tx
                .app_setting(ACTIVE_COMPANY_KEY)?
                .and_then(|id| id.parse::<i64>().ok());
            let companies = tx.list_companies()?;
            let active = chosen
                .and_then(|id| companies.iter().position(|c| c.id == id))
                .unwrap_or(0);
            Ok(companies.into_iter().nth(active))
        })?)
    }

    pub fn select_company(&self, company_id: i64) -> Result<Company> {
        Ok(self.store.write(|tx| {
            let company = tx.company(company_id)?;
            tx.set_app_setting(ACTIVE_COMPANY_KEY, &company.id.to_string())?;
            Ok(company)
        })?)
    }

    pub fn contractors(&self, company_id: i64) -> Result<Vec<Contractor>> {
        Ok(self.store.read(|tx| {
            tx.company(company_id)?;
            tx.list_contractors(company_id)
        })?)
    }

    pub fn dashboard(&self, company_id: i64) -> Result<Dashboard> {
        Ok(self.store.read(|tx| {
            Ok(Dashboard {
                company: tx.company(company_id)?,
                sales: tx.sales_counts(company_id)?,
                costs: tx.cost_counts(company_id)?,
                contractors: u32::try_from(tx.list_contractors(company_id)?.len())
                    .unwrap_or(u32::MAX),
            })
        })?)
    }

    /// Every company's counts and connection, for a bookkeeper's morning look.
    pub fn overview(&self) -> Result<Vec<CompanyOverview>> {
        let companies = self.companies()?;
        companies
            .into_iter()
            .map(|company| {
                Ok(CompanyOverview {
                    connected: self.has_token(company.id)?,
                    dashboard: self.dashboard(company.id)?,
                })
            })
            .collect()
    }

    pub fn status(&self) -> Result<StatusSummary> {
        let active = self.active_company()?;
        let connection = match &active {
            Some(company) if self.has_token(company.id)? => ConnectionState::Online,
            _ => ConnectionState::NotConnected,
        };
        let queued = self.store.read(|tx| tx.pending_outbox_count())?;
        let credential_alert = match &active {
            Some(company) => self.credential_alert(company.id)?,
            None => None,
        };
        Ok(StatusSummary {
            environment: active.map(|c| c.ksef_environment),
            connection,
            queued,
            credential_alert,
        })
    }

    pub(crate) fn has_token(&self, company_id: i64) -> Result<bool> {
        if let Some(known) = self.connections().get(&company_id) {
            return Ok(*known);
        }
        let connected = self.is_connected(company_id)?;
        self.remember_connection(company_id, connected);
        Ok(connected)
    }

    pub(crate) fn remember_connection(&self, company_id: i64, connected: bool) {
        self.connections().insert(company_id, connected);
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, HashMap<i64, bool>> {
        self.connected
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub(crate) fn vault(&self) -> &dyn TokenVault {
        self.vault.as_ref()
    }

    pub(crate) fn sync_runtime(&self) -> &crate::cost_sync::SyncRuntime {
        &self.costs
    }

    pub(crate) fn vault_arc(&self) -> &Arc<dyn TokenVault> {
        &self.vault
    }

    pub(crate) fn sender_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.sender_lock
    }

    pub(crate) fn sender_wakeup(&self) -> &tokio::sync::Notify {
        &self.sender_wakeup
    }

    /// Tells the background sender there is something to send now.
    pub(crate) fn wake_sender(&self) {
        self.sender_wakeup.notify_one();
    }
}
