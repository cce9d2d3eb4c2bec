//! The official and third-party samples in `shared/ksef/samples`.

use crate::support::{invalid_samples, samples, xmllint};

#[test]
fn every_sample_parses_and_round_trips_to_xsd_valid_xml() {
    for path in samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let first = fa3::parse(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .invoice;
        let written = fa3::write(&first).unwrap_or_else(|e| panic!("{name}: write: {e}"));
        if let Err(e) = xmllint(&written) {
            panic!(
                "{name}: written XML does not validate:\n{e}\n{}",
                String::from_utf8_lossy(&written)
            );
        }
        let second = fa3::parse(&written)
            .unwrap_or_else(|e| panic!("{name}: reparse: {e}"))
            .invoice;
        assert_eq!(first, second, "{name}: round trip changed the invoice");
        assert_eq!(first.gross_total(), second.gross_total(), "{name}");
    }
}

#[test]
fn invalid_samples_are_schema_errors_naming_the_element() {
    for path in invalid_samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            xmllint(&bytes).is_err(),
            "{name}: xmllint accepts it, so it is not a negative case"
        );
        match fa3::parse(&bytes) {
            Err(fa3::ParseError::Schema(issues)) => {
                let text = issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(
                    text.contains("TerminOpis") || text.contains("NrKSeFFaKorygowanej"),
                    "{name}: {text}"
                );
            }
            other => panic!("{name}: expected a schema error, got {other:?}"),
        }
    }
}

#[test]
fn simulator_fields_are_available() {
    let path = samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("two-rates-23-zw"))
        .unwrap();
    let inv = fa3::parse(&std::fs::read(path).unwrap()).unwrap().invoice;
    assert_eq!(inv.seller_nip(), "6891152920");
    assert_eq!(inv.kind(), fa3::InvoiceKind::Vat);
    assert!(!inv.number().is_empty());
    assert!(inv.gross_total() > rust_decimal::Decimal::ZERO);
}
