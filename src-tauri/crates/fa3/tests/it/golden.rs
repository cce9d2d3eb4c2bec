//! Golden files for XML output and error text. Set `UPDATE_GOLDEN=1` to
//! rewrite them after an intended change, then review the diff.

use std::path::PathBuf;

use chrono::NaiveDate;
use fa3::*;
use rust_decimal::Decimal;

use crate::support::{invalid_samples, xmllint};

fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(expected, actual, "{name} differs from its golden file");
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A small invoice touching most typed parts.
fn invoice() -> Invoice {
    let mut fa = Fa::new(InvoiceKind::Vat, "EUR", d(2026, 3, 10), "FV/3/2026");
    fa.sale_date = Some(SaleDate::Date(d(2026, 3, 9)));
    fa.lines = vec![
        Line {
            number: 1,
            name: Some("Usługa wdrożeniowa & szkolenie <2 dni>".into()),
            unit: Some("godz.".into()),
            quantity: Some(Decimal::new(125, 1)),
            unit_net_price: Some(Decimal::new(4999, 2)),
            rate: Some(VatRate::R23),
            exchange_rate: Some(Decimal::new(42537, 4)),
            ..Line::default()
        },
        Line {
            number: 2,
            name: Some("Podręcznik".into()),
            quantity: Some(Decimal::ONE),
            unit_net_price: Some(Decimal::new(2000, 2)),
            rate: Some(VatRate::R5),
            exchange_rate: Some(Decimal::new(42537, 4)),
            ..Line::default()
        },
    ];
    fa.annotations.split_payment = true;
    fa.notes = vec![Note {
        line: Some(1),
        key: "Projekt".into(),
        value: "Łódź-2026".into(),
    }];
    fa.payment = Some(Payment {
        terms: vec![PaymentTerm {
            due: Some(d(2026, 3, 24)),
            description: None,
        }],
        method: Some(PaymentMethod::Code(6)),
        bank_accounts: vec![BankAccount {
            number: "PL61109010140000071219812874".into(),
            ..BankAccount::default()
        }],
        ..Payment::default()
    });
    amounts::recompute(&mut fa);
    Invoice {
        header: Header {
            created: d(2026, 3, 10)
                .and_hms_opt(9, 30, 0)
                .unwrap()
                .and_utc()
                .fixed_offset(),
            system_info: Some("KSeF Desk".into()),
        },
        seller: Seller::new(
            "5265877635",
            "Biuro Łódź sp. z o.o.",
            Address::new("PL", "ul. Piotrkowska 1, 90-001 Łódź"),
        ),
        buyer: Buyer::new(
            PartyId::EuVat {
                country: "DE".into(),
                number: "123456789".into(),
            },
            "Müller GmbH",
            Address::new("DE", "Hauptstraße 5, 10115 Berlin"),
        ),
        third_parties: vec![],
        fa,
        footer: Some(Footer {
            info: vec!["Dziękujemy za współpracę.".into()],
            registers: vec![],
        }),
        extra: vec![],
    }
}

#[test]
fn xml_output_is_stable_and_valid() {
    let inv = invoice();
    assert_eq!(validate_for_sending(&inv), vec![]);
    let xml = write(&inv).unwrap();
    xmllint(&xml).unwrap();
    check_golden("invoice-eur.xml", &String::from_utf8(xml).unwrap());
}

#[test]
fn schema_error_text_is_stable() {
    let mut out = String::new();
    for path in invalid_samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let err = fa3::parse(&std::fs::read(&path).unwrap()).unwrap_err();
        out.push_str(&format!("{name}\n  {err}\n"));
    }
    check_golden("invalid-samples.txt", &out);
}
