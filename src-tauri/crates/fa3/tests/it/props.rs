//! Property tests: random valid invoices of every kind -> XML -> xmllint
//! against the official XSD -> parse -> equal to the original.

use chrono::{DateTime, FixedOffset, NaiveDate};
use fa3::xml::Element;
use fa3::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::support::xmllint;

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Token text (`xsd:token`, 1..=max chars) with Polish letters and XML specials.
fn token(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9ĄĆĘŁŃÓŚŹŻąćęłńóśźż&<>\"' .,/-]{{1,{max}}}"
    ))
    .unwrap()
    .prop_map(|s| collapse(&s))
    .prop_filter("non-empty", |s| !s.is_empty())
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

/// A NIP matching the schema pattern with a valid checksum.
fn nip() -> impl Strategy<Value = String> {
    (
        1u32..10,
        0u32..10,
        1u32..10,
        prop::collection::vec(0u32..10, 6),
    )
        .prop_map(|(a, b, c, rest)| {
            let mut d = vec![a, b, c];
            d.extend(rest);
            let w = [6, 5, 7, 2, 3, 4, 5, 6, 7];
            let sum: u32 = d.iter().zip(w).map(|(x, w)| x * w).sum();
            (d, sum % 11)
        })
        .prop_filter("checksum 10 is invalid", |(_, c)| *c != 10)
        .prop_map(|(d, c)| {
            d.iter()
                .chain(std::iter::once(&c))
                .map(|x| x.to_string())
                .collect()
        })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2025i32..2049, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn created() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (date(), 0u32..24, 0u32..60).prop_map(|(d, h, m)| {
        let d = d.max(NaiveDate::from_ymd_opt(2025, 9, 2).unwrap());
        d.and_hms_opt(h, m, 0).unwrap().and_utc().fixed_offset()
    })
}

fn dec(max: i64, dp: u32) -> impl Strategy<Value = Decimal> {
    (-max..max).prop_map(move |n| Decimal::new(n, dp))
}

fn pos_dec(max: i64, dp: u32) -> impl Strategy<Value = Decimal> {
    (1..max).prop_map(move |n| Decimal::new(n, dp))
}

fn address() -> impl Strategy<Value = Address> {
    (
        prop::sample::select(vec!["PL", "DE", "FR", "US", "UA"]),
        token(40),
        opt(token(30)),
        opt("[0-9]{13}"),
    )
        .prop_map(|(c, l1, l2, gln)| Address {
            country: c.to_owned(),
            line1: l1,
            line2: l2,
            gln,
        })
}

fn contacts() -> impl Strategy<Value = Vec<Contact>> {
    prop::collection::vec(
        (opt("[a-z]{1,8}@[a-z]{1,8}\\.pl"), opt("[0-9]{9}"))
            .prop_map(|(email, phone)| Contact { email, phone }),
        0..=3,
    )
}

fn buyer_id() -> impl Strategy<Value = PartyId> {
    prop_oneof![
        nip().prop_map(PartyId::Nip),
        (
            prop::sample::select(vec!["DE", "FR", "EL", "CZ"]),
            "[A-Z0-9]{2,12}"
        )
            .prop_map(|(c, n)| PartyId::EuVat {
                country: c.to_owned(),
                number: n
            }),
        (
            opt(prop::sample::select(vec!["US", "UA", "GB"])),
            "[A-Z0-9]{1,20}"
        )
            .prop_map(|(c, id)| PartyId::Foreign {
                country: c.map(str::to_owned),
                id
            }),
        Just(PartyId::None),
    ]
}

fn seller() -> impl Strategy<Value = Seller> {
    (
        opt(Just("PL".to_owned())),
        opt(token(20)),
        nip(),
        token(60),
        address(),
        opt(address()),
        contacts(),
        opt(1u8..=4),
    )
        .prop_map(
            |(vat_prefix, eori, nip, name, address, correspondence, contacts, taxpayer_status)| {
                Seller {
                    vat_prefix,
                    eori,
                    nip,
                    name,
                    address,
                    correspondence,
                    contacts,
                    taxpayer_status,
                    extra: vec![],
                }
            },
        )
}

fn buyer() -> impl Strategy<Value = Buyer> {
    (
        opt(token(20)),
        buyer_id(),
        opt(token(60)),
        opt(address()),
        opt(address()),
        contacts(),
        opt(token(20)),
        opt("[a-z0-9]{1,32}"),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                eori,
                id,
                name,
                address,
                correspondence,
                contacts,
                customer_number,
                buyer_id,
                jst,
                gv,
            )| Buyer {
                eori,
                id,
                name,
                address,
                correspondence,
                contacts,
                customer_number,
                buyer_id,
                jst,
                gv,
                extra: vec![],
            },
        )
}

fn third_party() -> impl Strategy<Value = ThirdParty> {
    (
        opt("[a-z0-9]{1,32}"),
        prop_oneof![
            buyer_id(),
            nip().prop_map(|n| PartyId::InternalId(format!("{n}-00001")))
        ],
        opt(token(40)),
        opt(address()),
        contacts(),
        prop_oneof![
            (1u8..=11).prop_map(ThirdPartyRole::Code),
            token(30).prop_map(ThirdPartyRole::Other)
        ],
        opt((0i64..=10000).prop_map(|n| Decimal::new(n, 2))),
        opt(token(20)),
    )
        .prop_map(
            |(buyer_id, id, name, address, contacts, role, share, customer_number)| ThirdParty {
                buyer_id,
                eori: None,
                id,
                name,
                address,
                correspondence: None,
                contacts,
                role,
                share,
                customer_number,
                extra: vec![],
            },
        )
}

fn line(gross_priced: bool) -> impl Strategy<Value = Line> {
    (
        prop::sample::select(VatRate::ALL.to_vec()),
        opt(token(60)),
        opt(prop::sample::select(vec!["szt.", "kg", "godz.", "m²"])),
        pos_dec(100_000_000, 6),
        pos_dec(10_000_000_000, 8),
        opt(pos_dec(1000, 2)),
        any::<bool>(),
        opt(date()),
        opt(prop::sample::select(vec!["GTU_01", "GTU_12"])),
        any::<bool>(),
    )
        .prop_map(
            move |(rate, name, unit, qty, price, discount, annex15, sale_date, gtu, before)| Line {
                name,
                unit: unit.map(str::to_owned),
                quantity: Some(qty),
                unit_net_price: (!gross_priced).then_some(price),
                unit_gross_price: gross_priced.then_some(price),
                discount,
                rate: Some(rate),
                annex15,
                sale_date,
                gtu: gtu.map(str::to_owned),
                before_correction: before,
                ..Line::default()
            },
        )
}

fn bank_account() -> impl Strategy<Value = BankAccount> {
    (
        "[A-Z0-9]{10,34}",
        opt("[A-Z]{6}[A-Z0-9]{2}"),
        opt(1u8..=3),
        opt(token(30)),
        opt(token(30)),
    )
        .prop_map(
            |(number, swift, bank_own, bank_name, description)| BankAccount {
                number,
                swift,
                bank_own,
                bank_name,
                description,
            },
        )
}

fn payment() -> impl Strategy<Value = Payment> {
    let method = || {
        opt(prop_oneof![
            (1u8..=7).prop_map(PaymentMethod::Code),
            token(30).prop_map(PaymentMethod::Other)
        ])
    };
    (
        opt(prop_oneof![
            date().prop_map(|date| Paid::Full { date }),
            (
                1u8..=2,
                prop::collection::vec((pos_dec(1_000_000, 2), date(), method()), 1..3)
            )
                .prop_map(|(marker, parts)| Paid::Partial {
                    marker,
                    parts: parts
                        .into_iter()
                        .map(|(amount, date, method)| PartialPayment {
                            amount,
                            date,
                            method
                        })
                        .collect(),
                }),
        ]),
        prop::collection::vec(
            (
                opt(date()),
                opt((1i64..90, token(10), token(30))
                    .prop_map(|(count, unit, event)| TermDescription { count, unit, event })),
            )
                .prop_map(|(due, description)| PaymentTerm { due, description }),
            0..3,
        ),
        method(),
        prop::collection::vec(bank_account(), 0..3),
        prop::collection::vec(bank_account(), 0..2),
        opt((token(30), token(10))),
    )
        .prop_map(
            |(paid, terms, method, bank_accounts, factor_accounts, cash_discount)| Payment {
                paid,
                terms,
                method,
                bank_accounts,
                factor_accounts,
                cash_discount,
                link: None,
                ipksef: None,
                extra: vec![],
            },
        )
}

fn annotations() -> impl Strategy<Value = Annotations> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just(Exemption::None),
            token(40).prop_map(Exemption::Statute),
            token(40).prop_map(Exemption::Directive),
            token(40).prop_map(Exemption::Other),
        ],
        any::<bool>(),
        opt(prop::sample::select(vec![
            MarginScheme::Travel,
            MarginScheme::UsedGoods,
            MarginScheme::Art,
            MarginScheme::Antiques,
        ])),
    )
        .prop_map(
            |(cash, selfb, rc, mpp, exemption, tri, margin)| Annotations {
                cash_accounting: cash,
                self_billing: selfb,
                reverse_charge: rc,
                split_payment: mpp,
                exemption,
                new_transport: None,
                simplified_triangular: tri,
                margin,
            },
        )
}

fn ksef_number() -> impl Strategy<Value = String> {
    (nip(), date(), "[0-9A-F]{12}").prop_map(|(nip, d, tech)| {
        let prefix = format!("{nip}-{}-{tech}", d.format("%Y%m%d"));
        let crc = fa3::qr::ksef_number_crc(&prefix);
        format!("{prefix}-{crc}")
    })
}

fn order() -> impl Strategy<Value = Order> {
    (
        pos_dec(1_000_000_000, 2),
        prop::collection::vec(
            (
                opt(token(40)),
                opt(prop::sample::select(vec!["szt.", "kpl."])),
                opt(pos_dec(1_000_000, 3)),
                opt(pos_dec(1_000_000, 2)),
                opt(dec(1_000_000, 2)),
                opt(dec(1_000_000, 2)),
                opt(prop::sample::select(VatRate::ALL.to_vec())),
                any::<bool>(),
            ),
            1..4,
        ),
    )
        .prop_map(|(value, lines)| Order {
            value,
            lines: lines
                .into_iter()
                .enumerate()
                .map(
                    |(i, (name, unit, quantity, unit_net_price, net, vat, rate, annex15))| {
                        OrderLine {
                            number: i as u64 + 1,
                            name,
                            unit: unit.map(str::to_owned),
                            quantity,
                            unit_net_price,
                            net,
                            vat,
                            rate,
                            annex15,
                            before_correction: false,
                            extra: vec![],
                        }
                    },
                )
                .collect(),
        })
}

fn correction() -> impl Strategy<Value = Correction> {
    (
        opt(token(60)),
        opt(1u8..=3),
        prop::collection::vec(
            (date(), token(30), opt(ksef_number())).prop_map(
                |(issue_date, number, ksef_number)| CorrectedInvoice {
                    issue_date,
                    number,
                    ksef_number,
                },
            ),
            1..3,
        ),
        opt(token(20)),
        opt(token(20)),
    )
        .prop_map(
            |(reason, effect, corrected, period, corrected_number)| Correction {
                reason,
                effect,
                corrected,
                period,
                corrected_number,
            },
        )
}

prop_compose! {
    fn invoice()(
        kind in prop::sample::select(InvoiceKind::ALL.to_vec()),
        created in created(),
        system_info in opt(token(30)),
        seller in seller(),
        buyer in buyer(),
        third_parties in prop::collection::vec(third_party(), 0..3),
        currency in prop::sample::select(vec!["PLN", "PLN", "EUR", "USD"]),
        fx in pos_dec(100_000, 4),
        issue_date in date(),
        issue_place in opt(token(20)),
        number in token(40),
        delivery_notes in prop::collection::vec(token(20), 0..2),
        sale in opt(prop_oneof![date().prop_map(SaleDate::Date), (date(), date()).prop_map(|(a, b)| SaleDate::Period { from: a.min(b), to: a.max(b) })]),
        gross_priced in any::<bool>(),
        lines in prop::collection::vec(line(false), 0..6),
        gross_lines in prop::collection::vec(line(true), 0..6),
        annotations in annotations(),
        correction in correction(),
        notes in prop::collection::vec((opt(1u64..10), token(20), token(40)).prop_map(|(line, key, value)| Note { line, key, value }), 0..3),
        advances in prop::collection::vec(prop_oneof![ksef_number().prop_map(AdvanceInvoiceRef::Ksef), token(20).prop_map(AdvanceInvoiceRef::Outside)], 1..3),
        payment in opt(payment()),
        order in opt(order()),
        footer in opt((prop::collection::vec(token(100), 0..3), prop::collection::vec((opt(token(40)), opt("[0-9]{10}"), opt("[0-9]{9}"), opt("[0-9]{9}")).prop_map(|(full_name, krs, regon, bdo)| Register { full_name, krs, regon, bdo }), 0..2)).prop_map(|(info, registers)| Footer { info, registers })),
        for_receipt in any::<bool>(),
        related_parties in any::<bool>(),
        advance_fx in opt(pos_dec(100_000, 4)),
        wild_total in dec(1_000_000_000, 2),
        kept in (any::<bool>(), opt((pos_dec(1_000_000, 2), token(30))), opt((token(20), token(40)))),
    ) -> Invoice {
        let mut lines = if gross_priced { gross_lines } else { lines };
        let foreign = currency != "PLN";
        for (i, l) in lines.iter_mut().enumerate() {
            l.number = i as u64 + 1;
            l.before_correction &= kind.is_correction();
            if foreign {
                l.exchange_rate = Some(fx);
            }
        }
        let mut fa = Fa {
            currency: currency.to_owned(),
            issue_date,
            issue_place,
            number,
            delivery_notes,
            sale_date: sale,
            totals: Totals::default(),
            advance_exchange_rate: if matches!(kind, InvoiceKind::Zal | InvoiceKind::KorZal) { advance_fx } else { None },
            annotations,
            kind,
            correction: kind.is_correction().then_some(correction),
            for_receipt,
            related_parties,
            notes,
            advance_invoices: if kind == InvoiceKind::Roz { advances } else { vec![] },
            lines,
            payment,
            order: if matches!(kind, InvoiceKind::Zal | InvoiceKind::KorZal) { order } else { None },
            extra: vec![],
        };
        // Parts we do not model, kept as raw elements in schema order.
        let (excise_refund, settlement, attachment) = kept;
        if excise_refund {
            fa.extra.push(Element::leaf(FA_NS, "ZwrotAkcyzy", "1"));
        }
        if let Some((amount, reason)) = settlement {
            let mut charge = Element::new(FA_NS, "Obciazenia");
            charge.children = vec![Element::leaf(FA_NS, "Kwota", amount.to_string()), Element::leaf(FA_NS, "Powod", reason)];
            let mut r = Element::new(FA_NS, "Rozliczenie");
            r.children = vec![charge, Element::leaf(FA_NS, "SumaObciazen", amount.to_string())];
            fa.extra.push(r);
        }
        let mut invoice_extra = vec![];
        if let Some((key, value)) = attachment {
            let mut meta = Element::new(FA_NS, "MetaDane");
            meta.children = vec![Element::leaf(FA_NS, "ZKlucz", key), Element::leaf(FA_NS, "ZWartosc", value)];
            let mut block = Element::new(FA_NS, "BlokDanych");
            block.children = vec![meta];
            let mut z = Element::new(FA_NS, "Zalacznik");
            z.children = vec![block];
            invoice_extra.push(z);
        }
        fa3::amounts::recompute(&mut fa);
        if fa.lines.is_empty() {
            // Advance invoices may state an amount with no lines.
            fa.totals.gross = wild_total;
        }
        Invoice {
            header: Header { created, system_info },
            seller,
            buyer,
            third_parties,
            fa,
            footer,
            extra: invoice_extra,
        }
    }
}

fn roundtrip(inv: Invoice) -> Result<(), TestCaseError> {
    let xml = fa3::write(&inv).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Err(e) = xmllint(&xml) {
        return Err(TestCaseError::fail(format!(
            "xmllint: {e}\n{}",
            String::from_utf8_lossy(&xml)
        )));
    }
    let back = fa3::parse(&xml)
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .invoice;
    prop_assert_eq!(back, inv);
    Ok(())
}

/// Runs on a thread with a large stack: the composed strategy is deep, and
/// debug builds of proptest's combinators overflow the default 2 MiB.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn random_invoices_write_xsd_valid_xml_and_parse_back_equal() {
    with_big_stack(|| {
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 64,
            ..ProptestConfig::default()
        });
        if let Err(e) = runner.run(&invoice(), roundtrip) {
            panic!("{e}");
        }
    });
}

#[test]
fn every_kind_is_generated() {
    // Guards the generator: select() over ALL must be able to produce each kind.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    with_big_stack(|| {
        let mut runner = TestRunner::deterministic();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            seen.insert(invoice().new_tree(&mut runner).unwrap().current().kind());
        }
        assert_eq!(seen.len(), InvoiceKind::ALL.len());
    });
}

#[test]
fn the_largest_line_count_the_schema_allows_round_trips() {
    let p = crate::support::samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("vat-basic"))
        .unwrap();
    let mut inv = fa3::parse(&std::fs::read(p).unwrap()).unwrap().invoice;
    let template = inv.fa.lines[0].clone();
    inv.fa.lines = (1..=10_000)
        .map(|n| Line {
            number: n,
            ..template.clone()
        })
        .collect();
    fa3::amounts::recompute(&mut inv.fa);
    let xml = fa3::write(&inv).unwrap();
    assert!(xml.len() > 1_000_000);
    let back = fa3::parse(&xml).unwrap().invoice;
    assert_eq!(back.fa.lines.len(), 10_000);
    assert_eq!(back, inv);
    // One more line breaks FaWiersz maxOccurs and the writer refuses it.
    inv.fa.lines.push(Line {
        number: 10_001,
        ..template
    });
    match fa3::write(&inv) {
        Err(fa3::WriteError::Schema(issues)) => {
            assert!(issues[0].to_string().contains("FaWiersz"), "{issues:?}")
        }
        other => panic!("{:?}", other.map(|x| x.len())),
    }
}
