//! Printable HTML visualisation of any FA(3) invoice, ours or received.
//!
//! Self-contained (inline CSS and SVG QR), A4-friendly, Polish labels, amounts
//! in Polish format (`1 234,56`). Every value from the document is escaped.

use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::*;
use crate::qr;

/// What the renderer needs besides the invoice.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// KSeF number, once KSeF assigned it.
    pub ksef_number: Option<String>,
    /// KOD I verification link (see [`crate::qr::verification_link`]); shown as a QR code.
    pub verification_link: Option<String>,
    /// Label under the QR code when no KSeF number is known (e.g. `OFFLINE`).
    pub qr_label: Option<String>,
}

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Polish number format: thousands separated by a space, decimal comma,
/// at least `min_dp` decimals.
pub fn fmt_amount(d: Decimal, min_dp: u32) -> String {
    let mut d = d.normalize();
    if d.scale() < min_dp {
        d.rescale(min_dp);
    }
    let s = d.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

fn money(d: Decimal) -> String {
    fmt_amount(d, 2)
}

fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Polish title of an invoice kind.
pub fn kind_title(k: InvoiceKind) -> &'static str {
    match k {
        InvoiceKind::Vat => "Faktura VAT",
        InvoiceKind::Kor => "Faktura korygująca",
        InvoiceKind::Zal => "Faktura zaliczkowa",
        InvoiceKind::Roz => "Faktura rozliczeniowa",
        InvoiceKind::Upr => "Faktura uproszczona",
        InvoiceKind::KorZal => "Faktura korygująca fakturę zaliczkową",
        InvoiceKind::KorRoz => "Faktura korygująca fakturę rozliczeniową",
    }
}

/// Human description of a party id.
pub fn party_id_text(id: &PartyId) -> String {
    match id {
        PartyId::Nip(n) => format!("NIP: {n}"),
        PartyId::InternalId(n) => format!("ID wewnętrzny: {n}"),
        PartyId::EuVat { country, number } => format!("VAT UE: {country}{number}"),
        PartyId::Foreign { country, id } => {
            format!(
                "Identyfikator podatkowy: {}{id}",
                country
                    .as_deref()
                    .map(|c| format!("{c} "))
                    .unwrap_or_default()
            )
        }
        PartyId::None => "Brak identyfikatora podatkowego".to_owned(),
    }
}

/// A rate as printed: `23%`, `zw`, `0 KR`, ...
pub fn rate_label(r: VatRate) -> String {
    match r.percent() {
        Some(_) => format!("{}%", r.code()),
        None => r.code().to_owned(),
    }
}

/// Polish name of a payment method.
pub fn payment_method_text(m: &PaymentMethod) -> String {
    match m {
        PaymentMethod::Code(c) => match c {
            1 => "gotówka",
            2 => "karta",
            3 => "bon",
            4 => "czek",
            5 => "kredyt",
            6 => "przelew",
            7 => "płatność mobilna",
            _ => "inna",
        }
        .to_owned(),
        PaymentMethod::Other(d) => d.clone(),
    }
}

/// Polish name of a third party's role.
pub fn role_text(r: &ThirdPartyRole) -> String {
    match r {
        ThirdPartyRole::Code(c) => match c {
            1 => "Faktor",
            2 => "Odbiorca",
            3 => "Podmiot pierwotny",
            4 => "Dodatkowy nabywca",
            5 => "Wystawca faktury",
            6 => "Dokonujący płatności",
            7 => "JST – wystawca",
            8 => "JST – odbiorca",
            9 => "Członek grupy VAT – wystawca",
            10 => "Członek grupy VAT – odbiorca",
            11 => "Pracownik",
            _ => "Inna rola",
        }
        .to_owned(),
        ThirdPartyRole::Other(d) => d.clone(),
    }
}

/// VAT summary rows (label, net, VAT, VAT in PLN) from the stated totals.
pub fn vat_summary(t: &Totals) -> Vec<(&'static str, Decimal, Option<Decimal>, Option<Decimal>)> {
    let mut rows = Vec::new();
    let taxed = [
        ("23% / 22%", t.basic),
        ("8% / 7%", t.reduced1),
        ("5%", t.reduced2),
        ("4% / 3%", t.taxi),
    ];
    for (label, v) in taxed {
        if let Some(v) = v {
            rows.push((label, v.net, Some(v.vat), v.vat_pln));
        }
    }
    if let Some(o) = t.oss {
        rows.push(("OSS", o.net, o.vat, None));
    }
    let plain = [
        ("0% (kraj)", t.zero_domestic),
        ("0% (WDT)", t.zero_intra_eu),
        ("0% (eksport)", t.zero_export),
        ("zw", t.exempt),
        ("np (poza krajem)", t.outside_country),
        ("np (art. 100 ust. 1 pkt 4)", t.eu_services),
        ("oo", t.reverse_charge),
        ("marża", t.margin),
    ];
    for (label, v) in plain {
        if let Some(v) = v {
            rows.push((label, v, None, None));
        }
    }
    rows
}

/// Short annotation texts that apply.
pub fn annotation_texts(a: &Annotations) -> Vec<String> {
    let mut v = Vec::new();
    if a.split_payment {
        v.push("mechanizm podzielonej płatności".to_owned());
    }
    if a.cash_accounting {
        v.push("metoda kasowa".to_owned());
    }
    if a.self_billing {
        v.push("samofakturowanie".to_owned());
    }
    if a.reverse_charge {
        v.push("odwrotne obciążenie".to_owned());
    }
    match &a.exemption {
        Exemption::None => {}
        Exemption::Statute(s) => v.push(format!("zwolnienie: {s}")),
        Exemption::Directive(s) => v.push(format!("zwolnienie (dyrektywa 2006/112/WE): {s}")),
        Exemption::Other(s) => v.push(format!("zwolnienie (inna podstawa): {s}")),
    }
    if a.new_transport.is_some() {
        v.push("wewnątrzwspólnotowa dostawa nowych środków transportu".to_owned());
    }
    if a.simplified_triangular {
        v.push("procedura uproszczona – transakcja trójstronna".to_owned());
    }
    match a.margin {
        Some(MarginScheme::Travel) => v.push("procedura marży dla biur podróży".to_owned()),
        Some(MarginScheme::UsedGoods) => v.push("procedura marży – towary używane".to_owned()),
        Some(MarginScheme::Art) => v.push("procedura marży – dzieła sztuki".to_owned()),
        Some(MarginScheme::Antiques) => {
            v.push("procedura marży – przedmioty kolekcjonerskie i antyki".to_owned())
        }
        None => {}
    }
    v
}

const CSS: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10pt; color: #111; margin: 0; }
.doc { max-width: 190mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #222; padding-bottom: 6px; }
h1 { font-size: 16pt; margin: 0 0 4px 0; }
h2 { font-size: 11pt; margin: 14px 0 4px 0; border-bottom: 1px solid #bbb; }
.meta div { margin: 1px 0; }
.parties { display: flex; gap: 16px; }
.parties > section { flex: 1; }
table { width: 100%; border-collapse: collapse; margin-top: 4px; }
th, td { border: 1px solid #999; padding: 3px 4px; vertical-align: top; }
th { background: #eee; font-weight: 600; text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.before td { color: #555; font-style: italic; }
.total { font-size: 13pt; font-weight: 700; text-align: right; margin-top: 8px; }
.qr { text-align: center; font-size: 8pt; }
.qr .label { word-break: break-all; max-width: 48mm; }
.muted { color: #555; }
footer { margin-top: 16px; border-top: 1px solid #bbb; padding-top: 6px; font-size: 8.5pt; }
@media print { h2 { break-after: avoid; } tr { break-inside: avoid; } }
"#;

/// Render `inv` as a standalone, printable HTML page.
pub fn render_html(inv: &Invoice, opts: &RenderOptions) -> String {
    let fa = &inv.fa;
    let cur = esc(&fa.currency);
    let mut h = String::with_capacity(32 * 1024);
    let title = format!("{} {}", kind_title(fa.kind), fa.number);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"pl\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body><div class=\"doc\">",
        esc(&title)
    );
    // Header with QR.
    h.push_str("<header><div class=\"meta\">");
    let _ = write!(
        h,
        "<h1>{}</h1><div>Numer: <strong>{}</strong></div>",
        esc(kind_title(fa.kind)),
        esc(&fa.number)
    );
    if let Some(k) = &opts.ksef_number {
        let _ = write!(h, "<div>Numer KSeF: <strong>{}</strong></div>", esc(k));
    }
    let _ = write!(h, "<div>Data wystawienia: {}</div>", date(fa.issue_date));
    if let Some(p) = &fa.issue_place {
        let _ = write!(h, "<div>Miejsce wystawienia: {}</div>", esc(p));
    }
    match fa.sale_date {
        Some(SaleDate::Date(d)) => {
            let _ = write!(h, "<div>Data sprzedaży: {}</div>", date(d));
        }
        Some(SaleDate::Period { from, to }) => {
            let _ = write!(h, "<div>Okres: {} – {}</div>", date(from), date(to));
        }
        None => {}
    }
    let _ = write!(h, "<div>Waluta: {cur}</div>");
    h.push_str("</div>");
    if let Some(link) = &opts.verification_link {
        if let Ok(svg) = qr::qr_svg(link, 132) {
            let label = opts
                .ksef_number
                .clone()
                .or_else(|| opts.qr_label.clone())
                .unwrap_or_default();
            let _ = write!(
                h,
                "<div class=\"qr\"><a href=\"{}\">{svg}</a><div class=\"label\">{}</div></div>",
                esc(link),
                esc(&label)
            );
        }
    }
    h.push_str("</header>");

    // Parties.
    h.push_str("<div class=\"parties\">");
    seller_block(&mut h, &inv.seller);
    buyer_block(&mut h, &inv.buyer);
    h.push_str("</div>");
    if !inv.third_parties.is_empty() {
        h.push_str("<h2>Podmioty trzecie</h2><table><tr><th>Rola</th><th>Identyfikator</th><th>Nazwa</th><th>Adres</th></tr>");
        for p in &inv.third_parties {
            let share = p
                .share
                .map(|s| format!(" ({}%)", fmt_amount(s, 0)))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&role_text(&p.role)),
                esc(&share),
                esc(&party_id_text(&p.id)),
                esc(p.name.as_deref().unwrap_or("")),
                p.address.as_ref().map(address_html).unwrap_or_default()
            );
        }
        h.push_str("</table>");
    }

    // Correction.
    if let Some(c) = &fa.correction {
        h.push_str("<h2>Korekta</h2>");
        if let Some(r) = &c.reason {
            let _ = write!(h, "<div>Przyczyna korekty: {}</div>", esc(r));
        }
        for k in &c.corrected {
            let _ = write!(
                h,
                "<div>Faktura korygowana: {} z dnia {}{}</div>",
                esc(&k.number),
                date(k.issue_date),
                k.ksef_number
                    .as_ref()
                    .map(|n| format!(", nr KSeF {}", esc(n)))
                    .unwrap_or_default()
            );
        }
        if let Some(p) = &c.period {
            let _ = write!(h, "<div>Okres korekty: {}</div>", esc(p));
        }
    }
    if !fa.advance_invoices.is_empty() {
        h.push_str("<h2>Faktury zaliczkowe</h2><ul>");
        for a in &fa.advance_invoices {
            let t = match a {
                AdvanceInvoiceRef::Ksef(k) => format!("nr KSeF {k}"),
                AdvanceInvoiceRef::Outside(n) => format!("{n} (poza KSeF)"),
            };
            let _ = write!(h, "<li>{}</li>", esc(&t));
        }
        h.push_str("</ul>");
    }

    // Lines.
    if !fa.lines.is_empty() {
        let gross_basis =
            crate::amounts::price_basis(&fa.lines) == crate::amounts::PriceBasis::Gross;
        let (price_h, value_h) = if gross_basis {
            ("Cena brutto", "Wartość brutto")
        } else {
            ("Cena netto", "Wartość netto")
        };
        let _ = write!(
            h,
            "<h2>Pozycje</h2><table><tr><th>Lp.</th><th>Nazwa</th><th>J.m.</th><th class=\"num\">Ilość</th><th class=\"num\">{price_h}</th><th class=\"num\">Rabat</th><th class=\"num\">{value_h}</th><th>VAT</th></tr>"
        );
        for l in &fa.lines {
            let (price, value) = if gross_basis {
                (l.unit_gross_price, l.gross)
            } else {
                (l.unit_net_price, l.net)
            };
            let value = value.or_else(|| {
                crate::amounts::line_value(
                    l,
                    if gross_basis {
                        crate::amounts::PriceBasis::Gross
                    } else {
                        crate::amounts::PriceBasis::Net
                    },
                )
            });
            let rate = match (l.rate, l.oss_rate) {
                (Some(r), _) => rate_label(r),
                (None, Some(o)) => format!("{}% OSS", fmt_amount(o, 0)),
                _ => String::new(),
            };
            let _ = write!(
                h,
                "<tr{}><td>{}</td><td>{}{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                if l.before_correction { " class=\"before\"" } else { "" },
                l.number,
                esc(l.name.as_deref().unwrap_or("")),
                if l.before_correction { " <span class=\"muted\">(przed korektą)</span>" } else { "" },
                esc(l.unit.as_deref().unwrap_or("")),
                l.quantity.map(|q| fmt_amount(q, 0)).unwrap_or_default(),
                price.map(|p| fmt_amount(p, 2)).unwrap_or_default(),
                l.discount.map(money).unwrap_or_default(),
                value.map(money).unwrap_or_default(),
                esc(&rate)
            );
        }
        h.push_str("</table>");
    }

    // Order of an advance invoice.
    if let Some(o) = &fa.order {
        h.push_str("<h2>Zamówienie</h2><table><tr><th>Lp.</th><th>Nazwa</th><th>J.m.</th><th class=\"num\">Ilość</th><th class=\"num\">Cena netto</th><th class=\"num\">Wartość netto</th><th class=\"num\">VAT</th><th>Stawka</th></tr>");
        for l in &o.lines {
            let _ = write!(
                h,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                if l.before_correction { " class=\"before\"" } else { "" },
                l.number,
                esc(l.name.as_deref().unwrap_or("")),
                esc(l.unit.as_deref().unwrap_or("")),
                l.quantity.map(|q| fmt_amount(q, 0)).unwrap_or_default(),
                l.unit_net_price.map(|p| fmt_amount(p, 2)).unwrap_or_default(),
                l.net.map(money).unwrap_or_default(),
                l.vat.map(money).unwrap_or_default(),
                esc(&l.rate.map(rate_label).unwrap_or_default())
            );
        }
        let _ = write!(
            h,
            "</table><div>Wartość zamówienia: {} {cur}</div>",
            money(o.value)
        );
    }

    // VAT summary.
    let rows = vat_summary(&fa.totals);
    if !rows.is_empty() {
        let foreign = fa.currency != "PLN";
        let _ = write!(
            h,
            "<h2>Podsumowanie VAT</h2><table><tr><th>Stawka</th><th class=\"num\">Netto</th><th class=\"num\">VAT</th><th class=\"num\">Brutto</th>{}</tr>",
            if foreign { "<th class=\"num\">VAT w PLN</th>" } else { "" }
        );
        for (label, net, vat, vat_pln) in rows {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
                esc(label),
                money(net),
                vat.map(money).unwrap_or_default(),
                money(net + vat.unwrap_or_default()),
                if foreign { format!("<td class=\"num\">{}</td>", vat_pln.map(money).unwrap_or_default()) } else { String::new() }
            );
        }
        h.push_str("</table>");
    }
    let _ = write!(
        h,
        "<div class=\"total\">Razem do zapłaty: {} {cur}</div>",
        money(fa.totals.gross)
    );
    if let Some(r) = crate::amounts::invoice_exchange_rate(fa).filter(|_| fa.currency != "PLN") {
        let _ = write!(
            h,
            "<div class=\"muted\" style=\"text-align:right\">Kurs waluty: {}</div>",
            fmt_amount(r, 4)
        );
    }

    // Annotations.
    let notes = annotation_texts(&fa.annotations);
    if !notes.is_empty() {
        h.push_str("<h2>Adnotacje</h2><ul>");
        for n in notes {
            let _ = write!(h, "<li>{}</li>", esc(&n));
        }
        h.push_str("</ul>");
    }

    // Payment.
    if let Some(p) = &fa.payment {
        payment_block(&mut h, p);
    }

    // Free-text notes.
    if !fa.notes.is_empty() {
        h.push_str("<h2>Informacje dodatkowe</h2><table>");
        for n in &fa.notes {
            let _ = write!(
                h,
                "<tr><td>{}{}</td><td>{}</td></tr>",
                n.line.map(|l| format!("[poz. {l}] ")).unwrap_or_default(),
                esc(&n.key),
                esc(&n.value)
            );
        }
        h.push_str("</table>");
    }

    // Footer.
    h.push_str("<footer>");
    if let Some(f) = &inv.footer {
        for i in f.info.iter().filter(|i| !i.is_empty()) {
            let _ = write!(h, "<div>{}</div>", esc(i).replace('\n', "<br>"));
        }
        for r in &f.registers {
            let mut parts = Vec::new();
            if let Some(v) = &r.full_name {
                parts.push(esc(v));
            }
            if let Some(v) = &r.krs {
                parts.push(format!("KRS {}", esc(v)));
            }
            if let Some(v) = &r.regon {
                parts.push(format!("REGON {}", esc(v)));
            }
            if let Some(v) = &r.bdo {
                parts.push(format!("BDO {}", esc(v)));
            }
            if !parts.is_empty() {
                let _ = write!(h, "<div>{}</div>", parts.join(" · "));
            }
        }
    }
    if let Some(s) = &inv.header.system_info {
        let _ = write!(h, "<div class=\"muted\">Wytworzono w: {}</div>", esc(s));
    }
    h.push_str("</footer></div></body></html>\n");
    h
}

fn address_html(a: &Address) -> String {
    let mut s = esc(&a.line1);
    if let Some(l2) = &a.line2 {
        s.push_str("<br>");
        s.push_str(&esc(l2));
    }
    if a.country != "PL" {
        s.push_str("<br>");
        s.push_str(&esc(&a.country));
    }
    s
}

fn contacts_html(h: &mut String, contacts: &[Contact]) {
    for c in contacts {
        if let Some(e) = &c.email {
            let _ = write!(h, "<div>E-mail: {}</div>", esc(e));
        }
        if let Some(t) = &c.phone {
            let _ = write!(h, "<div>Tel.: {}</div>", esc(t));
        }
    }
}

fn seller_block(h: &mut String, s: &Seller) {
    let _ = write!(
        h,
        "<section><h2>Sprzedawca</h2><div><strong>{}</strong></div><div>NIP: {}{}</div><div>{}</div>",
        esc(&s.name),
        esc(s.vat_prefix.as_deref().unwrap_or("")),
        esc(&s.nip),
        address_html(&s.address)
    );
    contacts_html(h, &s.contacts);
    h.push_str("</section>");
}

fn buyer_block(h: &mut String, b: &Buyer) {
    let _ = write!(
        h,
        "<section><h2>Nabywca</h2><div><strong>{}</strong></div><div>{}</div>",
        esc(b.name.as_deref().unwrap_or("")),
        esc(&party_id_text(&b.id))
    );
    if let Some(a) = &b.address {
        let _ = write!(h, "<div>{}</div>", address_html(a));
    }
    contacts_html(h, &b.contacts);
    if let Some(n) = &b.customer_number {
        let _ = write!(h, "<div>Nr klienta: {}</div>", esc(n));
    }
    h.push_str("</section>");
}

fn payment_block(h: &mut String, p: &Payment) {
    h.push_str("<h2>Płatność</h2>");
    if let Some(m) = &p.method {
        let _ = write!(
            h,
            "<div>Forma płatności: {}</div>",
            esc(&payment_method_text(m))
        );
    }
    for t in &p.terms {
        match (&t.due, &t.description) {
            (Some(d), _) => {
                let _ = write!(h, "<div>Termin płatności: {}</div>", date(*d));
            }
            (None, Some(d)) => {
                let _ = write!(
                    h,
                    "<div>Termin płatności: {} {} {}</div>",
                    d.count,
                    esc(&d.unit),
                    esc(&d.event)
                );
            }
            _ => {}
        }
    }
    match &p.paid {
        Some(Paid::Full { date: d }) => {
            let _ = write!(h, "<div><strong>Zapłacono</strong> dnia {}</div>", date(*d));
        }
        Some(Paid::Partial { parts, .. }) => {
            for part in parts {
                let _ = write!(
                    h,
                    "<div>Zapłacono częściowo {} dnia {}</div>",
                    money(part.amount),
                    date(part.date)
                );
            }
        }
        None => {}
    }
    for (label, accounts) in [
        ("Rachunek bankowy", &p.bank_accounts),
        ("Rachunek faktora", &p.factor_accounts),
    ] {
        for a in accounts {
            let _ = write!(
                h,
                "<div>{label}: <strong>{}</strong>{}{}</div>",
                esc(&a.number),
                a.bank_name
                    .as_ref()
                    .map(|n| format!(", {}", esc(n)))
                    .unwrap_or_default(),
                a.swift
                    .as_ref()
                    .map(|n| format!(", SWIFT {}", esc(n)))
                    .unwrap_or_default()
            );
        }
    }
    if let Some((cond, amount)) = &p.cash_discount {
        let _ = write!(h, "<div>Skonto: {} – {}</div>", esc(cond), esc(amount));
    }
    if let Some(l) = &p.link {
        let _ = write!(
            h,
            "<div>Link do płatności: <a href=\"{0}\">{0}</a></div>",
            esc(l)
        );
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn polish_amounts() {
        assert_eq!(fmt_amount(dec!(1234567.5), 2), "1\u{a0}234\u{a0}567,50");
        assert_eq!(fmt_amount(dec!(-0.5), 2), "-0,50");
        assert_eq!(fmt_amount(dec!(12), 0), "12");
        assert_eq!(fmt_amount(dec!(1.250000), 0), "1,25");
        assert_eq!(fmt_amount(dec!(0), 2), "0,00");
    }

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }
}
