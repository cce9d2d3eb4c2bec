//! The sales list over 100,000 documents in a real SQLite file: one page of the
//! list as the UI asks for it (default sort, status filter, date range + amount,
//! contractor, full-text search, deep scroll), p50/p95 in milliseconds.
//!
//! `cargo bench -p desk-store --bench sales_list [-- --documents N]`
//! (without `--bench`, e.g. under `cargo test --all-targets`, it runs 2,000 as a smoke test)

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark binary prints its figures and fails loudly"
)]

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use desk_store::{
    DraftRow, IssuedRow, KsefEnvironment, NewCompany, NewContractor, SalesQuery, SalesSort,
    SalesStatus, Store, DATABASE_FILE_NAME,
};

const NAMES: [&str; 10] = [
    "Hurtownia Papiernicza Kałamarz S.A.",
    "Biuro Rachunkowe Księgowa Sp. j.",
    "Serwis IT Bajt Sp. z o.o.",
    "Drukarnia Świt s.c.",
    "Kancelaria Podatkowa Lex Sp. z o.o.",
    "Przedsiębiorstwo Transportowe Wóz s.c.",
    "Studio Graficzne Kreska",
    "Agencja Reklamowa Żuraw Sp. z o.o.",
    "Hurtownia Spożywcza Łan S.A.",
    "Pracownia Stolarska Dąb",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benching = args.iter().any(|a| a == "--bench");
    let documents: usize = args
        .windows(2)
        .find(|w| w[0] == "--documents")
        .map(|w| w[1].parse().expect("--documents N"))
        .unwrap_or(if benching { 100_000 } else { 2_000 });
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DATABASE_FILE_NAME)).unwrap();
    let now = Utc
        .with_ymd_and_hms(2026, 11, 25, 8, 0, 0)
        .single()
        .unwrap();
    let started = Instant::now();
    let (company_id, contractor_ids) = store
        .write(|tx| {
            let company = tx.insert_company(
                &NewCompany {
                    nip: "5265877635".into(),
                    name: "Bench".into(),
                    address_line1: String::new(),
                    address_line2: String::new(),
                    ksef_environment: KsefEnvironment::Simulator,
                    ksef_base_url: None,
                },
                now,
            )?;
            let mut ids = Vec::new();
            for (i, name) in NAMES.iter().enumerate() {
                let contractor = tx.insert_contractor(
                    company.id,
                    &NewContractor {
                        nip: Some(format!("{:010}", 1_000_000_000 + i)),
                        eu_vat_id: None,
                        name: (*name).into(),
                        address_line1: String::new(),
                        address_line2: String::new(),
                        country_code: "PL".into(),
                        email: None,
                        trusted: false,
                    },
                    now,
                )?;
                ids.push(contractor.id);
            }
            let series = tx.default_series(company.id, "VAT", "FV/{n}/{MM}/{YYYY}", true)?;
            let statuses = SalesStatus::ALL;
            let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            for i in 0..documents {
                let day = first_day + Duration::days((i / 100) as i64);
                let name = NAMES[i % NAMES.len()];
                let gross = ((i * 7919) % 5_000_000) as i64;
                let number = format!("FV/{}/{}", i + 1, day.format("%m/%Y"));
                let row = DraftRow {
                    kind: "VAT".into(),
                    contractor_id: Some(ids[i % ids.len()]),
                    buyer_name: name.into(),
                    buyer_nip: Some(format!("{:010}", 1_000_000_000 + i % NAMES.len())),
                    issue_date: Some(day),
                    sale_date: Some(day),
                    due_date: None,
                    currency: "PLN".into(),
                    net_total_minor: gross * 100 / 123,
                    vat_total_minor: gross - gross * 100 / 123,
                    gross_total_minor: gross,
                    draft_json: "{}".into(),
                    corrects_id: None,
                    search_text: name.to_lowercase(),
                };
                let document = tx.insert_sales_draft(company.id, &row, now)?;
                let status = statuses[i % statuses.len()];
                if status != SalesStatus::Draft {
                    let search = format!("{} {}", number.to_lowercase(), name.to_lowercase());
                    tx.mark_issued(
                        document.id,
                        &IssuedRow {
                            series_id: series.id,
                            number: &number,
                            issue_date: day,
                            xml: b"<Faktura/>",
                            invoice_hash: "hash",
                            net_total_minor: row.net_total_minor,
                            vat_total_minor: row.vat_total_minor,
                            gross_total_minor: gross,
                            search_text: &search,
                        },
                        now,
                    )?;
                    match status {
                        SalesStatus::Accepted => tx.mark_accepted(
                            document.id,
                            &format!("5265877635-{}-{:012X}-00", day.format("%Y%m%d"), i),
                            now,
                            now,
                        )?,
                        SalesStatus::Rejected => {
                            tx.mark_rejected(document.id, 450, "Błąd semantyki", now)?
                        }
                        other => tx.set_sales_status(document.id, other, now)?,
                    }
                }
            }
            Ok((company.id, ids))
        })
        .unwrap();
    println!(
        "seeded {documents} sales documents in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let cases: Vec<(&str, SalesQuery)> = vec![
        ("first page, newest first", SalesQuery::default()),
        (
            "status = accepted",
            SalesQuery {
                statuses: vec![SalesStatus::Accepted],
                ..SalesQuery::default()
            },
        ),
        (
            "one quarter, gross >= 10,000 zł, by amount",
            SalesQuery {
                issued_from: NaiveDate::from_ymd_opt(2025, 1, 1),
                issued_to: NaiveDate::from_ymd_opt(2025, 3, 31),
                min_gross_minor: Some(1_000_000),
                sort: SalesSort::Gross,
                ..SalesQuery::default()
            },
        ),
        (
            "one contractor, by buyer",
            SalesQuery {
                contractor_id: Some(contractor_ids[3]),
                sort: SalesSort::Buyer,
                ..SalesQuery::default()
            },
        ),
        (
            "full-text \"papiernicza\"",
            SalesQuery {
                text: Some("papiernicza".into()),
                ..SalesQuery::default()
            },
        ),
        (
            "full-text number \"fv/4242/\"",
            SalesQuery {
                text: Some("fv/4242/".into()),
                ..SalesQuery::default()
            },
        ),
        (
            "scrolled to the middle",
            SalesQuery {
                offset: (documents / 2) as u32,
                ..SalesQuery::default()
            },
        ),
    ];
    let rounds = if benching { 50 } else { 3 };
    println!(
        "{:<45} {:>8} {:>8} {:>8}",
        "query (100 rows a page)", "p50 ms", "p95 ms", "matches"
    );
    for (name, query) in cases {
        let mut times = Vec::with_capacity(rounds);
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let page = store.read(|tx| tx.list_sales(company_id, &query)).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = page.total;
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!("{name:<45} {:>8.2} {:>8.2} {total:>8}", at(0.5), at(0.95));
    }
}
