//! Receipt checks for a decrypted invoice: the single place where the simulator reads
//! FA(3) XML.
//!
//! [`check_invoice`] is the one entry point. Structure is checked by the `fa3` crate
//! (`fa3::parse`: well-formedness, hostile-input limits and the full FA(3) v1-0E XSD in
//! pure Rust) and every violation is reported with status 430. Then the semantic checks
//! KSeF does on receipt give 450 (NIP checksums). The metadata the simulator keeps
//! (seller, buyer, dates, amounts, kind) is read here with quick-xml, so the simulator
//! depends only on `fa3::parse`'s verdict, not on its model's shape.

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::ids::is_valid_nip;

/// The FA(3) target namespace.
pub const FA3_NAMESPACE: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

/// How the buyer (Podmiot2) is identified, as the metadata's `BuyerIdentifierType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuyerId {
    /// Polish NIP.
    Nip(String),
    /// EU VAT number (country prefix + number).
    VatUe(String),
    /// Other identifier.
    Other(String),
    /// No identifier.
    None,
}

impl BuyerId {
    /// The spec's `BuyerIdentifierType` value.
    pub fn type_str(&self) -> &'static str {
        match self {
            Self::Nip(_) => "Nip",
            Self::VatUe(_) => "VatUe",
            Self::Other(_) => "Other",
            Self::None => "None",
        }
    }
    /// The identifier value, if any.
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Nip(v) | Self::VatUe(v) | Self::Other(v) => Some(v),
            Self::None => None,
        }
    }
    /// The NIP, when the buyer is identified by one.
    pub fn nip(&self) -> Option<&str> {
        match self {
            Self::Nip(v) => Some(v),
            _ => None,
        }
    }
}

/// What the simulator needs to know about an accepted invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceFacts {
    /// Podmiot1 NIP.
    pub seller_nip: String,
    /// Podmiot1 name.
    pub seller_name: Option<String>,
    /// Podmiot2 identifier.
    pub buyer: BuyerId,
    /// Podmiot2 name.
    pub buyer_name: Option<String>,
    /// `Fa/P_1`.
    pub issue_date: NaiveDate,
    /// `Fa/P_2`.
    pub invoice_number: String,
    /// `Fa/KodWaluty`.
    pub currency: String,
    /// Sum of `Fa/P_13_*`.
    pub net_amount: f64,
    /// Sum of `Fa/P_14_*` (PLN: the `P_14_*W` values for foreign currency when given).
    pub vat_amount: f64,
    /// `Fa/P_15`.
    pub gross_amount: f64,
    /// `Fa/RodzajFaktury` as the metadata `InvoiceType` (Vat, Kor, Zal, ...).
    pub invoice_type: String,
    /// `Adnotacje/P_17 == 1`.
    pub is_self_invoicing: bool,
    /// A `Zalacznik` is present.
    pub has_attachment: bool,
    /// `KodFormularza@kodSystemowy`.
    pub system_code: String,
    /// `KodFormularza@wersjaSchemy`.
    pub schema_version: String,
    /// `Podmiot3/DaneIdentyfikacyjne/NIP` of every third party identified by NIP.
    pub third_party_nips: Vec<String>,
    /// `PodmiotUpowazniony/DaneIdentyfikacyjne/NIP`.
    pub authorized_nip: Option<String>,
}

/// Why an invoice was rejected: a KSeF invoice status code with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 430 (file verification / XSD) or 450 (semantic).
    pub code: u16,
    /// Every finding.
    pub details: Vec<String>,
    /// `Fa/P_2` when it could be read.
    pub invoice_number: Option<String>,
}

#[derive(Default)]
struct Raw {
    root_ok: bool,
    root_seen: bool,
    system_code: Option<String>,
    schema_version: Option<String>,
    form_value: Option<String>,
    variant: Option<String>,
    seller_nip: Option<String>,
    seller_name: Option<String>,
    buyer_nip: Option<String>,
    buyer_vat_ue: Option<String>,
    buyer_vat_ue_country: Option<String>,
    buyer_other: Option<String>,
    buyer_none: bool,
    buyer_seen: bool,
    buyer_name: Option<String>,
    fa_seen: bool,
    currency: Option<String>,
    p1: Option<String>,
    p2: Option<String>,
    p15: Option<String>,
    kind: Option<String>,
    net: Vec<String>,
    vat: Vec<String>,
    vat_pln: Vec<String>,
    p17: Option<String>,
    attachment: bool,
    third_party_nips: Vec<String>,
    authorized_nip: Option<String>,
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// Checks a decrypted invoice file as KSeF does on receipt.
pub fn check_invoice(xml: &[u8]) -> Result<InvoiceFacts, Rejection> {
    if xml.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(Rejection {
            code: 430,
            details: vec!["Plik faktury musi być zakodowany w UTF-8 bez znaku BOM".into()],
            invoice_number: None,
        });
    }
    let raw = match read_raw(xml) {
        Ok(raw) => raw,
        Err(msg) => {
            return Err(Rejection {
                code: 430,
                details: vec![msg],
                invoice_number: None,
            })
        }
    };
    let structural: Vec<String> = match fa3::parse(xml) {
        Ok(_) => Vec::new(),
        Err(fa3::ParseError::Schema(issues)) => issues.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    };
    if !structural.is_empty() {
        return Err(Rejection {
            code: 430,
            details: structural,
            invoice_number: raw.p2,
        });
    }
    validate(raw)
}

fn read_raw(xml: &[u8]) -> Result<Raw, String> {
    let mut reader = NsReader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut raw = Raw::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("Dokument XML nie jest poprawnie zbudowany: {e}"))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = local(e.local_name().as_ref());
                if path.is_empty() {
                    if raw.root_seen {
                        return Err("Więcej niż jeden element główny".into());
                    }
                    raw.root_seen = true;
                    let ns_ok = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == FA3_NAMESPACE.as_bytes());
                    raw.root_ok = name == "Faktura" && ns_ok;
                    if !raw.root_ok {
                        return Err(format!(
                            "Element główny musi być Faktura w przestrzeni nazw {FA3_NAMESPACE}"
                        ));
                    }
                }
                if path.len() == 2 && path[1] == "Naglowek" && name == "KodFormularza" {
                    for attr in e.attributes().flatten() {
                        let value = attr
                            .unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        match attr.key.local_name().as_ref() {
                            b"kodSystemowy" => raw.system_code = Some(value),
                            b"wersjaSchemy" => raw.schema_version = Some(value),
                            _ => {}
                        }
                    }
                }
                path.push(name);
                on_open(&mut raw, &path);
                text.clear();
                if matches!(event, Event::Empty(_)) {
                    on_close(&mut raw, &path, "");
                    path.pop();
                }
            }
            Event::Text(t) => {
                text.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::CData(t) => {
                text.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => return Err(format!("Nieznana encja XML: &{other};")),
                    });
                }
            }
            Event::End(_) => {
                on_close(&mut raw, &path, text.trim());
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !raw.root_seen {
        return Err("Pusty dokument XML".into());
    }
    Ok(raw)
}

fn on_open(raw: &mut Raw, path: &[String]) {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["Faktura", "Podmiot2"] => raw.buyer_seen = true,
        ["Faktura", "Fa"] => raw.fa_seen = true,
        ["Faktura", "Zalacznik"] => raw.attachment = true,
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "BrakID"] => raw.buyer_none = true,
        _ => {}
    }
}

fn on_close(raw: &mut Raw, path: &[String], text: &str) {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let t = || Some(text.to_owned());
    match p.as_slice() {
        ["Faktura", "Naglowek", "KodFormularza"] => raw.form_value = t(),
        ["Faktura", "Naglowek", "WariantFormularza"] => raw.variant = t(),
        ["Faktura", "Podmiot1", "DaneIdentyfikacyjne", "NIP"] => raw.seller_nip = t(),
        ["Faktura", "Podmiot1", "DaneIdentyfikacyjne", "Nazwa"] => raw.seller_name = t(),
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "NIP"] => raw.buyer_nip = t(),
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "KodUE"] => raw.buyer_vat_ue_country = t(),
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "NrVatUE"] => raw.buyer_vat_ue = t(),
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "NrID"] => raw.buyer_other = t(),
        ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "Nazwa"] => raw.buyer_name = t(),
        ["Faktura", "Podmiot3", "DaneIdentyfikacyjne", "NIP"] => {
            raw.third_party_nips.push(text.to_owned())
        }
        ["Faktura", "PodmiotUpowazniony", "DaneIdentyfikacyjne", "NIP"] => raw.authorized_nip = t(),
        ["Faktura", "Fa", "KodWaluty"] => raw.currency = t(),
        ["Faktura", "Fa", "P_1"] => raw.p1 = t(),
        ["Faktura", "Fa", "P_2"] => raw.p2 = t(),
        ["Faktura", "Fa", "P_15"] => raw.p15 = t(),
        ["Faktura", "Fa", "RodzajFaktury"] => raw.kind = t(),
        ["Faktura", "Fa", "Adnotacje", "P_17"] => raw.p17 = t(),
        ["Faktura", "Fa", field] if field.starts_with("P_13_") => raw.net.push(text.to_owned()),
        ["Faktura", "Fa", field] if field.starts_with("P_14_") && field.ends_with('W') => {
            raw.vat_pln.push(text.to_owned())
        }
        ["Faktura", "Fa", field] if field.starts_with("P_14_") => raw.vat.push(text.to_owned()),
        _ => {}
    }
}

fn invoice_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "VAT" => "Vat",
        "KOR" => "Kor",
        "ZAL" => "Zal",
        "ROZ" => "Roz",
        "UPR" => "Upr",
        "KOR_ZAL" => "KorZal",
        "KOR_ROZ" => "KorRoz",
        _ => return None,
    })
}

fn is_amount(s: &str) -> bool {
    // TKwotowy: optional minus, up to 16 integer digits, up to 2 (P_15) / 8 fraction digits.
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.len() <= 18
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 8
        && frac.chars().all(|c| c.is_ascii_digit())
        && (frac.is_empty() != s.contains('.'))
}

fn sum(values: &[String]) -> f64 {
    let total: f64 = values.iter().filter_map(|v| v.parse::<f64>().ok()).sum();
    (total * 100.0).round() / 100.0
}

fn validate(raw: Raw) -> Result<InvoiceFacts, Rejection> {
    let mut schema: Vec<String> = Vec::new();
    let mut semantic: Vec<String> = Vec::new();
    let mut require = |v: &Option<String>, what: &str| {
        if v.as_deref().map(str::is_empty).unwrap_or(true) {
            schema.push(format!("Brak wymaganego elementu {what}"));
        }
    };
    require(&raw.form_value, "Naglowek/KodFormularza");
    require(&raw.variant, "Naglowek/WariantFormularza");
    require(&raw.seller_nip, "Podmiot1/DaneIdentyfikacyjne/NIP");
    require(&raw.currency, "Fa/KodWaluty");
    require(&raw.p1, "Fa/P_1");
    require(&raw.p2, "Fa/P_2");
    require(&raw.p15, "Fa/P_15");
    require(&raw.kind, "Fa/RodzajFaktury");
    if !raw.buyer_seen {
        schema.push("Brak wymaganego elementu Podmiot2".into());
    }
    if !raw.fa_seen {
        schema.push("Brak wymaganego elementu Fa".into());
    }
    if raw.system_code.as_deref() != Some("FA (3)")
        || raw.schema_version.as_deref() != Some("1-0E")
        || raw.form_value.as_deref().is_some_and(|v| v != "FA")
    {
        schema.push(
            "KodFormularza musi mieć kodSystemowy=\"FA (3)\", wersjaSchemy=\"1-0E\" i wartość FA"
                .into(),
        );
    }
    if raw.variant.as_deref().is_some_and(|v| v != "3") {
        schema.push("WariantFormularza musi mieć wartość 3".into());
    }
    let nip_shape = |n: &str| n.len() == 10 && n.chars().all(|c| c.is_ascii_digit());
    if let Some(nip) = raw.seller_nip.as_deref() {
        if !nip_shape(nip) {
            schema.push(format!(
                "Podmiot1/NIP '{nip}' nie jest zgodny ze wzorcem TNrNIP"
            ));
        } else if !is_valid_nip(nip) {
            semantic.push(format!(
                "Podmiot1/NIP '{nip}' ma nieprawidłową sumę kontrolną"
            ));
        }
    }
    if let Some(nip) = raw.buyer_nip.as_deref() {
        if !nip_shape(nip) {
            schema.push(format!(
                "Podmiot2/NIP '{nip}' nie jest zgodny ze wzorcem TNrNIP"
            ));
        } else if !is_valid_nip(nip) {
            semantic.push(format!(
                "Podmiot2/NIP '{nip}' ma nieprawidłową sumę kontrolną"
            ));
        }
    }
    let issue_date = raw
        .p1
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    if raw.p1.is_some() && issue_date.is_none() {
        schema.push("Fa/P_1 nie jest poprawną datą (RRRR-MM-DD)".into());
    }
    if let Some(c) = raw.currency.as_deref() {
        if !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())) {
            schema.push(format!("Fa/KodWaluty '{c}' nie jest kodem waluty"));
        }
    }
    let kind = raw.kind.as_deref().and_then(invoice_type);
    if raw.kind.is_some() && kind.is_none() {
        schema.push("Fa/RodzajFaktury ma niedozwoloną wartość".into());
    }
    for (label, values) in [
        ("P_15", raw.p15.iter().cloned().collect::<Vec<_>>()),
        ("P_13_*", raw.net.clone()),
        ("P_14_*", raw.vat.clone()),
    ] {
        for v in values.iter().filter(|v| !is_amount(v)) {
            schema.push(format!("Fa/{label} '{v}' nie jest poprawną kwotą"));
        }
    }
    if let Some(p2) = raw.p2.as_deref() {
        if p2.chars().count() > 256 {
            schema.push("Fa/P_2 jest dłuższe niż 256 znaków".into());
        }
    }

    let invoice_number = raw.p2.clone();
    if !schema.is_empty() {
        return Err(Rejection {
            code: 430,
            details: schema,
            invoice_number,
        });
    }
    if !semantic.is_empty() {
        return Err(Rejection {
            code: 450,
            details: semantic,
            invoice_number,
        });
    }
    let (Some(seller_nip), Some(issue_date), Some(number), Some(currency), Some(kind), Some(p15)) = (
        raw.seller_nip,
        issue_date,
        raw.p2,
        raw.currency,
        kind,
        raw.p15,
    ) else {
        return Err(Rejection {
            code: 430,
            details: vec!["Niekompletny dokument".into()],
            invoice_number,
        });
    };
    let buyer = if let Some(nip) = raw.buyer_nip {
        BuyerId::Nip(nip)
    } else if let Some(vat) = raw.buyer_vat_ue {
        BuyerId::VatUe(format!(
            "{}{}",
            raw.buyer_vat_ue_country.unwrap_or_default(),
            vat
        ))
    } else if let Some(other) = raw.buyer_other {
        BuyerId::Other(other)
    } else {
        let _ = raw.buyer_none;
        BuyerId::None
    };
    let vat_amount = if currency != "PLN" && !raw.vat_pln.is_empty() {
        sum(&raw.vat_pln)
    } else {
        sum(&raw.vat)
    };
    Ok(InvoiceFacts {
        seller_nip,
        seller_name: raw.seller_name,
        buyer,
        buyer_name: raw.buyer_name,
        issue_date,
        invoice_number: number,
        currency,
        net_amount: sum(&raw.net),
        vat_amount,
        gross_amount: p15.parse::<f64>().unwrap_or(0.0),
        invoice_type: kind.to_owned(),
        is_self_invoicing: raw.p17.as_deref() == Some("1"),
        has_attachment: raw.attachment,
        system_code: raw.system_code.unwrap_or_default(),
        schema_version: raw.schema_version.unwrap_or_default(),
        third_party_nips: raw.third_party_nips,
        authorized_nip: raw.authorized_nip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        std::fs::read(ksef_spec::sample(name)).unwrap()
    }

    #[test]
    fn reads_the_official_basic_sample() {
        let facts = check_invoice(&sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml")).unwrap();
        assert_eq!(facts.seller_nip, "5265877635");
        assert_eq!(facts.buyer, BuyerId::Nip("6808208874".into()));
        assert_eq!(facts.invoice_number, "FA/YUCFO-4342344706/03/2026");
        assert_eq!(facts.issue_date.to_string(), "2025-10-31");
        assert_eq!(facts.gross_amount, 33569.50);
        assert_eq!(facts.net_amount, 27292.28);
        assert_eq!(facts.vat_amount, 6277.22);
        assert_eq!(facts.invoice_type, "Vat");
        assert_eq!(facts.currency, "PLN");
    }

    #[test]
    fn every_official_fa3_sample_passes() {
        for entry in std::fs::read_dir(ksef_spec::samples_dir()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("fa3-") || !name.ends_with(".xml") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            match check_invoice(&bytes) {
                Ok(_) => {}
                // Samples with example NIPs whose checksum does not hold are semantic rejects.
                Err(r) => assert_eq!(r.code, 450, "{name}: {r:?}"),
            }
        }
    }

    #[test]
    fn rejects_malformed_and_foreign_documents_with_430() {
        let r = check_invoice(b"<Faktura><Naglowek></Faktura>").unwrap_err();
        assert_eq!(r.code, 430);
        let r = check_invoice(b"<Faktura xmlns=\"http://crd.gov.pl/wzor/2023/06/29/12648/\"/>")
            .unwrap_err();
        assert_eq!(r.code, 430);
        let r =
            check_invoice(format!("<Faktura xmlns=\"{FA3_NAMESPACE}\"/>").as_bytes()).unwrap_err();
        assert_eq!(r.code, 430);
        // Several violations at once: all reported.
        let xml = String::from_utf8(sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml"))
            .unwrap()
            .replace("<P_1>2025-10-31</P_1>", "<P_1>31.10.2025</P_1>")
            .replace("<KodWaluty>PLN</KodWaluty>", "<KodWaluty>zloty</KodWaluty>");
        let r = check_invoice(xml.as_bytes()).unwrap_err();
        assert_eq!(r.code, 430);
        assert!(
            r.details.len() >= 2,
            "all findings reported: {:?}",
            r.details
        );
        assert_eq!(
            r.invoice_number.as_deref(),
            Some("FA/YUCFO-4342344706/03/2026")
        );
    }

    #[test]
    fn bad_seller_checksum_is_semantic_450() {
        let xml = String::from_utf8(sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml"))
            .unwrap()
            .replace("<NIP>5265877635</NIP>", "<NIP>5265877636</NIP>");
        let r = check_invoice(xml.as_bytes()).unwrap_err();
        assert_eq!(r.code, 450);
        assert_eq!(
            r.invoice_number.as_deref(),
            Some("FA/YUCFO-4342344706/03/2026")
        );
    }
}
