//! Sales across IPC: amounts of the list are grosze (integers), amounts of totals
//! are decimal strings, dates `YYYY-MM-DD`, instants RFC 3339.

use chrono::NaiveDate;
use desk_core::sales::UpoSummary;
use desk_core::{
    CatchUp, ContractorInput, CoreError, DocumentEvent, DraftLine, DraftTotals, InvoiceDraft,
    SalesDetail, SalesDocument, SalesOverview, SalesPage, SalesProblem, SalesQuery, SalesSettings,
    SalesSort, SalesStatus, SendMode,
};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SalesStatusDto {
    Draft,
    Issued,
    Queued,
    Sending,
    Accepted,
    Rejected,
}

impl From<SalesStatus> for SalesStatusDto {
    fn from(status: SalesStatus) -> SalesStatusDto {
        match status {
            SalesStatus::Draft => SalesStatusDto::Draft,
            SalesStatus::Issued => SalesStatusDto::Issued,
            SalesStatus::Queued => SalesStatusDto::Queued,
            SalesStatus::Sending => SalesStatusDto::Sending,
            SalesStatus::Accepted => SalesStatusDto::Accepted,
            SalesStatus::Rejected => SalesStatusDto::Rejected,
        }
    }
}

impl From<SalesStatusDto> for SalesStatus {
    fn from(status: SalesStatusDto) -> SalesStatus {
        match status {
            SalesStatusDto::Draft => SalesStatus::Draft,
            SalesStatusDto::Issued => SalesStatus::Issued,
            SalesStatusDto::Queued => SalesStatus::Queued,
            SalesStatusDto::Sending => SalesStatus::Sending,
            SalesStatusDto::Accepted => SalesStatus::Accepted,
            SalesStatusDto::Rejected => SalesStatus::Rejected,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SendModeDto {
    Now,
    EndOfDay,
}

impl From<SendModeDto> for SendMode {
    fn from(mode: SendModeDto) -> SendMode {
        match mode {
            SendModeDto::Now => SendMode::Now,
            SendModeDto::EndOfDay => SendMode::EndOfDay,
        }
    }
}

impl From<SendMode> for SendModeDto {
    fn from(mode: SendMode) -> SendModeDto {
        match mode {
            SendMode::Now => SendModeDto::Now,
            SendMode::EndOfDay => SendModeDto::EndOfDay,
        }
    }
}

/// A row of the sales list (and the head of a document).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesDocumentDto {
    pub id: i64,
    pub number: Option<String>,
    /// `VAT` or `KOR`.
    pub kind: String,
    pub status: SalesStatusDto,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub contractor_id: Option<i64>,
    pub buyer_name: String,
    pub buyer_nip: Option<String>,
    pub currency: String,
    pub net_minor: i64,
    pub vat_minor: i64,
    pub gross_minor: i64,
    pub ksef_number: Option<String>,
    pub accepted_at: Option<String>,
    pub upo_received_at: Option<String>,
    pub rejection_code: Option<i64>,
    pub rejection_message: Option<String>,
    pub corrects_id: Option<i64>,
    pub send_mode: Option<SendModeDto>,
    /// Sent after its issue date: KSeF's offline-mode rules applied.
    pub offline_mode: bool,
    pub updated_at: String,
}

impl From<SalesDocument> for SalesDocumentDto {
    fn from(d: SalesDocument) -> SalesDocumentDto {
        SalesDocumentDto {
            id: d.id,
            number: d.number,
            kind: d.kind,
            status: d.status.into(),
            issue_date: d.issue_date.map(|x| x.to_string()),
            due_date: d.due_date.map(|x| x.to_string()),
            contractor_id: d.contractor_id,
            buyer_name: d.buyer_name,
            buyer_nip: d.buyer_nip,
            currency: d.currency,
            net_minor: d.net_total_minor,
            vat_minor: d.vat_total_minor,
            gross_minor: d.gross_total_minor,
            ksef_number: d.ksef_number,
            accepted_at: d.ksef_accepted_at.map(|t| t.to_rfc3339()),
            upo_received_at: d.upo_received_at.map(|t| t.to_rfc3339()),
            rejection_code: d.rejection_code,
            rejection_message: d.rejection_message,
            corrects_id: d.corrects_id,
            send_mode: d.send_mode.map(Into::into),
            offline_mode: d.offline_mode,
            updated_at: d.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesPageDto {
    pub rows: Vec<SalesDocumentDto>,
    pub total: u32,
}

impl From<SalesPage> for SalesPageDto {
    fn from(page: SalesPage) -> SalesPageDto {
        SalesPageDto {
            rows: page.rows.into_iter().map(Into::into).collect(),
            total: page.total,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SalesSortDto {
    IssueDate,
    Number,
    Buyer,
    Gross,
    Status,
    Updated,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesQueryDto {
    pub statuses: Vec<SalesStatusDto>,
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub contractor_id: Option<i64>,
    pub min_gross_minor: Option<i64>,
    pub max_gross_minor: Option<i64>,
    pub text: Option<String>,
    pub sort: SalesSortDto,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

impl SalesQueryDto {
    pub fn into_query(self) -> Result<SalesQuery, CoreError> {
        let mut problems = Vec::new();
        let issued_from = date(self.issued_from, "issued_from", &mut problems);
        let issued_to = date(self.issued_to, "issued_to", &mut problems);
        if !problems.is_empty() {
            return Err(CoreError::InvalidSales(problems));
        }
        Ok(SalesQuery {
            statuses: self.statuses.into_iter().map(Into::into).collect(),
            issued_from,
            issued_to,
            contractor_id: self.contractor_id,
            min_gross_minor: self.min_gross_minor,
            max_gross_minor: self.max_gross_minor,
            text: self.text.filter(|t| !t.trim().is_empty()),
            sort: match self.sort {
                SalesSortDto::IssueDate => SalesSort::IssueDate,
                SalesSortDto::Number => SalesSort::Number,
                SalesSortDto::Buyer => SalesSort::Buyer,
                SalesSortDto::Gross => SalesSort::Gross,
                SalesSortDto::Status => SalesSort::Status,
                SalesSortDto::Updated => SalesSort::Updated,
            },
            descending: self.descending,
            offset: self.offset,
            limit: self.limit,
        })
    }
}

fn date(
    input: Option<String>,
    field: &'static str,
    problems: &mut Vec<SalesProblem>,
) -> Option<NaiveDate> {
    let input = input.filter(|s| !s.trim().is_empty())?;
    match NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            problems.push(SalesProblem::InvalidDate { field, input });
            None
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftLineDto {
    pub name: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price: String,
    pub rate: String,
}

/// The invoice form as typed (numbers stay text).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDraftDto {
    pub contractor_id: Option<i64>,
    pub issue_date: Option<String>,
    pub sale_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: String,
    pub exchange_rate: String,
    pub prices_gross: bool,
    pub lines: Vec<DraftLineDto>,
    pub bank_account: String,
    pub split_payment: bool,
    pub notes: String,
    pub correction_reason: String,
}

impl InvoiceDraftDto {
    pub fn into_draft(self) -> Result<InvoiceDraft, CoreError> {
        let mut problems = Vec::new();
        let issue_date = date(self.issue_date, "issue_date", &mut problems);
        let sale_date = date(self.sale_date, "sale_date", &mut problems);
        let due_date = date(self.due_date, "due_date", &mut problems);
        if !problems.is_empty() {
            return Err(CoreError::InvalidSales(problems));
        }
        Ok(InvoiceDraft {
            contractor_id: self.contractor_id,
            issue_date,
            sale_date,
            due_date,
            currency: self.currency,
            exchange_rate: self.exchange_rate,
            prices_gross: self.prices_gross,
            lines: self
                .lines
                .into_iter()
                .map(|l| DraftLine {
                    name: l.name,
                    unit: l.unit,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    rate: l.rate,
                })
                .collect(),
            bank_account: self.bank_account,
            split_payment: self.split_payment,
            notes: self.notes,
            correction_reason: self.correction_reason,
        })
    }
}

impl From<InvoiceDraft> for InvoiceDraftDto {
    fn from(d: InvoiceDraft) -> InvoiceDraftDto {
        InvoiceDraftDto {
            contractor_id: d.contractor_id,
            issue_date: d.issue_date.map(|x| x.to_string()),
            sale_date: d.sale_date.map(|x| x.to_string()),
            due_date: d.due_date.map(|x| x.to_string()),
            currency: d.currency,
            exchange_rate: d.exchange_rate,
            prices_gross: d.prices_gross,
            lines: d
                .lines
                .into_iter()
                .map(|l| DraftLineDto {
                    name: l.name,
                    unit: l.unit,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    rate: l.rate,
                })
                .collect(),
            bank_account: d.bank_account,
            split_payment: d.split_payment,
            notes: d.notes,
            correction_reason: d.correction_reason,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RateTotalDto {
    /// FA(3) rate code (`23`, `8`, `zw`, ...).
    pub rate: String,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TotalsDto {
    pub per_rate: Vec<RateTotalDto>,
    pub net: String,
    pub vat: String,
    pub gross: String,
}

impl From<DraftTotals> for TotalsDto {
    fn from(t: DraftTotals) -> TotalsDto {
        TotalsDto {
            per_rate: t
                .per_rate
                .into_iter()
                .map(|r| RateTotalDto {
                    rate: r.rate,
                    net: r.net.round_dp(2).to_string(),
                    vat: r.vat.round_dp(2).to_string(),
                    gross: r.gross.round_dp(2).to_string(),
                })
                .collect(),
            net: t.net.round_dp(2).to_string(),
            vat: t.vat.round_dp(2).to_string(),
            gross: t.gross.round_dp(2).to_string(),
        }
    }
}

/// One step of the communication history.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DocumentEventDto {
    pub at: String,
    pub kind: String,
    pub ksef_operation: Option<String>,
    /// `ok`, `error`, `retry`, `info`.
    pub outcome: String,
    pub detail: Option<String>,
}

impl From<DocumentEvent> for DocumentEventDto {
    fn from(e: DocumentEvent) -> DocumentEventDto {
        DocumentEventDto {
            at: e.at.to_rfc3339(),
            kind: e.kind,
            ksef_operation: e.ksef_operation,
            outcome: e.outcome,
            detail: e.detail,
        }
    }
}

/// The UPO in readable form.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpoDto {
    pub receiver: String,
    pub session_reference: String,
    pub seller_nip: String,
    pub ksef_number: String,
    pub invoice_number: String,
    pub issue_date: String,
    pub sent_at: String,
    pub numbered_at: String,
    pub document_hash: String,
    pub mode: String,
}

impl From<UpoSummary> for UpoDto {
    fn from(u: UpoSummary) -> UpoDto {
        UpoDto {
            receiver: u.receiver,
            session_reference: u.session_reference,
            seller_nip: u.seller_nip,
            ksef_number: u.ksef_number,
            invoice_number: u.invoice_number,
            issue_date: u.issue_date,
            sent_at: u.sent_at,
            numbered_at: u.numbered_at,
            document_hash: u.document_hash,
            mode: u.mode,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesDetailDto {
    pub document: SalesDocumentDto,
    pub draft: InvoiceDraftDto,
    pub totals: TotalsDto,
    pub events: Vec<DocumentEventDto>,
    pub corrections: Vec<SalesDocumentDto>,
    pub corrects: Option<SalesDocumentDto>,
    /// Not in KSeF yet and issued before today: offline-mode rules apply.
    pub late: bool,
    pub upo: Option<UpoDto>,
    /// Why the last sending attempt did not finish (in the user's language).
    pub outbox_error: Option<String>,
}

impl From<SalesDetail> for SalesDetailDto {
    fn from(d: SalesDetail) -> SalesDetailDto {
        SalesDetailDto {
            document: d.document.into(),
            draft: d.draft.into(),
            totals: d.totals.into(),
            events: d.events.into_iter().map(Into::into).collect(),
            corrections: d.corrections.into_iter().map(Into::into).collect(),
            corrects: d.corrects.map(Into::into),
            late: d.late,
            upo: d.upo.map(Into::into),
            outbox_error: d.outbox_error,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesSettingsDto {
    pub end_of_day_enabled: bool,
    /// `HH:MM`, Polish time.
    pub end_of_day_time: String,
    /// e.g. `FV/{n}/{MM}/{YYYY}`.
    pub series_pattern: String,
    pub series_monthly: bool,
}

impl From<SalesSettings> for SalesSettingsDto {
    fn from(s: SalesSettings) -> SalesSettingsDto {
        SalesSettingsDto {
            end_of_day_enabled: s.end_of_day_enabled,
            end_of_day_time: s.end_of_day_time,
            series_pattern: s.series_pattern,
            series_monthly: s.series_monthly,
        }
    }
}

impl From<SalesSettingsDto> for SalesSettings {
    fn from(s: SalesSettingsDto) -> SalesSettings {
        SalesSettings {
            end_of_day_enabled: s.end_of_day_enabled,
            end_of_day_time: s.end_of_day_time,
            series_pattern: s.series_pattern,
            series_monthly: s.series_monthly,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CatchUpDto {
    pub scheduled: String,
    pub ran: String,
    pub documents: u32,
}

impl From<CatchUp> for CatchUpDto {
    fn from(c: CatchUp) -> CatchUpDto {
        CatchUpDto {
            scheduled: c.scheduled,
            ran: c.ran,
            documents: c.documents,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SalesOverviewDto {
    pub settings: SalesSettingsDto,
    pub next_end_of_day: Option<String>,
    pub waiting_for_end_of_day: u32,
    /// Issued today but not queued: late (offline mode) unless sent today.
    pub at_risk_today: Vec<i64>,
    /// Not in KSeF yet and issued before today.
    pub late: Vec<i64>,
    pub last_catch_up: Option<CatchUpDto>,
}

impl From<SalesOverview> for SalesOverviewDto {
    fn from(o: SalesOverview) -> SalesOverviewDto {
        SalesOverviewDto {
            settings: o.settings.into(),
            next_end_of_day: o.next_end_of_day.map(|t| t.to_rfc3339()),
            waiting_for_end_of_day: o.waiting_for_end_of_day,
            at_risk_today: o.at_risk_today,
            late: o.late,
            last_catch_up: o.last_catch_up.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContractorInputDto {
    pub nip: String,
    pub eu_vat_id: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub country_code: String,
    pub email: String,
}

impl From<ContractorInputDto> for ContractorInput {
    fn from(c: ContractorInputDto) -> ContractorInput {
        ContractorInput {
            nip: c.nip,
            eu_vat_id: c.eu_vat_id,
            name: c.name,
            address_line1: c.address_line1,
            address_line2: c.address_line2,
            country_code: c.country_code,
            email: c.email,
        }
    }
}
