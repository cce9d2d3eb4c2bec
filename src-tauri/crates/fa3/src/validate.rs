//! Business rules: what the XSD cannot say.
//!
//! On an invoice we send, every [`Severity::Error`] finding blocks sending; a
//! [`Severity::Warning`] names something the user should know about a legal
//! invoice (say, that it is issued late) and never stops it, since refusing it
//! would only make matters worse. On a received invoice every finding is a
//! warning: official samples themselves carry placeholder NIPs and totals that
//! do not add up, and a legally received invoice must never be dropped because
//! of them.

use chrono::Datelike as _;
use rust_decimal::Decimal;

use crate::amounts::{self, Group};
use crate::model::*;

/// Whether a finding stops an invoice from being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The invoice breaks a rule; it must be fixed before it is sent.
    Error,
    /// The invoice is legal and must still be sent, but the user should know
    /// (e.g. it is issued after the statutory deadline).
    Warning,
}

/// One business-rule finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code the UI and tests can match on, e.g. `nip.checksum`.
    pub code: &'static str,
    /// Whether it blocks sending.
    pub severity: Severity,
    /// Field path in FA(3) terms, e.g. `Podmiot2/DaneIdentyfikacyjne/NIP`.
    pub path: String,
    /// Message in Polish, naming the field and the fix.
    pub message_pl: String,
    /// The same in English.
    pub message_en: String,
}

impl Finding {
    /// Whether the invoice must not be sent until this is fixed.
    pub fn blocks_sending(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}: {}", self.code, self.path, self.message_en)
    }
}

/// Gross amount above which annex-15 goods require split payment (art. 108a ust. 1a).
pub const MPP_THRESHOLD_PLN: Decimal = Decimal::from_parts(15_000, 0, 0, false, 0);
/// Simplified invoice limit in PLN (art. 106e ust. 5 pkt 3).
pub const UPR_LIMIT_PLN: Decimal = Decimal::from_parts(450, 0, 0, false, 0);

/// Whether `nip` is 10 digits with a valid checksum (weights 6,5,7,2,3,4,5,6,7; mod 11).
pub fn nip_is_valid(nip: &str) -> bool {
    const W: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let digits: Vec<u32> = nip.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 || nip.len() != 10 {
        return false;
    }
    let sum: u32 = W.iter().zip(&digits).map(|(w, d)| w * d).sum();
    let check = sum % 11;
    check != 10 && check == digits[9]
}

/// Whether a bank account number passes the IBAN mod-97 check. A Polish NRB
/// (26 digits) is checked as `PL` + NRB. Other formats (not IBAN-shaped) are
/// accepted, since FA(3) allows any account notation of 10-34 characters.
pub fn account_is_valid(number: &str) -> bool {
    let compact: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let iban = if compact.len() == 26 && compact.bytes().all(|b| b.is_ascii_digit()) {
        format!("PL{compact}")
    } else if compact.len() >= 15
        && compact
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
        && compact
            .as_bytes()
            .get(1)
            .is_some_and(u8::is_ascii_alphabetic)
        && compact.as_bytes().get(2).is_some_and(u8::is_ascii_digit)
        && compact.as_bytes().get(3).is_some_and(u8::is_ascii_digit)
        && compact.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        compact
    } else {
        return true;
    };
    let (head, tail) = iban.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

struct Out(Vec<Finding>);

impl Out {
    fn push(&mut self, code: &'static str, path: impl Into<String>, pl: String, en: String) {
        self.add(Severity::Error, code, path, pl, en);
    }

    fn warn(&mut self, code: &'static str, path: impl Into<String>, pl: String, en: String) {
        self.add(Severity::Warning, code, path, pl, en);
    }

    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: impl Into<String>,
        pl: String,
        en: String,
    ) {
        self.0.push(Finding {
            code,
            severity,
            path: path.into(),
            message_pl: pl,
            message_en: en,
        });
    }
}

/// Every business-rule finding for `inv`; it may be sent when none
/// [blocks sending](Finding::blocks_sending).
pub fn validate_for_sending(inv: &Invoice) -> Vec<Finding> {
    let mut o = Out(Vec::new());
    parties(inv, &mut o);
    dates(inv, &mut o);
    lines(inv, &mut o);
    totals(inv, &mut o);
    currency(inv, &mut o);
    split_payment(inv, &mut o);
    kinds(inv, &mut o);
    annotations(inv, &mut o);
    references(inv, &mut o);
    o.0
}

fn references(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    let bad_ksef = |o: &mut Out, n: &str, path: String| {
        if !crate::qr::ksef_number_is_valid(n) {
            o.push(
                "ksef_number.checksum",
                path,
                format!("Numer KSeF {n} ma błędną sumę kontrolną. Skopiuj numer KSeF z KSeF lub z UPO."),
                format!("KSeF number {n} has an invalid checksum. Copy the number from KSeF or the UPO."),
            );
        }
    };
    if let Some(c) = &fa.correction {
        for (i, k) in c.corrected.iter().enumerate() {
            if let Some(n) = &k.ksef_number {
                bad_ksef(
                    o,
                    n,
                    format!("Fa/DaneFaKorygowanej[{}]/NrKSeFFaKorygowanej", i + 1),
                );
            }
        }
    }
    for (i, a) in fa.advance_invoices.iter().enumerate() {
        if let AdvanceInvoiceRef::Ksef(n) = a {
            bad_ksef(
                o,
                n,
                format!("Fa/FakturaZaliczkowa[{}]/NrKSeFFaZaliczkowej", i + 1),
            );
        }
    }
    if let Some(p) = &fa.payment {
        for (label, accounts) in [
            ("RachunekBankowy", &p.bank_accounts),
            ("RachunekBankowyFaktora", &p.factor_accounts),
        ] {
            for (i, a) in accounts.iter().enumerate() {
                if !account_is_valid(&a.number) {
                    o.push(
                        "payment.account",
                        format!("Fa/Platnosc/{label}[{}]/NrRB", i + 1),
                        format!(
                            "Numer rachunku {} ma błędną sumę kontrolną. Sprawdź numer rachunku.",
                            a.number
                        ),
                        format!(
                            "Account number {} fails the IBAN checksum. Check the account number.",
                            a.number
                        ),
                    );
                }
            }
        }
    }
}

fn nip(o: &mut Out, nip: &str, path: &str) {
    if !nip_is_valid(nip) {
        o.push(
            "nip.checksum",
            path,
            format!("NIP {nip} ma błędną sumę kontrolną. Sprawdź i popraw numer NIP."),
            format!("NIP {nip} has an invalid checksum. Check and correct the NIP."),
        );
    }
}

fn parties(inv: &Invoice, o: &mut Out) {
    nip(o, &inv.seller.nip, "Podmiot1/DaneIdentyfikacyjne/NIP");
    if inv.seller.address.line1.trim().is_empty() {
        o.push(
            "seller.address",
            "Podmiot1/Adres/AdresL1",
            "Brak adresu sprzedawcy. Uzupełnij adres.".into(),
            "Seller address is missing. Fill in the address.".into(),
        );
    }
    match &inv.buyer.id {
        PartyId::Nip(n) => nip(o, n, "Podmiot2/DaneIdentyfikacyjne/NIP"),
        PartyId::InternalId(_) => o.push(
            "buyer.id",
            "Podmiot2/DaneIdentyfikacyjne",
            "Nabywca nie może być wskazany identyfikatorem wewnętrznym. Podaj NIP, numer VAT UE lub inny identyfikator.".into(),
            "The buyer cannot be identified by an internal id. Give a NIP, EU VAT number or another tax id.".into(),
        ),
        _ => {}
    }
    if let PartyId::Nip(n) = &inv.buyer.id {
        if n == &inv.seller.nip && !inv.fa.annotations.self_billing {
            o.push(
                "buyer.same_as_seller",
                "Podmiot2/DaneIdentyfikacyjne/NIP",
                "NIP nabywcy jest taki sam jak NIP sprzedawcy. Sprawdź dane nabywcy.".into(),
                "Buyer NIP equals the seller NIP. Check the buyer.".into(),
            );
        }
    }
    if inv.fa.kind != InvoiceKind::Upr
        && inv
            .buyer
            .name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
    {
        o.push(
            "buyer.name",
            "Podmiot2/DaneIdentyfikacyjne/Nazwa",
            "Brak nazwy nabywcy. Podaj imię i nazwisko lub nazwę nabywcy.".into(),
            "Buyer name is missing. Enter the buyer's name.".into(),
        );
    }
    if inv.fa.kind != InvoiceKind::Upr && inv.buyer.address.is_none() {
        o.push(
            "buyer.address",
            "Podmiot2/Adres",
            "Brak adresu nabywcy. Uzupełnij adres nabywcy.".into(),
            "Buyer address is missing. Fill in the buyer's address.".into(),
        );
    }
    for (i, p) in inv.third_parties.iter().enumerate() {
        if let PartyId::Nip(n) = &p.id {
            nip(
                o,
                n,
                &format!("Podmiot3[{}]/DaneIdentyfikacyjne/NIP", i + 1),
            );
        }
    }
}

/// The day the invoicing deadline counts from: the sale date, or the end of the
/// settlement period (art. 19a ust. 3: a periodic service is performed when
/// each period ends).
fn sale_or_period_end(inv: &Invoice) -> Option<chrono::NaiveDate> {
    match inv.fa.sale_date {
        Some(SaleDate::Date(d)) => Some(d),
        Some(SaleDate::Period { to, .. }) => Some(to),
        None => None,
    }
}

fn dates(inv: &Invoice, o: &mut Out) {
    let issue = inv.fa.issue_date;
    if let Some(SaleDate::Period { from, to }) = inv.fa.sale_date {
        if from > to {
            o.push(
                "date.period",
                "Fa/OkresFa",
                format!(
                    "Początek okresu ({from}) jest po jego końcu ({to}). Zamień daty miejscami."
                ),
                format!("Period start ({from}) is after its end ({to}). Swap the dates."),
            );
        }
    }
    // Art. 106i ust. 1: an invoice is issued by the 15th day of the month after
    // the sale (for a settlement period, art. 19a ust. 3, after the period's
    // end). Missing that deadline is an offence, not a defect of the invoice:
    // it must still be issued and sent, so this only warns.
    if let (Some(sale), false) = (sale_or_period_end(inv), inv.fa.kind.is_correction()) {
        let deadline = sale
            .with_day(1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.with_day(15));
        if let Some(deadline) = deadline.filter(|d| issue > *d) {
            o.warn(
                "date.late_issue",
                "Fa/P_1",
                format!("Faktura wystawiona po terminie: za sprzedaż z {sale} należało ją wystawić do {deadline} (15. dzień następnego miesiąca, art. 106i ust. 1 ustawy o VAT). Faktura jest ważna i nadal trzeba ją wystawić i wysłać; sprawdź tylko, czy daty wystawienia i sprzedaży są właściwe."),
                format!("Issued late: for a sale on {sale} the invoice was due by {deadline} (the 15th of the following month, art. 106i(1) of the VAT Act). The invoice is still valid and must be issued and sent; just check that the issue and sale dates are right."),
            );
        }
    }
    // Art. 106i ust. 7: not more than 60 days before the sale. Ust. 8 exempts
    // invoices that state their settlement period (`OkresFa`: subscriptions,
    // leases, utilities), which are typically issued at the period's start.
    if let (Some(SaleDate::Date(sale)), false) = (inv.fa.sale_date, inv.fa.kind.is_correction()) {
        if sale.signed_duration_since(issue).num_days() > 60 {
            o.push(
                "date.too_early",
                "Fa/P_1",
                format!("Faktura nie może być wystawiona wcześniej niż 60 dni przed sprzedażą ({sale}). Zmień datę wystawienia; jeśli to faktura za okres rozliczeniowy (abonament, najem, media), podaj ten okres zamiast daty sprzedaży."),
                format!("An invoice may not be issued more than 60 days before the sale ({sale}). Change the issue date; if it covers a settlement period (subscription, lease, utilities), state that period instead of a sale date."),
            );
        }
    }
    if let Some(p) = &inv.fa.payment {
        for (i, t) in p.terms.iter().enumerate() {
            if let Some(due) = t.due {
                if due < issue {
                    o.push(
                        "date.due_before_issue",
                        format!("Fa/Platnosc/TerminPlatnosci[{}]/Termin", i + 1),
                        format!("Termin płatności {due} jest przed datą wystawienia {issue}. Ustaw termin na dzień wystawienia lub później."),
                        format!("Due date {due} is before the issue date {issue}. Set it on or after the issue date."),
                    );
                }
            }
        }
    }
    if let Some(c) = &inv.fa.correction {
        for (i, k) in c.corrected.iter().enumerate() {
            if k.issue_date > issue {
                o.push(
                    "correction.original_after",
                    format!("Fa/DaneFaKorygowanej[{}]/DataWystFaKorygowanej", i + 1),
                    format!("Faktura korygowana ({}) jest późniejsza niż korekta ({issue}). Sprawdź datę faktury korygowanej.", k.issue_date),
                    format!("The corrected invoice ({}) is dated after the correction ({issue}). Check the original's date.", k.issue_date),
                );
            }
        }
    }
}

fn lines(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    let needs_lines = matches!(
        fa.kind,
        InvoiceKind::Vat | InvoiceKind::Upr | InvoiceKind::Roz
    );
    if needs_lines && fa.lines.is_empty() {
        o.push(
            "lines.missing",
            "Fa/FaWiersz",
            "Faktura nie ma pozycji. Dodaj co najmniej jedną pozycję.".into(),
            "The invoice has no lines. Add at least one line.".into(),
        );
    }
    for (i, l) in fa.lines.iter().enumerate() {
        let path = format!("Fa/FaWiersz[{}]", i + 1);
        if l.number != (i as u64) + 1 && !fa.kind.is_correction() {
            o.push(
                "line.number",
                format!("{path}/NrWierszaFa"),
                format!(
                    "Numer pozycji {} powinien być {}. Numeruj pozycje kolejno od 1.",
                    l.number,
                    i + 1
                ),
                format!(
                    "Line number {} should be {}. Number lines consecutively from 1.",
                    l.number,
                    i + 1
                ),
            );
        }
        if l.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            o.push(
                "line.name",
                format!("{path}/P_7"),
                "Brak nazwy towaru lub usługi. Wpisz nazwę.".into(),
                "Missing name of goods or service. Enter the name.".into(),
            );
        }
        if l.rate.is_none()
            && l.oss_rate.is_none()
            && fa.annotations.margin.is_none()
            && needs_lines
        {
            o.push(
                "line.rate",
                format!("{path}/P_12"),
                "Brak stawki VAT. Wybierz stawkę (23, 8, 5, 0, zw, oo, np).".into(),
                "Missing VAT rate. Choose a rate (23, 8, 5, 0, zw, oo, np).".into(),
            );
        }
        if let (Some(q), Some(p), Some(stated)) = (l.quantity, l.unit_net_price, l.net) {
            let expected = amounts::round2(q * p - l.discount.unwrap_or_default());
            if (expected - stated).abs() > Decimal::new(1, 2) {
                o.push(
                    "line.net",
                    format!("{path}/P_11"),
                    format!("Wartość netto {stated} nie zgadza się z ilością × ceną ({expected}). Popraw wartość lub cenę."),
                    format!("Net value {stated} does not match quantity × price ({expected}). Fix the value or the price."),
                );
            }
        }
    }
}

/// (net field, VAT field, stated, computed from lines, rate groups).
type TotalCheck = (
    &'static str,
    &'static str,
    Option<TaxedTotal>,
    Option<TaxedTotal>,
    Vec<Group>,
);

fn totals(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    let t = &fa.totals;
    let sum = amounts::stated_sum(t);
    // For advance invoices P_15 is the amount received, which need not equal the
    // sum of P_13/P_14 of the ordered goods; likewise ROZ shows what remains.
    if !matches!(
        fa.kind,
        InvoiceKind::Zal | InvoiceKind::KorZal | InvoiceKind::Roz | InvoiceKind::KorRoz
    ) && sum != t.gross
    {
        o.push(
            "totals.gross",
            "Fa/P_15",
            format!("Kwota należności ogółem {} nie równa się sumie netto i VAT ({sum}). Przelicz sumy.", t.gross),
            format!("Gross total {} does not equal the sum of net and VAT amounts ({sum}). Recalculate the totals.", t.gross),
        );
    }
    // Advance and settlement invoices state amounts paid or remaining, which
    // differ from their lines by design.
    if fa.lines.is_empty()
        || !matches!(
            fa.kind,
            InvoiceKind::Vat | InvoiceKind::Upr | InvoiceKind::Kor
        )
    {
        return;
    }
    let computed = amounts::compute_totals(fa);
    let groups = amounts::group_totals(&fa.lines, &fa.currency, amounts::invoice_exchange_rate(fa));
    let tolerance = |g: &[Group]| {
        // Per-line rounding is tolerated up to one grosz per line.
        let n: usize = groups
            .iter()
            .filter(|(k, _)| g.contains(k))
            .map(|(_, a)| a.lines)
            .sum();
        Decimal::new(n as i64, 2)
    };
    let pairs: [TotalCheck; 4] = [
        (
            "P_13_1",
            "P_14_1",
            t.basic,
            computed.basic,
            vec![Group::Rate(VatRate::R23), Group::Rate(VatRate::R22)],
        ),
        (
            "P_13_2",
            "P_14_2",
            t.reduced1,
            computed.reduced1,
            vec![Group::Rate(VatRate::R8), Group::Rate(VatRate::R7)],
        ),
        (
            "P_13_3",
            "P_14_3",
            t.reduced2,
            computed.reduced2,
            vec![Group::Rate(VatRate::R5)],
        ),
        (
            "P_13_4",
            "P_14_4",
            t.taxi,
            computed.taxi,
            vec![Group::Rate(VatRate::R4), Group::Rate(VatRate::R3)],
        ),
    ];
    for (net_f, vat_f, stated, comp, g) in pairs {
        let s = stated.unwrap_or_default();
        let c = comp.unwrap_or_default();
        let tol = tolerance(&g);
        if (s.net - c.net).abs() > tol {
            o.push(
                "totals.net",
                format!("Fa/{net_f}"),
                format!("Suma netto {} nie zgadza się z pozycjami ({}). Przelicz sumy z pozycji.", s.net, c.net),
                format!("Net total {} does not match the lines ({}). Recalculate totals from the lines.", s.net, c.net),
            );
        }
        if (s.vat - c.vat).abs() > tol {
            o.push(
                "totals.vat",
                format!("Fa/{vat_f}"),
                format!(
                    "Kwota VAT {} nie zgadza się z pozycjami ({}). Przelicz VAT od sumy netto.",
                    s.vat, c.vat
                ),
                format!(
                    "VAT {} does not match the lines ({}). Recalculate VAT from the net total.",
                    s.vat, c.vat
                ),
            );
        }
    }
    let plain = [
        ("P_13_6_1", t.zero_domestic, computed.zero_domestic),
        ("P_13_6_2", t.zero_intra_eu, computed.zero_intra_eu),
        ("P_13_6_3", t.zero_export, computed.zero_export),
        ("P_13_7", t.exempt, computed.exempt),
        ("P_13_8", t.outside_country, computed.outside_country),
        ("P_13_9", t.eu_services, computed.eu_services),
        ("P_13_10", t.reverse_charge, computed.reverse_charge),
    ];
    for (f, s, c) in plain {
        let (s, c) = (s.unwrap_or_default(), c.unwrap_or_default());
        if (s - c).abs() > Decimal::new(fa.lines.len() as i64, 2) {
            o.push(
                "totals.net",
                format!("Fa/{f}"),
                format!("Suma {s} nie zgadza się z pozycjami ({c}). Przelicz sumy z pozycji."),
                format!(
                    "Total {s} does not match the lines ({c}). Recalculate totals from the lines."
                ),
            );
        }
    }
}

fn currency(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    let t = &fa.totals;
    let taxed = [
        ("P_14_1W", t.basic),
        ("P_14_2W", t.reduced1),
        ("P_14_3W", t.reduced2),
        ("P_14_4W", t.taxi),
    ];
    if fa.currency == "PLN" {
        for (f, g) in taxed {
            if g.is_some_and(|g| g.vat_pln.is_some()) {
                o.push(
                    "currency.pln_vat_in_pln",
                    format!("Fa/{f}"),
                    format!("Pole {f} wypełnia się tylko dla faktur w walucie obcej. Usuń je."),
                    format!("{f} is only for invoices in a foreign currency. Remove it."),
                );
            }
        }
        return;
    }
    for (f, g) in taxed {
        if g.is_some_and(|g| g.vat_pln.is_none()) {
            o.push(
                "currency.vat_pln_missing",
                format!("Fa/{f}"),
                format!("Faktura w {} wymaga kwoty VAT przeliczonej na złote ({f}). Podaj kurs i przelicz VAT na PLN.", fa.currency),
                format!("An invoice in {} needs the VAT converted to PLN ({f}). Give the exchange rate and convert the VAT.", fa.currency),
            );
        }
    }
    let has_vat = taxed
        .iter()
        .any(|(_, g)| g.is_some_and(|g| !g.vat.is_zero()));
    if has_vat && amounts::invoice_exchange_rate(fa).is_none() {
        o.push(
            "currency.rate_missing",
            "Fa/FaWiersz/KursWaluty",
            format!(
                "Brak kursu waluty {} do przeliczenia VAT. Podaj kurs (KursWaluty).",
                fa.currency
            ),
            format!(
                "Missing the {} exchange rate used to convert VAT. Give the rate (KursWaluty).",
                fa.currency
            ),
        );
    }
}

/// Gross in PLN, when it can be known.
fn gross_pln(fa: &Fa) -> Option<Decimal> {
    if fa.currency == "PLN" {
        return Some(fa.totals.gross);
    }
    amounts::invoice_exchange_rate(fa).map(|r| amounts::round2(fa.totals.gross * r))
}

fn split_payment(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    let annex15 = fa.lines.iter().any(|l| l.annex15)
        || fa
            .order
            .as_ref()
            .is_some_and(|o| o.lines.iter().any(|l| l.annex15));
    if !annex15 || fa.annotations.split_payment {
        return;
    }
    if gross_pln(fa).is_some_and(|g| g > MPP_THRESHOLD_PLN) {
        o.push(
            "mpp.required",
            "Fa/Adnotacje/P_18A",
            "Faktura na ponad 15 000 zł brutto z towarami lub usługami z załącznika 15 wymaga oznaczenia \"mechanizm podzielonej płatności\". Zaznacz MPP (P_18A = 1).".into(),
            "An invoice over PLN 15,000 gross with annex-15 goods or services must be marked \"split payment\". Set MPP (P_18A = 1).".into(),
        );
    }
}

fn kinds(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    if fa.kind.is_correction() {
        match &fa.correction {
            Some(c) if !c.corrected.is_empty() => {
                if c.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    o.push(
                        "correction.reason",
                        "Fa/PrzyczynaKorekty",
                        "Brak przyczyny korekty. Opisz, dlaczego faktura jest korygowana.".into(),
                        "Missing reason for the correction. Describe why the invoice is corrected.".into(),
                    );
                }
            }
            _ => o.push(
                "correction.original",
                "Fa/DaneFaKorygowanej",
                "Faktura korygująca musi wskazywać fakturę korygowaną (data, numer, numer KSeF). Dodaj dane faktury korygowanej.".into(),
                "A correction must reference the corrected invoice (date, number, KSeF number). Add the original's data.".into(),
            ),
        }
    } else if fa
        .correction
        .as_ref()
        .is_some_and(|c| !c.corrected.is_empty())
    {
        o.push(
            "correction.unexpected",
            "Fa/RodzajFaktury",
            "Dane faktury korygowanej są podane, ale rodzaj faktury nie jest korektą. Zmień rodzaj na KOR lub usuń te dane.".into(),
            "Corrected-invoice data are present but the kind is not a correction. Set the kind to KOR or remove them.".into(),
        );
    }
    if matches!(fa.kind, InvoiceKind::Roz) && fa.advance_invoices.is_empty() {
        o.push(
            "settlement.advances",
            "Fa/FakturaZaliczkowa",
            "Faktura rozliczeniowa musi wskazywać faktury zaliczkowe. Dodaj numery faktur zaliczkowych.".into(),
            "A settlement invoice must list the advance invoices. Add their numbers.".into(),
        );
    }
    if fa.kind == InvoiceKind::Upr {
        if let Some(g) = gross_pln(fa) {
            if g > UPR_LIMIT_PLN {
                o.push(
                    "simplified.limit",
                    "Fa/P_15",
                    format!("Faktura uproszczona może mieć najwyżej 450 zł brutto (jest {g} zł). Wystaw zwykłą fakturę VAT."),
                    format!("A simplified invoice may not exceed PLN 450 gross (it is {g}). Issue a regular VAT invoice."),
                );
            }
        }
    }
}

fn annotations(inv: &Invoice, o: &mut Out) {
    let fa = &inv.fa;
    if fa.lines.iter().any(|l| l.rate == Some(VatRate::Exempt))
        && fa.annotations.exemption == Exemption::None
    {
        o.push(
            "exemption.basis",
            "Fa/Adnotacje/Zwolnienie",
            "Pozycje zwolnione (zw) wymagają podstawy zwolnienia. Wskaż przepis (P_19A, P_19B lub P_19C).".into(),
            "Exempt (zw) lines need an exemption basis. Give the legal provision (P_19A, P_19B or P_19C).".into(),
        );
    }
    if fa
        .lines
        .iter()
        .any(|l| l.rate == Some(VatRate::ReverseCharge))
        && !fa.annotations.reverse_charge
    {
        o.push(
            "reverse_charge.flag",
            "Fa/Adnotacje/P_18",
            "Pozycje z odwrotnym obciążeniem (oo) wymagają adnotacji \"odwrotne obciążenie\". Ustaw P_18 = 1.".into(),
            "Reverse-charge (oo) lines need the \"reverse charge\" annotation. Set P_18 = 1.".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::amounts;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn line(n: u64, name: &str, qty: Decimal, price: Decimal, rate: VatRate) -> Line {
        Line {
            number: n,
            name: Some(name.into()),
            unit: Some("szt.".into()),
            quantity: Some(qty),
            unit_net_price: Some(price),
            rate: Some(rate),
            ..Line::default()
        }
    }

    /// A correct invoice we could send.
    fn valid() -> Invoice {
        let mut fa = Fa::new(InvoiceKind::Vat, "PLN", d(2026, 3, 10), "FV/1/2026");
        fa.sale_date = Some(SaleDate::Date(d(2026, 3, 9)));
        fa.lines = vec![
            line(1, "Usługa księgowa", dec!(1), dec!(1200), VatRate::R23),
            line(2, "Książka", dec!(3), dec!(49.99), VatRate::R5),
        ];
        fa.payment = Some(Payment {
            terms: vec![PaymentTerm {
                due: Some(d(2026, 3, 24)),
                description: None,
            }],
            method: Some(PaymentMethod::Code(6)),
            ..Payment::default()
        });
        amounts::recompute(&mut fa);
        Invoice {
            header: Header {
                created: d(2026, 3, 10)
                    .and_hms_opt(9, 0, 0)
                    .unwrap()
                    .and_utc()
                    .fixed_offset(),
                system_info: None,
            },
            seller: Seller::new(
                "5265877635",
                "Biuro Rachunkowe Łódź sp. z o.o.",
                Address::new("PL", "ul. Piotrkowska 1, 90-001 Łódź"),
            ),
            buyer: Buyer::new(
                PartyId::Nip("1111111111".into()),
                "Żabka Kowalski",
                Address::new("PL", "ul. Długa 2, 00-238 Warszawa"),
            ),
            third_parties: vec![],
            fa,
            footer: None,
            extra: vec![],
        }
    }

    fn check(mutate: impl FnOnce(&mut Invoice), expected: &[&str]) {
        let mut inv = valid();
        mutate(&mut inv);
        let got: Vec<&str> = validate_for_sending(&inv).iter().map(|f| f.code).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_correct_invoice_has_no_findings_and_is_schema_valid() {
        check(|_| {}, &[]);
        crate::write(&valid()).unwrap();
    }

    #[test]
    fn nip_checksum() {
        assert!(nip_is_valid("5265877635"));
        assert!(nip_is_valid("1111111111"));
        assert!(!nip_is_valid("5265877636"));
        assert!(!nip_is_valid("526587763"));
        assert!(!nip_is_valid("52658776a5"));
        // Checksum 10 is never valid.
        assert!(!nip_is_valid("9000000000"));
        assert!(!nip_is_valid("9000000009"));
        check(|i| i.seller.nip = "1234567890".into(), &["nip.checksum"]);
        check(
            |i| i.buyer.id = PartyId::Nip("1234567890".into()),
            &["nip.checksum"],
        );
    }

    #[test]
    fn parties() {
        check(|i| i.buyer.name = None, &["buyer.name"]);
        check(|i| i.buyer.address = None, &["buyer.address"]);
        check(
            |i| i.buyer.id = PartyId::Nip("5265877635".into()),
            &["buyer.same_as_seller"],
        );
        check(|i| i.buyer.id = PartyId::None, &[]);
    }

    #[test]
    fn dates() {
        check(
            |i| i.fa.payment.as_mut().unwrap().terms[0].due = Some(d(2026, 3, 1)),
            &["date.due_before_issue"],
        );
        check(
            |i| {
                i.fa.sale_date = Some(SaleDate::Period {
                    from: d(2026, 3, 5),
                    to: d(2026, 3, 1),
                })
            },
            &["date.period"],
        );
    }

    /// Codes of the findings that stop sending, and of those that only warn.
    fn verdict(inv: &Invoice) -> (Vec<&'static str>, Vec<&'static str>) {
        let all = validate_for_sending(inv);
        let codes = |blocking: bool| {
            all.iter()
                .filter(|f| f.blocks_sending() == blocking)
                .map(|f| f.code)
                .collect()
        };
        (codes(true), codes(false))
    }

    #[test]
    fn an_invoice_issued_after_the_deadline_warns_and_is_still_sent() {
        // Sold on 10 January, due by 15 February, issued 10 March: late but legal
        // (art. 106i ust. 1), so it must go out.
        let mut inv = valid();
        inv.fa.sale_date = Some(SaleDate::Date(d(2026, 1, 10)));
        assert_eq!(verdict(&inv), (vec![], vec!["date.late_issue"]));
        let late = &validate_for_sending(&inv)[0];
        assert!(
            late.message_en.contains("2026-02-15")
                && late.message_en.contains("must be issued and sent")
        );
        assert!(late.message_pl.contains("2026-02-15"));
        // On the 15th itself it is on time; a settlement period counts from its end.
        inv.fa.sale_date = Some(SaleDate::Date(d(2026, 2, 28)));
        assert_eq!(verdict(&inv), (vec![], vec![]));
        inv.fa.issue_date = d(2026, 3, 16);
        inv.fa.payment = None;
        assert_eq!(verdict(&inv), (vec![], vec!["date.late_issue"]));
        inv.fa.sale_date = Some(SaleDate::Period {
            from: d(2026, 2, 1),
            to: d(2026, 2, 28),
        });
        assert_eq!(verdict(&inv), (vec![], vec!["date.late_issue"]));
    }

    #[test]
    fn an_invoice_for_a_settlement_period_may_be_issued_at_its_start() {
        // A year's subscription invoiced on its first day (10 March): the period
        // ends 300 days later, which art. 106i ust. 8 allows.
        let mut inv = valid();
        inv.fa.sale_date = Some(SaleDate::Period {
            from: d(2026, 3, 10),
            to: d(2027, 3, 9),
        });
        assert_eq!(verdict(&inv), (vec![], vec![]));
        // Invoices for the next quarter's lease, issued ahead.
        inv.fa.sale_date = Some(SaleDate::Period {
            from: d(2026, 4, 1),
            to: d(2026, 6, 30),
        });
        assert_eq!(verdict(&inv), (vec![], vec![]));
        // A single delivery date still may not be more than 60 days away (ust. 7).
        inv.fa.sale_date = Some(SaleDate::Date(d(2026, 5, 9)));
        assert_eq!(verdict(&inv), (vec![], vec![]));
        inv.fa.sale_date = Some(SaleDate::Date(d(2026, 5, 10)));
        assert_eq!(verdict(&inv), (vec!["date.too_early"], vec![]));
    }

    #[test]
    fn a_mixed_net_and_gross_invoice_computes_and_checks_every_line() {
        let mut inv = valid();
        // Line 2 becomes gross-priced: 3 x 52.49 gross at 5%.
        let l = &mut inv.fa.lines[1];
        l.unit_net_price = None;
        l.net = None;
        l.unit_gross_price = Some(dec!(52.49));
        amounts::recompute(&mut inv.fa);
        // 157.47 gross holds 7.50 VAT -> 149.97 net -> VAT 7.4985 -> 7.50.
        let r5 = inv.fa.totals.reduced2.unwrap();
        assert_eq!((r5.net, r5.vat), (dec!(149.97), dec!(7.50)));
        assert_eq!(inv.fa.totals.gross, dec!(1476.00) + dec!(157.47));
        assert_eq!(verdict(&inv), (vec![], vec![]));
        // Totals that leave the gross line out (what used to be computed) are refused.
        let mut without = inv.clone();
        without.fa.totals.reduced2 = None;
        without.fa.totals.gross = dec!(1476.00);
        assert_eq!(
            verdict(&without),
            (vec!["totals.net", "totals.vat"], vec![])
        );
        crate::write(&inv).unwrap();
    }

    #[test]
    fn totals_must_match_lines() {
        check(|i| i.fa.totals.gross += dec!(0.01), &["totals.gross"]);
        check(
            |i| {
                let b = i.fa.totals.basic.as_mut().unwrap();
                b.vat += dec!(1);
                i.fa.totals.gross += dec!(1);
            },
            &["totals.vat"],
        );
        check(|i| i.fa.lines[0].net = Some(dec!(1000)), &["line.net"]);
        check(|i| i.fa.lines.clear(), &["lines.missing"]);
        check(
            |i| i.fa.lines[1].rate = None,
            &["line.rate", "totals.net", "totals.vat"],
        );
    }

    #[test]
    fn currency_rules() {
        check(
            |i| i.fa.currency = "EUR".into(),
            &[
                "currency.vat_pln_missing",
                "currency.vat_pln_missing",
                "currency.rate_missing",
            ],
        );
        check(
            |i| {
                i.fa.currency = "EUR".into();
                i.fa.lines
                    .iter_mut()
                    .for_each(|l| l.exchange_rate = Some(dec!(4.2537)));
                amounts::recompute(&mut i.fa);
            },
            &[],
        );
        check(
            |i| i.fa.totals.basic.as_mut().unwrap().vat_pln = Some(dec!(1)),
            &["currency.pln_vat_in_pln"],
        );
    }

    #[test]
    fn split_payment_above_threshold_for_annex_15() {
        let big = |i: &mut Invoice| {
            i.fa.lines[0].annex15 = true;
            i.fa.lines[0].unit_net_price = Some(dec!(12200));
            amounts::recompute(&mut i.fa);
        };
        check(big, &["mpp.required"]);
        check(
            |i| {
                big(i);
                i.fa.annotations.split_payment = true;
            },
            &[],
        );
        // 12 195.12 net + 23% = 14 999.99 gross: not above the threshold.
        check(
            |i| {
                i.fa.lines.truncate(1);
                i.fa.lines[0].annex15 = true;
                i.fa.lines[0].unit_net_price = Some(dec!(12195.12));
                amounts::recompute(&mut i.fa);
                assert!(i.fa.totals.gross <= MPP_THRESHOLD_PLN);
            },
            &[],
        );
    }

    #[test]
    fn corrections_reference_the_original() {
        check(|i| i.fa.kind = InvoiceKind::Kor, &["correction.original"]);
        check(
            |i| {
                i.fa.kind = InvoiceKind::Kor;
                i.fa.correction = Some(Correction {
                    reason: Some("Zwrot towaru".into()),
                    effect: Some(2),
                    corrected: vec![CorrectedInvoice {
                        issue_date: d(2026, 2, 1),
                        number: "FV/7/2026".into(),
                        ksef_number: Some("5265877635-20260201-0100001AF629-1D".into()),
                    }],
                    period: None,
                    corrected_number: None,
                });
            },
            &[],
        );
        check(
            |i| {
                i.fa.correction = Some(Correction {
                    reason: None,
                    effect: None,
                    corrected: vec![CorrectedInvoice {
                        issue_date: d(2026, 2, 1),
                        number: "X".into(),
                        ksef_number: None,
                    }],
                    period: None,
                    corrected_number: None,
                })
            },
            &["correction.unexpected"],
        );
    }

    #[test]
    fn annotations_follow_the_rates() {
        check(
            |i| {
                i.fa.lines[1].rate = Some(VatRate::Exempt);
                amounts::recompute(&mut i.fa);
            },
            &["exemption.basis"],
        );
        check(
            |i| {
                i.fa.lines[1].rate = Some(VatRate::ReverseCharge);
                amounts::recompute(&mut i.fa);
            },
            &["reverse_charge.flag"],
        );
        check(|i| i.fa.kind = InvoiceKind::Upr, &["simplified.limit"]);
        check(|i| i.fa.kind = InvoiceKind::Roz, &["settlement.advances"]);
    }

    #[test]
    fn references_and_accounts() {
        assert!(account_is_valid("61109010140000071219812874"));
        assert!(account_is_valid("PL61 1090 1014 0000 0712 1981 2874"));
        assert!(account_is_valid("DE89370400440532013000"));
        assert!(!account_is_valid("61109010140000071219812875"));
        assert!(account_is_valid("konto 123/456"));
        let account = |n: &str| BankAccount {
            number: n.into(),
            ..BankAccount::default()
        };
        check(
            |i| {
                i.fa.payment.as_mut().unwrap().bank_accounts =
                    vec![account("61109010140000071219812874")]
            },
            &[],
        );
        check(
            |i| {
                i.fa.payment.as_mut().unwrap().bank_accounts =
                    vec![account("61109010140000071219812875")]
            },
            &["payment.account"],
        );
        check(
            |i| {
                i.fa.kind = InvoiceKind::Roz;
                i.fa.advance_invoices = vec![AdvanceInvoiceRef::Ksef(
                    "5265877635-20250826-0100001AF629-AE".into(),
                )];
            },
            &["ksef_number.checksum"],
        );
    }

    #[test]
    fn messages_are_bilingual() {
        let mut inv = valid();
        inv.seller.nip = "1234567890".into();
        inv.buyer.name = None;
        for f in validate_for_sending(&inv) {
            assert!(
                !f.message_pl.is_empty()
                    && !f.message_en.is_empty()
                    && f.message_pl != f.message_en
            );
            assert!(!f.path.is_empty());
        }
    }
}
