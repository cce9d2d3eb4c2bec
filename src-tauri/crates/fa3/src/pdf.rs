//! PDF export of the invoice visualisation, drawn with `krilla` (typst's PDF
//! library) in DejaVu Sans, embedded and subset, so Polish diacritics render
//! on every viewer without system fonts.
//!
//! Layout happens in two steps: the invoice is laid out into a display list of
//! pages (text runs, rules, boxes, the QR matrix), then each page is drawn.
//! That keeps pagination independent of krilla's borrow of the document.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use rust_decimal::Decimal;

use crate::model::*;
use crate::qr;
use crate::render::{
    annotation_texts, fmt_amount, kind_title, party_id_text, payment_method_text, rate_label,
    role_text, vat_summary, RenderOptions,
};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 40.0;
const BODY: f32 = 8.5;

/// Why a PDF could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The embedded font could not be loaded (a build problem, not user input).
    #[error("embedded font could not be loaded")]
    Font,
    /// krilla refused to serialise the document.
    #[error("PDF serialisation failed: {0}")]
    Serialize(String),
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    Qr {
        x: f32,
        y: f32,
        size: f32,
        matrix: Vec<Vec<bool>>,
    },
}

/// Text measurement from the embedded fonts' advance widths.
struct Metrics<'a> {
    regular: ttf_parser::Face<'a>,
    bold: ttf_parser::Face<'a>,
}

impl Metrics<'_> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let upem = f32::from(face.units_per_em());
        let units: f32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map(f32::from)
                    .unwrap_or(upem * 0.6)
            })
            .sum();
        units / upem * size
    }

    /// Greedy word wrap to `max` points; words longer than a line are split.
    fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // Split an over-long word by characters.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size, bold) > max && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }
}

struct Layout<'a> {
    m: Metrics<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Make room for `h` points, starting a new page when needed.
    fn need(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        if !text.is_empty() {
            self.ops().push(Op::Text {
                x,
                y,
                size,
                bold,
                text: text.to_owned(),
            });
        }
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let w = self.m.width(text, size, bold);
        self.text_at(right - w, y, size, bold, text);
    }

    /// A wrapped paragraph across the body width at `x`..`x + w`.
    fn para(&mut self, x: f32, w: f32, size: f32, bold: bool, text: &str) {
        let lh = size * 1.35;
        for line in self.m.wrap(text, size, bold, w) {
            self.need(lh);
            self.y += lh;
            let y = self.y - size * 0.3;
            self.text_at(x, y, size, bold, &line);
        }
    }

    fn heading(&mut self, text: &str) {
        self.need(30.0);
        self.y += 10.0;
        self.para(MARGIN, PAGE_W - 2.0 * MARGIN, 10.5, true, text);
        let y = self.y + 2.0;
        self.ops().push(Op::Rule {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
            width: 0.5,
        });
        self.y += 4.0;
    }

    /// A table; `cols` are (title, width, right-aligned). Rows wrap per cell and
    /// the header repeats on each page.
    fn table(&mut self, cols: &[(&str, f32, bool)], rows: &[Vec<String>], italic_rows: &[bool]) {
        let size = BODY - 0.5;
        let lh = size * 1.3;
        let pad = 3.0;
        let total: f32 = cols.iter().map(|c| c.1).sum();
        let scale = (PAGE_W - 2.0 * MARGIN) / total;
        let widths: Vec<f32> = cols.iter().map(|c| c.1 * scale).collect();
        let header = |l: &mut Self| {
            let h = lh + 2.0 * pad;
            l.need(h + lh);
            let y0 = l.y;
            l.ops().push(Op::Fill {
                x: MARGIN,
                y: y0,
                w: PAGE_W - 2.0 * MARGIN,
                h,
                gray: 230,
            });
            let mut x = MARGIN;
            for (i, (title, _, right)) in cols.iter().enumerate() {
                let base = y0 + pad + size;
                if *right {
                    l.text_right(x + widths[i] - pad, base, size, true, title);
                } else {
                    l.text_at(x + pad, base, size, true, title);
                }
                x += widths[i];
            }
            l.y += h;
        };
        header(self);
        for (r, row) in rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    self.m.wrap(
                        c,
                        size,
                        false,
                        widths.get(i).copied().unwrap_or(50.0) - 2.0 * pad,
                    )
                })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = n as f32 * lh + 2.0 * pad;
            if self.y + h > PAGE_H - MARGIN {
                self.new_page();
                header(self);
            }
            let y0 = self.y;
            if italic_rows.get(r).copied().unwrap_or(false) {
                self.ops().push(Op::Fill {
                    x: MARGIN,
                    y: y0,
                    w: PAGE_W - 2.0 * MARGIN,
                    h,
                    gray: 245,
                });
            }
            let mut x = MARGIN;
            for (i, lines) in cells.iter().enumerate() {
                let right = cols.get(i).is_some_and(|c| c.2);
                for (k, line) in lines.iter().enumerate() {
                    let base = y0 + pad + size + k as f32 * lh;
                    if right {
                        self.text_right(x + widths[i] - pad, base, size, false, line);
                    } else {
                        self.text_at(x + pad, base, size, false, line);
                    }
                }
                x += widths.get(i).copied().unwrap_or(0.0);
            }
            self.y += h;
            let y = self.y;
            self.ops().push(Op::Rule {
                x1: MARGIN,
                y1: y,
                x2: PAGE_W - MARGIN,
                y2: y,
                width: 0.3,
            });
        }
    }
}

fn money(d: Decimal) -> String {
    fmt_amount(d, 2)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn address_lines(a: &Address) -> Vec<String> {
    let mut v = vec![a.line1.clone()];
    if let Some(l) = &a.line2 {
        v.push(l.clone());
    }
    if a.country != "PL" {
        v.push(a.country.clone());
    }
    v
}

fn contact_lines(contacts: &[Contact]) -> Vec<String> {
    let mut v = Vec::new();
    for c in contacts {
        if let Some(e) = &c.email {
            v.push(format!("E-mail: {e}"));
        }
        if let Some(p) = &c.phone {
            v.push(format!("Tel.: {p}"));
        }
    }
    v
}

/// Lay out the invoice into pages of drawing operations.
fn layout<'a>(inv: &Invoice, opts: &RenderOptions, m: Metrics<'a>) -> Layout<'a> {
    let fa = &inv.fa;
    let mut l = Layout {
        m,
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    let body_w = PAGE_W - 2.0 * MARGIN;
    let qr_size = 96.0;
    let has_qr = opts.verification_link.is_some();
    let head_w = if has_qr {
        body_w - qr_size - 16.0
    } else {
        body_w
    };

    // Header.
    l.para(MARGIN, head_w, 16.0, true, kind_title(fa.kind));
    l.para(MARGIN, head_w, 10.0, true, &format!("Numer: {}", fa.number));
    if let Some(k) = &opts.ksef_number {
        l.para(MARGIN, head_w, BODY, false, &format!("Numer KSeF: {k}"));
    }
    l.para(
        MARGIN,
        head_w,
        BODY,
        false,
        &format!("Data wystawienia: {}", date(fa.issue_date)),
    );
    if let Some(p) = &fa.issue_place {
        l.para(
            MARGIN,
            head_w,
            BODY,
            false,
            &format!("Miejsce wystawienia: {p}"),
        );
    }
    match fa.sale_date {
        Some(SaleDate::Date(d)) => l.para(
            MARGIN,
            head_w,
            BODY,
            false,
            &format!("Data sprzedaży: {}", date(d)),
        ),
        Some(SaleDate::Period { from, to }) => l.para(
            MARGIN,
            head_w,
            BODY,
            false,
            &format!("Okres: {} – {}", date(from), date(to)),
        ),
        None => {}
    }
    l.para(
        MARGIN,
        head_w,
        BODY,
        false,
        &format!("Waluta: {}", fa.currency),
    );
    if let Some(link) = &opts.verification_link {
        if let Ok(matrix) = qr::qr_matrix(link) {
            let x = PAGE_W - MARGIN - qr_size;
            l.ops().push(Op::Qr {
                x,
                y: MARGIN,
                size: qr_size,
                matrix,
            });
            let label = opts
                .ksef_number
                .clone()
                .or_else(|| opts.qr_label.clone())
                .unwrap_or_default();
            let lines = l.m.wrap(&label, 6.5, false, qr_size + 10.0);
            for (i, line) in lines.iter().enumerate() {
                let w = l.m.width(line, 6.5, false);
                l.text_at(
                    x + (qr_size - w) / 2.0,
                    MARGIN + qr_size + 9.0 + i as f32 * 8.0,
                    6.5,
                    false,
                    line,
                );
            }
            l.y = l.y.max(MARGIN + qr_size + 10.0 + lines.len() as f32 * 8.0);
        }
    }

    // Parties in two columns.
    l.heading("Sprzedawca / Nabywca");
    let col = (body_w - 16.0) / 2.0;
    let mut left = vec![
        inv.seller.name.clone(),
        format!(
            "NIP: {}{}",
            inv.seller.vat_prefix.as_deref().unwrap_or(""),
            inv.seller.nip
        ),
    ];
    left.extend(address_lines(&inv.seller.address));
    left.extend(contact_lines(&inv.seller.contacts));
    let b = &inv.buyer;
    let mut right = vec![b.name.clone().unwrap_or_default(), party_id_text(&b.id)];
    if let Some(a) = &b.address {
        right.extend(address_lines(a));
    }
    right.extend(contact_lines(&b.contacts));
    if let Some(n) = &b.customer_number {
        right.push(format!("Nr klienta: {n}"));
    }
    let y0 = l.y;
    for (x, lines) in [(MARGIN, &left), (MARGIN + col + 16.0, &right)] {
        l.y = y0;
        for (i, line) in lines.iter().enumerate() {
            l.para(x, col, BODY, i == 0, line);
        }
    }
    let lh = BODY * 1.35;
    let rows_l: usize = left
        .iter()
        .map(|s| l.m.wrap(s, BODY, false, col).len())
        .sum();
    let rows_r: usize = right
        .iter()
        .map(|s| l.m.wrap(s, BODY, false, col).len())
        .sum();
    l.y = y0 + rows_l.max(rows_r) as f32 * lh;

    if !inv.third_parties.is_empty() {
        l.heading("Podmioty trzecie");
        let rows: Vec<Vec<String>> = inv
            .third_parties
            .iter()
            .map(|p| {
                vec![
                    role_text(&p.role)
                        + &p.share
                            .map(|s| format!(" ({}%)", fmt_amount(s, 0)))
                            .unwrap_or_default(),
                    party_id_text(&p.id),
                    p.name.clone().unwrap_or_default(),
                    p.address
                        .as_ref()
                        .map(|a| address_lines(a).join(", "))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        l.table(
            &[
                ("Rola", 90.0, false),
                ("Identyfikator", 110.0, false),
                ("Nazwa", 150.0, false),
                ("Adres", 160.0, false),
            ],
            &rows,
            &[],
        );
    }

    if let Some(c) = &fa.correction {
        l.heading("Korekta");
        if let Some(r) = &c.reason {
            l.para(
                MARGIN,
                body_w,
                BODY,
                false,
                &format!("Przyczyna korekty: {r}"),
            );
        }
        for k in &c.corrected {
            let ksef = k
                .ksef_number
                .as_ref()
                .map(|n| format!(", nr KSeF {n}"))
                .unwrap_or_default();
            l.para(
                MARGIN,
                body_w,
                BODY,
                false,
                &format!(
                    "Faktura korygowana: {} z dnia {}{ksef}",
                    k.number,
                    date(k.issue_date)
                ),
            );
        }
    }
    if !fa.advance_invoices.is_empty() {
        l.heading("Faktury zaliczkowe");
        for a in &fa.advance_invoices {
            let t = match a {
                AdvanceInvoiceRef::Ksef(k) => format!("nr KSeF {k}"),
                AdvanceInvoiceRef::Outside(n) => format!("{n} (poza KSeF)"),
            };
            l.para(MARGIN, body_w, BODY, false, &t);
        }
    }

    if !fa.lines.is_empty() {
        l.heading("Pozycje");
        let gross = crate::amounts::price_basis(&fa.lines) == crate::amounts::PriceBasis::Gross;
        let basis = if gross {
            crate::amounts::PriceBasis::Gross
        } else {
            crate::amounts::PriceBasis::Net
        };
        let rows: Vec<Vec<String>> = fa
            .lines
            .iter()
            .map(|ln| {
                let price = if gross {
                    ln.unit_gross_price
                } else {
                    ln.unit_net_price
                };
                let value = if gross { ln.gross } else { ln.net }
                    .or_else(|| crate::amounts::line_value(ln, basis));
                let rate = match (ln.rate, ln.oss_rate) {
                    (Some(r), _) => rate_label(r),
                    (None, Some(o)) => format!("{}% OSS", fmt_amount(o, 0)),
                    _ => String::new(),
                };
                let name = ln.name.clone().unwrap_or_default()
                    + if ln.before_correction {
                        " (przed korektą)"
                    } else {
                        ""
                    };
                vec![
                    ln.number.to_string(),
                    name,
                    ln.unit.clone().unwrap_or_default(),
                    ln.quantity.map(|q| fmt_amount(q, 0)).unwrap_or_default(),
                    price.map(money).unwrap_or_default(),
                    ln.discount.map(money).unwrap_or_default(),
                    value.map(money).unwrap_or_default(),
                    rate,
                ]
            })
            .collect();
        let before: Vec<bool> = fa.lines.iter().map(|ln| ln.before_correction).collect();
        let (price_h, value_h) = if gross {
            ("Cena brutto", "Wartość brutto")
        } else {
            ("Cena netto", "Wartość netto")
        };
        l.table(
            &[
                ("Lp.", 24.0, true),
                ("Nazwa", 190.0, false),
                ("J.m.", 34.0, false),
                ("Ilość", 48.0, true),
                (price_h, 62.0, true),
                ("Rabat", 44.0, true),
                (value_h, 70.0, true),
                ("VAT", 38.0, false),
            ],
            &rows,
            &before,
        );
    }

    if let Some(o) = &fa.order {
        l.heading("Zamówienie");
        let rows: Vec<Vec<String>> = o
            .lines
            .iter()
            .map(|ln| {
                vec![
                    ln.number.to_string(),
                    ln.name.clone().unwrap_or_default(),
                    ln.unit.clone().unwrap_or_default(),
                    ln.quantity.map(|q| fmt_amount(q, 0)).unwrap_or_default(),
                    ln.net.map(money).unwrap_or_default(),
                    ln.vat.map(money).unwrap_or_default(),
                    ln.rate.map(rate_label).unwrap_or_default(),
                ]
            })
            .collect();
        let before: Vec<bool> = o.lines.iter().map(|ln| ln.before_correction).collect();
        l.table(
            &[
                ("Lp.", 24.0, true),
                ("Nazwa", 210.0, false),
                ("J.m.", 34.0, false),
                ("Ilość", 50.0, true),
                ("Wartość netto", 80.0, true),
                ("VAT", 70.0, true),
                ("Stawka", 42.0, false),
            ],
            &rows,
            &before,
        );
        l.para(
            MARGIN,
            body_w,
            BODY,
            false,
            &format!("Wartość zamówienia: {} {}", money(o.value), fa.currency),
        );
    }

    let summary = vat_summary(&fa.totals);
    if !summary.is_empty() {
        l.heading("Podsumowanie VAT");
        let foreign = fa.currency != "PLN";
        let rows: Vec<Vec<String>> = summary
            .iter()
            .map(|(label, net, vat, pln)| {
                let mut r = vec![
                    (*label).to_owned(),
                    money(*net),
                    vat.map(money).unwrap_or_default(),
                    money(*net + vat.unwrap_or_default()),
                ];
                if foreign {
                    r.push(pln.map(money).unwrap_or_default());
                }
                r
            })
            .collect();
        let mut cols = vec![
            ("Stawka", 150.0, false),
            ("Netto", 90.0, true),
            ("VAT", 90.0, true),
            ("Brutto", 90.0, true),
        ];
        if foreign {
            cols.push(("VAT w PLN", 90.0, true));
        }
        l.table(&cols, &rows, &[]);
    }
    l.need(24.0);
    l.y += 18.0;
    let y = l.y;
    l.text_right(
        PAGE_W - MARGIN,
        y,
        12.0,
        true,
        &format!(
            "Razem do zapłaty: {} {}",
            money(fa.totals.gross),
            fa.currency
        ),
    );
    if let Some(r) = crate::amounts::invoice_exchange_rate(fa).filter(|_| fa.currency != "PLN") {
        l.y += 12.0;
        let y = l.y;
        l.text_right(
            PAGE_W - MARGIN,
            y,
            BODY,
            false,
            &format!("Kurs waluty: {}", fmt_amount(r, 4)),
        );
    }

    let notes = annotation_texts(&fa.annotations);
    if !notes.is_empty() {
        l.heading("Adnotacje");
        for n in notes {
            l.para(MARGIN, body_w, BODY, false, &format!("• {n}"));
        }
    }
    if let Some(p) = &fa.payment {
        l.heading("Płatność");
        if let Some(mth) = &p.method {
            l.para(
                MARGIN,
                body_w,
                BODY,
                false,
                &format!("Forma płatności: {}", payment_method_text(mth)),
            );
        }
        for t in &p.terms {
            match (&t.due, &t.description) {
                (Some(d), _) => l.para(
                    MARGIN,
                    body_w,
                    BODY,
                    false,
                    &format!("Termin płatności: {}", date(*d)),
                ),
                (None, Some(d)) => l.para(
                    MARGIN,
                    body_w,
                    BODY,
                    false,
                    &format!("Termin płatności: {} {} {}", d.count, d.unit, d.event),
                ),
                _ => {}
            }
        }
        match &p.paid {
            Some(Paid::Full { date: d }) => l.para(
                MARGIN,
                body_w,
                BODY,
                true,
                &format!("Zapłacono dnia {}", date(*d)),
            ),
            Some(Paid::Partial { parts, .. }) => {
                for part in parts {
                    l.para(
                        MARGIN,
                        body_w,
                        BODY,
                        false,
                        &format!(
                            "Zapłacono częściowo {} dnia {}",
                            money(part.amount),
                            date(part.date)
                        ),
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
                let bank = a
                    .bank_name
                    .as_ref()
                    .map(|n| format!(", {n}"))
                    .unwrap_or_default();
                let swift = a
                    .swift
                    .as_ref()
                    .map(|n| format!(", SWIFT {n}"))
                    .unwrap_or_default();
                l.para(
                    MARGIN,
                    body_w,
                    BODY,
                    false,
                    &format!("{label}: {}{bank}{swift}", a.number),
                );
            }
        }
        if let Some((cond, amount)) = &p.cash_discount {
            l.para(
                MARGIN,
                body_w,
                BODY,
                false,
                &format!("Skonto: {cond} – {amount}"),
            );
        }
    }
    if !fa.notes.is_empty() {
        l.heading("Informacje dodatkowe");
        for n in &fa.notes {
            let pos = n.line.map(|x| format!("[poz. {x}] ")).unwrap_or_default();
            l.para(
                MARGIN,
                body_w,
                BODY,
                false,
                &format!("{pos}{}: {}", n.key, n.value),
            );
        }
    }
    if let Some(f) = &inv.footer {
        l.heading("Stopka");
        for i in f.info.iter().filter(|i| !i.is_empty()) {
            l.para(MARGIN, body_w, BODY - 0.5, false, i);
        }
        for r in &f.registers {
            let parts: Vec<String> = [
                r.full_name.clone(),
                r.krs.as_ref().map(|v| format!("KRS {v}")),
                r.regon.as_ref().map(|v| format!("REGON {v}")),
                r.bdo.as_ref().map(|v| format!("BDO {v}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !parts.is_empty() {
                l.para(MARGIN, body_w, BODY - 0.5, false, &parts.join(" · "));
            }
        }
    }
    l
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::default(),
    }
}

/// Render `inv` as a PDF (A4), with the same content as the HTML view.
pub fn render_pdf(inv: &Invoice, opts: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    let regular_face = ttf_parser::Face::parse(REGULAR, 0).map_err(|_| PdfError::Font)?;
    let bold_face = ttf_parser::Face::parse(BOLD, 0).map_err(|_| PdfError::Font)?;
    let layout = layout(
        inv,
        opts,
        Metrics {
            regular: regular_face,
            bold: bold_face,
        },
    );
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;

    let mut document = Document::new();
    let count = layout.pages.len();
    for (n, ops) in layout.pages.iter().enumerate() {
        let Some(settings) = PageSettings::from_wh(PAGE_W, PAGE_H) else {
            continue;
        };
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: is_bold,
                    text,
                } => {
                    surface.set_fill(Some(black()));
                    let font = if *is_bold {
                        bold.clone()
                    } else {
                        regular.clone()
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Fill { x, y, w, h, gray } => {
                    if let Some(path) = Rect::from_xywh(*x, *y, *w, *h).and_then(|r| {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(r);
                        pb.finish()
                    }) {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: rgb::Color::new(*gray, *gray, *gray).into(),
                            ..black()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Rule {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(120, 120, 120).into(),
                            width: *width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Qr { x, y, size, matrix } => {
                    let cell = size / matrix.len().max(1) as f32;
                    let mut pb = PathBuilder::new();
                    for (row, line) in matrix.iter().enumerate() {
                        for (col, dark) in line.iter().enumerate() {
                            if *dark {
                                if let Some(r) = Rect::from_xywh(
                                    x + col as f32 * cell,
                                    y + row as f32 * cell,
                                    cell,
                                    cell,
                                ) {
                                    pb.push_rect(r);
                                }
                            }
                        }
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(black()));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        // Page numbers help when long invoices are printed.
        surface.set_fill(Some(black()));
        let label = format!("Strona {} z {count}", n + 1);
        surface.draw_text(
            Point::from_xy(PAGE_W - MARGIN - 60.0, PAGE_H - MARGIN / 2.0),
            regular.clone(),
            7.0,
            &label,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Serialize(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_long_words_and_measures_polish_letters() {
        let m = Metrics {
            regular: ttf_parser::Face::parse(REGULAR, 0).unwrap(),
            bold: ttf_parser::Face::parse(BOLD, 0).unwrap(),
        };
        assert!(m.width("Zażółć", 10.0, false) > m.width("Za", 10.0, false));
        let lines = m.wrap(&"x".repeat(300), 10.0, false, 100.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| m.width(l, 10.0, false) <= 100.0));
    }
}
