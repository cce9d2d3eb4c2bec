//! Sales: drafts, issuing with gap-free numbering, sending through the outbox,
//! statuses, KSeF numbers, UPO, history and corrections.
//!
//! A document moves draft → issued → queued → sending → accepted | rejected. A draft
//! keeps the form exactly as typed ([`InvoiceDraft`], JSON in the store), so nothing
//! is lost when the app closes. Issuing validates every field at once, takes the next
//! number of the company's series and fixes the FA(3) XML and its KSeF hash in one
//! transaction. Queuing writes the outbox row in the transaction that changes the
//! status; [`sender`] works the outbox (see there for exactly-once sending).

mod demo;
mod draft;
mod problems;
pub mod sender;
pub(crate) mod time;

use chrono::NaiveDate;
use desk_store::{
    Contractor, DocumentEvent, NewContractor, NewDocumentEvent, SalesDocument, SalesPage,
    SalesQuery, SalesStatus, SendMode, Timestamp, Tx,
};
use rust_decimal::Decimal;

use crate::access::{authorize, authorize_any};
use crate::{CoreError, Desk, Nip, Result, Role};

pub use demo::{UpoSummary, DEMO_SALES};
pub use draft::{DraftLine, DraftTotals, InvoiceDraft, RateTotal, VAT_RATES};
pub use problems::SalesProblem;
pub use sender::{CrashPoint, SendRun};
pub use time::{today_in_poland, EndOfDay};

const EOD_ENABLED: &str = "sales.eod.enabled";
const EOD_TIME: &str = "sales.eod.time";
const EOD_LAST_CATCH_UP: &str = "sales.eod.last_catch_up";
const DEFAULT_EOD_TIME: &str = "18:00";
const DEFAULT_PATTERN: &str = "FV/{n}/{MM}/{YYYY}";
const DEFAULT_CORRECTION_PATTERN: &str = "KOR/{n}/{MM}/{YYYY}";

/// A document with what the detail view needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesDetail {
    pub document: SalesDocument,
    pub draft: InvoiceDraft,
    pub totals: DraftTotals,
    pub events: Vec<DocumentEvent>,
    pub corrections: Vec<SalesDocument>,
    /// The original, when this is a correction.
    pub corrects: Option<SalesDocument>,
    /// Not yet in KSeF and its issue date (P_1) is before today: it will be (or was)
    /// sent under KSeF's offline-mode rules.
    pub late: bool,
    /// The UPO in readable form, once received.
    pub upo: Option<UpoSummary>,
    pub outbox_error: Option<String>,
}

/// The per-company sales settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesSettings {
    pub end_of_day_enabled: bool,
    /// `HH:MM`, Europe/Warsaw.
    pub end_of_day_time: String,
    pub series_pattern: String,
    pub series_monthly: bool,
}

/// What the sales page says above the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesOverview {
    pub settings: SalesSettings,
    /// When the next end-of-day run starts, if it is on.
    pub next_end_of_day: Option<Timestamp>,
    /// Documents waiting for the end-of-day run.
    pub waiting_for_end_of_day: u32,
    /// Issued but not queued with today's issue date: they go late unless sent today.
    pub at_risk_today: Vec<i64>,
    /// Not in KSeF yet with an issue date before today (offline-mode rules apply).
    pub late: Vec<i64>,
    /// The last end-of-day run made at start because the app was closed at its time.
    pub last_catch_up: Option<CatchUp>,
}

/// An end-of-day run made late, at the next start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatchUp {
    /// When it should have run (Polish time, `dd.mm.yyyy hh:mm`).
    pub scheduled: String,
    /// When it ran.
    pub ran: String,
    pub documents: u32,
}

impl CatchUp {
    fn parse(note: &str) -> Option<CatchUp> {
        let mut parts = note.split('|');
        Some(CatchUp {
            scheduled: parts.next()?.to_owned(),
            ran: parts.next()?.to_owned(),
            documents: parts.next()?.parse().ok()?,
        })
    }
}

/// A new contractor as typed in the invoice form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContractorInput {
    pub nip: String,
    pub eu_vat_id: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub email: String,
}

impl Desk {
    /// Adds a contractor after checking the NIP (checksum) and catching a Polish NIP
    /// typed as an EU VAT number.
    pub fn add_contractor(&self, company_id: i64, input: &ContractorInput) -> Result<Contractor> {
        let now = self.clock().now();
        let new = validate_contractor(input)?;
        self.store().write_with(|tx| {
            let user = authorize_in(tx, now, company_id)?;
            let contractor = tx.insert_contractor(company_id, &new, now)?;
            tx.append_audit(&desk_store::NewAuditEntry {
                at: now,
                user_id: Some(user),
                company_id: Some(company_id),
                action: "contractor.added",
                detail: &contractor.id.to_string(),
            })?;
            Ok(contractor)
        })
    }

    /// Creates a draft (`document_id` = `None`) or overwrites one; called on every
    /// pause in typing. Accepts anything typed: checks happen when issuing.
    pub fn save_draft(
        &self,
        company_id: i64,
        document_id: Option<i64>,
        draft: &InvoiceDraft,
    ) -> Result<SalesDocument> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let contractor = draft.contractor(tx, company_id)?;
            let row = draft.to_row(contractor.as_ref(), None)?;
            match document_id {
                None => Ok(tx.insert_sales_draft(company_id, &row, now)?),
                Some(id) => {
                    let existing = document_of(tx, company_id, id)?;
                    if !tx.update_sales_draft(id, &row, now)? {
                        return Err(wrong_state(&existing, "edit"));
                    }
                    Ok(tx.sales_document(id)?)
                }
            }
        })
    }

    /// Deletes a draft; issued documents are never deleted.
    pub fn delete_draft(&self, company_id: i64, document_id: i64) -> Result<()> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let document = document_of(tx, company_id, document_id)?;
            if !tx.delete_sales_draft(document_id)? {
                return Err(wrong_state(&document, "delete"));
            }
            Ok(())
        })
    }

    /// The visualisation (HTML) of a document: the stored XML once issued, the draft
    /// as it would be issued before (with a placeholder number).
    pub fn preview(&self, company_id: i64, document_id: i64) -> Result<String> {
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            let document = document_of(tx, company_id, document_id)?;
            let invoice = match tx.sales_document_xml(document_id)? {
                Some(xml) => {
                    fa3::parse(&xml)
                        .map_err(|e| CoreError::Internal {
                            detail: format!("stored invoice cannot be read: {e}"),
                        })?
                        .invoice
                }
                None => {
                    let draft = InvoiceDraft::from_document(&document)?;
                    let placeholder = match self.locale() {
                        crate::Locale::Pl => "(numer nadany przy wystawieniu)",
                        crate::Locale::En => "(number given when issued)",
                    };
                    draft
                        .build(tx, company_id, placeholder, now, document.corrects_id)
                        .map_err(CoreError::InvalidSales)?
                }
            };
            Ok(fa3::render::render_html(
                &invoice,
                &fa3::render::RenderOptions {
                    ksef_number: document.ksef_number.clone(),
                    ..Default::default()
                },
            ))
        })
    }

    /// Issues a draft: validates everything, numbers it and fixes its FA(3) XML.
    pub fn issue(&self, company_id: i64, document_id: i64) -> Result<SalesDocument> {
        let now = self.clock().now();
        let today = today_in_poland(now);
        self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let document = document_of(tx, company_id, document_id)?;
            if document.status != SalesStatus::Draft {
                return Err(wrong_state(&document, "issue"));
            }
            let draft = InvoiceDraft::from_document(&document)?;
            let issue_date = draft.issue_date.unwrap_or(today);
            // Validate with a stand-in number first so that a refused draft uses no number.
            let mut problems = match draft.build(tx, company_id, "0", now, document.corrects_id) {
                Ok(invoice) => rule_problems(&invoice),
                Err(problems) => problems,
            };
            if !problems.is_empty() {
                problems.dedup();
                return Err(CoreError::InvalidSales(problems));
            }
            let settings = settings_in(tx, company_id)?;
            let series = if document.kind == "KOR" {
                tx.default_series(
                    company_id,
                    "KOR",
                    DEFAULT_CORRECTION_PATTERN,
                    settings.series_monthly,
                )?
            } else {
                tx.default_series(
                    company_id,
                    "VAT",
                    &settings.series_pattern,
                    settings.series_monthly,
                )?
            };
            let period = if series.monthly {
                issue_date.format("%Y-%m").to_string()
            } else {
                issue_date.format("%Y").to_string()
            };
            let n = tx.next_in_series(series.id, &period)?;
            let number = format_number(&series.pattern, n, issue_date);
            let invoice = draft
                .build(tx, company_id, &number, now, document.corrects_id)
                .map_err(CoreError::InvalidSales)?;
            let xml = fa3::write(&invoice).map_err(|e| {
                CoreError::InvalidSales(vec![SalesProblem::Rule {
                    code: "schema",
                    path: "invoice".into(),
                    pl: format!("Faktura nie spełnia schematu FA(3): {e}"),
                    en: format!("The invoice breaks the FA(3) schema: {e}"),
                }])
            })?;
            let hash = fa3::document_hash(&xml);
            let totals = DraftTotals::of(&invoice.fa);
            let search = draft::search_text(&[
                &number,
                &document.buyer_name,
                document.buyer_nip.as_deref().unwrap_or(""),
            ]);
            tx.mark_issued(
                document_id,
                &desk_store::IssuedRow {
                    series_id: series.id,
                    number: &number,
                    issue_date,
                    xml: &xml,
                    invoice_hash: &hash,
                    net_total_minor: minor(totals.net),
                    vat_total_minor: minor(totals.vat),
                    gross_total_minor: minor(totals.gross),
                    search_text: &search,
                },
                now,
            )?;
            event(
                tx,
                document_id,
                now,
                "issued",
                None,
                "ok",
                Some(&format!("number={number} hash={hash}")),
            )?;
            Ok(tx.sales_document(document_id)?)
        })
    }

    /// Queues an issued document for KSeF: now (the sender is woken) or at the
    /// company's end-of-day time (Europe/Warsaw). The outbox row is written in the same
    /// transaction as the status.
    pub fn send(&self, company_id: i64, document_id: i64, mode: SendMode) -> Result<SalesDocument> {
        let now = self.clock().now();
        let document = self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let document = document_of(tx, company_id, document_id)?;
            if document.status != SalesStatus::Issued {
                return Err(wrong_state(&document, "send"));
            }
            let (not_before, detail) = match mode {
                SendMode::Now => (now, "mode=now".to_owned()),
                SendMode::EndOfDay => {
                    let settings = settings_in(tx, company_id)?;
                    if !settings.end_of_day_enabled {
                        return Err(CoreError::EndOfDayOff { company_id });
                    }
                    let eod = EndOfDay::parse(&settings.end_of_day_time).ok_or_else(|| {
                        CoreError::InvalidSales(vec![SalesProblem::EndOfDayTime {
                            input: settings.end_of_day_time.clone(),
                        }])
                    })?;
                    // Past today's run the document goes at once: tomorrow would be late.
                    let at = eod.today_at(now).filter(|at| *at > now).unwrap_or(now);
                    (at, format!("mode=end_of_day at={}", at.to_rfc3339()))
                }
            };
            tx.queue_sales_document(document_id, mode, not_before, now)?;
            event(tx, document_id, now, "queued", None, "ok", Some(&detail))?;
            Ok(tx.sales_document(document_id)?)
        })?;
        if mode == SendMode::Now {
            self.wake_sender();
        }
        Ok(document)
    }

    /// Starts a correction (KOR) of an accepted invoice: a draft with the original's
    /// lines as the "after" state, to be edited, issued and sent like any invoice.
    pub fn start_correction(&self, company_id: i64, document_id: i64) -> Result<SalesDocument> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let original = document_of(tx, company_id, document_id)?;
            if original.status != SalesStatus::Accepted || original.kind == "KOR" {
                return Err(wrong_state(&original, "correct"));
            }
            let mut draft = InvoiceDraft::from_document(&original)?;
            draft.issue_date = None;
            draft.correction_reason = String::new();
            let contractor = draft.contractor(tx, company_id)?;
            let mut row = draft.to_row(contractor.as_ref(), Some(original.id))?;
            row.kind = "KOR".into();
            let created = tx.insert_sales_draft(company_id, &row, now)?;
            event(
                tx,
                original.id,
                now,
                "correction_started",
                None,
                "info",
                Some(&format!("correction_id={}", created.id)),
            )?;
            Ok(created)
        })
    }

    /// A new draft with the content of a document KSeF rejected, to be fixed and
    /// issued under a new number (a rejected invoice does not exist in KSeF).
    pub fn redraft_rejected(&self, company_id: i64, document_id: i64) -> Result<SalesDocument> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            authorize_in(tx, now, company_id)?;
            let rejected = document_of(tx, company_id, document_id)?;
            if rejected.status != SalesStatus::Rejected {
                return Err(wrong_state(&rejected, "redraft"));
            }
            let mut draft = InvoiceDraft::from_document(&rejected)?;
            draft.issue_date = None;
            let contractor = draft.contractor(tx, company_id)?;
            let row = draft.to_row(contractor.as_ref(), rejected.corrects_id)?;
            let created = tx.insert_sales_draft(company_id, &row, now)?;
            event(
                tx,
                rejected.id,
                now,
                "redrafted",
                None,
                "info",
                Some(&format!("draft_id={}", created.id)),
            )?;
            Ok(created)
        })
    }

    pub fn sales_list(&self, company_id: i64, query: &SalesQuery) -> Result<SalesPage> {
        let mut query = query.clone();
        query.text = query.text.map(|t| draft::fold(&t));
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            Ok(tx.list_sales(company_id, &query)?)
        })
    }

    pub fn sales_detail(&self, company_id: i64, document_id: i64) -> Result<SalesDetail> {
        let now = self.clock().now();
        let today = today_in_poland(now);
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            let document = document_of(tx, company_id, document_id)?;
            let draft = InvoiceDraft::from_document(&document)?;
            let totals = draft.totals();
            let corrects = document
                .corrects_id
                .map(|id| tx.sales_document(id))
                .transpose()?;
            Ok(SalesDetail {
                late: is_late(&document, today),
                upo: tx
                    .sales_document_upo(document_id)?
                    .and_then(|xml| UpoSummary::parse(&xml)),
                outbox_error: tx
                    .outbox_for_document(document_id)?
                    .and_then(|o| o.last_error),
                events: tx.document_events(document_id)?,
                corrections: tx.corrections_of(document_id)?,
                corrects,
                totals,
                draft,
                document,
            })
        })
    }

    /// The UPO exactly as KSeF sent it.
    pub fn upo_xml(&self, company_id: i64, document_id: i64) -> Result<Option<Vec<u8>>> {
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            document_of(tx, company_id, document_id)?;
            Ok(tx.sales_document_upo(document_id)?)
        })
    }

    /// The invoice XML (FA(3)) of an issued document.
    pub fn invoice_xml(&self, company_id: i64, document_id: i64) -> Result<Option<Vec<u8>>> {
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            document_of(tx, company_id, document_id)?;
            Ok(tx.sales_document_xml(document_id)?)
        })
    }

    pub fn sales_settings(&self, company_id: i64) -> Result<SalesSettings> {
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            settings_in(tx, company_id)
        })
    }

    /// Saves the sales settings; pending end-of-day documents move to the new time.
    pub fn set_sales_settings(
        &self,
        company_id: i64,
        settings: &SalesSettings,
    ) -> Result<SalesSettings> {
        let now = self.clock().now();
        let mut problems = Vec::new();
        let eod = EndOfDay::parse(&settings.end_of_day_time);
        if eod.is_none() {
            problems.push(SalesProblem::EndOfDayTime {
                input: settings.end_of_day_time.clone(),
            });
        }
        let pattern = settings.series_pattern.trim();
        if !pattern.contains("{n}")
            || !pattern.contains("{YYYY}")
            || (settings.series_monthly && !pattern.contains("{MM}"))
        {
            problems.push(SalesProblem::SeriesPattern {
                input: settings.series_pattern.clone(),
            });
        }
        let Some(eod) = eod.filter(|_| problems.is_empty()) else {
            return Err(CoreError::InvalidSales(problems));
        };
        self.store().write_with(|tx| {
            let user = authorize_in(tx, now, company_id)?;
            tx.set_company_setting(
                company_id,
                EOD_ENABLED,
                if settings.end_of_day_enabled {
                    "1"
                } else {
                    "0"
                },
            )?;
            tx.set_company_setting(company_id, EOD_TIME, &eod.to_string())?;
            let series = tx.default_series(company_id, "VAT", pattern, settings.series_monthly)?;
            tx.update_series(series.id, pattern, settings.series_monthly)?;
            let correction = tx.default_series(
                company_id,
                "KOR",
                DEFAULT_CORRECTION_PATTERN,
                settings.series_monthly,
            )?;
            tx.update_series(correction.id, &correction.pattern, settings.series_monthly)?;
            let at = eod.today_at(now).filter(|at| *at > now).unwrap_or(now);
            tx.reschedule_end_of_day(company_id, at, now)?;
            tx.append_audit(&desk_store::NewAuditEntry {
                at: now,
                user_id: Some(user),
                company_id: Some(company_id),
                action: "sales.settings",
                detail: &format!(
                    "eod={} time={eod} pattern={pattern}",
                    settings.end_of_day_enabled
                ),
            })?;
            settings_in(tx, company_id)
        })
    }

    /// Seeds the demo sales of `company_id` (200 documents in every state) in one
    /// transaction; does nothing if the company has sales documents already.
    pub fn seed_demo_sales(&self, company_id: i64) -> Result<bool> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            let company = tx.company(company_id)?;
            demo::seed_sales(tx, &company, now)
        })
    }
}

/// The demo seed's sales part, inside the transaction that creates the demo company.
pub(crate) fn seed_demo_sales_in(
    tx: &Tx<'_>,
    company: &desk_store::Company,
    now: Timestamp,
) -> Result<bool> {
    demo::seed_sales(tx, company, now)
}

impl Desk {
    pub fn sales_overview(&self, company_id: i64) -> Result<SalesOverview> {
        let now = self.clock().now();
        let today = today_in_poland(now);
        self.store().read_with(|tx| {
            authorize_reader(tx, now, company_id)?;
            let settings = settings_in(tx, company_id)?;
            let next_end_of_day = if settings.end_of_day_enabled {
                EndOfDay::parse(&settings.end_of_day_time).and_then(|e| e.next_after(now))
            } else {
                None
            };
            let open = tx.open_outbox(company_id)?;
            let mut waiting = 0;
            let mut late = Vec::new();
            for entry in &open {
                let document = tx.sales_document(entry.sales_document_id)?;
                if document.send_mode == Some(SendMode::EndOfDay) && entry.not_before > now {
                    waiting += 1;
                }
                if is_late(&document, today) {
                    late.push(document.id);
                }
            }
            let issued = tx.list_sales(
                company_id,
                &SalesQuery {
                    statuses: vec![SalesStatus::Issued],
                    limit: 1000,
                    ..SalesQuery::default()
                },
            )?;
            let mut at_risk_today = Vec::new();
            for document in issued.rows {
                if document.issue_date == Some(today) {
                    at_risk_today.push(document.id);
                } else if is_late(&document, today) {
                    late.push(document.id);
                }
            }
            Ok(SalesOverview {
                settings,
                next_end_of_day,
                waiting_for_end_of_day: waiting,
                at_risk_today,
                late,
                last_catch_up: tx
                    .company_setting(company_id, EOD_LAST_CATCH_UP)?
                    .as_deref()
                    .and_then(CatchUp::parse),
            })
        })
    }
}

/// The current user's id if they may work on the company's sales.
fn authorize_in(tx: &Tx<'_>, now: Timestamp, company_id: i64) -> Result<i64> {
    Ok(authorize(tx, now, company_id, Role::Sales)?.id)
}

/// Sales documents are read by the sales team and the accountant.
fn authorize_reader(tx: &Tx<'_>, now: Timestamp, company_id: i64) -> Result<()> {
    authorize_any(tx, now, company_id, &[Role::Sales, Role::Accounting]).map(|_| ())
}

/// A document of `company_id` (another company's id is "not found", never a leak).
fn document_of(tx: &Tx<'_>, company_id: i64, id: i64) -> Result<SalesDocument> {
    let document = tx.sales_document(id)?;
    if document.company_id != company_id {
        return Err(CoreError::NotFound {
            entity: "sales document",
            id,
        });
    }
    Ok(document)
}

fn wrong_state(document: &SalesDocument, action: &'static str) -> CoreError {
    CoreError::WrongDocumentState {
        id: document.id,
        status: document.status.as_str(),
        action,
    }
}

fn is_late(document: &SalesDocument, today: NaiveDate) -> bool {
    matches!(
        document.status,
        SalesStatus::Issued | SalesStatus::Queued | SalesStatus::Sending
    ) && document.issue_date.is_some_and(|d| d < today)
}

pub(crate) fn event(
    tx: &Tx<'_>,
    document_id: i64,
    at: Timestamp,
    kind: &str,
    ksef_operation: Option<&str>,
    outcome: &str,
    detail: Option<&str>,
) -> desk_store::Result<()> {
    tx.append_document_event(
        document_id,
        &NewDocumentEvent {
            at,
            kind,
            ksef_operation,
            outcome,
            detail,
        },
    )
}

fn settings_in(tx: &Tx<'_>, company_id: i64) -> Result<SalesSettings> {
    let series = tx.default_series(company_id, "VAT", DEFAULT_PATTERN, true)?;
    Ok(SalesSettings {
        end_of_day_enabled: tx
            .company_setting(company_id, EOD_ENABLED)?
            .is_some_and(|v| v == "1"),
        end_of_day_time: tx
            .company_setting(company_id, EOD_TIME)?
            .unwrap_or_else(|| DEFAULT_EOD_TIME.to_owned()),
        series_pattern: series.pattern,
        series_monthly: series.monthly,
    })
}

fn format_number(pattern: &str, n: i64, date: NaiveDate) -> String {
    pattern
        .replace("{n}", &n.to_string())
        .replace("{MM}", &date.format("%m").to_string())
        .replace("{YYYY}", &date.format("%Y").to_string())
}

/// The fa3 findings that stop issuing. Warnings (e.g. an invoice issued after the
/// statutory deadline) describe a legal invoice that must still go out, so they
/// never refuse it.
fn rule_problems(invoice: &fa3::Invoice) -> Vec<SalesProblem> {
    fa3::validate_for_sending(invoice)
        .into_iter()
        .filter(fa3::Finding::blocks_sending)
        .map(|f| SalesProblem::Rule {
            code: f.code,
            path: f.path,
            pl: f.message_pl,
            en: f.message_en,
        })
        .collect()
}

/// Grosze of an amount (the store keeps integers); out-of-range values saturate.
pub(crate) fn minor(amount: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (amount * Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(i64::MAX)
}

fn validate_contractor(input: &ContractorInput) -> Result<NewContractor> {
    let mut problems = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        problems.push(SalesProblem::ContractorNameEmpty);
    }
    let nip = match input.nip.trim() {
        "" => None,
        typed => match Nip::parse(typed) {
            Ok(nip) => Some(nip.into_string()),
            Err(error) => {
                problems.push(SalesProblem::ContractorNip(error));
                None
            }
        },
    };
    let eu = input
        .eu_vat_id
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let eu_vat_id = if eu.is_empty() {
        None
    } else if let Some(problem) = draft::eu_vat_problem(&eu) {
        problems.push(problem);
        None
    } else {
        Some(eu)
    };
    if !problems.is_empty() {
        return Err(CoreError::InvalidSales(problems));
    }
    let country = input.country_code.trim().to_ascii_uppercase();
    Ok(NewContractor {
        nip,
        eu_vat_id: eu_vat_id.clone(),
        name: name.to_owned(),
        address_line1: input.address_line1.trim().to_owned(),
        address_line2: input.address_line2.trim().to_owned(),
        country_code: match (country.is_empty(), &eu_vat_id) {
            (false, _) => country,
            (true, Some(eu)) => eu.chars().take(2).collect(),
            (true, None) => "PL".into(),
        },
        email: Some(input.email.trim().to_owned()).filter(|e| !e.is_empty()),
        trusted: false,
    })
}
