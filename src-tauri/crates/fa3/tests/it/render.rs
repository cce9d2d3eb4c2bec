//! HTML rendering of samples and of hostile text.

use fa3::render::{render_html, RenderOptions};

use crate::support::samples;

#[test]
fn every_sample_renders_with_parties_lines_and_total() {
    for path in samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let inv = fa3::parse(&bytes).unwrap().invoice;
        let link = fa3::verification_link(
            fa3::Environment::Test,
            inv.seller_nip(),
            inv.issue_date(),
            &bytes,
        );
        let html = render_html(
            &inv,
            &RenderOptions {
                ksef_number: Some("5265877635-20250826-0100001AF629-AF".into()),
                verification_link: Some(link),
                qr_label: None,
            },
        );
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(
            html.contains(&fa3::render::esc(&inv.seller.name)),
            "{name}: seller"
        );
        assert!(
            html.contains(&fa3::render::esc(inv.number())),
            "{name}: number"
        );
        assert!(html.contains("Razem do zapłaty"), "{name}: total");
        assert!(
            html.contains(&fa3::render::fmt_amount(inv.gross_total(), 2)),
            "{name}: gross"
        );
        assert!(html.contains("<svg"), "{name}: QR");
        for l in inv.fa.lines.iter().filter_map(|l| l.name.as_ref()) {
            assert!(html.contains(&fa3::render::esc(l)), "{name}: line {l}");
        }
    }
}

#[test]
fn polish_text_survives_and_markup_is_escaped() {
    let p = samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("two-rates-23-zw"))
        .unwrap();
    let mut inv = fa3::parse(&std::fs::read(p).unwrap()).unwrap().invoice;
    inv.buyer.name = Some("Zażółć gęślą jaźń <script>alert(1)</script>".into());
    let html = render_html(&inv, &RenderOptions::default());
    assert!(html.contains("Zażółć gęślą jaźń &lt;script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("Grażyna"),
        "diacritics from the document are kept"
    );
}

#[cfg(feature = "pdf")]
#[test]
fn every_sample_exports_a_pdf_with_embedded_font() {
    for path in samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let inv = fa3::parse(&bytes).unwrap().invoice;
        let link = fa3::verification_link(
            fa3::Environment::Test,
            inv.seller_nip(),
            inv.issue_date(),
            &bytes,
        );
        let pdf = fa3::pdf::render_pdf(
            &inv,
            &RenderOptions {
                verification_link: Some(link),
                qr_label: Some("OFFLINE".into()),
                ..RenderOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("FontFile2") || text.contains("FontFile3"),
            "{name}: font not embedded"
        );
    }
}

#[cfg(feature = "pdf")]
#[test]
fn long_invoices_paginate() {
    let p = samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("vat-basic"))
        .unwrap();
    let mut inv = fa3::parse(&std::fs::read(p).unwrap()).unwrap().invoice;
    let line = inv.fa.lines[0].clone();
    inv.fa.lines = (1..=300)
        .map(|n| fa3::Line {
            number: n,
            ..line.clone()
        })
        .collect();
    let pdf = fa3::pdf::render_pdf(&inv, &RenderOptions::default()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    let count = |pdf: &str| -> usize {
        let i = pdf.find("/Count ").unwrap() + "/Count ".len();
        pdf[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let pages = count(&text);
    inv.fa.lines.truncate(1);
    let one = fa3::pdf::render_pdf(&inv, &RenderOptions::default()).unwrap();
    assert_eq!(count(&String::from_utf8_lossy(&one)), 1);
    assert!(pages >= 5, "300 lines on {pages} pages");
}
