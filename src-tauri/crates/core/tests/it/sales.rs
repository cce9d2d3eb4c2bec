//! Sales end to end against the simulator over loopback HTTP: issuing, sending,
//! rejections, the end-of-day run, outages, crashes at every step, duplicates and
//! corrections. Each test keeps one data dir and vault and reopens the `Desk` on
//! them, as a restarted app would.

use std::sync::Arc;

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use desk_core::sales::today_in_poland;
use desk_core::{
    CancellationToken, ContractorInput, CrashPoint, Desk, DraftLine, ErrorKind, FixedClock,
    InvoiceDraft, Locale, MemoryVault, SalesQuery, SalesSettings, SalesStatus, SendMode,
};
use desk_store::Timestamp;
use ksef_sim::{FaultConfig, OneShotFault, OutageWindow, SimConfig, SimHandle, Simulator};

use crate::connection::company;

struct Profile {
    dir: tempfile::TempDir,
    vault: Arc<MemoryVault>,
    company_id: i64,
    contractor_id: i64,
}

impl Profile {
    /// A fresh profile connected to `sim`, with one buyer.
    async fn new(sim: &SimHandle, at: Timestamp) -> Profile {
        let dir = tempfile::tempdir().unwrap();
        let vault = Arc::new(MemoryVault::new());
        let desk = open_at(&dir, &vault, at);
        let connected = desk
            .connect_company(&company(sim, &sim.token))
            .await
            .unwrap();
        let contractor = desk
            .add_contractor(
                connected.company.id,
                &ContractorInput {
                    nip: "774-000-14-54".into(),
                    name: "Hurtownia Papiernicza Kałamarz S.A.".into(),
                    address_line1: "ul. Żółkiewskiego 12".into(),
                    address_line2: "87-100 Toruń".into(),
                    ..ContractorInput::default()
                },
            )
            .unwrap();
        Profile {
            dir,
            vault,
            company_id: connected.company.id,
            contractor_id: contractor.id,
        }
    }

    /// The app (re)started at `at`.
    fn desk(&self, at: Timestamp) -> Desk {
        open_at(&self.dir, &self.vault, at)
    }

    fn draft(&self, price: &str) -> InvoiceDraft {
        InvoiceDraft {
            contractor_id: Some(self.contractor_id),
            currency: "PLN".into(),
            bank_account: "61 1090 1014 0000 0712 1981 2874".into(),
            lines: vec![DraftLine {
                name: "Papier ksero A4".into(),
                unit: "szt.".into(),
                quantity: "10".into(),
                unit_price: price.into(),
                rate: "23".into(),
            }],
            ..InvoiceDraft::default()
        }
    }

    /// A new draft issued and queued to be sent now; returns its id.
    fn issue_and_queue(&self, desk: &Desk, price: &str) -> i64 {
        let draft = desk
            .save_draft(self.company_id, None, &self.draft(price))
            .unwrap();
        desk.issue(self.company_id, draft.id).unwrap();
        desk.send(self.company_id, draft.id, SendMode::Now).unwrap();
        draft.id
    }
}

fn open_at(dir: &tempfile::TempDir, vault: &Arc<MemoryVault>, at: Timestamp) -> Desk {
    Desk::open(dir.path(), Box::new(FixedClock(at)), vault.clone()).unwrap()
}

async fn simulator() -> SimHandle {
    Simulator::start(SimConfig::default()).await.unwrap()
}

/// `hh:mm` in Poland on the day `days` after today (the simulator judges P_1 by its
/// own clock, so test days are real days).
fn warsaw(days: i64, hh: u32, mm: u32) -> Timestamp {
    let day = today_in_poland(Utc::now()) + Duration::days(days);
    Warsaw
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap()))
        .earliest()
        .unwrap()
        .to_utc()
}

fn kinds(desk: &Desk, company_id: i64, id: i64) -> Vec<String> {
    desk.sales_detail(company_id, id)
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn run(desk: &Desk) -> desk_core::SendRun {
    desk.send_due(&CancellationToken::new()).await.unwrap()
}

#[tokio::test]
async fn sales_an_issued_invoice_is_accepted_with_ksef_number_and_upo() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let id = profile.issue_and_queue(&desk, "21,90");
    let queued = desk.sales_detail(profile.company_id, id).unwrap();
    assert_eq!(queued.document.status, SalesStatus::Queued);
    assert_eq!(desk.status().unwrap().queued, 1);

    let report = run(&desk).await;
    assert_eq!((report.accepted, report.sessions), (1, 1));
    let detail = desk.sales_detail(profile.company_id, id).unwrap();
    let document = &detail.document;
    assert_eq!(document.status, SalesStatus::Accepted);
    let ksef = document.ksef_number.clone().unwrap();
    assert!(ksef.starts_with(&sim.nip), "{ksef}");
    assert!(document.ksef_accepted_at.is_some());
    let upo = detail.upo.unwrap();
    assert_eq!(upo.ksef_number, ksef);
    assert_eq!(Some(upo.invoice_number), document.number.clone());
    assert_eq!(upo.document_hash, document.invoice_hash.clone().unwrap());
    let upo_xml = desk.upo_xml(profile.company_id, id).unwrap().unwrap();
    assert!(String::from_utf8(upo_xml)
        .unwrap()
        .contains("Potwierdzenie"));
    assert_eq!(
        kinds(&desk, profile.company_id, id),
        [
            "issued",
            "queued",
            "ksef.sending",
            "ksef.sent",
            "accepted",
            "upo_received"
        ]
    );
    assert_eq!(desk.status().unwrap().queued, 0);
    assert_eq!(sim.invoice_count().unwrap(), 1);

    // Sent means read-only.
    let error = desk
        .save_draft(profile.company_id, Some(id), &profile.draft("1"))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert!(error.message(Locale::Pl).contains("korygującą"));
    assert_eq!(run(&desk).await, desk_core::SendRun::default());
}

#[tokio::test]
async fn sales_issuing_reports_every_problem_and_numbers_without_gaps() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let bad = InvoiceDraft {
        currency: "euro".into(),
        bank_account: "61 1090 1014 0000 0712 1981 2875".into(),
        lines: vec![DraftLine {
            name: " ".into(),
            quantity: "zero".into(),
            unit_price: "12,5".into(),
            rate: "17".into(),
            ..DraftLine::default()
        }],
        ..InvoiceDraft::default()
    };
    let draft = desk.save_draft(profile.company_id, None, &bad).unwrap();
    let error = desk.issue(profile.company_id, draft.id).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    let fields: Vec<String> = error.sales_problems().iter().map(|p| p.field()).collect();
    assert_eq!(
        fields,
        [
            "contractor",
            "currency",
            "exchange_rate",
            "lines.0.name",
            "lines.0.quantity",
            "lines.0.rate",
            "bank_account"
        ]
    );
    // The refused draft took no number: the next issued invoice is the first.
    desk.save_draft(profile.company_id, Some(draft.id), &profile.draft("10"))
        .unwrap();
    let first = desk.issue(profile.company_id, draft.id).unwrap();
    let month = today_in_poland(now).format("%m/%Y").to_string();
    assert_eq!(first.number.unwrap(), format!("FV/1/{month}"));

    // Concurrent issuing from two app instances on the same file: no duplicate, no gap.
    let ids: Vec<i64> = (0..12)
        .map(|_| {
            desk.save_draft(profile.company_id, None, &profile.draft("5"))
                .unwrap()
                .id
        })
        .collect();
    let other = Arc::new(profile.desk(now));
    let desk = Arc::new(desk);
    let threads: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let desk = if i % 2 == 0 {
                desk.clone()
            } else {
                other.clone()
            };
            let company_id = profile.company_id;
            std::thread::spawn(move || desk.issue(company_id, id).unwrap().number.unwrap())
        })
        .collect();
    let mut numbers: Vec<u32> = threads
        .into_iter()
        .map(|t| {
            t.join()
                .unwrap()
                .split('/')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=13).collect::<Vec<u32>>());
}

#[tokio::test]
async fn sales_an_invoice_issued_after_the_deadline_is_issued_not_refused() {
    // Sold 70 days ago: past the 15th of the following month whatever today is.
    // Issuing late is an offence, but the invoice is legal and still owed.
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let late = InvoiceDraft {
        sale_date: Some(today_in_poland(now) - Duration::days(70)),
        ..profile.draft("10")
    };
    let draft = desk.save_draft(profile.company_id, None, &late).unwrap();
    let issued = desk.issue(profile.company_id, draft.id).unwrap();
    assert_eq!(issued.status, SalesStatus::Issued);
    assert!(issued.number.is_some());
}

#[tokio::test]
async fn sales_a_polish_nip_typed_as_eu_vat_and_bad_nips_are_caught() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let error = desk
        .add_contractor(
            profile.company_id,
            &ContractorInput {
                eu_vat_id: "PL 5265877635".into(),
                name: "Kupiec".into(),
                ..ContractorInput::default()
            },
        )
        .unwrap_err();
    assert_eq!(error.sales_problems()[0].code(), "polish_nip_as_eu_vat");
    assert!(error
        .message(Locale::Pl)
        .contains("niewidoczna dla nabywcy"));
    let error = desk
        .add_contractor(
            profile.company_id,
            &ContractorInput {
                nip: "5265877636".into(),
                name: "".into(),
                ..ContractorInput::default()
            },
        )
        .unwrap_err();
    let codes: Vec<&str> = error.sales_problems().iter().map(|p| p.code()).collect();
    assert_eq!(codes, ["contractor_name_empty", "nip_checksum"]);
    let eu = desk
        .add_contractor(
            profile.company_id,
            &ContractorInput {
                eu_vat_id: "de 811569869".into(),
                name: "Müller GmbH".into(),
                ..ContractorInput::default()
            },
        )
        .unwrap();
    assert_eq!(eu.eu_vat_id.as_deref(), Some("DE811569869"));
    assert_eq!(eu.country_code, "DE");
}

#[tokio::test]
async fn sales_a_semantic_rejection_keeps_ksefs_code_and_message() {
    let sim = simulator().await;
    // The app's clock is a day ahead: P_1 is after KSeF's date of receipt (450).
    let ahead = Utc::now() + Duration::days(1);
    let profile = Profile::new(&sim, Utc::now()).await;
    let desk = profile.desk(ahead);
    let id = profile.issue_and_queue(&desk, "100");
    let report = run(&desk).await;
    assert_eq!(report.rejected, 1);
    let detail = desk.sales_detail(profile.company_id, id).unwrap();
    assert_eq!(detail.document.status, SalesStatus::Rejected);
    assert_eq!(detail.document.rejection_code, Some(450));
    assert!(detail
        .document
        .rejection_message
        .as_deref()
        .unwrap()
        .contains("P_1"));
    assert!(detail.document.ksef_number.is_none());
    assert_eq!(
        kinds(&desk, profile.company_id, id).last().unwrap(),
        "rejected"
    );
    assert_eq!(desk.status().unwrap().queued, 0);
    assert_eq!(sim.invoice_count().unwrap(), 0);

    // What to do: a new draft with the same content, issued and sent again.
    let today = profile.desk(Utc::now());
    let redraft = today.redraft_rejected(profile.company_id, id).unwrap();
    assert_eq!(redraft.status, SalesStatus::Draft);
    assert_eq!(redraft.gross_total_minor, 123_000);
    today.issue(profile.company_id, redraft.id).unwrap();
    today
        .send(profile.company_id, redraft.id, SendMode::Now)
        .unwrap();
    assert_eq!(run(&today).await.accepted, 1);
    assert_eq!(
        today
            .redraft_rejected(profile.company_id, redraft.id)
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
}

#[tokio::test]
async fn sales_a_duplicate_of_our_own_invoice_is_reconciled_to_the_original() {
    let sim = simulator().await;
    let now = Utc::now();
    // Two profiles issuing byte-identical invoices: KSeF takes the first; the second
    // is answered 440 and must end with the first one's KSeF number.
    let a = Profile::new(&sim, now).await;
    let b = Profile::new(&sim, now).await;
    let (desk_a, desk_b) = (a.desk(now), b.desk(now));
    let id_a = a.issue_and_queue(&desk_a, "7");
    let id_b = b.issue_and_queue(&desk_b, "7");
    run(&desk_a).await;
    let report = run(&desk_b).await;
    assert_eq!(report.accepted, 1);
    let original = desk_a.sales_detail(a.company_id, id_a).unwrap().document;
    let duplicate = desk_b.sales_detail(b.company_id, id_b).unwrap();
    assert_eq!(duplicate.document.status, SalesStatus::Accepted);
    assert_eq!(duplicate.document.ksef_number, original.ksef_number);
    assert!(duplicate.upo.is_some());
    let accepted = duplicate
        .events
        .iter()
        .find(|e| e.kind == "accepted")
        .unwrap();
    assert!(accepted.detail.as_deref().unwrap().contains("440"));
    assert_eq!(sim.invoice_count().unwrap(), 1);

    // Another invoice under a number KSeF already has is a real rejection.
    let c = Profile::new(&sim, now).await;
    let desk_c = c.desk(now);
    let id_c = c.issue_and_queue(&desk_c, "8");
    run(&desk_c).await;
    let other = desk_c.sales_detail(c.company_id, id_c).unwrap().document;
    assert_eq!(other.status, SalesStatus::Rejected);
    assert_eq!(other.rejection_code, Some(440));
    assert!(other.rejection_message.unwrap().contains("Another invoice"));
}

#[tokio::test]
async fn sales_the_end_of_day_run_sends_at_its_time_or_at_the_next_start() {
    let sim = simulator().await;
    let morning = warsaw(-1, 8, 0);
    let profile = Profile::new(&sim, morning).await;
    let desk = profile.desk(morning);
    let settings = SalesSettings {
        end_of_day_enabled: true,
        end_of_day_time: "18:00".into(),
        series_pattern: "FV/{n}/{MM}/{YYYY}".into(),
        series_monthly: true,
    };
    desk.set_sales_settings(profile.company_id, &settings)
        .unwrap();
    let queue_for_evening = |desk: &Desk, price: &str| {
        let draft = desk
            .save_draft(profile.company_id, None, &profile.draft(price))
            .unwrap();
        desk.issue(profile.company_id, draft.id).unwrap();
        desk.send(profile.company_id, draft.id, SendMode::EndOfDay)
            .unwrap();
        draft.id
    };
    let on_time = queue_for_evening(&desk, "11");
    let missed = queue_for_evening(&desk, "12");
    assert_eq!(run(&desk).await, desk_core::SendRun::default());
    let overview = desk.sales_overview(profile.company_id).unwrap();
    assert_eq!(overview.waiting_for_end_of_day, 2);
    assert_eq!(overview.next_end_of_day, Some(warsaw(-1, 18, 0)));
    assert!(overview.late.is_empty());

    // At 18:00 (Warsaw) the run sends both in one session.
    let first = profile.desk(warsaw(-1, 18, 0));
    let report = run(&first).await;
    assert_eq!((report.accepted, report.sessions), (2, 1));
    for id in [on_time, missed] {
        let detail = first.sales_detail(profile.company_id, id).unwrap();
        assert!(!detail.document.offline_mode);
        assert!(detail.upo.is_some());
    }

    // An end-of-day document whose evening the app missed: sent at the next start,
    // flagged before that as late, said so, and declared in offline mode.
    let late = queue_for_evening(&profile.desk(warsaw(-1, 19, 0)), "13");
    let next_morning = profile.desk(warsaw(0, 7, 30));
    let overview = next_morning.sales_overview(profile.company_id).unwrap();
    assert_eq!(overview.late, [late]);
    assert!(
        next_morning
            .sales_detail(profile.company_id, late)
            .unwrap()
            .late
    );
    run(&next_morning).await;
    let detail = next_morning.sales_detail(profile.company_id, late).unwrap();
    assert_eq!(detail.document.status, SalesStatus::Accepted);
    assert!(detail.document.offline_mode);
    assert!(detail.upo.unwrap().mode.contains("Offline"));
    assert!(detail
        .events
        .iter()
        .any(|e| e.kind == "end_of_day.catch_up"));
    let note = next_morning
        .sales_overview(profile.company_id)
        .unwrap()
        .last_catch_up
        .unwrap();
    assert_eq!(note.documents, 1);
    assert!(note.scheduled.ends_with("19:00"), "{note:?}");
}

#[tokio::test]
async fn sales_an_outage_during_a_run_keeps_documents_queued_until_ksef_is_back() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let ids: Vec<i64> = ["1", "2", "3"]
        .iter()
        .map(|p| profile.issue_and_queue(&desk, p))
        .collect();
    sim.set_faults(FaultConfig {
        outages: vec![OutageWindow {
            from: Utc::now() - Duration::minutes(1),
            to: Utc::now() + Duration::minutes(10),
        }],
        ..FaultConfig::default()
    });
    let report = run(&desk).await;
    assert_eq!(report.deferred, 3);
    for &id in &ids {
        let detail = desk.sales_detail(profile.company_id, id).unwrap();
        assert_eq!(detail.document.status, SalesStatus::Queued);
        assert!(detail.outbox_error.unwrap().contains("KSeF"));
        assert_eq!(detail.events.last().unwrap().outcome, "retry");
    }
    // Still within the back-off: nothing is tried.
    assert_eq!(run(&desk).await, desk_core::SendRun::default());

    sim.set_faults(FaultConfig::default());
    let later = profile.desk(now + Duration::hours(1));
    let report = run(&later).await;
    assert_eq!((report.accepted, report.sessions), (3, 1));
    assert_eq!(sim.invoice_count().unwrap(), 3);
}

#[tokio::test]
async fn sales_killed_at_any_step_of_sending_loses_nothing_and_duplicates_nothing() {
    for point in [
        CrashPoint::BeforeSend,
        CrashPoint::AfterSendUnrecorded,
        CrashPoint::AfterSend,
        CrashPoint::AfterAccepted,
    ] {
        let sim = simulator().await;
        let now = Utc::now();
        let profile = Profile::new(&sim, now).await;
        let desk = profile.desk(now);
        let id = profile.issue_and_queue(&desk, "3");
        desk.send_due_crashing_at(Some(point), &CancellationToken::new())
            .await
            .unwrap();
        drop(desk);

        let restarted = profile.desk(now);
        assert_eq!(restarted.status().unwrap().queued, 1, "{point:?}");
        run(&restarted).await;
        let detail = restarted.sales_detail(profile.company_id, id).unwrap();
        assert_eq!(detail.document.status, SalesStatus::Accepted, "{point:?}");
        assert!(detail.upo.is_some(), "{point:?}");
        assert_eq!(sim.invoice_count().unwrap(), 1, "{point:?}");
        assert_eq!(restarted.status().unwrap().queued, 0, "{point:?}");
        let kinds: Vec<String> = detail.events.iter().map(|e| e.kind.clone()).collect();
        let expected = match point {
            CrashPoint::BeforeSend => "ksef.not_found_after_interruption",
            CrashPoint::AfterSendUnrecorded => "ksef.found_after_interruption",
            CrashPoint::AfterSend => "ksef.sent",
            CrashPoint::AfterAccepted => "upo_received",
        };
        assert!(kinds.iter().any(|k| k == expected), "{point:?}: {kinds:?}");
        assert_eq!(
            kinds.iter().filter(|k| *k == "accepted").count(),
            1,
            "{point:?}: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn sales_a_correction_refers_to_the_accepted_original_and_its_ksef_number() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let original = profile.issue_and_queue(&desk, "100");
    // Only an accepted invoice can be corrected.
    assert_eq!(
        desk.start_correction(profile.company_id, original)
            .unwrap_err()
            .code(),
        "wrong_document_state"
    );
    run(&desk).await;
    let ksef = desk
        .sales_detail(profile.company_id, original)
        .unwrap()
        .document
        .ksef_number
        .unwrap();

    let correction = desk.start_correction(profile.company_id, original).unwrap();
    assert_eq!(correction.kind, "KOR");
    let mut draft = desk
        .sales_detail(profile.company_id, correction.id)
        .unwrap()
        .draft;
    draft.lines[0].unit_price = "90".into();
    desk.save_draft(profile.company_id, Some(correction.id), &draft)
        .unwrap();
    let error = desk.issue(profile.company_id, correction.id).unwrap_err();
    assert_eq!(error.sales_problems()[0].code(), "correction_reason_empty");
    draft.correction_reason = "Rabat 10%".into();
    desk.save_draft(profile.company_id, Some(correction.id), &draft)
        .unwrap();
    let issued = desk.issue(profile.company_id, correction.id).unwrap();
    assert!(issued.number.unwrap().starts_with("KOR/1/"));
    assert_eq!(issued.gross_total_minor, -12_300);
    let xml = String::from_utf8(
        desk.invoice_xml(profile.company_id, correction.id)
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert!(xml.contains("<RodzajFaktury>KOR</RodzajFaktury>"));
    assert!(xml.contains(&format!(
        "<NrKSeFFaKorygowanej>{ksef}</NrKSeFFaKorygowanej>"
    )));
    assert!(xml.contains("<StanPrzed>1</StanPrzed>"));
    desk.send(profile.company_id, correction.id, SendMode::Now)
        .unwrap();
    run(&desk).await;
    let detail = desk
        .sales_detail(profile.company_id, correction.id)
        .unwrap();
    assert_eq!(detail.document.status, SalesStatus::Accepted);
    assert_eq!(detail.corrects.unwrap().id, original);
    let original = desk.sales_detail(profile.company_id, original).unwrap();
    assert_eq!(original.corrections.len(), 1);
    assert_eq!(original.corrections[0].id, correction.id);
}

#[test]
fn sales_the_demo_list_filters_searches_and_sorts() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = open_at(&dir, &vault, Utc::now());
    desk.seed_demo().unwrap();
    let company_id = desk.companies().unwrap()[0].id;
    assert!(!desk.seed_demo_sales(company_id).unwrap());
    let all = desk.sales_list(company_id, &SalesQuery::default()).unwrap();
    assert_eq!(all.total, 200);
    let rejected = desk
        .sales_list(
            company_id,
            &SalesQuery {
                statuses: vec![SalesStatus::Rejected],
                ..SalesQuery::default()
            },
        )
        .unwrap();
    assert!(rejected.total > 0);
    assert!(rejected
        .rows
        .iter()
        .all(|r| r.status == SalesStatus::Rejected));
    let search = |text: &str| {
        desk.sales_list(
            company_id,
            &SalesQuery {
                text: Some(text.into()),
                ..SalesQuery::default()
            },
        )
        .unwrap()
    };
    let kalamarz = search("KAŁAMARZ");
    assert!(kalamarz.total > 0);
    assert_eq!(kalamarz.total, search("kalamarz").total);
    assert!(kalamarz
        .rows
        .iter()
        .all(|r| r.buyer_name.contains("Kałamarz")));
    assert_eq!(search("%").total, 0);
    let by_amount = desk
        .sales_list(
            company_id,
            &SalesQuery {
                min_gross_minor: Some(100_000),
                sort: desk_core::SalesSort::Gross,
                descending: false,
                limit: 500,
                ..SalesQuery::default()
            },
        )
        .unwrap();
    assert!(by_amount
        .rows
        .iter()
        .all(|r| r.gross_total_minor >= 100_000));
    assert!(by_amount
        .rows
        .windows(2)
        .all(|w| w[0].gross_total_minor <= w[1].gross_total_minor));
    let corrections = all.rows.iter().filter(|r| r.kind == "KOR").count()
        + desk
            .sales_list(
                company_id,
                &SalesQuery {
                    offset: 100,
                    ..SalesQuery::default()
                },
            )
            .unwrap()
            .rows
            .iter()
            .filter(|r| r.kind == "KOR")
            .count();
    assert!(corrections > 0);
}

#[tokio::test]
async fn sales_an_ambiguous_send_failure_is_checked_by_hash_and_a_429_is_waited_out() {
    let sim = simulator().await;
    let now = Utc::now();
    let profile = Profile::new(&sim, now).await;
    let desk = profile.desk(now);
    let id = profile.issue_and_queue(&desk, "9");
    // The connection drops during the send: did KSeF get it? The sender must not guess.
    sim.push_fault(Some("/invoices"), OneShotFault::ConnectionReset);
    let report = run(&desk).await;
    assert_eq!(report.deferred, 1);
    let detail = desk.sales_detail(profile.company_id, id).unwrap();
    assert_eq!(detail.document.status, SalesStatus::Queued);

    let later = profile.desk(now + Duration::minutes(5));
    // KSeF asks to slow down once: the client waits as told, within the same run.
    sim.push_fault(
        Some("/sessions/online/"),
        OneShotFault::TooManyRequests {
            retry_after_secs: 1,
        },
    );
    let report = run(&later).await;
    assert_eq!(report.accepted, 1);
    let kinds = kinds(&later, profile.company_id, id);
    assert!(
        kinds
            .iter()
            .any(|k| k == "ksef.not_found_after_interruption"),
        "{kinds:?}"
    );
    assert_eq!(sim.invoice_count().unwrap(), 1);
}
