//! Costs: retrieval from the simulator over loopback HTTP (first and incremental
//! sync, interruption, 429 storms and outages, malformed XML, duplicate delivery),
//! the approval and payment workflow with its guards, and the supplier flags.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{Duration, NaiveDate, Utc};
use desk_core::{
    ContentState, CoreError, CostDescriptionInput, CostFilter, CostFlag, CostQuery, CostSort,
    CostStage, CostSyncOptions, Desk, ErrorKind, Locale, PaymentInput, PaymentMethod,
};
use ksef_sim::seed::{invoice_xml, through_fa3_writer, SUPPLIERS};
use ksef_sim::{FaultConfig, OutageWindow, SimHandle};

use crate::connection::{company, simulator};
use crate::open;

/// A simulator, a profile with the demo company connected to it, and small pages.
async fn setup(dir: &tempfile::TempDir) -> (SimHandle, Desk, i64) {
    let sim = simulator().await;
    let desk = open(dir);
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    desk.set_cost_sync_options(CostSyncOptions {
        page_size: 10,
        start: Utc::now() - Duration::days(60),
        ..CostSyncOptions::default()
    });
    (sim, desk, connected.company.id)
}

/// Seeds cost invoice `n` from supplier `supplier` (index into the demo suppliers),
/// received by KSeF at `at`; `account` replaces the supplier's bank account.
fn seed_at(
    sim: &SimHandle,
    supplier: usize,
    n: usize,
    at: chrono::DateTime<Utc>,
    account: Option<&str>,
) -> String {
    let s = &SUPPLIERS[supplier];
    let issue = at.date_naive();
    let mut xml = invoice_xml(
        s,
        &sim.nip,
        "Pracownia Demo Sp. z o.o.",
        &format!("T/{n}/{}", at.timestamp_millis()),
        issue,
        at,
        &vec![2.0; s.lines.len()],
        None,
    );
    if let Some(account) = account {
        let start = xml.find("<NrRB>").unwrap() + "<NrRB>".len();
        let end = xml.find("</NrRB>").unwrap();
        xml.replace_range(start..end, account);
    }
    sim.seed_invoice(&through_fa3_writer(&xml).unwrap(), at)
        .unwrap()
}

/// `count` invoices from the first three suppliers, a few seconds apart, ending a minute ago.
fn seed_many(sim: &SimHandle, count: usize) -> Vec<String> {
    let base = Utc::now() - Duration::minutes(1) - Duration::seconds(2 * count as i64);
    (0..count)
        .map(|n| seed_at(sim, n % 3, n, base + Duration::seconds(2 * n as i64), None))
        .collect()
}

fn all(desk: &Desk, company_id: i64) -> Vec<desk_core::CostRow> {
    desk.costs(
        company_id,
        &CostQuery {
            limit: 500,
            ..CostQuery::default()
        },
    )
    .unwrap()
    .rows
}

fn no_progress() -> impl Fn(&desk_core::CostSyncProgress) + Send + Sync {
    |_| {}
}

#[track_caller]
fn assert_unique(desk: &Desk, company_id: i64, expected: &[String]) {
    let rows = all(desk, company_id);
    let mut numbers: Vec<&str> = rows.iter().map(|r| r.ksef_number.as_str()).collect();
    numbers.sort_unstable();
    let mut wanted: Vec<&str> = expected.iter().map(String::as_str).collect();
    wanted.sort_unstable();
    assert_eq!(numbers, wanted, "every invoice exactly once");
}

#[tokio::test]
async fn a_first_sync_retrieves_every_cost_with_its_xml_parsed_and_a_second_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 25);

    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!(report.new_documents, 25);
    assert_eq!(report.downloaded, 25);
    assert_eq!((report.unreadable, report.failed_downloads), (0, 0));
    assert_unique(&desk, company_id, &seeded);

    let rows = all(&desk, company_id);
    let first = rows.iter().find(|r| r.ksef_number == seeded[0]).unwrap();
    assert_eq!(first.content, ContentState::Parsed);
    assert_eq!(first.stage, CostStage::New);
    assert_eq!(first.supplier_nip.as_deref(), Some(SUPPLIERS[0].nip));
    assert_eq!(first.supplier_name, SUPPLIERS[0].name);
    assert!(first.due_date.is_some(), "the due date comes from the XML");
    assert!(first.bank_account.as_deref().is_some_and(|a| a.len() == 26));
    assert_eq!(first.payment_form.as_deref(), Some("6"));
    assert!(first.gross_minor > 0);
    assert_eq!(first.net_minor + first.vat_minor, first.gross_minor);
    let detail = desk.cost(company_id, first.id).unwrap();
    assert_eq!(detail.rates.len(), 1, "{:?}", detail.rates);
    let steps: Vec<&str> = detail.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(steps, ["retrieved", "downloaded"]);
    let html = desk
        .cost_visualisation(company_id, first.id)
        .unwrap()
        .unwrap();
    assert!(
        html.contains(&seeded[0]),
        "the visualisation names the KSeF number"
    );

    // Flags: every supplier is unknown (none trusted); only each one's first invoice is "first".
    assert!(rows.iter().all(|r| !r.supplier_trusted));
    let firsts: Vec<&str> = rows
        .iter()
        .filter(|r| r.first_from_supplier)
        .map(|r| r.ksef_number.as_str())
        .collect();
    assert_eq!(firsts.len(), 3, "{firsts:?}");
    assert!(firsts.contains(&seeded[0].as_str()));

    let again = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!(again.new_documents, 0, "nothing twice");
    assert_unique(&desk, company_id, &seeded);
    let status = desk.cost_sync_status(company_id).unwrap();
    assert!(status.buyer.synced_up_to.is_some());
    assert_eq!(status.buyer.last_error, None);
    assert!(status.running.is_none());
}

#[tokio::test]
async fn invoices_arriving_between_pages_and_late_at_the_window_edge_are_retrieved_once() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let mut seeded = seed_many(&sim, 15);

    // While the first run pages, suppliers send five more.
    let arrived = Mutex::new(Vec::new());
    let once = AtomicBool::new(false);
    let progress = |p: &desk_core::CostSyncProgress| {
        if p.new_documents >= 10 && !once.swap(true, Ordering::SeqCst) {
            let now = Utc::now();
            let mut arrived = arrived.lock().unwrap();
            for n in 0..5 {
                arrived.push(seed_at(&sim, 4, 100 + n, now, None));
            }
        }
    };
    desk.sync_costs(company_id, &progress).await.unwrap();
    assert!(once.load(Ordering::SeqCst));
    seeded.extend(arrived.lock().unwrap().iter().cloned());
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_unique(&desk, company_id, &seeded);

    // KSeF's own window edges: a document that shows up late, stamped shortly
    // before the point already retrieved, is caught by the overlap.
    let up_to = desk
        .cost_sync_status(company_id)
        .unwrap()
        .buyer
        .synced_up_to
        .unwrap();
    seeded.push(seed_at(&sim, 5, 200, up_to - Duration::minutes(5), None));
    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!(report.new_documents, 1);
    assert_unique(&desk, company_id, &seeded);
}

#[tokio::test]
async fn an_interrupted_sync_resumes_without_gaps_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 35);
    // The listing path: page by page, then single downloads.
    desk.set_cost_sync_options(CostSyncOptions {
        page_size: 10,
        start: Utc::now() - Duration::days(60),
        export_above: None,
        ..CostSyncOptions::default()
    });

    // Drop the run after its first committed page, as a crash or a cancel would.
    interrupt_after_first_commit(&desk, company_id).await;
    let partial = all(&desk, company_id);
    assert_eq!(partial.len(), 10, "exactly the committed page");
    assert!(partial.iter().all(|r| r.content == ContentState::Pending));
    assert!(desk.cost_sync_status(company_id).unwrap().running.is_none());

    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!(report.new_documents, 25);
    assert_eq!(report.downloaded, 35, "the interrupted page's XML too");
    assert_unique(&desk, company_id, &seeded);
    for row in all(&desk, company_id) {
        let steps = desk.cost(company_id, row.id).unwrap().steps;
        let retrieved = steps.iter().filter(|s| s.action == "retrieved").count();
        assert_eq!(retrieved, 1, "{}", row.ksef_number);
        assert_eq!(row.content, ContentState::Parsed);
    }
}

/// Drops `sync_costs` at the first progress report with new documents (a crash or a
/// cancel right after the first commit).
async fn interrupt_after_first_commit(desk: &Desk, company_id: i64) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let progress = |p: &desk_core::CostSyncProgress| {
        if p.new_documents > 0 {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    };
    tokio::select! {
        result = desk.sync_costs(company_id, &progress) => panic!("not interrupted: {result:?}"),
        _ = rx => {}
    }
}

/// Records the `to_download` a run reports in its download phase (the same in each report).
fn single_downloads(
    seen: &Mutex<Vec<u32>>,
) -> impl Fn(&desk_core::CostSyncProgress) + Send + Sync + '_ {
    move |p| {
        if p.phase == desk_core::CostSyncPhase::Downloading {
            seen.lock().unwrap().push(p.to_download);
        }
    }
}

#[tokio::test]
async fn a_first_retrieval_and_a_large_catch_up_come_through_exports_and_the_trickle_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let mut seeded = seed_many(&sim, 30);
    let to_download = Mutex::new(Vec::new());

    // First retrieval: export packages bring metadata and XML together.
    let report = desk
        .sync_costs(company_id, &single_downloads(&to_download))
        .await
        .unwrap();
    assert_eq!((report.new_documents, report.downloaded), (30, 30));
    assert_eq!(
        to_download.lock().unwrap().first(),
        Some(&0),
        "none left for single downloads"
    );
    assert_unique(&desk, company_id, &seeded);
    for row in all(&desk, company_id) {
        assert_eq!(row.content, ContentState::Parsed, "{}", row.ksef_number);
        let steps = desk.cost(company_id, row.id).unwrap().steps;
        let steps: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(steps, ["retrieved", "downloaded"]);
    }

    // A trickle (a few new ones) is listed and downloaded one by one.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    seeded.extend(seed_many(&sim, 3));
    to_download.lock().unwrap().clear();
    let report = desk
        .sync_costs(company_id, &single_downloads(&to_download))
        .await
        .unwrap();
    assert_eq!((report.new_documents, report.downloaded), (3, 3));
    assert_eq!(to_download.lock().unwrap().first(), Some(&3));

    // A large catch-up (more than a page of new ones) goes through exports again.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    seeded.extend(seed_many(&sim, 25));
    to_download.lock().unwrap().clear();
    let report = desk
        .sync_costs(company_id, &single_downloads(&to_download))
        .await
        .unwrap();
    assert_eq!((report.new_documents, report.downloaded), (25, 25));
    assert_eq!(to_download.lock().unwrap().first(), Some(&0));
    assert_unique(&desk, company_id, &seeded);
}

#[tokio::test]
async fn an_interrupted_export_based_retrieval_resumes_without_gaps_or_duplicates() {
    // Packages of ten: KSeF truncates at its limit, the next export continues.
    let sim = ksef_sim::Simulator::start(ksef_sim::SimConfig {
        max_query_results: 10,
        ..ksef_sim::SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let company_id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    desk.set_cost_sync_options(CostSyncOptions {
        start: Utc::now() - Duration::days(60),
        ..CostSyncOptions::default()
    });
    let seeded = seed_many(&sim, 35);

    interrupt_after_first_commit(&desk, company_id).await;
    let partial = all(&desk, company_id);
    assert_eq!(partial.len(), 10, "exactly the committed package");
    assert!(partial.iter().all(|r| r.content == ContentState::Parsed));

    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!((report.new_documents, report.downloaded), (25, 25));
    assert_unique(&desk, company_id, &seeded);
    for row in all(&desk, company_id) {
        let steps = desk.cost(company_id, row.id).unwrap().steps;
        let steps: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(steps, ["retrieved", "downloaded"], "{}", row.ksef_number);
    }
}

#[tokio::test]
async fn a_span_longer_than_three_months_is_retrieved_in_windows_both_ways() {
    for export_above in [None, Some(20)] {
        // The simulator refuses a date range over 3 months, as KSeF does.
        let sim = ksef_sim::Simulator::start(ksef_sim::SimConfig::default())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let desk = open(&dir);
        let company_id = desk
            .connect_company(&company(&sim, &sim.token))
            .await
            .unwrap()
            .company
            .id;
        desk.set_cost_sync_options(CostSyncOptions {
            page_size: 10,
            start: Utc::now() - Duration::days(250),
            export_above,
            ..CostSyncOptions::default()
        });
        let seeded: Vec<String> = [245, 170, 100, 95, 30, 1]
            .iter()
            .enumerate()
            .map(|(n, days)| seed_at(&sim, n % 3, n, Utc::now() - Duration::days(*days), None))
            .collect();
        let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
        assert_eq!(
            (report.new_documents, report.downloaded),
            (6, 6),
            "{export_above:?}"
        );
        assert_unique(&desk, company_id, &seeded);
        let state = desk.cost_sync_status(company_id).unwrap().buyer;
        assert_eq!(state.last_error, None);
        assert!(state.synced_up_to.unwrap() > Utc::now() - Duration::minutes(1));
    }
}

#[tokio::test]
async fn a_429_storm_and_an_outage_during_sync_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let mut seeded = seed_many(&sim, 30);

    sim.set_faults(FaultConfig {
        rate_429: 0.3,
        retry_after_secs: 1,
        ..FaultConfig::default()
    });
    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!((report.new_documents, report.downloaded), (30, 30));

    // KSeF goes down for two seconds right after the first page of the next run.
    seeded.extend(seed_many(&sim, 20));
    sim.set_faults(FaultConfig::default());
    let once = AtomicBool::new(false);
    let progress = |p: &desk_core::CostSyncProgress| {
        if p.new_documents > 0 && !once.swap(true, Ordering::SeqCst) {
            sim.set_faults(FaultConfig {
                outages: vec![OutageWindow {
                    from: Utc::now() - Duration::seconds(1),
                    to: Utc::now() + Duration::seconds(2),
                }],
                ..FaultConfig::default()
            });
        }
    };
    let report = desk.sync_costs(company_id, &progress).await.unwrap();
    assert!(once.load(Ordering::SeqCst));
    assert_eq!(report.new_documents, 20);
    assert_unique(&desk, company_id, &seeded);
    assert!(all(&desk, company_id)
        .iter()
        .all(|r| r.content == ContentState::Parsed));
}

#[tokio::test]
async fn a_malformed_invoice_from_ksef_is_kept_and_shown_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 3);
    let damaged = b"<Faktura xmlns=\"http://crd.gov.pl/wzor/2025/06/25/13775/\"><Naglowek/>";
    assert!(sim.serve_damaged_invoice(&seeded[1], damaged).unwrap());

    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!((report.downloaded, report.unreadable), (2, 1));
    assert_unique(&desk, company_id, &seeded);
    let rows = all(&desk, company_id);
    let bad = rows.iter().find(|r| r.ksef_number == seeded[1]).unwrap();
    assert_eq!(bad.content, ContentState::Unreadable);
    let problem = bad.content_problem.as_deref().unwrap();
    assert!(problem.contains("XML"), "{problem}");
    assert!(bad.gross_minor > 0, "the metadata's amounts stay");
    assert_eq!(desk.cost_visualisation(company_id, bad.id).unwrap(), None);
    let steps = desk.cost(company_id, bad.id).unwrap().steps;
    assert_eq!(steps.last().unwrap().action, "unreadable");
    let unreadable = desk
        .costs(
            company_id,
            &CostQuery {
                filter: CostFilter {
                    flags: vec![CostFlag::Unreadable],
                    ..CostFilter::default()
                },
                limit: 50,
                ..CostQuery::default()
            },
        )
        .unwrap();
    assert_eq!(unreadable.total, 1);
}

#[tokio::test]
async fn duplicate_delivery_by_ksef_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 12);
    desk.sync_costs(company_id, &no_progress()).await.unwrap();
    // KSeF hands out the whole history again (an overlap reaching back to the start).
    desk.set_cost_sync_options(CostSyncOptions {
        page_size: 10,
        start: Utc::now() - Duration::days(60),
        overlap: Duration::days(60),
        ..CostSyncOptions::default()
    });
    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert_eq!(report.new_documents, 0);
    assert_eq!(report.downloaded, 0);
    assert_unique(&desk, company_id, &seeded);
}

fn described() -> CostDescriptionInput {
    CostDescriptionInput {
        category: "Materiały biurowe".into(),
        cost_centre: "Biuro".into(),
        note: "Papier do drukarki".into(),
        tags: vec!["biuro".into(), " pilne ".into(), "biuro".into()],
    }
}

fn payment(amount: &str) -> PaymentInput {
    PaymentInput {
        paid_on: "2026-11-24".into(),
        amount: amount.into(),
        method: PaymentMethod::Transfer,
        reference: "PRZELEW/1".into(),
    }
}

#[track_caller]
fn check(error: CoreError, kind: ErrorKind, code: &str) -> CoreError {
    assert_eq!((error.kind(), error.code()), (kind, code), "{error:?}");
    assert!(!error.message(Locale::Pl).is_empty());
    error
}

#[tokio::test]
async fn the_workflow_moves_step_by_step_records_who_and_when_and_guards_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 2);
    desk.sync_costs(company_id, &no_progress()).await.unwrap();
    let id = all(&desk, company_id)
        .iter()
        .find(|r| r.ksef_number == seeded[0])
        .unwrap()
        .id;

    // Guards: nothing but describing from "new".
    check(
        desk.submit_cost(company_id, id).unwrap_err(),
        ErrorKind::Conflict,
        "cost_step_not_allowed",
    );
    check(
        desk.approve_cost(company_id, id, true).unwrap_err(),
        ErrorKind::Conflict,
        "cost_step_not_allowed",
    );
    let error = check(
        desk.describe_cost(
            company_id,
            id,
            &CostDescriptionInput {
                tags: vec!["a,b".into()],
                ..CostDescriptionInput::default()
            },
        )
        .unwrap_err(),
        ErrorKind::Validation,
        "invalid_input",
    );
    let fields: Vec<&str> = error.input_problems().iter().map(|p| p.field()).collect();
    assert_eq!(fields, ["category", "tags"], "every wrong field at once");

    let cost = desk.describe_cost(company_id, id, &described()).unwrap();
    assert_eq!(cost.stage, CostStage::Described);
    assert_eq!(cost.tags, ["biuro", "pilne"]);
    assert_eq!(cost.cost_centre.as_deref(), Some("Biuro"));
    let cost = desk.submit_cost(company_id, id).unwrap();
    assert_eq!(cost.stage, CostStage::AwaitingApproval);

    // An unknown supplier needs an explicit confirmation.
    check(
        desk.approve_cost(company_id, id, false).unwrap_err(),
        ErrorKind::Conflict,
        "unknown_supplier_not_confirmed",
    );
    check(
        desk.reject_cost(company_id, id, "  ").unwrap_err(),
        ErrorKind::Validation,
        "invalid_input",
    );
    let cost = desk.reject_cost(company_id, id, "Brak zamówienia").unwrap();
    assert_eq!(cost.stage, CostStage::Rejected);
    assert_eq!(cost.rejection_reason.as_deref(), Some("Brak zamówienia"));
    // A rejected cost returns to the workflow by being described again.
    desk.describe_cost(company_id, id, &described()).unwrap();
    desk.submit_cost(company_id, id).unwrap();
    let cost = desk.approve_cost(company_id, id, true).unwrap();
    assert_eq!(cost.stage, CostStage::Approved);

    // Payments: partial, then too much, then the rest.
    let gross = cost.gross_minor;
    let error = check(
        desk.record_cost_payment(company_id, id, &payment("abc"))
            .unwrap_err(),
        ErrorKind::Validation,
        "invalid_input",
    );
    assert_eq!(error.input_problems()[0].field(), "amount");
    let cost = desk
        .record_cost_payment(company_id, id, &payment("10,00"))
        .unwrap();
    assert_eq!(cost.stage, CostStage::PartiallyPaid);
    assert_eq!(cost.paid_minor, 1000);
    let error = check(
        desk.record_cost_payment(company_id, id, &payment(&format!("{}", gross)))
            .unwrap_err(),
        ErrorKind::Validation,
        "invalid_input",
    );
    assert_eq!(error.input_problems()[0].code(), "amount_above_remaining");
    let rest = gross - 1000;
    let cost = desk
        .record_cost_payment(
            company_id,
            id,
            &payment(&format!("{},{:02}", rest / 100, rest % 100)),
        )
        .unwrap();
    assert_eq!(cost.stage, CostStage::Paid);
    assert!(cost.paid_at.is_some());
    check(
        desk.record_cost_payment(company_id, id, &payment("1"))
            .unwrap_err(),
        ErrorKind::Conflict,
        "cost_step_not_allowed",
    );

    let detail = desk.cost(company_id, id).unwrap();
    let actions: Vec<&str> = detail.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "retrieved",
            "downloaded",
            "describe",
            "submit",
            "reject",
            "describe",
            "submit",
            "approve",
            "pay",
            "pay"
        ]
    );
    let approve = &detail.steps[7];
    assert_eq!(approve.detail, "unknown_supplier_confirmed");
    assert!(approve.user.is_some(), "who approved is recorded");
    assert!(detail.steps[2..].iter().all(|s| s.user.is_some()));
    assert_eq!(detail.payments.len(), 2);
    assert_eq!(detail.payments[0].reference, "PRZELEW/1");
    // The account paid to is now known for the supplier.
    assert_eq!(
        detail.known_accounts,
        vec![cost.bank_account.clone().unwrap()]
    );
}

#[tokio::test]
async fn supplier_flags_trust_in_one_click_and_a_new_bank_account_warns() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let at = Utc::now() - Duration::minutes(2);
    let first = seed_at(&sim, 1, 1, at, None);
    let second = seed_at(&sim, 1, 2, at + Duration::seconds(5), None);
    let changed = seed_at(
        &sim,
        1,
        3,
        at + Duration::seconds(10),
        Some("PL61109010140000071219812874"),
    );
    desk.sync_costs(company_id, &no_progress()).await.unwrap();
    let rows = all(&desk, company_id);
    let row = |k: &str| rows.iter().find(|r| r.ksef_number == k).unwrap().clone();
    assert!(row(&first).first_from_supplier);
    assert!(!row(&second).first_from_supplier);
    assert!(!row(&second).new_bank_account, "same account as before");
    let changed_row = row(&changed);
    assert!(changed_row.new_bank_account, "an account never seen before");
    assert_eq!(
        changed_row.bank_account.as_deref(),
        Some("PL61109010140000071219812874")
    );
    assert!(rows.iter().all(|r| !r.supplier_trusted));

    let flagged = |flag| {
        desk.costs(
            company_id,
            &CostQuery {
                filter: CostFilter {
                    flags: vec![flag],
                    ..CostFilter::default()
                },
                limit: 10,
                ..CostQuery::default()
            },
        )
        .unwrap()
        .total
    };
    assert_eq!(flagged(CostFlag::NewBankAccount), 1);
    assert_eq!(flagged(CostFlag::FirstInvoice), 1);
    assert_eq!(flagged(CostFlag::UnknownSupplier), 3);

    // One click from the invoice: the supplier is trusted and this account known.
    let trusted = desk
        .set_supplier_trusted(company_id, changed_row.id, true)
        .unwrap();
    assert!(trusted.supplier_trusted);
    assert_eq!(flagged(CostFlag::UnknownSupplier), 0);
    let known = desk
        .cost(company_id, changed_row.id)
        .unwrap()
        .known_accounts;
    assert!(known.contains(&"PL61109010140000071219812874".to_owned()));
    // A trusted supplier's cost is approved without a confirmation.
    desk.describe_cost(company_id, changed_row.id, &described())
        .unwrap();
    desk.submit_cost(company_id, changed_row.id).unwrap();
    let approved = desk
        .approve_cost(company_id, changed_row.id, false)
        .unwrap();
    assert_eq!(approved.stage, CostStage::Approved);
    let steps = desk.cost(company_id, changed_row.id).unwrap().steps;
    assert!(steps.iter().any(|s| s.action == "supplier_trusted"));
}

#[tokio::test]
async fn the_inbox_filters_searches_sorts_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, desk, company_id) = setup(&dir).await;
    let seeded = seed_many(&sim, 24);
    desk.sync_costs(company_id, &no_progress()).await.unwrap();

    let query = |filter: CostFilter, search: Option<&str>| {
        desk.costs(
            company_id,
            &CostQuery {
                filter,
                search: search.map(str::to_owned),
                sort: CostSort::Amount,
                offset: 0,
                limit: 100,
            },
        )
        .unwrap()
    };
    // Diacritics do not matter: "kalamarz" finds "Kałamarz".
    let by_name = query(CostFilter::default(), Some("KALAMARZ"));
    assert_eq!(by_name.total, 8);
    assert!(by_name
        .rows
        .iter()
        .all(|r| r.supplier_name.contains("Kałamarz")));
    let amounts: Vec<i64> = by_name.rows.iter().map(|r| r.gross_minor).collect();
    let mut sorted = amounts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(amounts, sorted, "largest first");
    assert_eq!(query(CostFilter::default(), Some(&seeded[5])).total, 1);
    let by_nip = query(
        CostFilter {
            supplier_nip: Some(SUPPLIERS[1].nip.into()),
            ..CostFilter::default()
        },
        None,
    );
    assert_eq!(by_nip.total, 8);

    // Stages, amounts and due dates.
    let id = by_nip.rows[0].id;
    desk.describe_cost(company_id, id, &described()).unwrap();
    let stage = |stage| {
        query(
            CostFilter {
                stages: vec![stage],
                ..CostFilter::default()
            },
            None,
        )
        .total
    };
    assert_eq!(
        (stage(CostStage::New), stage(CostStage::Described)),
        (23, 1)
    );
    let min = by_name.rows[0].gross_minor;
    let expensive = query(
        CostFilter {
            gross_min: Some(min),
            ..CostFilter::default()
        },
        None,
    );
    assert!(expensive.rows.iter().all(|r| r.gross_minor >= min));
    let due = by_name.rows[0].due_date.unwrap();
    let by_due = query(
        CostFilter {
            due_from: Some(due),
            due_to: Some(due),
            ..CostFilter::default()
        },
        None,
    );
    assert!(by_due.total >= 1);
    assert!(by_due.rows.iter().all(|r| r.due_date == Some(due)));
    let far = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let none = query(
        CostFilter {
            issued_to: Some(far),
            ..CostFilter::default()
        },
        None,
    );
    assert_eq!(none.total, 0);

    // Paging keeps the order and the total.
    let page = |offset| {
        desk.costs(
            company_id,
            &CostQuery {
                sort: CostSort::Received,
                offset,
                limit: 10,
                ..CostQuery::default()
            },
        )
        .unwrap()
    };
    let (one, two, three) = (page(0), page(10), page(20));
    assert_eq!((one.total, one.rows.len(), three.rows.len()), (24, 10, 4));
    assert!(one.rows.last().unwrap().id > two.rows[0].id, "newest first");
    let counts = desk.cost_inbox_counts(company_id).unwrap();
    assert_eq!((counts.total, counts.to_describe), (24, 23));
    assert_eq!(counts.unknown_supplier, 24);
    assert_eq!(counts.pending_download, 0);
}

#[tokio::test]
async fn retrieval_needs_a_connection_and_the_interval_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, desk, company_id) = setup(&dir).await;
    assert_eq!(desk.cost_sync_interval().unwrap(), 15);
    check(
        desk.set_cost_sync_interval(0).unwrap_err(),
        ErrorKind::Validation,
        "invalid_input",
    );
    assert_eq!(desk.set_cost_sync_interval(30).unwrap(), 30);
    assert_eq!(
        desk.cost_sync_status(company_id).unwrap().interval_minutes,
        30
    );

    desk.disconnect(company_id).unwrap();
    check(
        desk.sync_costs(company_id, &no_progress())
            .await
            .unwrap_err(),
        ErrorKind::Conflict,
        "not_connected",
    );
}

#[tokio::test]
async fn demo_mode_retrieves_the_simulators_demo_costs_flagged_by_the_demo_trust_list() {
    let sim = ksef_sim::Simulator::start(ksef_sim::SimConfig {
        seed_demo: true,
        ..ksef_sim::SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    assert!(desk.seed_demo().unwrap());
    desk.connect_demo_company(&sim.base_url, sim.token.clone().into())
        .await
        .unwrap();
    let company_id = desk.companies().unwrap()[0].id;
    desk.set_cost_sync_options(CostSyncOptions {
        start: Utc::now() - Duration::days(400),
        ..CostSyncOptions::default()
    });

    let report = desk.sync_costs(company_id, &no_progress()).await.unwrap();
    assert!(report.new_documents >= 300, "{report:?}");
    assert_eq!(report.downloaded, report.new_documents);
    let counts = desk.cost_inbox_counts(company_id).unwrap();
    assert_eq!(counts.total, report.new_documents);
    assert!(counts.unknown_supplier > 0 && counts.unknown_supplier < counts.total);
    // Every demo supplier is a demo contractor: retrieval adds none.
    assert_eq!(desk.contractors(company_id).unwrap().len(), 20);
}
