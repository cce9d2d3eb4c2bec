//! Cost documents: purchase invoices retrieved from KSeF, their workflow steps,
//! payments, per-rate amounts and the incremental-retrieval state.

use chrono::NaiveDate;
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};

use crate::{Result, StoreError, Timestamp, Tx};

/// The role the company plays on a retrieved invoice (KSeF's subject type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostSubject {
    /// Podmiot2: the company bought.
    Buyer,
    /// Podmiot3: the company is another party (payer, recipient, ...).
    ThirdParty,
    /// The company is the authorised subject.
    Authorized,
}

impl CostSubject {
    pub const ALL: [CostSubject; 3] = [
        CostSubject::Buyer,
        CostSubject::ThirdParty,
        CostSubject::Authorized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CostSubject::Buyer => "buyer",
            CostSubject::ThirdParty => "third_party",
            CostSubject::Authorized => "authorized",
        }
    }

    fn parse(value: String) -> rusqlite::Result<CostSubject> {
        CostSubject::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| invalid("cost_documents.subject_role", value))
    }
}

/// Whether the original XML is here and could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentState {
    /// Known from the metadata query; the XML is not downloaded yet.
    Pending,
    Parsed,
    /// Downloaded and kept, but it is not a readable FA(3) document.
    Unreadable,
}

impl ContentState {
    fn parse(value: String) -> rusqlite::Result<ContentState> {
        match value.as_str() {
            "pending" => Ok(ContentState::Pending),
            "parsed" => Ok(ContentState::Parsed),
            "unreadable" => Ok(ContentState::Unreadable),
            _ => Err(invalid("cost_documents.content_state", value)),
        }
    }
}

/// Where a cost stands, as stored (see the 0004 migration for the columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostStage {
    New,
    Described,
    AwaitingApproval,
    Approved,
    Rejected,
    PartiallyPaid,
    Paid,
}

impl CostStage {
    pub const ALL: [CostStage; 7] = [
        CostStage::New,
        CostStage::Described,
        CostStage::AwaitingApproval,
        CostStage::Approved,
        CostStage::Rejected,
        CostStage::PartiallyPaid,
        CostStage::Paid,
    ];

    fn condition(self) -> &'static str {
        match self {
            CostStage::New => "d.status = 'new'",
            CostStage::Described => "(d.status = 'described' AND d.submitted_at IS NULL)",
            CostStage::AwaitingApproval => {
                "(d.status = 'described' AND d.submitted_at IS NOT NULL)"
            }
            CostStage::Approved => "(d.status = 'approved' AND d.paid_minor = 0)",
            CostStage::Rejected => "d.status = 'rejected'",
            CostStage::PartiallyPaid => "(d.status = 'approved' AND d.paid_minor > 0)",
            CostStage::Paid => "d.status = 'paid'",
        }
    }

    fn from_columns(
        status: String,
        submitted: bool,
        paid_minor: i64,
    ) -> rusqlite::Result<CostStage> {
        Ok(match (status.as_str(), submitted, paid_minor > 0) {
            ("new", _, _) => CostStage::New,
            ("described", false, _) => CostStage::Described,
            ("described", true, _) => CostStage::AwaitingApproval,
            ("approved", _, false) => CostStage::Approved,
            ("approved", _, true) => CostStage::PartiallyPaid,
            ("rejected", _, _) => CostStage::Rejected,
            ("paid", _, _) => CostStage::Paid,
            _ => return Err(invalid("cost_documents.status", status)),
        })
    }
}

/// What the metadata query tells about a new invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCostDocument {
    pub subject: CostSubject,
    pub ksef_number: String,
    pub supplier_nip: Option<String>,
    pub supplier_name: String,
    pub number: String,
    pub issue_date: Option<NaiveDate>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
    pub invoice_kind: String,
    pub invoice_hash: Option<String>,
    pub invoicing_at: Option<Timestamp>,
    pub permanent_storage_at: Option<Timestamp>,
    pub search_text: String,
}

/// Amounts of one VAT rate (`rate` as the invoice labels it, e.g. `23`, `zw`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateAmount {
    pub rate: String,
    pub net_minor: i64,
    pub vat_minor: Option<i64>,
}

/// What the parsed XML adds to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostContent {
    pub supplier_name: String,
    pub number: String,
    pub issue_date: NaiveDate,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
    pub rates: Vec<RateAmount>,
    pub bank_account: Option<String>,
    pub payment_form: Option<String>,
    pub split_payment: bool,
    pub new_bank_account: bool,
    pub search_text: String,
}

/// One cost document with its supplier's trust and the stored warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRow {
    pub id: i64,
    pub company_id: i64,
    pub contractor_id: Option<i64>,
    pub subject: CostSubject,
    pub ksef_number: String,
    pub supplier_nip: Option<String>,
    pub supplier_name: String,
    pub number: String,
    pub invoice_kind: String,
    pub issue_date: Option<NaiveDate>,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
    pub paid_minor: i64,
    pub content: ContentState,
    pub content_problem: Option<String>,
    pub download_error: Option<String>,
    pub bank_account: Option<String>,
    pub payment_form: Option<String>,
    pub split_payment: bool,
    pub stage: CostStage,
    pub category: Option<String>,
    pub cost_centre: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub rejection_reason: Option<String>,
    pub submitted_at: Option<Timestamp>,
    pub approved_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub received_at: Timestamp,
    pub permanent_storage_at: Option<Timestamp>,
    pub supplier_trusted: bool,
    pub first_from_supplier: bool,
    pub new_bank_account: bool,
}

/// A description of a cost (the "described" step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostDescription {
    pub category: String,
    pub cost_centre: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Transfer,
    SplitPayment,
    Card,
    Cash,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Transfer,
        PaymentMethod::SplitPayment,
        PaymentMethod::Card,
        PaymentMethod::Cash,
        PaymentMethod::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::SplitPayment => "split_payment",
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Other => "other",
        }
    }

    fn parse(value: String) -> rusqlite::Result<PaymentMethod> {
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == value)
            .ok_or_else(|| invalid("cost_payments.method", value))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCostPayment {
    pub paid_on: NaiveDate,
    pub amount_minor: i64,
    pub method: PaymentMethod,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostPayment {
    pub id: i64,
    pub paid_on: NaiveDate,
    pub amount_minor: i64,
    pub method: PaymentMethod,
    pub reference: String,
    pub recorded_by: Option<String>,
    pub recorded_at: Timestamp,
}

/// One recorded workflow step; `user` is the display name of who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostStep {
    pub id: i64,
    pub at: Timestamp,
    pub user: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Warnings and states the inbox can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostFlag {
    UnknownSupplier,
    FirstInvoice,
    NewBankAccount,
    Unreadable,
    Overdue,
    DueSoon,
}

/// The inbox's filters; every set field narrows the result (flags: all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostFilter {
    pub stages: Vec<CostStage>,
    pub supplier_nip: Option<String>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub gross_min: Option<i64>,
    pub gross_max: Option<i64>,
    pub flags: Vec<CostFlag>,
    /// Already folded the way `search_text` is (lower case, no diacritics).
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostSort {
    /// Newest retrieved first.
    #[default]
    Received,
    /// Earliest due first; no due date last.
    DueDate,
    /// Newest issued first.
    IssueDate,
    /// Largest first.
    Amount,
}

impl CostSort {
    fn order_by(self) -> &'static str {
        match self {
            CostSort::Received => "d.id DESC",
            CostSort::DueDate => "d.due_date IS NULL, d.due_date, d.id",
            CostSort::IssueDate => "d.issue_date DESC, d.id DESC",
            CostSort::Amount => "d.gross_total_minor DESC, d.id DESC",
        }
    }
}

/// The counts above the inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostInboxCounts {
    pub total: u32,
    pub to_describe: u32,
    pub awaiting_approval: u32,
    /// Approved or partially paid: to pay.
    pub to_pay: u32,
    pub to_pay_minor: i64,
    pub overdue: u32,
    pub due_soon: u32,
    pub unknown_supplier: u32,
    pub unreadable: u32,
    pub pending_download: u32,
}

/// Where the retrieval of one subject role stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSyncState {
    pub subject: CostSubject,
    pub synced_up_to: Option<Timestamp>,
    pub last_run_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

const ROW_COLUMNS: &str = "d.id, d.company_id, d.contractor_id, d.subject_role, d.ksef_number,
    d.supplier_nip, d.supplier_name, d.number, d.invoice_kind, d.issue_date, d.sale_date,
    d.due_date, d.currency, d.net_total_minor, d.vat_total_minor, d.gross_total_minor,
    d.paid_minor, d.content_state, d.content_problem, d.download_error, d.bank_account,
    d.payment_form, d.split_payment, d.status, d.submitted_at, d.category, d.cost_centre,
    d.description, d.tags, d.rejection_reason, d.approved_at, d.paid_at, d.received_at,
    d.permanent_storage_at, COALESCE(k.trusted, 0), d.first_from_supplier, d.new_bank_account";

const FROM: &str =
    "FROM cost_documents d LEFT JOIN contractors k ON k.id = d.contractor_id WHERE d.company_id = ?";

impl Tx<'_> {
    /// Stores a document the metadata query reported, unless the company has it
    /// already (KSeF number): `Some(id)` when it is new. The supplier becomes a
    /// contractor (untrusted) on first sight.
    pub fn insert_cost_document(
        &self,
        company_id: i64,
        new: &NewCostDocument,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let known = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM cost_documents WHERE company_id = ?1 AND ksef_number = ?2",
            )?
            .query_row(params![company_id, new.ksef_number], |_| Ok(()))
            .optional()?
            .is_some();
        if known {
            return Ok(None);
        }
        let (contractor_id, first) = match &new.supplier_nip {
            Some(nip) => {
                let id = self.ensure_supplier(company_id, nip, &new.supplier_name, now)?;
                let earlier = self
                    .tx
                    .prepare_cached(
                        "SELECT 1 FROM cost_documents
                         WHERE company_id = ?1 AND supplier_nip = ?2 LIMIT 1",
                    )?
                    .query_row(params![company_id, nip], |_| Ok(()))
                    .optional()?
                    .is_some();
                (Some(id), !earlier)
            }
            None => (None, false),
        };
        self.tx
            .prepare_cached(
                "INSERT INTO cost_documents
                   (company_id, contractor_id, ksef_number, supplier_nip, supplier_name, number,
                    issue_date, currency, net_total_minor, vat_total_minor, gross_total_minor,
                    status, received_at, subject_role, invoice_kind, invoice_hash, invoicing_at,
                    permanent_storage_at, first_from_supplier, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'new', ?12, ?13, ?14, ?15,
                         ?16, ?17, ?18, ?19)",
            )?
            .execute(params![
                company_id,
                contractor_id,
                new.ksef_number,
                new.supplier_nip,
                new.supplier_name,
                new.number,
                new.issue_date,
                new.currency,
                new.net_minor,
                new.vat_minor,
                new.gross_minor,
                now,
                new.subject.as_str(),
                new.invoice_kind,
                new.invoice_hash,
                new.invoicing_at,
                new.permanent_storage_at,
                first,
                new.search_text,
            ])?;
        Ok(Some(self.tx.last_insert_rowid()))
    }

    /// The supplier contractor with this NIP, created untrusted when missing.
    fn ensure_supplier(
        &self,
        company_id: i64,
        nip: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let existing = self
            .tx
            .prepare_cached("SELECT id FROM contractors WHERE company_id = ?1 AND nip = ?2")?
            .query_row(params![company_id, nip], |row| row.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let name = if name.trim().is_empty() { nip } else { name };
        self.tx
            .prepare_cached(
                "INSERT INTO contractors (company_id, nip, name, trusted, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 0, ?4, ?4)",
            )?
            .execute(params![company_id, nip, name, now])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Documents after `after_id` whose XML is still to be downloaded, oldest first,
    /// skipping those that failed `max_attempts` times.
    pub fn costs_awaiting_content(
        &self,
        company_id: i64,
        max_attempts: u32,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, ksef_number FROM cost_documents
             WHERE company_id = ?1 AND content_state = 'pending' AND download_attempts < ?2
               AND id > ?3
             ORDER BY id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![company_id, max_attempts, after_id, limit], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps the downloaded original and what was read from it.
    pub fn store_cost_content(&self, id: i64, xml: &[u8], content: &CostContent) -> Result<()> {
        let changed = self.tx.prepare_cached(
            "UPDATE cost_documents SET xml = ?2, content_state = 'parsed', content_problem = NULL,
                download_error = NULL, supplier_name = ?3, number = ?4, issue_date = ?5,
                sale_date = ?6, due_date = ?7, currency = ?8, net_total_minor = ?9,
                vat_total_minor = ?10, gross_total_minor = ?11, bank_account = ?12,
                payment_form = ?13, split_payment = ?14, new_bank_account = ?15, search_text = ?16
             WHERE id = ?1 AND content_state = 'pending'",
        )?
        .execute(params![
            id,
            xml,
            content.supplier_name,
            content.number,
            content.issue_date,
            content.sale_date,
            content.due_date,
            content.currency,
            content.net_minor,
            content.vat_minor,
            content.gross_minor,
            content.bank_account,
            content.payment_form,
            content.split_payment,
            content.new_bank_account,
            content.search_text,
        ])?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                entity: "pending cost document",
                id,
            });
        }
        let mut insert = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO cost_document_rates (cost_document_id, rate, net_minor, vat_minor)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for rate in &content.rates {
            insert.execute(params![id, rate.rate, rate.net_minor, rate.vat_minor])?;
        }
        Ok(())
    }

    /// Keeps a downloaded original that could not be read, with the reason.
    pub fn store_cost_unreadable(&self, id: i64, xml: &[u8], problem: &str) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE cost_documents SET xml = ?2, content_state = 'unreadable',
                content_problem = ?3, download_error = NULL
             WHERE id = ?1 AND content_state = 'pending'",
            params![id, xml, problem],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                entity: "pending cost document",
                id,
            });
        }
        Ok(())
    }

    /// Counts a failed download of this document and keeps the reason.
    pub fn record_cost_download_failure(&self, id: i64, error: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE cost_documents SET download_attempts = download_attempts + 1,
                download_error = ?2
             WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    pub fn cost_document(&self, company_id: i64, id: i64) -> Result<CostRow> {
        self.tx
            .query_row(
                &format!("SELECT {ROW_COLUMNS} {FROM} AND d.id = ?"),
                params![company_id, id],
                cost_from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                entity: "cost document",
                id,
            })
    }

    pub fn cost_by_ksef_number(&self, company_id: i64, ksef_number: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id FROM cost_documents WHERE company_id = ?1 AND ksef_number = ?2",
                params![company_id, ksef_number],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The original XML, if downloaded.
    pub fn cost_xml(&self, company_id: i64, id: i64) -> Result<Option<Vec<u8>>> {
        self.tx
            .query_row(
                "SELECT xml FROM cost_documents WHERE company_id = ?1 AND id = ?2",
                params![company_id, id],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound {
                entity: "cost document",
                id,
            })
    }

    pub fn cost_rates(&self, id: i64) -> Result<Vec<RateAmount>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT rate, net_minor, vat_minor FROM cost_document_rates
             WHERE cost_document_id = ?1 ORDER BY rate",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(RateAmount {
                rate: row.get(0)?,
                net_minor: row.get(1)?,
                vat_minor: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One page of the inbox.
    pub fn list_costs(
        &self,
        company_id: i64,
        filter: &CostFilter,
        today: NaiveDate,
        sort: CostSort,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<CostRow>> {
        let (condition, mut values) = filter_sql(filter, today);
        values.insert(0, Box::new(company_id));
        values.push(Box::new(limit));
        values.push(Box::new(offset));
        let sql = format!(
            "SELECT {ROW_COLUMNS} {FROM}{condition} ORDER BY {} LIMIT ? OFFSET ?",
            sort.order_by()
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(values.iter()), cost_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn count_costs(
        &self,
        company_id: i64,
        filter: &CostFilter,
        today: NaiveDate,
    ) -> Result<u32> {
        let (condition, mut values) = filter_sql(filter, today);
        values.insert(0, Box::new(company_id));
        let sql = format!("SELECT count(*) {FROM}{condition}");
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row(params_from_iter(values.iter()), |row| row.get(0))?)
    }

    pub fn cost_inbox_counts(&self, company_id: i64, today: NaiveDate) -> Result<CostInboxCounts> {
        let soon = soon_after(today);
        Ok(self.tx.query_row(
            "SELECT count(*),
                    coalesce(sum(d.status = 'new'), 0),
                    coalesce(sum(d.status = 'described' AND d.submitted_at IS NOT NULL), 0),
                    coalesce(sum(d.status = 'approved'), 0),
                    coalesce(sum(CASE WHEN d.status = 'approved'
                                      THEN d.gross_total_minor - d.paid_minor END), 0),
                    coalesce(sum(d.status NOT IN ('paid', 'rejected') AND d.due_date < ?2), 0),
                    coalesce(sum(d.status NOT IN ('paid', 'rejected')
                                 AND d.due_date >= ?2 AND d.due_date <= ?3), 0),
                    coalesce(sum(coalesce(k.trusted, 0) = 0), 0),
                    coalesce(sum(d.content_state = 'unreadable'), 0),
                    coalesce(sum(d.content_state = 'pending'), 0)
             FROM cost_documents d LEFT JOIN contractors k ON k.id = d.contractor_id
             WHERE d.company_id = ?1",
            params![company_id, today, soon],
            |row| {
                Ok(CostInboxCounts {
                    total: row.get(0)?,
                    to_describe: row.get(1)?,
                    awaiting_approval: row.get(2)?,
                    to_pay: row.get(3)?,
                    to_pay_minor: row.get(4)?,
                    overdue: row.get(5)?,
                    due_soon: row.get(6)?,
                    unknown_supplier: row.get(7)?,
                    unreadable: row.get(8)?,
                    pending_download: row.get(9)?,
                })
            },
        )?)
    }

    /// Sets the description and makes the cost "described" (again): a rejected
    /// cost returns to the workflow this way.
    pub fn describe_cost(
        &self,
        id: i64,
        description: &CostDescription,
        search_text: &str,
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE cost_documents SET status = 'described', submitted_at = NULL,
                rejection_reason = NULL, category = ?2, cost_centre = ?3, description = ?4,
                tags = ?5, search_text = ?6
             WHERE id = ?1",
            params![
                id,
                description.category,
                description.cost_centre,
                description.note,
                description.tags.join(","),
                search_text
            ],
        )?;
        Ok(())
    }

    pub fn submit_cost(&self, id: i64, at: Timestamp) -> Result<()> {
        self.tx.execute(
            "UPDATE cost_documents SET submitted_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    pub fn approve_cost(&self, id: i64, user_id: i64, at: Timestamp) -> Result<()> {
        self.tx.execute(
            "UPDATE cost_documents SET status = 'approved', approved_by = ?2, approved_at = ?3
             WHERE id = ?1",
            params![id, user_id, at],
        )?;
        Ok(())
    }

    pub fn reject_cost(&self, id: i64, reason: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE cost_documents SET status = 'rejected', rejection_reason = ?2 WHERE id = ?1",
            params![id, reason],
        )?;
        Ok(())
    }

    /// Records a payment; the cost becomes paid when `fully_paid`.
    pub fn add_cost_payment(
        &self,
        id: i64,
        payment: &NewCostPayment,
        user_id: i64,
        at: Timestamp,
        fully_paid: bool,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO cost_payments
               (cost_document_id, paid_on, amount_minor, method, reference, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                payment.paid_on,
                payment.amount_minor,
                payment.method.as_str(),
                payment.reference,
                user_id,
                at
            ],
        )?;
        self.tx.execute(
            "UPDATE cost_documents SET paid_minor = paid_minor + ?2,
                status = CASE WHEN ?3 THEN 'paid' ELSE status END,
                paid_at = CASE WHEN ?3 THEN ?4 ELSE paid_at END
             WHERE id = ?1",
            params![id, payment.amount_minor, fully_paid, at],
        )?;
        Ok(())
    }

    pub fn cost_payments(&self, id: i64) -> Result<Vec<CostPayment>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT p.id, p.paid_on, p.amount_minor, p.method, p.reference, u.display_name,
                    p.recorded_at
             FROM cost_payments p LEFT JOIN users u ON u.id = p.recorded_by
             WHERE p.cost_document_id = ?1 ORDER BY p.id",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(CostPayment {
                id: row.get(0)?,
                paid_on: row.get(1)?,
                amount_minor: row.get(2)?,
                method: PaymentMethod::parse(row.get(3)?)?,
                reference: row.get(4)?,
                recorded_by: row.get(5)?,
                recorded_at: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn append_cost_step(
        &self,
        id: i64,
        at: Timestamp,
        user_id: Option<i64>,
        action: &str,
        detail: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO cost_steps (cost_document_id, at, user_id, action, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, at, user_id, action, detail])?;
        Ok(())
    }

    pub fn cost_steps(&self, id: i64) -> Result<Vec<CostStep>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT s.id, s.at, u.display_name, s.action, s.detail
             FROM cost_steps s LEFT JOIN users u ON u.id = s.user_id
             WHERE s.cost_document_id = ?1 ORDER BY s.id",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(CostStep {
                id: row.get(0)?,
                at: row.get(1)?,
                user: row.get(2)?,
                action: row.get(3)?,
                detail: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_contractor_trusted(
        &self,
        company_id: i64,
        contractor_id: i64,
        trusted: bool,
        now: Timestamp,
    ) -> Result<()> {
        let changed = self.tx.execute(
            "UPDATE contractors SET trusted = ?3, updated_at = ?4 WHERE company_id = ?1 AND id = ?2",
            params![company_id, contractor_id, trusted, now],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                entity: "contractor",
                id: contractor_id,
            });
        }
        Ok(())
    }

    pub fn contractor_bank_accounts(&self, contractor_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT account FROM contractor_bank_accounts WHERE contractor_id = ?1
             ORDER BY first_seen_at, account",
        )?;
        let rows = stmt.query_map([contractor_id], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a known account of a contractor (already known: nothing changes).
    pub fn add_contractor_bank_account(
        &self,
        contractor_id: i64,
        account: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO contractor_bank_accounts (contractor_id, account, first_seen_at)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![contractor_id, account, now])?;
        Ok(())
    }

    pub fn cost_sync_state(&self, company_id: i64, subject: CostSubject) -> Result<CostSyncState> {
        Ok(self
            .tx
            .query_row(
                "SELECT synced_up_to, last_run_at, last_success_at, last_error
                 FROM cost_sync_state WHERE company_id = ?1 AND subject = ?2",
                params![company_id, subject.as_str()],
                |row| {
                    Ok(CostSyncState {
                        subject,
                        synced_up_to: row.get(0)?,
                        last_run_at: row.get(1)?,
                        last_success_at: row.get(2)?,
                        last_error: row.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(CostSyncState {
                subject,
                synced_up_to: None,
                last_run_at: None,
                last_success_at: None,
                last_error: None,
            }))
    }

    /// Moves the retrieval point; call it in the transaction that stored the
    /// documents up to it.
    pub fn set_cost_synced_up_to(
        &self,
        company_id: i64,
        subject: CostSubject,
        up_to: Timestamp,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO cost_sync_state (company_id, subject, synced_up_to) VALUES (?1, ?2, ?3)
                 ON CONFLICT (company_id, subject) DO UPDATE SET synced_up_to = excluded.synced_up_to",
            )?
            .execute(params![company_id, subject.as_str(), up_to])?;
        Ok(())
    }

    /// Records how a run ended: `error` is `None` on success.
    pub fn record_cost_sync_run(
        &self,
        company_id: i64,
        subject: CostSubject,
        at: Timestamp,
        error: Option<&str>,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO cost_sync_state (company_id, subject, last_run_at, last_success_at, last_error)
             VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN ?3 END, ?4)
             ON CONFLICT (company_id, subject) DO UPDATE SET
                last_run_at = excluded.last_run_at,
                last_success_at = coalesce(excluded.last_success_at, last_success_at),
                last_error = excluded.last_error",
            params![company_id, subject.as_str(), at, error],
        )?;
        Ok(())
    }
}

fn soon_after(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(chrono::Days::new(3))
        .unwrap_or(today)
}

fn filter_sql(filter: &CostFilter, today: NaiveDate) -> (String, Vec<Box<dyn ToSql>>) {
    let mut sql = String::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    if !filter.stages.is_empty() {
        let any: Vec<&str> = filter.stages.iter().map(|s| s.condition()).collect();
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    let mut bound = |sql: &mut String, clause: &str, value: Box<dyn ToSql>| {
        sql.push_str(clause);
        values.push(value);
    };
    if let Some(nip) = &filter.supplier_nip {
        bound(&mut sql, " AND d.supplier_nip = ?", Box::new(nip.clone()));
    }
    if let Some(from) = filter.issued_from {
        bound(&mut sql, " AND d.issue_date >= ?", Box::new(from));
    }
    if let Some(to) = filter.issued_to {
        bound(&mut sql, " AND d.issue_date <= ?", Box::new(to));
    }
    if let Some(from) = filter.due_from {
        bound(&mut sql, " AND d.due_date >= ?", Box::new(from));
    }
    if let Some(to) = filter.due_to {
        bound(&mut sql, " AND d.due_date <= ?", Box::new(to));
    }
    if let Some(min) = filter.gross_min {
        bound(&mut sql, " AND d.gross_total_minor >= ?", Box::new(min));
    }
    if let Some(max) = filter.gross_max {
        bound(&mut sql, " AND d.gross_total_minor <= ?", Box::new(max));
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        let escaped = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        bound(
            &mut sql,
            " AND d.search_text LIKE ? ESCAPE '\\'",
            Box::new(format!("%{escaped}%")),
        );
    }
    for flag in &filter.flags {
        match flag {
            CostFlag::UnknownSupplier => sql.push_str(" AND coalesce(k.trusted, 0) = 0"),
            CostFlag::FirstInvoice => sql.push_str(" AND d.first_from_supplier = 1"),
            CostFlag::NewBankAccount => sql.push_str(" AND d.new_bank_account = 1"),
            CostFlag::Unreadable => sql.push_str(" AND d.content_state = 'unreadable'"),
            CostFlag::Overdue => bound(
                &mut sql,
                " AND d.status NOT IN ('paid', 'rejected') AND d.due_date < ?",
                Box::new(today),
            ),
            CostFlag::DueSoon => {
                bound(
                    &mut sql,
                    " AND d.status NOT IN ('paid', 'rejected') AND d.due_date >= ?",
                    Box::new(today),
                );
                bound(
                    &mut sql,
                    " AND d.due_date <= ?",
                    Box::new(soon_after(today)),
                );
            }
        }
    }
    (sql, values)
}

fn invalid(column: &'static str, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(StoreError::InvalidColumn { column, value }),
    )
}

fn cost_from_row(row: &Row<'_>) -> rusqlite::Result<CostRow> {
    let tags: String = row.get(28)?;
    Ok(CostRow {
        id: row.get(0)?,
        company_id: row.get(1)?,
        contractor_id: row.get(2)?,
        subject: CostSubject::parse(row.get(3)?)?,
        ksef_number: row.get(4)?,
        supplier_nip: row.get(5)?,
        supplier_name: row.get(6)?,
        number: row.get(7)?,
        invoice_kind: row.get(8)?,
        issue_date: row.get(9)?,
        sale_date: row.get(10)?,
        due_date: row.get(11)?,
        currency: row.get(12)?,
        net_minor: row.get(13)?,
        vat_minor: row.get(14)?,
        gross_minor: row.get(15)?,
        paid_minor: row.get(16)?,
        content: ContentState::parse(row.get(17)?)?,
        content_problem: row.get(18)?,
        download_error: row.get(19)?,
        bank_account: row.get(20)?,
        payment_form: row.get(21)?,
        split_payment: row.get(22)?,
        stage: CostStage::from_columns(
            row.get(23)?,
            row.get::<_, Option<Timestamp>>(24)?.is_some(),
            row.get(16)?,
        )?,
        submitted_at: row.get(24)?,
        category: row.get(25)?,
        cost_centre: row.get(26)?,
        note: row.get(27)?,
        tags: tags
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        rejection_reason: row.get(29)?,
        approved_at: row.get(30)?,
        paid_at: row.get(31)?,
        received_at: row.get(32)?,
        permanent_storage_at: row.get(33)?,
        supplier_trusted: row.get(34)?,
        first_from_supplier: row.get(35)?,
        new_bank_account: row.get(36)?,
    })
}
