//! The official and third-party samples in `ksef-spec/samples`.

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
fn parse_structure_reads_what_parse_reads_and_refuses_what_it_refuses() {
    for path in samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let full = fa3::parse(&bytes).unwrap().invoice;
        let structure = fa3::parse_structure(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(full, structure, "{name}");
    }
    for path in invalid_samples() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            matches!(
                fa3::parse_structure(&bytes),
                Err(fa3::ParseError::Schema(_))
            ),
            "{name}"
        );
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

#[test]
fn modelled_and_kept_parts_of_samples() {
    let load = |part: &str| {
        let p = samples()
            .into_iter()
            .find(|p| p.to_string_lossy().contains(part))
            .unwrap();
        fa3::parse(&std::fs::read(p).unwrap()).unwrap().invoice
    };
    let zal = load("zal-advance");
    assert_eq!(zal.kind(), fa3::InvoiceKind::Zal);
    assert!(
        zal.fa.order.as_ref().is_some_and(|o| !o.lines.is_empty()),
        "Zamowienie is modelled"
    );

    let kor = load("kor-eur");
    let c = kor.fa.correction.as_ref().expect("correction data");
    assert!(!c.corrected.is_empty());
    assert_ne!(kor.fa.currency, "PLN");

    // Zalacznik is not modelled: it is kept verbatim and written back.
    let att = load("Zalacznik_Przyklad_2");
    let kept = att
        .extra
        .iter()
        .find(|e| e.name == "Zalacznik")
        .expect("attachment kept");
    let back = fa3::parse(&fa3::write(&att).unwrap()).unwrap().invoice;
    assert_eq!(
        back.extra.iter().find(|e| e.name == "Zalacznik"),
        Some(kept)
    );
}

#[test]
fn document_hash_is_base64_sha256_of_the_exact_bytes() {
    // SHA-256("abc"), a FIPS 180-2 test vector, in standard Base64.
    assert_eq!(
        fa3::document_hash(b"abc"),
        "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
    let p = samples().into_iter().next().unwrap();
    let bytes = std::fs::read(p).unwrap();
    let mut changed = bytes.clone();
    changed.push(b'\n');
    assert_ne!(fa3::document_hash(&bytes), fa3::document_hash(&changed));
}
