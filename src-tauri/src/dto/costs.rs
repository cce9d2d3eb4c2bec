//! The costs inbox across IPC: pages of costs, one cost's workflow panel, the
//! workflow forms and retrieval status. Dates travel as `YYYY-MM-DD`, instants as
//! RFC 3339, amounts as integer minor units (grosze).

use desk_core::{
    ContentState, CostDescriptionInput, CostDetail, CostFilter, CostFlag, CostInboxCounts,
    CostPayment, CostQuery, CostRow, CostSort, CostStage, CostStep, CostSyncPhase,
    CostSyncProgress, CostSyncReport, CostSyncStatus, PaymentInput, PaymentMethod, RateAmount,
};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CostStageDto {
    New,
    Described,
    AwaitingApproval,
    Approved,
    Rejected,
    PartiallyPaid,
    Paid,
}

impl From<CostStage> for CostStageDto {
    fn from(stage: CostStage) -> CostStageDto {
        match stage {
            CostStage::New => CostStageDto::New,
            CostStage::Described => CostStageDto::Described,
            CostStage::AwaitingApproval => CostStageDto::AwaitingApproval,
            CostStage::Approved => CostStageDto::Approved,
            CostStage::Rejected => CostStageDto::Rejected,
            CostStage::PartiallyPaid => CostStageDto::PartiallyPaid,
            CostStage::Paid => CostStageDto::Paid,
        }
    }
}

impl From<CostStageDto> for CostStage {
    fn from(stage: CostStageDto) -> CostStage {
        match stage {
            CostStageDto::New => CostStage::New,
            CostStageDto::Described => CostStage::Described,
            CostStageDto::AwaitingApproval => CostStage::AwaitingApproval,
            CostStageDto::Approved => CostStage::Approved,
            CostStageDto::Rejected => CostStage::Rejected,
            CostStageDto::PartiallyPaid => CostStage::PartiallyPaid,
            CostStageDto::Paid => CostStage::Paid,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CostFlagDto {
    UnknownSupplier,
    FirstInvoice,
    NewBankAccount,
    Unreadable,
    Overdue,
    DueSoon,
}

impl From<CostFlagDto> for CostFlag {
    fn from(flag: CostFlagDto) -> CostFlag {
        match flag {
            CostFlagDto::UnknownSupplier => CostFlag::UnknownSupplier,
            CostFlagDto::FirstInvoice => CostFlag::FirstInvoice,
            CostFlagDto::NewBankAccount => CostFlag::NewBankAccount,
            CostFlagDto::Unreadable => CostFlag::Unreadable,
            CostFlagDto::Overdue => CostFlag::Overdue,
            CostFlagDto::DueSoon => CostFlag::DueSoon,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CostSortDto {
    Received,
    DueDate,
    IssueDate,
    Amount,
}

impl From<CostSortDto> for CostSort {
    fn from(sort: CostSortDto) -> CostSort {
        match sort {
            CostSortDto::Received => CostSort::Received,
            CostSortDto::DueDate => CostSort::DueDate,
            CostSortDto::IssueDate => CostSort::IssueDate,
            CostSortDto::Amount => CostSort::Amount,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ContentStateDto {
    Pending,
    Parsed,
    Unreadable,
}

impl From<ContentState> for ContentStateDto {
    fn from(state: ContentState) -> ContentStateDto {
        match state {
            ContentState::Pending => ContentStateDto::Pending,
            ContentState::Parsed => ContentStateDto::Parsed,
            ContentState::Unreadable => ContentStateDto::Unreadable,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum PaymentMethodDto {
    Transfer,
    SplitPayment,
    Card,
    Cash,
    Other,
}

impl From<PaymentMethodDto> for PaymentMethod {
    fn from(method: PaymentMethodDto) -> PaymentMethod {
        match method {
            PaymentMethodDto::Transfer => PaymentMethod::Transfer,
            PaymentMethodDto::SplitPayment => PaymentMethod::SplitPayment,
            PaymentMethodDto::Card => PaymentMethod::Card,
            PaymentMethodDto::Cash => PaymentMethod::Cash,
            PaymentMethodDto::Other => PaymentMethod::Other,
        }
    }
}

impl From<PaymentMethod> for PaymentMethodDto {
    fn from(method: PaymentMethod) -> PaymentMethodDto {
        match method {
            PaymentMethod::Transfer => PaymentMethodDto::Transfer,
            PaymentMethod::SplitPayment => PaymentMethodDto::SplitPayment,
            PaymentMethod::Card => PaymentMethodDto::Card,
            PaymentMethod::Cash => PaymentMethodDto::Cash,
            PaymentMethod::Other => PaymentMethodDto::Other,
        }
    }
}

/// The inbox's filters, sort and page. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostQueryDto {
    pub stages: Vec<CostStageDto>,
    pub supplier_nip: Option<String>,
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    pub gross_min_minor: Option<i64>,
    pub gross_max_minor: Option<i64>,
    pub flags: Vec<CostFlagDto>,
    pub search: Option<String>,
    pub sort: CostSortDto,
    pub offset: u32,
    pub limit: u32,
}

impl CostQueryDto {
    pub fn into_query(self) -> desk_core::Result<CostQuery> {
        let date = |field, value: Option<String>| {
            value
                .filter(|v| !v.trim().is_empty())
                .map(|v| desk_core::parse_date(field, &v))
                .transpose()
        };
        Ok(CostQuery {
            filter: CostFilter {
                stages: self.stages.into_iter().map(Into::into).collect(),
                supplier_nip: self.supplier_nip.filter(|n| !n.is_empty()),
                issued_from: date("issued_from", self.issued_from)?,
                issued_to: date("issued_to", self.issued_to)?,
                due_from: date("due_from", self.due_from)?,
                due_to: date("due_to", self.due_to)?,
                gross_min: self.gross_min_minor,
                gross_max: self.gross_max_minor,
                flags: self.flags.into_iter().map(Into::into).collect(),
                search: None,
            },
            search: self.search,
            sort: self.sort.into(),
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// One cost as the inbox row and the workflow panel show it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostDto {
    pub id: i64,
    pub ksef_number: String,
    pub supplier_nip: Option<String>,
    pub supplier_name: String,
    pub number: String,
    pub invoice_kind: String,
    pub issue_date: Option<String>,
    pub sale_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
    pub paid_minor: i64,
    pub content: ContentStateDto,
    pub content_problem: Option<String>,
    pub download_error: Option<String>,
    pub bank_account: Option<String>,
    /// FA(3) payment form code (`1`..`7`) or the invoice's own description.
    pub payment_form: Option<String>,
    pub split_payment: bool,
    pub stage: CostStageDto,
    pub category: Option<String>,
    pub cost_centre: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub rejection_reason: Option<String>,
    pub received_at: String,
    pub supplier_trusted: bool,
    pub first_from_supplier: bool,
    pub new_bank_account: bool,
}

impl From<&CostRow> for CostDto {
    fn from(row: &CostRow) -> CostDto {
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        CostDto {
            id: row.id,
            ksef_number: row.ksef_number.clone(),
            supplier_nip: row.supplier_nip.clone(),
            supplier_name: row.supplier_name.clone(),
            number: row.number.clone(),
            invoice_kind: row.invoice_kind.clone(),
            issue_date: day(row.issue_date),
            sale_date: day(row.sale_date),
            due_date: day(row.due_date),
            currency: row.currency.clone(),
            net_minor: row.net_minor,
            vat_minor: row.vat_minor,
            gross_minor: row.gross_minor,
            paid_minor: row.paid_minor,
            content: row.content.into(),
            content_problem: row.content_problem.clone(),
            download_error: row.download_error.clone(),
            bank_account: row.bank_account.clone(),
            payment_form: row.payment_form.clone(),
            split_payment: row.split_payment,
            stage: row.stage.into(),
            category: row.category.clone(),
            cost_centre: row.cost_centre.clone(),
            note: row.note.clone(),
            tags: row.tags.clone(),
            rejection_reason: row.rejection_reason.clone(),
            received_at: row.received_at.to_rfc3339(),
            supplier_trusted: row.supplier_trusted,
            first_from_supplier: row.first_from_supplier,
            new_bank_account: row.new_bank_account,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostPageDto {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<CostDto>,
}

impl From<&desk_core::CostPage> for CostPageDto {
    fn from(page: &desk_core::CostPage) -> CostPageDto {
        CostPageDto {
            total: page.total,
            offset: page.offset,
            rows: page.rows.iter().map(CostDto::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RateAmountDto {
    pub rate: String,
    pub net_minor: i64,
    pub vat_minor: Option<i64>,
}

impl From<&RateAmount> for RateAmountDto {
    fn from(rate: &RateAmount) -> RateAmountDto {
        RateAmountDto {
            rate: rate.rate.clone(),
            net_minor: rate.net_minor,
            vat_minor: rate.vat_minor,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostStepDto {
    pub id: i64,
    pub at: String,
    pub user: Option<String>,
    /// `retrieved`, `downloaded`, `unreadable`, `describe`, `submit`, `approve`,
    /// `reject`, `pay`, `supplier_trusted`, `supplier_untrusted`.
    pub action: String,
    pub detail: String,
}

impl From<&CostStep> for CostStepDto {
    fn from(step: &CostStep) -> CostStepDto {
        CostStepDto {
            id: step.id,
            at: step.at.to_rfc3339(),
            user: step.user.clone(),
            action: step.action.clone(),
            detail: step.detail.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostPaymentDto {
    pub id: i64,
    pub paid_on: String,
    pub amount_minor: i64,
    pub method: PaymentMethodDto,
    pub reference: String,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
}

impl From<&CostPayment> for CostPaymentDto {
    fn from(payment: &CostPayment) -> CostPaymentDto {
        CostPaymentDto {
            id: payment.id,
            paid_on: payment.paid_on.format("%Y-%m-%d").to_string(),
            amount_minor: payment.amount_minor,
            method: payment.method.into(),
            reference: payment.reference.clone(),
            recorded_by: payment.recorded_by.clone(),
            recorded_at: payment.recorded_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostDetailDto {
    pub cost: CostDto,
    pub rates: Vec<RateAmountDto>,
    pub steps: Vec<CostStepDto>,
    pub payments: Vec<CostPaymentDto>,
    pub known_accounts: Vec<String>,
    /// Business-rule findings on the document, in the user's language.
    pub warnings: Vec<String>,
}

impl From<&CostDetail> for CostDetailDto {
    fn from(detail: &CostDetail) -> CostDetailDto {
        CostDetailDto {
            cost: CostDto::from(&detail.cost),
            rates: detail.rates.iter().map(RateAmountDto::from).collect(),
            steps: detail.steps.iter().map(CostStepDto::from).collect(),
            payments: detail.payments.iter().map(CostPaymentDto::from).collect(),
            known_accounts: detail.known_accounts.clone(),
            warnings: detail.warnings.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostInboxCountsDto {
    pub total: u32,
    pub to_describe: u32,
    pub awaiting_approval: u32,
    pub to_pay: u32,
    pub to_pay_minor: i64,
    pub overdue: u32,
    pub due_soon: u32,
    pub unknown_supplier: u32,
    pub unreadable: u32,
    pub pending_download: u32,
}

impl From<&CostInboxCounts> for CostInboxCountsDto {
    fn from(c: &CostInboxCounts) -> CostInboxCountsDto {
        CostInboxCountsDto {
            total: c.total,
            to_describe: c.to_describe,
            awaiting_approval: c.awaiting_approval,
            to_pay: c.to_pay,
            to_pay_minor: c.to_pay_minor,
            overdue: c.overdue,
            due_soon: c.due_soon,
            unknown_supplier: c.unknown_supplier,
            unreadable: c.unreadable,
            pending_download: c.pending_download,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostDescriptionDto {
    pub category: String,
    pub cost_centre: String,
    pub note: String,
    pub tags: Vec<String>,
}

impl From<CostDescriptionDto> for CostDescriptionInput {
    fn from(d: CostDescriptionDto) -> CostDescriptionInput {
        CostDescriptionInput {
            category: d.category,
            cost_centre: d.cost_centre,
            note: d.note,
            tags: d.tags,
        }
    }
}

/// A payment as typed: `amount` like `1 234,56`, `paidOn` as `YYYY-MM-DD`.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInputDto {
    pub paid_on: String,
    pub amount: String,
    pub method: PaymentMethodDto,
    pub reference: String,
}

impl From<PaymentInputDto> for PaymentInput {
    fn from(p: PaymentInputDto) -> PaymentInput {
        PaymentInput {
            paid_on: p.paid_on,
            amount: p.amount,
            method: p.method.into(),
            reference: p.reference,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CostSyncPhaseDto {
    Listing,
    Downloading,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostSyncProgressDto {
    pub phase: CostSyncPhaseDto,
    pub new_documents: u32,
    pub downloaded: u32,
    pub to_download: u32,
}

impl From<&CostSyncProgress> for CostSyncProgressDto {
    fn from(p: &CostSyncProgress) -> CostSyncProgressDto {
        CostSyncProgressDto {
            phase: match p.phase {
                CostSyncPhase::Listing => CostSyncPhaseDto::Listing,
                CostSyncPhase::Downloading => CostSyncPhaseDto::Downloading,
            },
            new_documents: p.new_documents,
            downloaded: p.downloaded,
            to_download: p.to_download,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostSyncStatusDto {
    pub running: Option<CostSyncProgressDto>,
    pub interval_minutes: u32,
    pub connected: bool,
    pub synced_up_to: Option<String>,
    pub last_run_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
}

impl From<&CostSyncStatus> for CostSyncStatusDto {
    fn from(s: &CostSyncStatus) -> CostSyncStatusDto {
        CostSyncStatusDto {
            running: s.running.as_ref().map(CostSyncProgressDto::from),
            interval_minutes: s.interval_minutes,
            connected: s.connected,
            synced_up_to: s.buyer.synced_up_to.map(|t| t.to_rfc3339()),
            last_run_at: s.buyer.last_run_at.map(|t| t.to_rfc3339()),
            last_success_at: s.buyer.last_success_at.map(|t| t.to_rfc3339()),
            last_error: s.buyer.last_error.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CostSyncReportDto {
    pub new_documents: u32,
    pub downloaded: u32,
    pub unreadable: u32,
    pub failed_downloads: u32,
}

impl From<&CostSyncReport> for CostSyncReportDto {
    fn from(r: &CostSyncReport) -> CostSyncReportDto {
        CostSyncReportDto {
            new_documents: r.new_documents,
            downloaded: r.downloaded,
            unreadable: r.unreadable,
            failed_downloads: r.failed_downloads,
        }
    }
}
