//! The invoice form as typed, and how it becomes an FA(3) invoice.

use std::str::FromStr;

use chrono::NaiveDate;
use desk_store::{Contractor, DraftRow, SalesDocument, Timestamp, Tx};
use fa3::amounts::{self, Group};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{minor, SalesProblem};
use crate::{CoreError, Result};

/// The VAT rates the form offers (FA(3) codes).
pub const VAT_RATES: [&str; 9] = ["23", "8", "5", "0 KR", "0 WDT", "0 EX", "zw", "oo", "np I"];

/// The invoice form exactly as typed: numbers stay text until issuing, so a
/// half-typed "12," survives a restart. Stored as JSON with the draft.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceDraft {
    pub contractor_id: Option<i64>,
    /// `None`: the day it is issued.
    pub issue_date: Option<NaiveDate>,
    pub sale_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: String,
    /// PLN per unit of `currency`; required for other currencies.
    pub exchange_rate: String,
    /// Prices are gross (art. 106e ust. 7-8) instead of net.
    pub prices_gross: bool,
    pub lines: Vec<DraftLine>,
    pub bank_account: String,
    pub split_payment: bool,
    pub notes: String,
    /// Corrections only: why.
    pub correction_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftLine {
    pub name: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price: String,
    /// FA(3) code, one of [`VAT_RATES`].
    pub rate: String,
}

/// Totals per VAT rate and overall, from the lines that are complete.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftTotals {
    pub per_rate: Vec<RateTotal>,
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTotal {
    pub rate: String,
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
}

impl DraftTotals {
    pub(crate) fn of(fa: &fa3::Fa) -> DraftTotals {
        let groups = amounts::group_totals(&fa.lines, &fa.currency, None);
        let mut totals = DraftTotals::default();
        for (group, a) in &groups {
            let rate = match group {
                Group::Rate(rate) => rate.code().to_owned(),
                Group::Oss => "OSS".to_owned(),
                Group::NoRate => String::new(),
            };
            totals.net += a.net;
            totals.vat += a.vat;
            totals.gross += a.gross();
            totals.per_rate.push(RateTotal {
                rate,
                net: a.net,
                vat: a.vat,
                gross: a.gross(),
            });
        }
        totals
    }
}

impl InvoiceDraft {
    pub(crate) fn from_document(document: &SalesDocument) -> Result<InvoiceDraft> {
        match document.draft_json.as_deref() {
            None => Ok(InvoiceDraft::default()),
            Some(json) => serde_json::from_str(json).map_err(|e| CoreError::Internal {
                detail: format!("the saved form of document {} is damaged: {e}", document.id),
            }),
        }
    }

    pub(crate) fn contractor(&self, tx: &Tx<'_>, company_id: i64) -> Result<Option<Contractor>> {
        let Some(id) = self.contractor_id else {
            return Ok(None);
        };
        let contractor = tx.contractor(id)?;
        if contractor.company_id != company_id {
            return Err(CoreError::NotFound {
                entity: "contractor",
                id,
            });
        }
        Ok(Some(contractor))
    }

    pub(crate) fn to_row(
        &self,
        contractor: Option<&Contractor>,
        corrects_id: Option<i64>,
    ) -> Result<DraftRow> {
        let totals = self.totals();
        let buyer_name = contractor.map(|c| c.name.clone()).unwrap_or_default();
        let buyer_nip = contractor.and_then(|c| c.nip.clone().or(c.eu_vat_id.clone()));
        Ok(DraftRow {
            kind: if corrects_id.is_some() { "KOR" } else { "VAT" }.into(),
            contractor_id: self.contractor_id,
            search_text: search_text(&[&buyer_name, buyer_nip.as_deref().unwrap_or("")]),
            buyer_name,
            buyer_nip,
            issue_date: self.issue_date,
            sale_date: self.sale_date,
            due_date: self.due_date,
            currency: self.currency_code(),
            net_total_minor: minor(totals.net),
            vat_total_minor: minor(totals.vat),
            gross_total_minor: minor(totals.gross),
            draft_json: serde_json::to_string(self).map_err(|e| CoreError::Internal {
                detail: format!("the form cannot be saved: {e}"),
            })?,
            corrects_id,
        })
    }

    fn currency_code(&self) -> String {
        match self.currency.trim() {
            "" => "PLN".into(),
            c => c.to_ascii_uppercase(),
        }
    }

    /// Live totals of the complete lines (incomplete ones count as zero).
    pub fn totals(&self) -> DraftTotals {
        let mut problems = Vec::new();
        let mut fa = fa3::Fa::new(
            fa3::InvoiceKind::Vat,
            &self.currency_code(),
            NaiveDate::MIN,
            "",
        );
        fa.lines = self.fa_lines(&mut problems, None, false);
        amounts::fill_line_values(&mut fa.lines);
        DraftTotals::of(&fa)
    }

    fn fa_lines(
        &self,
        problems: &mut Vec<SalesProblem>,
        exchange_rate: Option<Decimal>,
        strict: bool,
    ) -> Vec<fa3::Line> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let before = problems.len();
            let name = line.name.trim();
            if name.is_empty() {
                problems.push(SalesProblem::LineNameEmpty { line: i });
            }
            let quantity = parse_decimal(&line.quantity).filter(|q| *q > Decimal::ZERO);
            if quantity.is_none() {
                problems.push(SalesProblem::LineQuantity {
                    line: i,
                    input: line.quantity.clone(),
                });
            }
            let price = parse_decimal(&line.unit_price).filter(|p| *p >= Decimal::ZERO);
            if price.is_none() {
                problems.push(SalesProblem::LinePrice {
                    line: i,
                    input: line.unit_price.clone(),
                });
            }
            let rate = VAT_RATES
                .contains(&line.rate.trim())
                .then(|| fa3::VatRate::from_code(line.rate.trim()))
                .flatten();
            if rate.is_none() {
                problems.push(SalesProblem::LineRate {
                    line: i,
                    input: line.rate.clone(),
                });
            }
            if strict && problems.len() > before {
                continue;
            }
            if let (Some(quantity), Some(price), Some(rate)) = (quantity, price, rate) {
                out.push(fa3::Line {
                    number: u64::try_from(out.len() + 1).unwrap_or(u64::MAX),
                    name: Some(name.to_owned()),
                    unit: Some(line.unit.trim().to_owned()).filter(|u| !u.is_empty()),
                    quantity: Some(quantity),
                    unit_net_price: (!self.prices_gross).then_some(price),
                    unit_gross_price: self.prices_gross.then_some(price),
                    rate: Some(rate),
                    exchange_rate,
                    ..fa3::Line::default()
                });
            }
        }
        out
    }

    /// The FA(3) invoice this draft issues as `number`, or every problem found.
    pub(crate) fn build(
        &self,
        tx: &Tx<'_>,
        company_id: i64,
        number: &str,
        now: Timestamp,
        corrects_id: Option<i64>,
    ) -> std::result::Result<fa3::Invoice, Vec<SalesProblem>> {
        let internal = |e: desk_store::StoreError| {
            vec![SalesProblem::Rule {
                code: "store",
                path: "invoice".into(),
                pl: format!("Błąd lokalnej bazy danych: {e}"),
                en: format!("The local database failed: {e}"),
            }]
        };
        let company = tx.company(company_id).map_err(internal)?;
        let mut problems = Vec::new();
        let contractor = match self.contractor_id {
            None => {
                problems.push(SalesProblem::ContractorMissing);
                None
            }
            Some(id) => match tx.contractor(id) {
                Ok(c) if c.company_id == company_id => Some(c),
                _ => {
                    problems.push(SalesProblem::ContractorMissing);
                    None
                }
            },
        };
        let buyer_id = contractor.as_ref().map(|c| match (&c.nip, &c.eu_vat_id) {
            (Some(nip), _) => fa3::PartyId::Nip(nip.clone()),
            (None, Some(eu)) => {
                if let Some(problem) = eu_vat_problem(eu) {
                    problems.push(problem);
                }
                let (country, number) = eu.split_at(eu.len().min(2));
                fa3::PartyId::EuVat {
                    country: country.to_owned(),
                    number: number.to_owned(),
                }
            }
            (None, None) => fa3::PartyId::None,
        });
        let currency = self.currency_code();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.push(SalesProblem::Currency {
                input: self.currency.clone(),
            });
        }
        let exchange_rate = if currency == "PLN" {
            None
        } else {
            let rate = parse_decimal(&self.exchange_rate).filter(|r| *r > Decimal::ZERO);
            if rate.is_none() {
                problems.push(SalesProblem::ExchangeRate {
                    input: self.exchange_rate.clone(),
                });
            }
            rate
        };
        if self.lines.is_empty() {
            problems.push(SalesProblem::NoLines);
        }
        let lines = self.fa_lines(&mut problems, exchange_rate, true);
        let account: String = self
            .bank_account
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !account.is_empty() && !fa3::validate::account_is_valid(&account) {
            problems.push(SalesProblem::BankAccount {
                input: self.bank_account.clone(),
            });
        }
        let issue_date = self.issue_date.unwrap_or(super::today_in_poland(now));
        if self.due_date.is_some_and(|d| d < issue_date) {
            problems.push(SalesProblem::DueBeforeIssue);
        }
        let original = match corrects_id {
            None => None,
            Some(id) => {
                if self.correction_reason.trim().is_empty() {
                    problems.push(SalesProblem::CorrectionReasonEmpty);
                }
                Some(tx.sales_document(id).map_err(internal)?)
            }
        };
        let Some(contractor) = contractor.filter(|_| problems.is_empty()) else {
            return Err(problems);
        };
        let buyer_id = buyer_id.unwrap_or(fa3::PartyId::None);

        let kind = if original.is_some() {
            fa3::InvoiceKind::Kor
        } else {
            fa3::InvoiceKind::Vat
        };
        let mut fa = fa3::Fa::new(kind, &currency, issue_date, number);
        fa.sale_date = self.sale_date.map(fa3::SaleDate::Date);
        fa.annotations.split_payment = self.split_payment;
        let mut all_lines = Vec::new();
        if let Some(original) = &original {
            // KOR lists the original's rows marked "before" and the new state after them.
            let before = InvoiceDraft::from_document(original)
                .map_err(|e| {
                    vec![SalesProblem::Rule {
                        code: "correction.original",
                        path: "Fa/DaneFaKorygowanej".into(),
                        pl: e.message(crate::Locale::Pl),
                        en: e.message(crate::Locale::En),
                    }]
                })?
                .fa_lines(&mut Vec::new(), exchange_rate, true);
            for mut line in before {
                line.before_correction = true;
                all_lines.push(line);
            }
            fa.correction = Some(fa3::Correction {
                reason: Some(self.correction_reason.trim().to_owned()),
                effect: Some(1),
                corrected: vec![fa3::CorrectedInvoice {
                    issue_date: original.issue_date.unwrap_or(issue_date),
                    number: original.number.clone().unwrap_or_default(),
                    ksef_number: original.ksef_number.clone(),
                }],
                period: None,
                corrected_number: None,
            });
        }
        all_lines.extend(lines);
        for (i, line) in all_lines.iter_mut().enumerate() {
            line.number = u64::try_from(i + 1).unwrap_or(u64::MAX);
        }
        fa.lines = all_lines;
        let notes = self.notes.trim();
        if !notes.is_empty() {
            fa.notes.push(fa3::Note {
                line: None,
                key: "Uwagi".into(),
                value: notes.to_owned(),
            });
        }
        if !account.is_empty() || self.due_date.is_some() {
            fa.payment = Some(fa3::Payment {
                terms: self
                    .due_date
                    .map(|due| fa3::PaymentTerm {
                        due: Some(due),
                        description: None,
                    })
                    .into_iter()
                    .collect(),
                method: (!account.is_empty()).then_some(fa3::PaymentMethod::Code(6)),
                bank_accounts: (!account.is_empty())
                    .then(|| fa3::BankAccount {
                        number: account.clone(),
                        ..Default::default()
                    })
                    .into_iter()
                    .collect(),
                ..Default::default()
            });
        }
        amounts::recompute(&mut fa);
        let mut seller_address = fa3::Address::new(&company.country_code, &company.address_line1);
        seller_address.line2 = Some(company.address_line2.clone()).filter(|l| !l.is_empty());
        let mut buyer_address =
            fa3::Address::new(&contractor.country_code, &contractor.address_line1);
        buyer_address.line2 = Some(contractor.address_line2.clone()).filter(|l| !l.is_empty());
        Ok(fa3::Invoice {
            header: fa3::Header {
                created: now.fixed_offset(),
                system_info: Some("KSeF Desk".into()),
            },
            seller: fa3::Seller::new(&company.nip, &company.name, seller_address),
            buyer: fa3::Buyer::new(buyer_id, &contractor.name, buyer_address),
            third_parties: Vec::new(),
            fa,
            footer: None,
            extra: Vec::new(),
        })
    }
}

/// An EU VAT id that is really a Polish NIP (`PL` + 10 digits) or is malformed.
pub(crate) fn eu_vat_problem(eu: &str) -> Option<SalesProblem> {
    let valid_shape = eu.len() > 4
        && eu.is_ascii()
        && eu.as_bytes()[..2].iter().all(u8::is_ascii_uppercase)
        && eu.as_bytes()[2..].iter().all(u8::is_ascii_alphanumeric);
    if eu.starts_with("PL") {
        Some(SalesProblem::PolishNipAsEuVat { input: eu.into() })
    } else if !valid_shape {
        Some(SalesProblem::EuVatInvalid { input: eu.into() })
    } else {
        None
    }
}

/// A number as Poles type it: `1 234,50`, `1234.5`, with spaces or a comma.
fn parse_decimal(input: &str) -> Option<Decimal> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if compact.is_empty() {
        return None;
    }
    Decimal::from_str(&compact).ok()
}

/// Lower case without Polish diacritics: what the list search compares.
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
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'ß' => 's',
            c => c,
        })
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_the_polish_way() {
        assert_eq!(parse_decimal("1 234,50"), Some(Decimal::new(123450, 2)));
        assert_eq!(parse_decimal("12.5"), Some(Decimal::new(125, 1)));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn a_polish_nip_typed_as_eu_vat_is_caught() {
        assert!(matches!(
            eu_vat_problem("PL5265877635"),
            Some(SalesProblem::PolishNipAsEuVat { .. })
        ));
        assert_eq!(eu_vat_problem("DE811569869"), None);
        assert!(matches!(
            eu_vat_problem("D1"),
            Some(SalesProblem::EuVatInvalid { .. })
        ));
    }

    #[test]
    fn search_folds_case_and_diacritics() {
        assert_eq!(search_text(&["FV/1", "Łąka Żółć", ""]), "fv/1 laka zolc");
    }

    #[test]
    fn totals_follow_rates_and_price_basis() {
        let line = |price: &str, rate: &str| DraftLine {
            name: "x".into(),
            unit: "szt.".into(),
            quantity: "2".into(),
            unit_price: price.into(),
            rate: rate.into(),
        };
        let mut draft = InvoiceDraft {
            lines: vec![line("100", "23"), line("50", "8"), line("oops", "23")],
            ..InvoiceDraft::default()
        };
        let totals = draft.totals();
        assert_eq!(totals.net, Decimal::new(300, 0));
        assert_eq!(totals.vat, Decimal::new(5400, 2));
        assert_eq!(totals.per_rate.len(), 2);
        draft.prices_gross = true;
        draft.lines = vec![line("123", "23")];
        let totals = draft.totals();
        assert_eq!(totals.gross, Decimal::new(246, 0));
        assert_eq!(totals.net, Decimal::new(200, 0));
    }
}
