//! Sales documents, their numbering, communication history and sending outbox.

use chrono::NaiveDate;
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Row};

use crate::{Result, StoreError, Timestamp, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SalesStatus {
    Draft,
    Issued,
    Queued,
    Sending,
    Accepted,
    Rejected,
}

impl SalesStatus {
    pub const ALL: [SalesStatus; 6] = [
        SalesStatus::Draft,
        SalesStatus::Issued,
        SalesStatus::Queued,
        SalesStatus::Sending,
        SalesStatus::Accepted,
        SalesStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SalesStatus::Draft => "draft",
            SalesStatus::Issued => "issued",
            SalesStatus::Queued => "queued",
            SalesStatus::Sending => "sending",
            SalesStatus::Accepted => "accepted",
            SalesStatus::Rejected => "rejected",
        }
    }

    fn parse(value: String) -> rusqlite::Result<SalesStatus> {
        SalesStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| invalid("sales_documents.status", value))
    }
}

/// When the user wants a document sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    Now,
    EndOfDay,
}

impl SendMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SendMode::Now => "now",
            SendMode::EndOfDay => "end_of_day",
        }
    }

    fn parse(value: String) -> rusqlite::Result<SendMode> {
        match value.as_str() {
            "now" => Ok(SendMode::Now),
            "end_of_day" => Ok(SendMode::EndOfDay),
            _ => Err(invalid("sales_documents.send_mode", value)),
        }
    }
}

fn invalid(column: &'static str, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(StoreError::InvalidColumn { column, value }),
    )
}

/// What a draft save writes: the form as typed plus the columns the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub kind: String,
    pub contractor_id: Option<i64>,
    pub buyer_name: String,
    pub buyer_nip: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: String,
    pub net_total_minor: i64,
    pub vat_total_minor: i64,
    pub gross_total_minor: i64,
    pub draft_json: String,
    pub corrects_id: Option<i64>,
    pub search_text: String,
}

/// What issuing fixes for good: the number, the XML and its KSeF hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRow<'a> {
    pub series_id: i64,
    pub number: &'a str,
    pub issue_date: NaiveDate,
    pub xml: &'a [u8],
    pub invoice_hash: &'a str,
    pub net_total_minor: i64,
    pub vat_total_minor: i64,
    pub gross_total_minor: i64,
    pub search_text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesDocument {
    pub id: i64,
    pub company_id: i64,
    pub contractor_id: Option<i64>,
    pub number: Option<String>,
    pub kind: String,
    pub status: SalesStatus,
    pub issue_date: Option<NaiveDate>,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: String,
    pub net_total_minor: i64,
    pub vat_total_minor: i64,
    pub gross_total_minor: i64,
    pub draft_json: Option<String>,
    pub invoice_hash: Option<String>,
    pub ksef_number: Option<String>,
    pub ksef_accepted_at: Option<Timestamp>,
    pub upo_received_at: Option<Timestamp>,
    pub rejection_code: Option<i64>,
    pub rejection_message: Option<String>,
    pub corrects_id: Option<i64>,
    pub buyer_name: String,
    pub buyer_nip: Option<String>,
    pub send_mode: Option<SendMode>,
    pub offline_mode: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const DOCUMENT_COLUMNS: &str = "id, company_id, contractor_id, number, kind, status, issue_date,
    sale_date, due_date, currency, net_total_minor, vat_total_minor, gross_total_minor,
    draft_json, invoice_hash, ksef_number, ksef_accepted_at, upo_received_at, rejection_code,
    rejection_message, corrects_id, buyer_name, buyer_nip, send_mode, offline_mode,
    created_at, updated_at";

fn document_from_row(row: &Row<'_>) -> rusqlite::Result<SalesDocument> {
    Ok(SalesDocument {
        id: row.get(0)?,
        company_id: row.get(1)?,
        contractor_id: row.get(2)?,
        number: row.get(3)?,
        kind: row.get(4)?,
        status: SalesStatus::parse(row.get(5)?)?,
        issue_date: row.get(6)?,
        sale_date: row.get(7)?,
        due_date: row.get(8)?,
        currency: row.get(9)?,
        net_total_minor: row.get(10)?,
        vat_total_minor: row.get(11)?,
        gross_total_minor: row.get(12)?,
        draft_json: row.get(13)?,
        invoice_hash: row.get(14)?,
        ksef_number: row.get(15)?,
        ksef_accepted_at: row.get(16)?,
        upo_received_at: row.get(17)?,
        rejection_code: row.get(18)?,
        rejection_message: row.get(19)?,
        corrects_id: row.get(20)?,
        buyer_name: row.get(21)?,
        buyer_nip: row.get(22)?,
        send_mode: row
            .get::<_, Option<String>>(23)?
            .map(SendMode::parse)
            .transpose()?,
        offline_mode: row.get(24)?,
        created_at: row.get(25)?,
        updated_at: row.get(26)?,
    })
}

/// One step of a document's communication history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocumentEvent<'a> {
    pub at: Timestamp,
    /// What happened, e.g. `issued`, `ksef.send`, `accepted`.
    pub kind: &'a str,
    /// The KSeF operation called, if any (`sessions.online.send`, ...).
    pub ksef_operation: Option<&'a str>,
    /// `ok`, `error`, `retry`, `info`.
    pub outcome: &'a str,
    /// References, codes and KSeF's text; never a token or an invoice body.
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentEvent {
    pub id: i64,
    pub at: Timestamp,
    pub kind: String,
    pub ksef_operation: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// A document's place in the sending outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub sales_document_id: i64,
    pub company_id: i64,
    pub state: OutboxState,
    pub not_before: Timestamp,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The session the invoice was (or is about to be) sent in; written before the call.
    pub session_reference: Option<String>,
    /// KSeF's reference of the sent invoice; written as soon as KSeF answers.
    pub invoice_reference: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    InFlight,
    Done,
    Failed,
}

impl OutboxState {
    fn parse(value: String) -> rusqlite::Result<OutboxState> {
        match value.as_str() {
            "pending" => Ok(OutboxState::Pending),
            "in_flight" => Ok(OutboxState::InFlight),
            "done" => Ok(OutboxState::Done),
            "failed" => Ok(OutboxState::Failed),
            _ => Err(invalid("outbox.state", value)),
        }
    }
}

fn outbox_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.get(0)?,
        sales_document_id: row.get(1)?,
        company_id: row.get(2)?,
        state: OutboxState::parse(row.get(3)?)?,
        not_before: row.get(4)?,
        attempts: row.get(5)?,
        last_error: row.get(6)?,
        session_reference: row.get(7)?,
        invoice_reference: row.get(8)?,
    })
}

const OUTBOX_SELECT: &str = "SELECT o.id, o.sales_document_id, d.company_id, o.state,
    o.not_before, o.attempts, o.last_error, o.session_reference, o.invoice_reference
    FROM outbox o JOIN sales_documents d ON d.id = o.sales_document_id";

/// A numbering series: `pattern` with `{n}`, `{MM}`, `{YYYY}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberingSeries {
    pub id: i64,
    pub company_id: i64,
    pub kind: String,
    pub pattern: String,
    pub monthly: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesSort {
    IssueDate,
    Number,
    Buyer,
    Gross,
    Status,
    Updated,
}

/// Filters, search and sort of the sales list; one page of `limit` rows from `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesQuery {
    pub statuses: Vec<SalesStatus>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    pub contractor_id: Option<i64>,
    pub min_gross_minor: Option<i64>,
    pub max_gross_minor: Option<i64>,
    /// Already folded the way `search_text` is (lower case, no diacritics).
    pub text: Option<String>,
    pub sort: SalesSort,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

impl Default for SalesQuery {
    fn default() -> Self {
        SalesQuery {
            statuses: Vec::new(),
            issued_from: None,
            issued_to: None,
            contractor_id: None,
            min_gross_minor: None,
            max_gross_minor: None,
            text: None,
            sort: SalesSort::Updated,
            descending: true,
            offset: 0,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesPage {
    pub rows: Vec<SalesDocument>,
    /// Every document matching the filters, for the scroll height.
    pub total: u32,
}

impl Tx<'_> {
    pub fn insert_sales_draft(
        &self,
        company_id: i64,
        row: &DraftRow,
        now: Timestamp,
    ) -> Result<SalesDocument> {
        self.tx.execute(
            "INSERT INTO sales_documents
               (company_id, contractor_id, kind, status, issue_date, sale_date, due_date,
                currency, net_total_minor, vat_total_minor, gross_total_minor, draft_json,
                corrects_id, buyer_name, buyer_nip, search_text, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                     ?16, ?16)",
            params![
                company_id,
                row.contractor_id,
                row.kind,
                row.issue_date,
                row.sale_date,
                row.due_date,
                row.currency,
                row.net_total_minor,
                row.vat_total_minor,
                row.gross_total_minor,
                row.draft_json,
                row.corrects_id,
                row.buyer_name,
                row.buyer_nip,
                row.search_text,
                now
            ],
        )?;
        self.sales_document(self.tx.last_insert_rowid())
    }

    /// Overwrites a draft; `false` (nothing written) when the document is no longer one.
    pub fn update_sales_draft(&self, id: i64, row: &DraftRow, now: Timestamp) -> Result<bool> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET contractor_id = ?2, issue_date = ?3, sale_date = ?4,
                due_date = ?5, currency = ?6, net_total_minor = ?7, vat_total_minor = ?8,
                gross_total_minor = ?9, draft_json = ?10, buyer_name = ?11, buyer_nip = ?12,
                search_text = ?13, updated_at = ?14
             WHERE id = ?1 AND status = 'draft'",
            params![
                id,
                row.contractor_id,
                row.issue_date,
                row.sale_date,
                row.due_date,
                row.currency,
                row.net_total_minor,
                row.vat_total_minor,
                row.gross_total_minor,
                row.draft_json,
                row.buyer_name,
                row.buyer_nip,
                row.search_text,
                now
            ],
        )?;
        Ok(changed == 1)
    }

    /// Deletes a draft (never a document that was issued).
    pub fn delete_sales_draft(&self, id: i64) -> Result<bool> {
        Ok(self.tx.execute(
            "DELETE FROM sales_documents WHERE id = ?1 AND status = 'draft'",
            [id],
        )? == 1)
    }

    pub fn sales_document(&self, id: i64) -> Result<SalesDocument> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {DOCUMENT_COLUMNS} FROM sales_documents WHERE id = ?1"
            ))?
            .query_row([id], document_from_row)
            .optional()?
            .ok_or(StoreError::NotFound {
                entity: "sales document",
                id,
            })
    }

    pub fn sales_document_xml(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tx
            .query_row("SELECT xml FROM sales_documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    pub fn sales_document_upo(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tx
            .query_row(
                "SELECT upo_xml FROM sales_documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The corrections issued for `id`, oldest first.
    pub fn corrections_of(&self, id: i64) -> Result<Vec<SalesDocument>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM sales_documents WHERE corrects_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([id], document_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The company's default series for `kind`, created with `pattern` on first need.
    pub fn default_series(
        &self,
        company_id: i64,
        kind: &str,
        pattern: &str,
        monthly: bool,
    ) -> Result<NumberingSeries> {
        let found = self
            .tx
            .query_row(
                "SELECT id, company_id, kind, pattern, reset FROM numbering_series
                 WHERE company_id = ?1 AND kind = ?2 AND is_default = 1",
                params![company_id, kind],
                series_from_row,
            )
            .optional()?;
        if let Some(series) = found {
            return Ok(series);
        }
        self.tx.execute(
            "INSERT INTO numbering_series (company_id, kind, pattern, reset, is_default)
             VALUES (?1, ?2, ?3, ?4, 1)",
            params![
                company_id,
                kind,
                pattern,
                if monthly { "monthly" } else { "yearly" }
            ],
        )?;
        Ok(NumberingSeries {
            id: self.tx.last_insert_rowid(),
            company_id,
            kind: kind.to_owned(),
            pattern: pattern.to_owned(),
            monthly,
        })
    }

    pub fn update_series(&self, id: i64, pattern: &str, monthly: bool) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE numbering_series SET pattern = ?2, reset = ?3 WHERE id = ?1",
            params![id, pattern, if monthly { "monthly" } else { "yearly" }],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                entity: "numbering series",
                id,
            });
        }
        Ok(())
    }

    /// Hands out the next number of `series_id` in `period` (e.g. `2026-11` or `2026`).
    /// Called in the transaction that issues the document, so a failed issue gives the
    /// number back and two writers never get the same one.
    pub fn next_in_series(&self, series_id: i64, period: &str) -> Result<i64> {
        Ok(self.tx.query_row(
            "INSERT INTO numbering_counters (series_id, period, last) VALUES (?1, ?2, 1)
             ON CONFLICT (series_id, period) DO UPDATE SET last = last + 1
             RETURNING last",
            params![series_id, period],
            |r| r.get(0),
        )?)
    }

    /// Fixes number, XML and hash of a draft: it becomes `issued`.
    pub fn mark_issued(&self, id: i64, issued: &IssuedRow<'_>, now: Timestamp) -> Result<()> {
        let changed = self
            .tx
            .execute(
                "UPDATE sales_documents SET status = 'issued', series_id = ?2, number = ?3,
                    issue_date = ?4, xml = ?5, invoice_hash = ?6, net_total_minor = ?7,
                    vat_total_minor = ?8, gross_total_minor = ?9, search_text = ?10,
                    updated_at = ?11
                 WHERE id = ?1 AND status = 'draft'",
                params![
                    id,
                    issued.series_id,
                    issued.number,
                    issued.issue_date,
                    issued.xml,
                    issued.invoice_hash,
                    issued.net_total_minor,
                    issued.vat_total_minor,
                    issued.gross_total_minor,
                    issued.search_text,
                    now
                ],
            )
            .map_err(StoreError::unique(
                "sales document",
                issued.number.to_owned(),
            ))?;
        expect_one(changed, id)
    }

    /// Queues an issued document: its status and its outbox row in one transaction.
    pub fn queue_sales_document(
        &self,
        id: i64,
        mode: SendMode,
        not_before: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET status = 'queued', send_mode = ?2, updated_at = ?3
             WHERE id = ?1 AND status = 'issued'",
            params![id, mode.as_str(), now],
        )?;
        expect_one(changed, id)?;
        self.tx.execute(
            "INSERT INTO outbox (sales_document_id, state, not_before, created_at, updated_at)
             VALUES (?1, 'pending', ?2, ?3, ?3)",
            params![id, not_before, now],
        )?;
        Ok(())
    }

    pub fn set_sales_status(&self, id: i64, status: SalesStatus, now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET status = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, status.as_str(), now],
        )?;
        expect_one(changed, id)
    }

    pub fn set_offline_mode(&self, id: i64, offline: bool) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET offline_mode = ?2 WHERE id = ?1",
            params![id, offline],
        )?;
        expect_one(changed, id)
    }

    pub fn mark_accepted(
        &self,
        id: i64,
        ksef_number: &str,
        accepted_at: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self
            .tx
            .execute(
                "UPDATE sales_documents SET status = 'accepted', ksef_number = ?2,
                    ksef_accepted_at = ?3, rejection_code = NULL, rejection_message = NULL,
                    search_text = search_text || ' ' || lower(?2), updated_at = ?4
                 WHERE id = ?1",
                params![id, ksef_number, accepted_at, now],
            )
            .map_err(StoreError::unique("KSeF number", ksef_number.to_owned()))?;
        expect_one(changed, id)
    }

    pub fn mark_rejected(&self, id: i64, code: i64, message: &str, now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET status = 'rejected', rejection_code = ?2,
                rejection_message = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, code, message, now],
        )?;
        expect_one(changed, id)
    }

    pub fn store_upo(&self, id: i64, xml: &[u8], now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE sales_documents SET upo_xml = ?2, upo_received_at = ?3, updated_at = ?3
             WHERE id = ?1",
            params![id, xml, now],
        )?;
        expect_one(changed, id)
    }

    pub fn append_document_event(
        &self,
        sales_document_id: i64,
        event: &NewDocumentEvent<'_>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO document_events
                   (sales_document_id, at, kind, ksef_operation, outcome, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                sales_document_id,
                event.at,
                event.kind,
                event.ksef_operation,
                event.outcome,
                event.detail
            ])?;
        Ok(())
    }

    /// A document's history, oldest first.
    pub fn document_events(&self, sales_document_id: i64) -> Result<Vec<DocumentEvent>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, at, kind, ksef_operation, outcome, detail FROM document_events
             WHERE sales_document_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([sales_document_id], |r| {
            Ok(DocumentEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                ksef_operation: r.get(3)?,
                outcome: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Outbox rows due now, pending or in flight (an interrupted send), oldest first.
    pub fn due_outbox(&self, now: Timestamp) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{OUTBOX_SELECT} WHERE o.state IN ('pending', 'in_flight') AND o.not_before <= ?1
             ORDER BY o.not_before, o.id"
        ))?;
        let rows = stmt.query_map([now], outbox_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every outbox row not finished yet (pending or in flight), oldest first.
    pub fn open_outbox(&self, company_id: i64) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{OUTBOX_SELECT} WHERE d.company_id = ?1 AND o.state IN ('pending', 'in_flight')
             ORDER BY o.not_before, o.id"
        ))?;
        let rows = stmt.query_map([company_id], outbox_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn outbox_for_document(&self, sales_document_id: i64) -> Result<Option<OutboxEntry>> {
        Ok(self
            .tx
            .prepare_cached(&format!("{OUTBOX_SELECT} WHERE o.sales_document_id = ?1"))?
            .query_row([sales_document_id], outbox_from_row)
            .optional()?)
    }

    /// Records, before the HTTP call, which session the invoice is about to be sent in.
    pub fn outbox_in_flight(&self, id: i64, session_reference: &str, now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = 'in_flight', session_reference = ?2,
                invoice_reference = NULL, attempts = attempts + 1, updated_at = ?3
             WHERE id = ?1",
            params![id, session_reference, now],
        )?;
        expect_one(changed, id)
    }

    /// Records KSeF's reference of the sent invoice (and its session, which differs
    /// from ours when KSeF points at the original of a duplicate).
    pub fn outbox_sent(
        &self,
        id: i64,
        session_reference: &str,
        invoice_reference: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = 'in_flight', session_reference = ?2,
                invoice_reference = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, session_reference, invoice_reference, now],
        )?;
        expect_one(changed, id)
    }

    /// Puts an interrupted or failed attempt back in the queue for `not_before`.
    pub fn outbox_retry(
        &self,
        id: i64,
        not_before: Timestamp,
        error: &str,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = CASE WHEN session_reference IS NULL THEN 'pending'
                    ELSE state END,
                not_before = ?2, last_error = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, not_before, error, now],
        )?;
        expect_one(changed, id)
    }

    /// Forgets a session the invoice is known not to be in, so the next attempt sends.
    pub fn outbox_reset(&self, id: i64, now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = 'pending', session_reference = NULL,
                invoice_reference = NULL, updated_at = ?2
             WHERE id = ?1",
            params![id, now],
        )?;
        expect_one(changed, id)
    }

    pub fn outbox_finish(&self, id: i64, failed: Option<&str>, now: Timestamp) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE outbox SET state = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1",
            params![
                id,
                if failed.is_some() { "failed" } else { "done" },
                failed,
                now
            ],
        )?;
        expect_one(changed, id)
    }

    /// Moves every pending end-of-day row of a company to `not_before` (the
    /// end-of-day time changed).
    pub fn reschedule_end_of_day(
        &self,
        company_id: i64,
        not_before: Timestamp,
        now: Timestamp,
    ) -> Result<usize> {
        Ok(self.tx.execute(
            "UPDATE outbox SET not_before = ?2, updated_at = ?3
             WHERE state = 'pending' AND sales_document_id IN
               (SELECT id FROM sales_documents WHERE company_id = ?1 AND send_mode = 'end_of_day')",
            params![company_id, not_before, now],
        )?)
    }

    pub fn company_setting(&self, company_id: i64, key: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM company_settings WHERE company_id = ?1 AND key = ?2",
                params![company_id, key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_company_setting(&self, company_id: i64, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO company_settings (company_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (company_id, key) DO UPDATE SET value = excluded.value",
            params![company_id, key, value],
        )?;
        Ok(())
    }

    /// Whether the company has any sales document (the demo seed runs once).
    pub fn has_sales_documents(&self, company_id: i64) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sales_documents WHERE company_id = ?1)",
            [company_id],
            |r| r.get(0),
        )?)
    }

    /// One page of the sales list and the number of all matching documents.
    pub fn list_sales(&self, company_id: i64, query: &SalesQuery) -> Result<SalesPage> {
        let mut filter = String::from("company_id = ?");
        let mut args: Vec<Value> = vec![Value::Integer(company_id)];
        if !query.statuses.is_empty() {
            filter.push_str(" AND status IN (");
            for (i, status) in query.statuses.iter().enumerate() {
                filter.push_str(if i == 0 { "?" } else { ", ?" });
                args.push(Value::Text(status.as_str().to_owned()));
            }
            filter.push(')');
        }
        if let Some(from) = query.issued_from {
            filter.push_str(" AND issue_date >= ?");
            args.push(Value::Text(from.to_string()));
        }
        if let Some(to) = query.issued_to {
            filter.push_str(" AND issue_date <= ?");
            args.push(Value::Text(to.to_string()));
        }
        if let Some(contractor) = query.contractor_id {
            filter.push_str(" AND contractor_id = ?");
            args.push(Value::Integer(contractor));
        }
        if let Some(min) = query.min_gross_minor {
            filter.push_str(" AND gross_total_minor >= ?");
            args.push(Value::Integer(min));
        }
        if let Some(max) = query.max_gross_minor {
            filter.push_str(" AND gross_total_minor <= ?");
            args.push(Value::Integer(max));
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            for word in text.split_whitespace() {
                // The trigram index needs three characters; shorter words scan.
                if word.chars().count() >= 3 {
                    filter.push_str(
                        " AND id IN (SELECT rowid FROM sales_search WHERE sales_search MATCH ?)",
                    );
                    args.push(Value::Text(format!("\"{}\"", word.replace('"', "\"\""))));
                } else {
                    filter.push_str(" AND search_text LIKE ? ESCAPE '\\'");
                    let escaped = word
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    args.push(Value::Text(format!("%{escaped}%")));
                }
            }
        }
        let total: u32 = self.tx.query_row(
            &format!("SELECT count(*) FROM sales_documents WHERE {filter}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let column = match query.sort {
            SalesSort::IssueDate => "issue_date",
            SalesSort::Number => "number",
            SalesSort::Buyer => "buyer_name COLLATE NOCASE",
            SalesSort::Gross => "gross_total_minor",
            SalesSort::Status => "status",
            SalesSort::Updated => "updated_at",
        };
        let direction = if query.descending { "DESC" } else { "ASC" };
        args.push(Value::Integer(i64::from(query.limit.min(1000))));
        args.push(Value::Integer(i64::from(query.offset)));
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM sales_documents WHERE {filter}
             ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), document_from_row)?;
        Ok(SalesPage {
            rows: rows.collect::<rusqlite::Result<_>>()?,
            total,
        })
    }
}

fn series_from_row(row: &Row<'_>) -> rusqlite::Result<NumberingSeries> {
    Ok(NumberingSeries {
        id: row.get(0)?,
        company_id: row.get(1)?,
        kind: row.get(2)?,
        pattern: row.get(3)?,
        monthly: row.get::<_, String>(4)? == "monthly",
    })
}

fn expect_one(changed: usize, id: i64) -> Result<()> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            entity: "sales document",
            id,
        })
    }
}
