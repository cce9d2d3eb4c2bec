//! Demo data: realistic FA(3) cost invoices from several suppliers to the demo company,
//! spread over the last months, stored as if each supplier had sent them to KSeF.
//! Documents are composed from a template and then re-emitted by `fa3::write`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::{Result, SimError};
use crate::ids;
use crate::receipt::check_invoice;
use crate::state::stored_from_facts;
use crate::store::Store;

/// A supplier of the demo company.
#[derive(Debug, Clone, Copy)]
pub struct Supplier {
    /// NIP (valid checksum).
    pub nip: &'static str,
    /// Name.
    pub name: &'static str,
    /// Street line.
    pub address1: &'static str,
    /// Postcode and city.
    pub address2: &'static str,
    /// What it sells: (description, unit, net unit price, VAT rate as in P_12).
    pub lines: &'static [(&'static str, &'static str, f64, &'static str)],
    /// Invoice number prefix.
    pub prefix: &'static str,
}

/// The demo suppliers: contractors of the demo profile, some on its trusted list and
/// some not (their costs arrive flagged "unknown supplier").
pub const SUPPLIERS: &[Supplier] = &[
    Supplier {
        nip: "7740001454",
        name: "Hurtownia Papiernicza Kałamarz S.A.",
        address1: "ul. Żółkiewskiego 12",
        address2: "87-100 Toruń",
        lines: &[
            ("Papier ksero A4 80g", "ryza", 21.5, "23"),
            ("Toner HP 59A", "szt.", 389.0, "23"),
            ("Segregator A4 75mm", "szt.", 9.9, "23"),
        ],
        prefix: "FV",
    },
    Supplier {
        nip: "9542751368",
        name: "Biuro Rachunkowe Księgowa Sp. j.",
        address1: "ul. Łąkowa 7",
        address2: "40-001 Katowice",
        lines: &[
            ("Usługi księgowe - pełna księgowość", "usł.", 1200.0, "23"),
            ("Obsługa kadrowo-płacowa", "os.", 85.0, "23"),
        ],
        prefix: "BR",
    },
    Supplier {
        nip: "6793108059",
        name: "Serwis IT Bajt Sp. z o.o.",
        address1: "al. Pokoju 18",
        address2: "31-564 Kraków",
        lines: &[
            ("Abonament serwisowy stacji roboczych", "mc", 890.0, "23"),
            ("Godzina pracy serwisanta", "h", 150.0, "23"),
        ],
        prefix: "IT",
    },
    Supplier {
        nip: "8992689516",
        name: "Drukarnia Świt s.c.",
        address1: "ul. Legnicka 55",
        address2: "54-203 Wrocław",
        lines: &[
            ("Ulotki A5 kreda 130g", "szt.", 0.35, "23"),
            ("Wizytówki 350g", "kpl.", 79.0, "23"),
        ],
        prefix: "DR",
    },
    Supplier {
        nip: "5260181596",
        name: "Kancelaria Podatkowa Lex Sp. z o.o.",
        address1: "ul. Nowy Świat 21",
        address2: "00-029 Warszawa",
        lines: &[(
            "Doradztwo podatkowe - ryczałt miesięczny",
            "mc",
            1500.0,
            "23",
        )],
        prefix: "LEX",
    },
    Supplier {
        nip: "1860913901",
        name: "Przedsiębiorstwo Transportowe Wóz s.c.",
        address1: "ul. Kolejowa 4",
        address2: "35-001 Rzeszów",
        lines: &[
            ("Transport drobnicowy", "km", 3.2, "23"),
            ("Rozładunek", "usł.", 120.0, "23"),
        ],
        prefix: "TR",
    },
    Supplier {
        nip: "4710497466",
        name: "Catering Smaczna Chwila",
        address1: "ul. Gdańska 18",
        address2: "85-005 Bydgoszcz",
        lines: &[
            ("Catering - lunch firmowy", "os.", 42.0, "8"),
            ("Pieczywo i przekąski", "kpl.", 150.0, "5"),
        ],
        prefix: "SC",
    },
    Supplier {
        nip: "5559797114",
        name: "Sklep Komputerowy Procesor",
        address1: "ul. Kopernika 33",
        address2: "87-100 Toruń",
        lines: &[
            ("Mysz bezprzewodowa", "szt.", 89.0, "23"),
            ("Monitor 27\" IPS", "szt.", 1099.0, "23"),
        ],
        prefix: "SK",
    },
    Supplier {
        nip: "9935181904",
        name: "Agencja Reklamowa Żuraw Sp. z o.o.",
        address1: "ul. Piotrkowska 120",
        address2: "90-006 Łódź",
        lines: &[
            ("Kampania reklamowa online - abonament", "mc", 2400.0, "23"),
            ("Projekt graficzny banera", "szt.", 350.0, "23"),
        ],
        prefix: "ZR",
    },
];

/// The demo company's name.
pub const DEMO_COMPANY: &str = "Demo Sp. z o.o.";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn rate_field(rate: &str) -> (&'static str, &'static str) {
    match rate {
        "8" => ("P_13_2", "P_14_2"),
        "5" => ("P_13_3", "P_14_3"),
        _ => ("P_13_1", "P_14_1"),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The invoice a correction (KOR) corrects.
#[derive(Debug, Clone, Copy)]
pub struct Corrected<'a> {
    /// `P_1` of the original.
    pub issue_date: NaiveDate,
    /// `P_2` of the original.
    pub number: &'a str,
    /// KSeF number of the original.
    pub ksef_number: &'a str,
    /// `PrzyczynaKorekty`.
    pub reason: &'a str,
}

/// Renders an FA(3) invoice from `supplier` to the buyer: VAT, or KOR when `corrected`
/// is given (then `quantities` are the differences, e.g. negative for a return).
/// Lines with a zero quantity are left out.
#[allow(clippy::too_many_arguments)]
pub fn invoice_xml(
    supplier: &Supplier,
    buyer_nip: &str,
    buyer_name: &str,
    number: &str,
    issue: NaiveDate,
    created: DateTime<Utc>,
    quantities: &[f64],
    corrected: Option<&Corrected<'_>>,
) -> String {
    let mut rows = String::new();
    let mut totals: Vec<(&str, f64, f64)> = Vec::new();
    let lines = supplier
        .lines
        .iter()
        .zip(quantities)
        .filter(|(_, q)| **q != 0.0);
    for (n, ((desc, unit, price, rate), qty)) in lines.enumerate() {
        let net = round2(price * qty);
        let vat_rate: f64 = rate.parse().unwrap_or(23.0);
        let vat = round2(net * vat_rate / 100.0);
        match totals.iter_mut().find(|(r, _, _)| r == rate) {
            Some(t) => {
                t.1 += net;
                t.2 += vat;
            }
            None => totals.push((rate, net, vat)),
        }
        rows.push_str(&format!(
            "    <FaWiersz>\n      <NrWierszaFa>{}</NrWierszaFa>\n      <P_7>{}</P_7>\n      <P_8A>{}</P_8A>\n      <P_8B>{}</P_8B>\n      <P_9A>{:.2}</P_9A>\n      <P_11>{:.2}</P_11>\n      <P_12>{}</P_12>\n    </FaWiersz>\n",
            n + 1,
            esc(desc),
            esc(unit),
            qty,
            price,
            net,
            rate
        ));
    }
    totals.sort_by_key(|(r, _, _)| rate_field(r).0);
    let mut sums = String::new();
    let mut gross = 0.0;
    for (rate, net, vat) in &totals {
        let (pn, pv) = rate_field(rate);
        sums.push_str(&format!(
            "    <{pn}>{net:.2}</{pn}>\n    <{pv}>{vat:.2}</{pv}>\n"
        ));
        gross += net + vat;
    }
    let due = issue + Duration::days(14);
    let account = format!("{:0>26}", supplier.nip.repeat(3).get(..26).unwrap_or("0"));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">
  <Naglowek>
    <KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>
    <WariantFormularza>3</WariantFormularza>
    <DataWytworzeniaFa>{created}</DataWytworzeniaFa>
    <SystemInfo>ksef-sim demo</SystemInfo>
  </Naglowek>
  <Podmiot1>
    <DaneIdentyfikacyjne>
      <NIP>{snip}</NIP>
      <Nazwa>{sname}</Nazwa>
    </DaneIdentyfikacyjne>
    <Adres>
      <KodKraju>PL</KodKraju>
      <AdresL1>{a1}</AdresL1>
      <AdresL2>{a2}</AdresL2>
    </Adres>
  </Podmiot1>
  <Podmiot2>
    <DaneIdentyfikacyjne>
      <NIP>{bnip}</NIP>
      <Nazwa>{bname}</Nazwa>
    </DaneIdentyfikacyjne>
    <Adres>
      <KodKraju>PL</KodKraju>
      <AdresL1>ul. Prosta 20</AdresL1>
      <AdresL2>00-850 Warszawa</AdresL2>
    </Adres>
    <JST>2</JST>
    <GV>2</GV>
  </Podmiot2>
  <Fa>
    <KodWaluty>PLN</KodWaluty>
    <P_1>{issue}</P_1>
    <P_1M>{city}</P_1M>
    <P_2>{number}</P_2>
    <P_6>{issue}</P_6>
{sums}    <P_15>{gross:.2}</P_15>
    <Adnotacje>
      <P_16>2</P_16>
      <P_17>2</P_17>
      <P_18>2</P_18>
      <P_18A>2</P_18A>
      <Zwolnienie>
        <P_19N>1</P_19N>
      </Zwolnienie>
      <NoweSrodkiTransportu>
        <P_22N>1</P_22N>
      </NoweSrodkiTransportu>
      <P_23>2</P_23>
      <PMarzy>
        <P_PMarzyN>1</P_PMarzyN>
      </PMarzy>
    </Adnotacje>
    <RodzajFaktury>{kind}</RodzajFaktury>
{correction}{rows}    <Platnosc>
      <TerminPlatnosci>
        <Termin>{due}</Termin>
      </TerminPlatnosci>
      <FormaPlatnosci>6</FormaPlatnosci>
      <RachunekBankowy>
        <NrRB>{account}</NrRB>
      </RachunekBankowy>
    </Platnosc>
  </Fa>
</Faktura>
"#,
        created = created.format("%Y-%m-%dT%H:%M:%SZ"),
        snip = supplier.nip,
        sname = esc(supplier.name),
        a1 = esc(supplier.address1),
        a2 = esc(supplier.address2),
        bnip = buyer_nip,
        bname = esc(buyer_name),
        issue = issue.format("%Y-%m-%d"),
        city = esc(supplier
            .address2
            .split_once(' ')
            .map_or(supplier.address2, |(_, c)| c)),
        number = esc(number),
        kind = if corrected.is_some() { "KOR" } else { "VAT" },
        correction = corrected.map_or(String::new(), |c| format!(
            "    <PrzyczynaKorekty>{}</PrzyczynaKorekty>\n    <TypKorekty>2</TypKorekty>\n    <DaneFaKorygowanej>\n      <DataWystFaKorygowanej>{}</DataWystFaKorygowanej>\n      <NrFaKorygowanej>{}</NrFaKorygowanej>\n      <NrKSeF>1</NrKSeF>\n      <NrKSeFFaKorygowanej>{}</NrKSeFFaKorygowanej>\n    </DaneFaKorygowanej>\n",
            esc(c.reason),
            c.issue_date.format("%Y-%m-%d"),
            esc(c.number),
            esc(c.ksef_number)
        )),
        due = due.format("%Y-%m-%d"),
    )
}

/// Re-emits a document through `fa3`'s model and writer, so seeded invoices are
/// byte-for-byte what the app's own FA(3) writer produces for the same content.
pub fn through_fa3_writer(xml: &str) -> Result<Vec<u8>> {
    let parsed =
        fa3::parse(xml.as_bytes()).map_err(|e| SimError::Invalid(format!("demo template: {e}")))?;
    fa3::write(&parsed.invoice).map_err(|e| SimError::Invalid(format!("fa3 writer: {e}")))
}

/// Stores a seeded invoice issued by its seller at `invoicing` (outside any session).
pub fn store_seeded(store: &Store, xml: &[u8], invoicing: DateTime<Utc>) -> Result<String> {
    let facts = check_invoice(xml).map_err(|r| {
        SimError::Invalid(format!(
            "seeded invoice rejected ({}): {:?}",
            r.code, r.details
        ))
    })?;
    let acquisition = invoicing + Duration::milliseconds(400);
    let stored_at = acquisition + Duration::milliseconds(300);
    let ksef = ids::ksef_number(&facts.seller_nip, ids::polish_date(acquisition));
    let session = ids::reference_number(ids::RefKind::OnlineSession, invoicing);
    let invoice_ref = ids::reference_number(ids::RefKind::Invoice, invoicing);
    store.insert(&stored_from_facts(
        &facts,
        xml,
        &ksef,
        invoicing,
        acquisition,
        stored_at,
        "Online",
        None,
        &session,
        &invoice_ref,
    ))?;
    Ok(ksef)
}

/// Months of demo history.
const DEMO_MONTHS: u32 = 9;

/// Seeds about nine months of cost invoices (over 300) to `buyer_nip`, deterministic
/// per buyer.
/// Returns the KSeF numbers. Invoices already present (same numbers) are skipped.
pub fn seed_demo(store: &Store, buyer_nip: &str, now: DateTime<Utc>) -> Result<Vec<String>> {
    let seed = buyer_nip
        .bytes()
        .fold(17u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut planned_correction = false;
    for months_back in (0..DEMO_MONTHS).rev() {
        let month_start = shift_month(now.date_naive(), months_back);
        for (si, supplier) in SUPPLIERS.iter().enumerate() {
            // Services monthly; goods, transport and catering several times a month.
            let count = match si {
                1 | 2 | 4 | 8 => 1,
                _ => rng.gen_range(5..=9),
            };
            for k in 0..count {
                let day = rng.gen_range(1..=27u32);
                let Some(issue) = month_start.with_day(day) else {
                    continue;
                };
                if issue >= now.date_naive() {
                    continue;
                }
                let number = format!(
                    "{}/{:02}/{}/{}",
                    supplier.prefix,
                    issue.month(),
                    issue.year(),
                    100 + si * 10 + k as usize
                );
                let quantities: Vec<f64> = supplier
                    .lines
                    .iter()
                    .map(|(_, unit, _, _)| match *unit {
                        "km" => f64::from(rng.gen_range(40..900)),
                        "ryza" | "szt." | "os." | "h" => f64::from(rng.gen_range(1..25)),
                        _ => 1.0,
                    })
                    .collect();
                let hour = rng.gen_range(7..17);
                // Now and then the stationery supplier takes back a toner: a correction.
                let coin = rng.gen_bool(0.5);
                let correct_after = (si == 0 && k == 0 && (coin || !planned_correction))
                    .then(|| rng.gen_range(3..12i64));
                planned_correction |= correct_after.is_some();
                let invoicing = issue
                    .and_hms_opt(hour, rng.gen_range(0..60), rng.gen_range(0..60))
                    .map(|d| d.and_utc())
                    .unwrap_or(now);
                if store
                    .find_duplicate(supplier.nip, "Vat", &number)?
                    .is_some()
                {
                    continue;
                }
                let xml = invoice_xml(
                    supplier,
                    buyer_nip,
                    DEMO_COMPANY,
                    &number,
                    issue,
                    invoicing,
                    &quantities,
                    None,
                );
                let xml = through_fa3_writer(&xml)?;
                let ksef = store_seeded(store, &xml, invoicing.min(now - Duration::minutes(5)))?;
                if let Some(days) = correct_after {
                    let when = invoicing + Duration::days(days);
                    if when < now - Duration::minutes(5) {
                        let returned: Vec<f64> = supplier
                            .lines
                            .iter()
                            .map(|(_, _, price, _)| if *price > 100.0 { -1.0 } else { 0.0 })
                            .collect();
                        let corrected = Corrected {
                            issue_date: issue,
                            number: &number,
                            ksef_number: &ksef,
                            reason: "Zwrot uszkodzonego towaru",
                        };
                        let kor = invoice_xml(
                            supplier,
                            buyer_nip,
                            DEMO_COMPANY,
                            &format!("{number}/KOR"),
                            when.date_naive(),
                            when,
                            &returned,
                            Some(&corrected),
                        );
                        out.push(store_seeded(store, &through_fa3_writer(&kor)?, when)?);
                    }
                }
                out.push(ksef);
            }
        }
    }
    let roles = seed_roles(store, buyer_nip, now)?;
    tracing::info!(
        count = out.len(),
        roles = roles.len(),
        "demo invoices seeded"
    );
    Ok(out)
}

/// The buyer of the invoices on which the demo company is a third party or the
/// authorised subject rather than the buyer (a valid NIP that is no demo supplier).
pub const OTHER_BUYER_NIP: &str = "1111111111";

/// Seeds invoices where `nip` is not the buyer but a third party (`Podmiot3`, as the
/// payer) or the authorised subject (`PodmiotUpowazniony`, as tax representative), so
/// `Subject3` and `SubjectAuthorized` queries find something. Returns their KSeF
/// numbers (third party first, then authorised); already present ones are skipped.
pub fn seed_roles(store: &Store, nip: &str, now: DateTime<Utc>) -> Result<Vec<String>> {
    let supplier = &SUPPLIERS[0];
    let third = format!(
        "<Podmiot3><DaneIdentyfikacyjne><NIP>{nip}</NIP><Nazwa>{DEMO_COMPANY}</Nazwa></DaneIdentyfikacyjne><Rola>6</Rola></Podmiot3>"
    );
    let authorized = format!(
        "<PodmiotUpowazniony><DaneIdentyfikacyjne><NIP>{nip}</NIP><Nazwa>{DEMO_COMPANY}</Nazwa></DaneIdentyfikacyjne><Adres><KodKraju>PL</KodKraju><AdresL1>ul. Prosta 20</AdresL1></Adres><RolaPU>3</RolaPU></PodmiotUpowazniony>"
    );
    let mut out = Vec::new();
    for (days_back, tag, extra) in [(20i64, "P3", third), (10, "PU", authorized)] {
        let when = now - Duration::days(days_back);
        let number = format!("{}/{tag}/{}", supplier.prefix, nip);
        if store
            .find_duplicate(supplier.nip, "Vat", &number)?
            .is_some()
        {
            continue;
        }
        let xml = invoice_xml(
            supplier,
            OTHER_BUYER_NIP,
            "Odbiorca Sp. z o.o.",
            &number,
            when.date_naive(),
            when,
            &vec![2.0; supplier.lines.len()],
            None,
        )
        .replacen("</Podmiot2>", &format!("</Podmiot2>{extra}"), 1);
        out.push(store_seeded(store, &through_fa3_writer(&xml)?, when)?);
    }
    Ok(out)
}

/// Issues one new cost invoice (dated today) from the `n`-th supplier (round robin) to
/// `buyer_nip`, received by KSeF at `now`. Returns its KSeF number.
pub fn feed_one(store: &Store, buyer_nip: &str, now: DateTime<Utc>, n: u64) -> Result<String> {
    let supplier = &SUPPLIERS[(n as usize) % SUPPLIERS.len()];
    let mut rng = rand::thread_rng();
    let issue = ids::polish_date(now);
    let number = format!(
        "{}/{:02}/{}/N{}-{}",
        supplier.prefix,
        issue.month(),
        issue.year(),
        n,
        ids::random_hex(4)
    );
    let quantities: Vec<f64> = supplier
        .lines
        .iter()
        .map(|(_, unit, _, _)| match *unit {
            "km" => f64::from(rng.gen_range(40..900)),
            "ryza" | "szt." | "os." | "h" => f64::from(rng.gen_range(1..25)),
            _ => 1.0,
        })
        .collect();
    let xml = invoice_xml(
        supplier,
        buyer_nip,
        DEMO_COMPANY,
        &number,
        issue,
        now,
        &quantities,
        None,
    );
    store_seeded(store, &through_fa3_writer(&xml)?, now)
}

fn shift_month(d: NaiveDate, back: u32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_have_valid_nips_and_their_invoices_pass_receipt() {
        for s in SUPPLIERS {
            assert!(ids::is_valid_nip(s.nip), "{}", s.nip);
        }
        let store = Store::open(None).unwrap();
        let numbers = seed_demo(&store, "5265877635", Utc::now()).unwrap();
        // Demo mode needs at least 300 costs waiting to be retrieved.
        assert!(numbers.len() >= 300, "{}", numbers.len());
        let all = store.for_subject("5265877635", false).unwrap();
        assert_eq!(all.len(), numbers.len());
        let months: std::collections::BTreeSet<_> = all
            .iter()
            .map(|i| (i.issue_date.year(), i.issue_date.month()))
            .collect();
        assert!(months.len() >= 8, "{months:?}");
        assert!(
            all.iter().any(|i| i.invoice_type == "Kor"),
            "a correction is among them"
        );
        assert!(all.iter().any(|i| i.gross_amount < 0.0));
        for inv in &all {
            assert!(
                (inv.net_amount + inv.vat_amount - inv.gross_amount).abs() < 0.011,
                "{inv:?}"
            );
        }
        // The demo company is also a third party on one invoice and the authorised
        // subject on another, both sold to someone else.
        for (ksef, nips, authorized) in [
            (0, vec!["5265877635".to_owned()], None),
            (1, vec![], Some("5265877635".to_owned())),
        ] {
            let found = store
                .query_page(
                    &crate::store::InvoiceQuery {
                        nip: "5265877635".into(),
                        subject: if ksef == 0 {
                            crate::store::Subject::ThirdParty
                        } else {
                            crate::store::Subject::Authorized
                        },
                        date: crate::store::DateColumn::Invoicing,
                        from: "2000-01-01T00:00:00.000Z".into(),
                        to: None,
                        visible_at: Utc::now(),
                        ksef_number: None,
                        invoice_number: None,
                        seller_nip: None,
                        buyer: None,
                        amount: None,
                        currencies: vec![],
                        invoicing_mode: None,
                        is_self_invoicing: None,
                        invoice_types: vec![],
                        has_attachment: None,
                        descending: false,
                    },
                    &crate::store::PageStart::Offset(0),
                    10,
                    true,
                )
                .unwrap();
            assert_eq!(found.len(), 1, "{ksef}");
            assert_eq!(found[0].buyer_id_value.as_deref(), Some(OTHER_BUYER_NIP));
            let facts = check_invoice(&found[0].xml).unwrap();
            assert_eq!(
                (facts.third_party_nips, facts.authorized_nip),
                (nips, authorized)
            );
        }
        // Seeding again adds nothing.
        assert!(seed_demo(&store, "5265877635", Utc::now())
            .unwrap()
            .is_empty());
    }
}
