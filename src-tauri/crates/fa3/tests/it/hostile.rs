//! Malformed and hostile inputs: typed errors naming the element, never a panic.

use fa3::xml::XmlError;
use fa3::{IssueKind, ParseError};

use crate::support::samples;

fn basic() -> String {
    let p = samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("vat-basic"))
        .unwrap();
    std::fs::read_to_string(p).unwrap()
}

fn schema_issues(xml: &str) -> Vec<String> {
    match fa3::parse(xml.as_bytes()) {
        Err(ParseError::Schema(issues)) => issues.iter().map(ToString::to_string).collect(),
        other => panic!("expected schema error, got {other:?}"),
    }
}

#[test]
fn wrong_namespace_is_reported() {
    let xml = basic().replace(
        "http://crd.gov.pl/wzor/2025/06/25/13775/",
        "http://crd.gov.pl/wzor/2023/06/29/12648/",
    );
    match fa3::parse(xml.as_bytes()) {
        Err(ParseError::Schema(issues)) => {
            assert!(matches!(issues[0].kind, IssueKind::WrongRoot { .. }))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_required_element_is_named() {
    let xml = basic();
    let start = xml.find("<P_2>").unwrap();
    let end = xml[start..].find("</P_2>").unwrap() + start + "</P_2>".len();
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    let issues = schema_issues(&without);
    assert!(issues.iter().any(|i| i.contains("P_2")), "{issues:?}");
}

#[test]
fn unknown_element_and_bad_values_are_named() {
    let xml = basic()
        .replacen("<P_2>", "<Bogus>x</Bogus><P_2>", 1)
        .replacen("<KodWaluty>PLN", "<KodWaluty>ZZZ", 1);
    let issues = schema_issues(&xml);
    assert!(issues.iter().any(|i| i.contains("Bogus")), "{issues:?}");
    assert!(
        issues
            .iter()
            .any(|i| i.contains("KodWaluty") && i.contains("ZZZ")),
        "{issues:?}"
    );
}

#[test]
fn doctype_and_entities_are_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">&lol2;</Faktura>"#;
    assert!(matches!(
        fa3::parse(bomb.as_bytes()),
        Err(ParseError::Xml(XmlError::Doctype { .. }))
    ));
    let ext = r#"<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">&xxe;</Faktura>"#;
    assert!(matches!(
        fa3::parse(ext.as_bytes()),
        Err(ParseError::Xml(XmlError::Entity { .. }))
    ));
}

#[test]
fn huge_and_deep_inputs_are_refused() {
    let huge = vec![b' '; 17 * 1024 * 1024];
    assert!(matches!(
        fa3::parse(&huge),
        Err(ParseError::Xml(XmlError::TooLarge { .. }))
    ));
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    assert!(matches!(
        fa3::parse(deep.as_bytes()),
        Err(ParseError::Xml(XmlError::TooDeep { .. }))
    ));
}

#[test]
fn truncations_garbage_and_bad_utf8_never_panic() {
    let xml = basic();
    let bytes = xml.as_bytes();
    for cut in (0..bytes.len()).step_by(53) {
        assert!(
            fa3::parse(&bytes[..cut]).is_err(),
            "prefix of {cut} bytes parsed"
        );
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let mut mutated = bytes.to_vec();
        for _ in 0..8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed as usize) % mutated.len();
            mutated[i] = (seed >> 32) as u8;
        }
        let _ = fa3::parse(&mutated);
    }
    let bad_utf8 = xml.replacen("Nazwa>", "Nazwa>\u{0}", 1).into_bytes();
    let _ = fa3::parse(&bad_utf8);
    let mut latin2 = bytes.to_vec();
    if let Some(i) = latin2.iter().position(|b| *b >= 0x80) {
        latin2[i] = 0xff;
    }
    assert!(fa3::parse(&latin2).is_err());
}
