use std::collections::{BTreeSet, HashSet};
use std::io::Read;

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use ksef_client::model::{
    DateRange, DateType, InvoiceQueryFilters, PageRequest, SortOrder, SubjectType,
};
use ksef_client::{SyncCheckpoint, SyncOptions, SyncPage};
use ksef_sim::{FaultConfig, SimConfig};

use crate::common::*;

/// Seeds `n` cost invoices (supplier -> the demo company) at the given invoicing times.
fn seed_costs(env: &Env, times: &[chrono::DateTime<Utc>]) -> Vec<String> {
    times
        .iter()
        .map(|t| {
            let xml = invoice(SUPPLIER_NIP, &env.sim.nip, &unique_number("cost"));
            env.sim.seed_invoice(&xml, *t).unwrap()
        })
        .collect()
}

async fn run_sync(env: &Env, checkpoint: SyncCheckpoint) -> Vec<SyncPage> {
    env.client
        .sync_incremental(
            SyncOptions {
                subject_type: SubjectType::Subject2,
                page_size: 10,
            },
            checkpoint,
            env.cancel.clone(),
        )
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn incremental_sync_is_gap_free_and_duplicate_free_across_pages_and_truncation() {
    // A small technical limit forces isTruncated windows with 10-record pages. With
    // KSeF's limit of 10,000 a real sync makes a few queries; this one makes dozens in
    // seconds, so the production query rate limit is off here (it is on everywhere else).
    let env = start(SimConfig {
        max_query_results: 15,
        faults: FaultConfig {
            enforce_rate_limits: false,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    env.client
        .authenticate_with_token(
            &env.sim.nip,
            ksef_client::SecretString::from(env.sim.token.clone()),
            &env.cancel,
        )
        .await
        .unwrap();
    let base = Utc::now() - Duration::hours(2);
    let mut times: Vec<_> = (0..37).map(|i| base + Duration::seconds(i * 60)).collect();
    // Ties on the same instant, around page and truncation boundaries.
    for _ in 0..4 {
        times.push(base + Duration::seconds(9 * 60));
        times.push(base + Duration::seconds(14 * 60));
    }
    let seeded: BTreeSet<String> = seed_costs(&env, &times).into_iter().collect();
    assert_eq!(seeded.len(), 45);

    let start = SyncCheckpoint::starting_at(base - Duration::hours(1));
    let pages = run_sync(&env, start.clone()).await;
    let delivered: Vec<String> = pages
        .iter()
        .flat_map(|p| p.invoices.iter().map(|i| i.ksef_number.clone()))
        .collect();
    let unique: HashSet<&String> = delivered.iter().collect();
    assert_eq!(unique.len(), delivered.len(), "no duplicates");
    assert_eq!(
        delivered.iter().cloned().collect::<BTreeSet<_>>(),
        seeded,
        "no gaps"
    );
    assert!(pages.len() > 4, "paged: {}", pages.len());
    assert!(pages.last().unwrap().complete);
    // Ascending order of permanent storage across the whole run.
    let dates: Vec<_> = pages
        .iter()
        .flat_map(|p| p.invoices.iter().map(|i| i.permanent_storage_date))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    let end = pages.last().unwrap().checkpoint.clone();
    assert!(end.from >= *dates.last().unwrap());

    // Nothing new: the next run from the HWM delivers nothing.
    let again = run_sync(&env, end.clone()).await;
    assert!(again.iter().all(|p| p.invoices.is_empty()));

    // New invoices appear (received now, so stored after the previous HWM, as KSeF
    // guarantees). Periodic syncs deliver exactly them, once, as soon as they are stored.
    let now = Utc::now();
    let fresh: BTreeSet<String> = seed_costs(&env, &[now, now]).into_iter().collect();
    let mut checkpoint = again.last().unwrap().checkpoint.clone();
    let mut got: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while got.len() < fresh.len() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let next = run_sync(&env, checkpoint.clone()).await;
        got.extend(
            next.iter()
                .flat_map(|p| p.invoices.iter().map(|i| i.ksef_number.clone())),
        );
        checkpoint = next.last().unwrap().checkpoint.clone();
    }
    assert_eq!(
        got.len(),
        fresh.len(),
        "each new invoice exactly once: {got:?}"
    );
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), fresh);

    // Interrupted anywhere, resuming from that page's checkpoint delivers exactly the rest.
    for cut in 0..pages.len() - 1 {
        let before: Vec<String> = pages[..=cut]
            .iter()
            .flat_map(|p| p.invoices.iter().map(|i| i.ksef_number.clone()))
            .collect();
        let rest = run_sync(&env, pages[cut].checkpoint.clone()).await;
        let after: Vec<String> = rest
            .iter()
            .flat_map(|p| p.invoices.iter().map(|i| i.ksef_number.clone()))
            .filter(|k| !fresh.contains(k))
            .collect();
        let mut all = before.clone();
        all.extend(after.iter().cloned());
        let set: BTreeSet<String> = all.iter().cloned().collect();
        assert_eq!(
            set.len(),
            all.len(),
            "duplicate after resuming at page {cut}"
        );
        assert_eq!(set, seeded, "gap after resuming at page {cut}");
    }
}

#[tokio::test]
async fn metadata_query_as_seller_and_buyer_with_paging_and_sorting() {
    let env = start_authenticated().await;
    let base = Utc::now() - Duration::days(3);
    let costs = seed_costs(
        &env,
        &(0..12)
            .map(|i| base + Duration::minutes(i))
            .collect::<Vec<_>>(),
    );
    // Sales: invoices issued by the demo company, stored directly.
    let sales: Vec<String> = (0..3)
        .map(|i| {
            let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("sale"));
            env.sim
                .seed_invoice(&xml, base + Duration::minutes(i))
                .unwrap()
        })
        .collect();
    let range = DateRange {
        date_type: DateType::Invoicing,
        from: base - Duration::hours(1),
        to: Some(Utc::now()),
        restrict_to_permanent_storage_hwm_date: None,
    };
    let buyer = InvoiceQueryFilters::new(SubjectType::Subject2, range.clone());
    let p0 = env
        .client
        .query_metadata(
            &buyer,
            PageRequest {
                page_offset: 0,
                page_size: 10,
                sort_order: SortOrder::Desc,
            },
            &env.cancel,
        )
        .await
        .unwrap();
    assert!(p0.has_more);
    assert!(!p0.is_truncated);
    assert_eq!(p0.invoices.len(), 10);
    assert!(
        p0.invoices
            .windows(2)
            .all(|w| w[0].invoicing_date >= w[1].invoicing_date),
        "Desc"
    );
    let p1 = env
        .client
        .query_metadata(
            &buyer,
            PageRequest {
                page_offset: 1,
                page_size: 10,
                sort_order: SortOrder::Desc,
            },
            &env.cancel,
        )
        .await
        .unwrap();
    assert!(!p1.has_more);
    let got: BTreeSet<String> = p0
        .invoices
        .iter()
        .chain(&p1.invoices)
        .map(|i| i.ksef_number.clone())
        .collect();
    assert_eq!(got, costs.iter().cloned().collect());
    assert!(p0
        .invoices
        .iter()
        .all(|i| i.buyer.identifier.value.as_deref() == Some(env.sim.nip.as_str())));

    let seller = InvoiceQueryFilters::new(SubjectType::Subject1, range);
    let s = env
        .client
        .query_metadata(&seller, PageRequest::default(), &env.cancel)
        .await
        .unwrap();
    let got: BTreeSet<String> = s.invoices.iter().map(|i| i.ksef_number.clone()).collect();
    assert_eq!(got, sales.iter().cloned().collect());
    assert!(s.invoices.iter().all(|i| i.seller.nip == env.sim.nip));

    // Download a cost invoice by KSeF number.
    let xml = env
        .client
        .download_invoice(&costs[0], &env.cancel)
        .await
        .unwrap();
    assert!(String::from_utf8(xml).unwrap().contains(SUPPLIER_NIP));
    // An unknown KSeF number is a typed KSeF error with its code.
    let unknown = format!("{}-20250101-000000000000-00", SUPPLIER_NIP);
    let err = env
        .client
        .download_invoice(&unknown, &env.cancel)
        .await
        .unwrap_err();
    assert!(
        !err.ksef_codes().is_empty() || matches!(err, ksef_client::KsefError::NotFound { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn export_package_downloads_and_decrypts() {
    let env = start_authenticated().await;
    let base = Utc::now() - Duration::hours(5);
    let costs = seed_costs(
        &env,
        &(0..5)
            .map(|i| base + Duration::minutes(i))
            .collect::<Vec<_>>(),
    );
    let filters = InvoiceQueryFilters::new(
        SubjectType::Subject2,
        DateRange {
            date_type: DateType::PermanentStorage,
            from: base - Duration::hours(1),
            to: None,
            restrict_to_permanent_storage_hwm_date: Some(true),
        },
    );
    let handle = env
        .client
        .start_export(&filters, false, &env.cancel)
        .await
        .unwrap();
    let package = env
        .client
        .wait_for_export(&handle, &env.cancel)
        .await
        .unwrap();
    assert_eq!(package.invoice_count, 5);
    let mut names = BTreeSet::new();
    for part in &package.parts {
        let plain = env
            .client
            .download_export_part(&handle, part, &env.cancel)
            .await
            .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            names.insert(f.name().to_string());
        }
    }
    for k in &costs {
        assert!(
            names.contains(&format!("{k}.xml")),
            "{k} missing in {names:?}"
        );
    }
}

#[tokio::test]
async fn both_error_formats_carry_ksef_codes_and_polish_text() {
    let env = start_authenticated().await;
    let unknown = format!("{SUPPLIER_NIP}-20250101-0000000000AB-00");
    for problem_details in [true, false] {
        let mut config = fast_config();
        config.problem_details = problem_details;
        let client = client_for(&env.sim, config);
        client
            .authenticate_with_token(
                &env.sim.nip,
                ksef_client::SecretString::from(env.sim.token.clone()),
                &env.cancel,
            )
            .await
            .unwrap();
        let err = client
            .download_invoice(&unknown, &env.cancel)
            .await
            .unwrap_err();
        match &err {
            ksef_client::KsefError::Api { errors, status, .. } => {
                assert_eq!(*status, 400);
                assert!(!errors.is_empty(), "{err:?}");
                assert!(errors[0].code > 0);
                assert!(
                    !errors[0].description.is_empty(),
                    "Polish description kept: {err:?}"
                );
            }
            other => panic!("problem_details={problem_details}: {other:?}"),
        }
    }
}
