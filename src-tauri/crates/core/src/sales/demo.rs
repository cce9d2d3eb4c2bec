//! The demo company's sales: 200 invoices in every state, written in one transaction,
//! and the UPO in readable form.

use chrono::{Days, NaiveDate};
use desk_store::{Company, DraftRow, IssuedRow, SendMode, Timestamp, Tx};

use super::draft::{search_text, DraftLine, InvoiceDraft};
use super::{event, format_number, minor, today_in_poland, DraftTotals, EndOfDay};
use crate::{CoreError, Result};

/// How many sales documents the demo seed writes.
pub const DEMO_SALES: usize = 200;

const PRODUCTS: [(&str, &str, &str, &str); 8] = [
    ("Projekt graficzny ulotki", "usł.", "1450,00", "23"),
    ("Papier ksero A4 80 g (ryza)", "szt.", "21,90", "23"),
    ("Konsultacja wdrożeniowa", "godz.", "240,00", "23"),
    ("Książka „Podatki w praktyce”", "szt.", "89,00", "5"),
    ("Catering na spotkanie", "usł.", "1200,00", "8"),
    ("Abonament serwisowy", "mies.", "650,00", "23"),
    ("Szkolenie BHP", "os.", "180,00", "zw"),
    ("Transport materiałów", "km", "3,20", "23"),
];

/// A readable UPO: what KSeF confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpoSummary {
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

impl UpoSummary {
    /// Reads a UPO (v4-3); `None` if it is not one.
    pub fn parse(xml: &[u8]) -> Option<UpoSummary> {
        let root = fa3::xml::read(xml, fa3::xml::Limits::default()).ok()?;
        if root.name != "Potwierdzenie" {
            return None;
        }
        let text = |e: &fa3::xml::Element, name: &str| {
            e.child_text(name).unwrap_or_default().trim().to_owned()
        };
        let document = root.child("Dokument")?;
        Some(UpoSummary {
            receiver: text(&root, "NazwaPodmiotuPrzyjmujacego"),
            session_reference: text(&root, "NumerReferencyjnySesji"),
            seller_nip: text(document, "NipSprzedawcy"),
            ksef_number: text(document, "NumerKSeFDokumentu"),
            invoice_number: text(document, "NumerFaktury"),
            issue_date: text(document, "DataWystawieniaFaktury"),
            sent_at: text(document, "DataPrzeslaniaDokumentu"),
            numbered_at: text(document, "DataNadaniaNumeruKSeF"),
            document_hash: text(document, "SkrotDokumentu"),
            mode: text(document, "TrybWysylki"),
        })
    }
}

/// Writes the demo sales of `company` unless it has sales documents already.
/// Returns whether it wrote anything.
pub(crate) fn seed_sales(tx: &Tx<'_>, company: &Company, now: Timestamp) -> Result<bool> {
    if tx.has_sales_documents(company.id)? {
        return Ok(false);
    }
    let contractors = tx.list_contractors(company.id)?;
    if contractors.is_empty() {
        return Ok(false);
    }
    let today = today_in_poland(now);
    let series = tx.default_series(company.id, "VAT", super::DEFAULT_PATTERN, true)?;
    let correction_series =
        tx.default_series(company.id, "KOR", super::DEFAULT_CORRECTION_PATTERN, true)?;
    let eod = EndOfDay::parse(super::DEFAULT_EOD_TIME)
        .and_then(|e| e.today_at(now))
        .unwrap_or(now);
    let mut accepted_ids = Vec::new();
    for i in 0..DEMO_SALES {
        // Oldest first, so numbers grow with dates; the last ones are today's.
        let back = u64::try_from((DEMO_SALES - 1 - i) / 3).unwrap_or(0);
        let issue_date = today.checked_sub_days(Days::new(back)).unwrap_or(today);
        let contractor = &contractors[(i * 7) % contractors.len()];
        let draft = demo_draft(i, contractor.id, issue_date);
        let role = match i % 20 {
            _ if i + 3 >= DEMO_SALES => Role::Draft,
            _ if i + 8 >= DEMO_SALES => Role::Queued,
            _ if i + 12 >= DEMO_SALES => Role::Issued,
            7 => Role::Rejected,
            13 if !accepted_ids.is_empty() => Role::Correction,
            _ => Role::Accepted,
        };
        let corrects = match role {
            Role::Correction => accepted_ids.pop(),
            _ => None,
        };
        let mut draft = draft;
        if corrects.is_some() {
            draft.correction_reason = "Rabat posprzedażowy 10%".into();
            for line in &mut draft.lines {
                line.unit_price = discounted(&line.unit_price);
            }
        }
        let row = DraftRow {
            kind: if corrects.is_some() { "KOR" } else { "VAT" }.into(),
            ..draft.to_row(Some(contractor), corrects)?
        };
        let document = tx.insert_sales_draft(company.id, &row, now)?;
        if role == Role::Draft {
            continue;
        }
        let series = if corrects.is_some() {
            &correction_series
        } else {
            &series
        };
        let n = tx.next_in_series(series.id, &issue_date.format("%Y-%m").to_string())?;
        let number = format_number(&series.pattern, n, issue_date);
        let invoice = draft
            .build(tx, company.id, &number, now, corrects)
            .map_err(CoreError::InvalidSales)?;
        let xml = fa3::write(&invoice).map_err(|e| CoreError::Internal {
            detail: format!("demo invoice {number}: {e}"),
        })?;
        let hash = fa3::document_hash(&xml);
        let totals = DraftTotals::of(&invoice.fa);
        let search = search_text(&[
            &number,
            &contractor.name,
            row.buyer_nip.as_deref().unwrap_or(""),
        ]);
        tx.mark_issued(
            document.id,
            &IssuedRow {
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
            document.id,
            now,
            "issued",
            None,
            "ok",
            Some(&format!("number={number} (demo)")),
        )?;
        match role {
            Role::Draft | Role::Issued => {}
            Role::Queued => {
                tx.queue_sales_document(document.id, SendMode::EndOfDay, eod, now)?;
                event(
                    tx,
                    document.id,
                    now,
                    "queued",
                    None,
                    "ok",
                    Some("mode=end_of_day (demo)"),
                )?;
            }
            Role::Rejected => {
                let message =
                    "Błąd weryfikacji semantyki dokumentu faktury: Nieprawidłowy NIP nabywcy";
                tx.mark_rejected(document.id, 450, message, now)?;
                event(
                    tx,
                    document.id,
                    now,
                    "rejected",
                    Some("sessions.invoice.status"),
                    "error",
                    Some(&format!("KSeF 450: {message} (demo)")),
                )?;
            }
            Role::Accepted | Role::Correction => {
                let ksef = demo_ksef_number(&company.nip, issue_date, document.id);
                let session = format!(
                    "{}-SO-DEMO{:06}-0000000000-00",
                    issue_date.format("%Y%m%d"),
                    document.id
                );
                tx.mark_accepted(document.id, &ksef, now, now)?;
                tx.store_upo(
                    document.id,
                    demo_upo(company, &session, &ksef, &number, issue_date, &hash).as_bytes(),
                    now,
                )?;
                event(
                    tx,
                    document.id,
                    now,
                    "accepted",
                    Some("sessions.invoice.status"),
                    "ok",
                    Some(&format!("ksef_number={ksef} (demo)")),
                )?;
                event(
                    tx,
                    document.id,
                    now,
                    "upo_received",
                    Some("sessions.invoice.upo_by_ksef"),
                    "ok",
                    Some("(demo)"),
                )?;
                if role == Role::Accepted && i % 20 == 11 {
                    accepted_ids.push(document.id);
                }
            }
        }
    }
    Ok(true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Draft,
    Issued,
    Queued,
    Accepted,
    Rejected,
    Correction,
}

fn demo_draft(i: usize, contractor_id: i64, issue_date: NaiveDate) -> InvoiceDraft {
    let lines = (0..1 + i % 3)
        .map(|k| {
            let (name, unit, price, rate) = PRODUCTS[(i + k * 3) % PRODUCTS.len()];
            DraftLine {
                name: name.into(),
                unit: unit.into(),
                quantity: (1 + (i * 3 + k) % 12).to_string(),
                unit_price: price.into(),
                rate: rate.into(),
            }
        })
        .collect();
    InvoiceDraft {
        contractor_id: Some(contractor_id),
        issue_date: Some(issue_date),
        sale_date: Some(issue_date),
        due_date: issue_date.checked_add_days(Days::new(14)),
        currency: "PLN".into(),
        bank_account: "61 1090 1014 0000 0712 1981 2874".into(),
        lines,
        ..InvoiceDraft::default()
    }
}

fn discounted(price: &str) -> String {
    let value: f64 = price.replace(',', ".").parse().unwrap_or(0.0);
    format!("{:.2}", value * 0.9).replace('.', ",")
}

fn demo_ksef_number(nip: &str, date: NaiveDate, id: i64) -> String {
    let body = format!("{nip}-{}-DE{:010X}", date.format("%Y%m%d"), id);
    format!("{body}-{}", fa3::qr::ksef_number_crc(&body))
}

fn demo_upo(
    company: &Company,
    session: &str,
    ksef: &str,
    number: &str,
    issue_date: NaiveDate,
    hash: &str,
) -> String {
    let esc = fa3::xml::escape_text;
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">
  <NazwaPodmiotuPrzyjmujacego>Symulator KSeF (dane demonstracyjne)</NazwaPodmiotuPrzyjmujacego>
  <NumerReferencyjnySesji>{session}</NumerReferencyjnySesji>
  <Uwierzytelnienie><IdKontekstu><Nip>{nip}</Nip></IdKontekstu><SkrotDokumentuUwierzytelniajacego>{hash}</SkrotDokumentuUwierzytelniajacego></Uwierzytelnienie>
  <NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</NazwaStrukturyLogicznej>
  <KodFormularza>FA (3)</KodFormularza>
  <Dokument>
    <NipSprzedawcy>{nip}</NipSprzedawcy>
    <NumerKSeFDokumentu>{ksef}</NumerKSeFDokumentu>
    <NumerFaktury>{number}</NumerFaktury>
    <DataWystawieniaFaktury>{issue_date}</DataWystawieniaFaktury>
    <DataPrzeslaniaDokumentu>{issue_date}T16:00:00+01:00</DataPrzeslaniaDokumentu>
    <DataNadaniaNumeruKSeF>{issue_date}T16:00:02+01:00</DataNadaniaNumeruKSeF>
    <SkrotDokumentu>{hash}</SkrotDokumentu>
    <TrybWysylki>Online</TrybWysylki>
  </Dokument>
</Potwierdzenie>
"#,
        nip = esc(&company.nip),
        number = esc(number),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_ksef_numbers_pass_the_checksum() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let n = demo_ksef_number("5265877635", date, 42);
        assert!(fa3::qr::ksef_number_is_valid(&n), "{n}");
    }

    #[test]
    fn a_upo_reads_back_in_readable_form() {
        let company = Company {
            id: 1,
            nip: "5265877635".into(),
            name: "Firma".into(),
            address_line1: String::new(),
            address_line2: String::new(),
            country_code: "PL".into(),
            ksef_environment: desk_store::KsefEnvironment::Simulator,
            ksef_base_url: None,
            created_at: "2026-11-25T08:00:00Z".parse().unwrap(),
        };
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let xml = demo_upo(&company, "S-1", "K-1", "FV/1 & 2", date, "h=");
        let upo = UpoSummary::parse(xml.as_bytes()).unwrap();
        assert_eq!(upo.invoice_number, "FV/1 & 2");
        assert_eq!(upo.ksef_number, "K-1");
        assert_eq!(upo.mode, "Online");
        assert!(UpoSummary::parse(b"<Faktura/>").is_none());
        assert!(UpoSummary::parse(b"not xml").is_none());
    }
}
