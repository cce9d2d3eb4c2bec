//! Costs (issue 8): the approval and payment inbox of purchase invoices.
//!
//! Documents arrive by themselves ([`crate::cost_sync`]); here the team works on
//! them. The workflow, each step recorded in `cost_steps` with who and when:
//!
//! ```text
//! new ──describe──▶ described ──submit──▶ awaiting approval ──approve──▶ approved
//!  ▲                   ▲                        │                         │ pay (part)
//!  │                   └──────describe──── rejected ◀──reject─────────────┘ ▼
//!                                                               partially paid ──pay──▶ paid
//! ```
//!
//! Roles (checked with [`authorize`] inside the transaction that changes the cost):
//! describing and submitting need [`Role::Costs`] (the person who knows what was
//! bought); approving, rejecting and marking a supplier trusted need
//! [`Role::Accounting`] (the control function; the app has no separate "approver"
//! role); recording a payment needs [`Role::Finance`]. Admin implies all.
//!
//! Contractor control: a cost from a supplier that is not on the company's trusted list
//! is flagged and approving it needs an explicit confirmation; the supplier's first
//! invoice and a bank account the supplier has not used before are warnings fixed when
//! the document arrives. An account becomes known when the supplier is first seen with
//! it, when someone marks the supplier trusted from that invoice, or when a payment to
//! it is recorded.

use chrono::NaiveDate;
use desk_store::{
    CostDescription, CostFilter, CostInboxCounts, CostPayment, CostRow, CostSort, CostStage,
    CostStep, NewCostPayment, PaymentMethod, RateAmount, Role, Tx,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::access::{authorize, authorize_any};

/// The inbox is read by whoever works it: describing, approving or paying.
const COST_READERS: &[Role] = &[Role::Costs, Role::Accounting, Role::Finance];
use crate::connection::InputProblem;
use crate::{CoreError, Desk, Locale, Result};

const MAX_CATEGORY: usize = 100;
const MAX_COST_CENTRE: usize = 100;
const MAX_NOTE: usize = 2000;
const MAX_TAG: usize = 40;
const MAX_TAGS: usize = 20;
const MAX_REASON: usize = 1000;
const MAX_REFERENCE: usize = 200;
/// The inbox asks for pages; more than this in one call is a programming error upstream.
const MAX_PAGE: u32 = 500;

/// What the inbox asks for: a filtered, sorted page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostQuery {
    pub filter: CostFilter,
    /// Typed by the user; folded here like the stored search text.
    pub search: Option<String>,
    pub sort: CostSort,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostPage {
    /// How many documents match the filter (the list's virtual length).
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<CostRow>,
}

/// Everything the workflow panel shows about one cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostDetail {
    pub cost: CostRow,
    pub rates: Vec<RateAmount>,
    pub steps: Vec<CostStep>,
    pub payments: Vec<CostPayment>,
    /// The supplier's accounts known before (to compare with this invoice's).
    pub known_accounts: Vec<String>,
    /// Business-rule findings on the received document (never a reason to drop it).
    pub warnings: Vec<String>,
}

/// The describe form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostDescriptionInput {
    pub category: String,
    pub cost_centre: String,
    pub note: String,
    pub tags: Vec<String>,
}

/// The payment form, as typed: `amount` in Polish or plain notation ("1 234,56").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub paid_on: String,
    pub amount: String,
    pub method: PaymentMethod,
    pub reference: String,
}

/// A workflow step the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostAction {
    Describe,
    Submit,
    Approve,
    Reject,
    Pay,
}

impl CostAction {
    pub fn code(self) -> &'static str {
        match self {
            CostAction::Describe => "describe",
            CostAction::Submit => "submit",
            CostAction::Approve => "approve",
            CostAction::Reject => "reject",
            CostAction::Pay => "pay",
        }
    }

    fn allowed_from(self) -> &'static [CostStage] {
        match self {
            CostAction::Describe => &[CostStage::New, CostStage::Described, CostStage::Rejected],
            CostAction::Submit => &[CostStage::Described],
            CostAction::Approve | CostAction::Reject => &[CostStage::AwaitingApproval],
            CostAction::Pay => &[CostStage::Approved, CostStage::PartiallyPaid],
        }
    }

    fn role(self) -> Role {
        match self {
            CostAction::Describe | CostAction::Submit => Role::Costs,
            CostAction::Approve | CostAction::Reject => Role::Accounting,
            CostAction::Pay => Role::Finance,
        }
    }

    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (CostAction::Describe, Locale::Pl) => "opisać",
            (CostAction::Describe, Locale::En) => "describe",
            (CostAction::Submit, Locale::Pl) => "przekazać do akceptacji",
            (CostAction::Submit, Locale::En) => "send for approval",
            (CostAction::Approve, Locale::Pl) => "zaakceptować",
            (CostAction::Approve, Locale::En) => "approve",
            (CostAction::Reject, Locale::Pl) => "odrzucić",
            (CostAction::Reject, Locale::En) => "reject",
            (CostAction::Pay, Locale::Pl) => "oznaczyć jako zapłacony",
            (CostAction::Pay, Locale::En) => "record a payment for",
        }
    }
}

pub(crate) fn stage_label(stage: CostStage, locale: Locale) -> &'static str {
    match (stage, locale) {
        (CostStage::New, Locale::Pl) => "nowy",
        (CostStage::New, Locale::En) => "new",
        (CostStage::Described, Locale::Pl) => "opisany",
        (CostStage::Described, Locale::En) => "described",
        (CostStage::AwaitingApproval, Locale::Pl) => "czeka na akceptację",
        (CostStage::AwaitingApproval, Locale::En) => "awaiting approval",
        (CostStage::Approved, Locale::Pl) => "zaakceptowany",
        (CostStage::Approved, Locale::En) => "approved",
        (CostStage::Rejected, Locale::Pl) => "odrzucony",
        (CostStage::Rejected, Locale::En) => "rejected",
        (CostStage::PartiallyPaid, Locale::Pl) => "częściowo zapłacony",
        (CostStage::PartiallyPaid, Locale::En) => "partially paid",
        (CostStage::Paid, Locale::Pl) => "zapłacony",
        (CostStage::Paid, Locale::En) => "paid",
    }
}

pub(crate) fn step_not_allowed_message(
    action: CostAction,
    stage: CostStage,
    locale: Locale,
) -> String {
    match locale {
        Locale::Pl => format!(
            "Nie można {} kosztu, który jest w stanie „{}”. Odśwież widok i sprawdź jego historię.",
            action.label(locale),
            stage_label(stage, locale)
        ),
        Locale::En => format!(
            "You cannot {} a cost that is {}. Refresh the view and check its history.",
            action.label(locale),
            stage_label(stage, locale)
        ),
    }
}

/// One wrong field of a costs form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CostInputProblem {
    CategoryEmpty,
    TooLong { field: &'static str, max: usize },
    TagInvalid { tag: String },
    TooManyTags,
    ReasonEmpty,
    AmountInvalid { input: String },
    AmountNotPositive,
    AmountAboveRemaining { remaining: String },
    DateInvalid { field: &'static str, input: String },
    SyncIntervalOutOfRange,
}

impl CostInputProblem {
    pub fn field(&self) -> &'static str {
        match self {
            CostInputProblem::CategoryEmpty => "category",
            CostInputProblem::TooLong { field, .. } => field,
            CostInputProblem::TagInvalid { .. } | CostInputProblem::TooManyTags => "tags",
            CostInputProblem::ReasonEmpty => "reason",
            CostInputProblem::AmountInvalid { .. }
            | CostInputProblem::AmountNotPositive
            | CostInputProblem::AmountAboveRemaining { .. } => "amount",
            CostInputProblem::DateInvalid { field, .. } => field,
            CostInputProblem::SyncIntervalOutOfRange => "interval",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CostInputProblem::CategoryEmpty => "category_empty",
            CostInputProblem::TooLong { .. } => "too_long",
            CostInputProblem::TagInvalid { .. } => "tag_invalid",
            CostInputProblem::TooManyTags => "too_many_tags",
            CostInputProblem::ReasonEmpty => "reason_empty",
            CostInputProblem::AmountInvalid { .. } => "amount_invalid",
            CostInputProblem::AmountNotPositive => "amount_not_positive",
            CostInputProblem::AmountAboveRemaining { .. } => "amount_above_remaining",
            CostInputProblem::DateInvalid { .. } => "date_invalid",
            CostInputProblem::SyncIntervalOutOfRange => "sync_interval_out_of_range",
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (CostInputProblem::CategoryEmpty, Locale::Pl) => {
                "Wybierz lub wpisz kategorię kosztu.".into()
            }
            (CostInputProblem::CategoryEmpty, Locale::En) => {
                "Choose or type the cost category.".into()
            }
            (CostInputProblem::TooLong { max, .. }, Locale::Pl) => {
                format!("Tekst jest za długi: najwyżej {max} znaków.")
            }
            (CostInputProblem::TooLong { max, .. }, Locale::En) => {
                format!("The text is too long: at most {max} characters.")
            }
            (CostInputProblem::TagInvalid { tag }, Locale::Pl) => {
                format!("Tag „{tag}” jest niepoprawny: bez przecinków, najwyżej {MAX_TAG} znaków.")
            }
            (CostInputProblem::TagInvalid { tag }, Locale::En) => {
                format!("The tag “{tag}” is invalid: no commas, at most {MAX_TAG} characters.")
            }
            (CostInputProblem::TooManyTags, Locale::Pl) => {
                format!("Najwyżej {MAX_TAGS} tagów na koszt.")
            }
            (CostInputProblem::TooManyTags, Locale::En) => {
                format!("At most {MAX_TAGS} tags per cost.")
            }
            (CostInputProblem::ReasonEmpty, Locale::Pl) => {
                "Podaj powód odrzucenia, żeby zespół wiedział, co poprawić.".into()
            }
            (CostInputProblem::ReasonEmpty, Locale::En) => {
                "Give the reason for the rejection so the team knows what to fix.".into()
            }
            (CostInputProblem::AmountInvalid { input }, Locale::Pl) => format!(
                "„{input}” nie jest kwotą. Wpisz np. 1 234,56 (najwyżej dwa miejsca po przecinku)."
            ),
            (CostInputProblem::AmountInvalid { input }, Locale::En) => format!(
                "“{input}” is not an amount. Type e.g. 1 234,56 (at most two decimal places)."
            ),
            (CostInputProblem::AmountNotPositive, Locale::Pl) => {
                "Kwota płatności musi być większa od zera.".into()
            }
            (CostInputProblem::AmountNotPositive, Locale::En) => {
                "The payment amount must be greater than zero.".into()
            }
            (CostInputProblem::AmountAboveRemaining { remaining }, Locale::Pl) => {
                format!("Kwota przekracza pozostałą do zapłaty ({remaining}).")
            }
            (CostInputProblem::AmountAboveRemaining { remaining }, Locale::En) => {
                format!("The amount exceeds what remains to pay ({remaining}).")
            }
            (CostInputProblem::DateInvalid { input, .. }, Locale::Pl) => {
                format!("„{input}” nie jest datą. Wybierz datę z kalendarza (RRRR-MM-DD).")
            }
            (CostInputProblem::DateInvalid { input, .. }, Locale::En) => {
                format!("“{input}” is not a date. Pick it in the calendar (YYYY-MM-DD).")
            }
            (CostInputProblem::SyncIntervalOutOfRange, Locale::Pl) => format!(
                "Pobieranie może odbywać się co {} do {} minut.",
                crate::cost_sync::MIN_INTERVAL_MINUTES,
                crate::cost_sync::MAX_INTERVAL_MINUTES
            ),
            (CostInputProblem::SyncIntervalOutOfRange, Locale::En) => format!(
                "Retrieval can run every {} to {} minutes.",
                crate::cost_sync::MIN_INTERVAL_MINUTES,
                crate::cost_sync::MAX_INTERVAL_MINUTES
            ),
        }
    }
}

fn invalid(problems: Vec<CostInputProblem>) -> CoreError {
    CoreError::InvalidInput(problems.into_iter().map(InputProblem::Cost).collect())
}

/// Lower case without Polish diacritics: how `search_text` is stored and searched.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ą' => 'a',
            'ć' => 'c',
            'ę' => 'e',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            other => other,
        })
        .collect()
}

/// The searchable text of a cost: supplier, NIP, numbers, note and tags.
pub(crate) fn search_text(parts: &[&str]) -> String {
    fold(
        &parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn row_search_text(cost: &CostRow, description: Option<&CostDescription>) -> String {
    let (note, tags) = match description {
        Some(d) => (d.note.clone().unwrap_or_default(), d.tags.join(" ")),
        None => (cost.note.clone().unwrap_or_default(), cost.tags.join(" ")),
    };
    search_text(&[
        &cost.supplier_name,
        cost.supplier_nip.as_deref().unwrap_or(""),
        &cost.number,
        &cost.ksef_number,
        &note,
        &tags,
    ])
}

/// Parses an amount as people type it: `1 234,56`, `1234.56`, `1234`.
pub(crate) fn parse_amount(input: &str) -> std::result::Result<i64, CostInputProblem> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let bad = || CostInputProblem::AmountInvalid {
        input: input.trim().to_owned(),
    };
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 2
        || whole.len() > 13
    {
        return Err(if cleaned.starts_with('-') {
            CostInputProblem::AmountNotPositive
        } else {
            bad()
        });
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let minor = whole * 100 + fraction;
    if minor <= 0 {
        return Err(CostInputProblem::AmountNotPositive);
    }
    Ok(minor)
}

/// A date as the UI sends it (`YYYY-MM-DD`); a wrong one names its field.
pub fn parse_date(field: &'static str, input: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(vec![CostInputProblem::DateInvalid {
            field,
            input: input.trim().to_owned(),
        }])
    })
}

/// Minor units in the Polish way, e.g. `1 234,56`.
pub(crate) fn format_minor(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02} {currency}", abs % 100)
}

/// Decimal money to minor units (grosze), rounded half away from zero.
pub(crate) fn to_minor(amount: Decimal) -> i64 {
    (amount * Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(if amount.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// Bank account numbers compare without spaces, dashes and case.
pub(crate) fn normalise_account(account: &str) -> String {
    account
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn check_len(
    value: &str,
    field: &'static str,
    max: usize,
    problems: &mut Vec<CostInputProblem>,
) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > max {
        problems.push(CostInputProblem::TooLong { field, max });
    }
    (!value.is_empty()).then(|| value.to_owned())
}

fn validate_description(input: &CostDescriptionInput) -> Result<CostDescription> {
    let mut problems = Vec::new();
    let category = check_len(&input.category, "category", MAX_CATEGORY, &mut problems);
    if category.is_none() {
        problems.push(CostInputProblem::CategoryEmpty);
    }
    let cost_centre = check_len(
        &input.cost_centre,
        "cost_centre",
        MAX_COST_CENTRE,
        &mut problems,
    );
    let note = check_len(&input.note, "note", MAX_NOTE, &mut problems);
    let mut tags: Vec<String> = Vec::new();
    for tag in &input.tags {
        let tag = tag.trim();
        if tag.is_empty() {
            continue;
        }
        if tag.contains(',') || tag.chars().count() > MAX_TAG {
            problems.push(CostInputProblem::TagInvalid {
                tag: tag.to_owned(),
            });
        } else if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        problems.push(CostInputProblem::TooManyTags);
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(CostDescription {
        category: category.unwrap_or_default(),
        cost_centre,
        note,
        tags,
    })
}

/// Loads the cost and checks the step is allowed from where it stands.
fn guard(tx: &Tx<'_>, company_id: i64, id: i64, action: CostAction) -> Result<CostRow> {
    let cost = tx.cost_document(company_id, id)?;
    if !action.allowed_from().contains(&cost.stage) {
        return Err(CoreError::CostStepNotAllowed {
            action,
            stage: cost.stage,
        });
    }
    Ok(cost)
}

impl Desk {
    /// One page of the inbox and how many documents match.
    pub fn costs(&self, company_id: i64, query: &CostQuery) -> Result<CostPage> {
        let today = self.today();
        let mut filter = query.filter.clone();
        filter.search = query
            .search
            .as_deref()
            .map(|s| fold(s.trim()))
            .filter(|s| !s.is_empty());
        let limit = query.limit.clamp(1, MAX_PAGE);
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_any(tx, now, company_id, COST_READERS)?;
            Ok(CostPage {
                total: tx.count_costs(company_id, &filter, today)?,
                offset: query.offset,
                rows: tx.list_costs(company_id, &filter, today, query.sort, query.offset, limit)?,
            })
        })
    }

    pub fn cost_inbox_counts(&self, company_id: i64) -> Result<CostInboxCounts> {
        let today = self.today();
        let now = self.clock().now();
        self.store().read_with(|tx| {
            authorize_any(tx, now, company_id, COST_READERS)?;
            Ok(tx.cost_inbox_counts(company_id, today)?)
        })
    }

    pub fn cost(&self, company_id: i64, id: i64) -> Result<CostDetail> {
        let now = self.clock().now();
        let (cost, rates, steps, payments, known_accounts, xml) = self.store().read_with(|tx| {
            authorize_any(tx, now, company_id, COST_READERS)?;
            let cost = tx.cost_document(company_id, id)?;
            let known = match cost.contractor_id {
                Some(contractor) => tx.contractor_bank_accounts(contractor)?,
                None => Vec::new(),
            };
            Ok::<_, CoreError>((
                cost,
                tx.cost_rates(id)?,
                tx.cost_steps(id)?,
                tx.cost_payments(id)?,
                known,
                tx.cost_xml(company_id, id)?,
            ))
        })?;
        let locale = self.locale();
        let warnings = xml
            .and_then(|xml| fa3::parse(&xml).ok())
            .map(|parsed| {
                parsed
                    .warnings
                    .iter()
                    .map(|finding| match locale {
                        Locale::Pl => finding.message_pl.clone(),
                        Locale::En => finding.message_en.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(CostDetail {
            cost,
            rates,
            steps,
            payments,
            known_accounts,
            warnings,
        })
    }

    /// The invoice's visualisation (self-contained HTML), or `None` while its XML
    /// is not downloaded or when it cannot be read (the detail says why).
    pub fn cost_visualisation(&self, company_id: i64, id: i64) -> Result<Option<String>> {
        let now = self.clock().now();
        let (cost, xml) = self.store().read_with(|tx| {
            authorize_any(tx, now, company_id, COST_READERS)?;
            Ok::<_, CoreError>((
                tx.cost_document(company_id, id)?,
                tx.cost_xml(company_id, id)?,
            ))
        })?;
        let Some(xml) = xml else { return Ok(None) };
        Ok(fa3::parse(&xml).ok().map(|parsed| {
            fa3::render::render_html(
                &parsed.invoice,
                &fa3::render::RenderOptions {
                    ksef_number: Some(cost.ksef_number),
                    verification_link: None,
                    qr_label: None,
                },
            )
        }))
    }

    pub fn describe_cost(
        &self,
        company_id: i64,
        id: i64,
        input: &CostDescriptionInput,
    ) -> Result<CostRow> {
        let description = validate_description(input)?;
        self.step(company_id, id, CostAction::Describe, |tx, cost, _| {
            tx.describe_cost(id, &description, &row_search_text(cost, Some(&description)))?;
            let mut detail = format!("category={}", description.category);
            if let Some(centre) = &description.cost_centre {
                detail.push_str(&format!("; cost_centre={centre}"));
            }
            if !description.tags.is_empty() {
                detail.push_str(&format!("; tags={}", description.tags.join(",")));
            }
            Ok(detail)
        })
    }

    pub fn submit_cost(&self, company_id: i64, id: i64) -> Result<CostRow> {
        let now = self.clock().now();
        self.step(company_id, id, CostAction::Submit, |tx, _, _| {
            tx.submit_cost(id, now)?;
            Ok(String::new())
        })
    }

    /// Approves a cost awaiting approval. A cost from a supplier not on the trusted
    /// list needs `confirm_unknown_supplier` (the UI asks explicitly).
    pub fn approve_cost(
        &self,
        company_id: i64,
        id: i64,
        confirm_unknown_supplier: bool,
    ) -> Result<CostRow> {
        let now = self.clock().now();
        self.step(company_id, id, CostAction::Approve, |tx, cost, user_id| {
            if !cost.supplier_trusted && !confirm_unknown_supplier {
                return Err(CoreError::UnknownSupplierNotConfirmed);
            }
            tx.approve_cost(id, user_id, now)?;
            Ok(if cost.supplier_trusted {
                String::new()
            } else {
                "unknown_supplier_confirmed".to_owned()
            })
        })
    }

    pub fn reject_cost(&self, company_id: i64, id: i64, reason: &str) -> Result<CostRow> {
        let mut problems = Vec::new();
        let reason = check_len(reason, "reason", MAX_REASON, &mut problems);
        let Some(reason) = reason.filter(|_| problems.is_empty()) else {
            if problems.is_empty() {
                problems.push(CostInputProblem::ReasonEmpty);
            }
            return Err(invalid(problems));
        };
        self.step(company_id, id, CostAction::Reject, |tx, _, _| {
            tx.reject_cost(id, &reason)?;
            Ok(reason.clone())
        })
    }

    /// Records a (partial) payment; the cost is paid once payments reach its gross
    /// amount. The account paid to becomes one of the supplier's known accounts.
    pub fn record_cost_payment(
        &self,
        company_id: i64,
        id: i64,
        input: &PaymentInput,
    ) -> Result<CostRow> {
        let mut problems = Vec::new();
        let amount = parse_amount(&input.amount)
            .map_err(|p| problems.push(p))
            .ok();
        let paid_on = NaiveDate::parse_from_str(input.paid_on.trim(), "%Y-%m-%d")
            .map_err(|_| {
                problems.push(CostInputProblem::DateInvalid {
                    field: "paid_on",
                    input: input.paid_on.trim().to_owned(),
                })
            })
            .ok();
        let reference = check_len(&input.reference, "reference", MAX_REFERENCE, &mut problems);
        let (Some(amount), Some(paid_on)) = (amount, paid_on) else {
            return Err(invalid(problems));
        };
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        let now = self.clock().now();
        self.step(company_id, id, CostAction::Pay, |tx, cost, user_id| {
            let remaining = cost.gross_minor - cost.paid_minor;
            if amount > remaining {
                return Err(invalid(vec![CostInputProblem::AmountAboveRemaining {
                    remaining: format_minor(remaining.max(0), &cost.currency),
                }]));
            }
            let payment = NewCostPayment {
                paid_on,
                amount_minor: amount,
                method: input.method,
                reference: reference.clone().unwrap_or_default(),
            };
            tx.add_cost_payment(id, &payment, user_id, now, amount == remaining)?;
            if let (Some(contractor), Some(account)) = (cost.contractor_id, &cost.bank_account) {
                tx.add_contractor_bank_account(contractor, account, now)?;
            }
            Ok(format!(
                "amount={}; paid_on={paid_on}; method={}; reference={}",
                format_minor(amount, &cost.currency),
                input.method.as_str(),
                payment.reference
            ))
        })
    }

    /// Puts the cost's supplier on (or off) the trusted list, in one click from the
    /// invoice; trusting also makes this invoice's bank account a known one.
    pub fn set_supplier_trusted(&self, company_id: i64, id: i64, trusted: bool) -> Result<CostRow> {
        let now = self.clock().now();
        self.store().write_with(|tx| {
            let user = authorize(tx, now, company_id, Role::Accounting)?;
            let cost = tx.cost_document(company_id, id)?;
            let contractor = cost.contractor_id.ok_or(CoreError::SupplierWithoutNip)?;
            tx.set_contractor_trusted(company_id, contractor, trusted, now)?;
            if let (true, Some(account)) = (trusted, &cost.bank_account) {
                tx.add_contractor_bank_account(contractor, account, now)?;
            }
            let action = if trusted {
                "supplier_trusted"
            } else {
                "supplier_untrusted"
            };
            tx.append_cost_step(
                id,
                now,
                Some(user.id),
                action,
                cost.supplier_nip.as_deref().unwrap_or(""),
            )?;
            Ok(tx.cost_document(company_id, id)?)
        })
    }

    /// Runs one workflow step in one transaction: role check, guard, change, record.
    fn step(
        &self,
        company_id: i64,
        id: i64,
        action: CostAction,
        change: impl FnOnce(&Tx<'_>, &CostRow, i64) -> Result<String>,
    ) -> Result<CostRow> {
        let now = self.clock().now();
        // A step refused half-way leaves nothing behind: the transaction rolls back.
        self.store().write_with(|tx| {
            let user = authorize(tx, now, company_id, action.role())?;
            let cost = guard(tx, company_id, id, action)?;
            let detail = change(tx, &cost, user.id)?;
            tx.append_cost_step(id, now, Some(user.id), action.code(), &detail)?;
            Ok(tx.cost_document(company_id, id)?)
        })
    }

    pub(crate) fn today(&self) -> NaiveDate {
        crate::cost_sync::polish_date(self.clock().now())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use desk_store::{KsefEnvironment, NewCompany, NewCostDocument, NewUser};

    use super::*;
    use crate::{ErrorKind, FixedClock, MemoryVault};

    #[test]
    fn amounts_are_read_the_way_people_type_them() {
        assert_eq!(parse_amount("1 234,56"), Ok(123_456));
        assert_eq!(parse_amount("1234.5"), Ok(123_450));
        assert_eq!(parse_amount(" 7 "), Ok(700));
        assert_eq!(
            parse_amount("0,00"),
            Err(CostInputProblem::AmountNotPositive)
        );
        assert_eq!(parse_amount("-5"), Err(CostInputProblem::AmountNotPositive));
        for bad in ["", "1,234", "12a", "1.2.3", "99999999999999"] {
            assert!(
                matches!(
                    parse_amount(bad),
                    Err(CostInputProblem::AmountInvalid { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            format_minor(123_456_789, "PLN"),
            "1\u{a0}234\u{a0}567,89 PLN"
        );
        assert_eq!(format_minor(-5, "EUR"), "-0,05 EUR");
        assert_eq!(fold("Żółć ŁAN"), "zolc lan");
        assert_eq!(normalise_account("pl 61 1090-1014"), "PL6110901014");
    }

    #[test]
    fn each_step_needs_its_role() {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock("2026-11-25T10:00:00Z".parse().unwrap());
        let desk = Desk::open(
            dir.path(),
            Box::new(clock),
            Arc::new(MemoryVault::default()),
        )
        .unwrap();
        let now = desk.clock().now();
        let (company_id, id) = desk
            .store()
            .write(|tx| {
                let company = tx.insert_company(
                    &NewCompany {
                        nip: "5265877635".into(),
                        name: "Firma".into(),
                        address_line1: String::new(),
                        address_line2: String::new(),
                        ksef_environment: KsefEnvironment::Simulator,
                        ksef_base_url: None,
                    },
                    now,
                )?;
                let clerk = tx.insert_user(
                    &NewUser {
                        login: "clerk".into(),
                        display_name: "Referent".into(),
                    },
                    now,
                )?;
                tx.grant_role(clerk.id, company.id, Role::Costs)?;
                tx.set_app_setting("session.current_user_id", &clerk.id.to_string())?;
                let id = tx.insert_cost_document(
                    company.id,
                    &NewCostDocument {
                        subject: desk_store::CostSubject::Buyer,
                        ksef_number: "7740001454-20261102-0100001AF629-AF".into(),
                        supplier_nip: Some("7740001454".into()),
                        supplier_name: "Kałamarz".into(),
                        number: "FV/1".into(),
                        issue_date: None,
                        currency: "PLN".into(),
                        net_minor: 100,
                        vat_minor: 23,
                        gross_minor: 123,
                        invoice_kind: "Vat".into(),
                        invoice_hash: None,
                        invoicing_at: None,
                        permanent_storage_at: None,
                        search_text: String::new(),
                    },
                    now,
                )?;
                Ok((company.id, id.unwrap_or_default()))
            })
            .unwrap();
        let description = CostDescriptionInput {
            category: "Biuro".into(),
            ..CostDescriptionInput::default()
        };
        desk.describe_cost(company_id, id, &description).unwrap();
        desk.submit_cost(company_id, id).unwrap();
        let denied = desk.approve_cost(company_id, id, true).unwrap_err();
        assert_eq!(denied.kind(), ErrorKind::Permission);
        assert!(denied.message(Locale::Pl).contains("księgowość"));
        let denied = desk.set_supplier_trusted(company_id, id, true).unwrap_err();
        assert_eq!(denied.code(), "forbidden");
        // Nothing of a refused step is left behind.
        let steps = desk.cost(company_id, id).unwrap().steps;
        assert_eq!(steps.len(), 2);
        assert_eq!(
            desk.cost(company_id, id).unwrap().cost.stage,
            CostStage::AwaitingApproval
        );
    }
}
