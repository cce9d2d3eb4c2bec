//! Retrieving cost invoices from KSeF: at start, on a schedule and on "Retrieve now".
//!
//! A run, per company and for each subject role (buyer, third party, authorised):
//!
//! 1. **Listing.** `ksef-client`'s incremental sync (permanent-storage dates, up to
//!    the high-water mark, in windows of at most 90 days because KSeF refuses longer
//!    ranges) streams metadata pages. Each page's new documents and the point it
//!    reached are committed in one transaction, so a crash, a cancel or an outage
//!    anywhere resumes from the last committed page.
//! 2. Every run starts [`CostSyncOptions::overlap`] before that point: KSeF has been
//!    seen to miss documents at window edges, and re-reading the last stretch catches
//!    late ones. Duplicates are dropped by KSeF number (unique per company), so
//!    nothing arrives twice.
//! 3. **Bulk through exports.** KSeF allows 64 single downloads an hour, so a role's
//!    first retrieval, or a run whose listing meets more than
//!    [`CostSyncOptions::export_above`] new documents, uses export packages instead
//!    (`ksef-client`'s `export_incremental`): each package brings metadata and XML of up
//!    to 10 000 invoices; they are stored in chunks, the last chunk's transaction also
//!    moving the retrieval point, so an interrupted package is simply exported again
//!    and what was stored falls out on the KSeF number.
//! 4. **Downloading.** The metadata lacks the due date, bank account and payment form,
//!    so each new document still without XML (the trickle, or one a package lacked or
//!    delivered with a wrong hash) is downloaded (the client's limiter keeps to KSeF's
//!    rate limits) and parsed with `fa3`. The original is stored as is; one that does
//!    not parse is kept as "unreadable" with the reason. A document KSeF refuses to
//!    hand out is retried on later runs, up to [`MAX_DOWNLOAD_ATTEMPTS`].
//!
//! Only one run at a time per profile: "Retrieve now" waits for a scheduled run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use desk_store::{
    ContentState, CostContent, CostSubject, CostSyncState, NewCostDocument, RateAmount, Role,
    Timestamp,
};
use futures::StreamExt;
use ksef_client::model::{InvoiceMetadata, InvoiceType, SubjectType};
use ksef_client::{
    CancellationToken, ClientConfig, ExportedPackage, KsefClient, SyncCheckpoint, SyncOptions,
};

use crate::access::authorize;
use crate::connection::from_ksef;
use crate::costs::{fold, normalise_account, search_text, to_minor, CostInputProblem};
use crate::{CoreError, Desk, Nip, Result};

pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;
pub const MIN_INTERVAL_MINUTES: u32 = 1;
pub const MAX_INTERVAL_MINUTES: u32 = 24 * 60;
/// After this many refused downloads a document stays "pending" with its error.
pub const MAX_DOWNLOAD_ATTEMPTS: u32 = 5;
const INTERVAL_KEY: &str = "costs.sync_interval_minutes";
const DOWNLOAD_BATCH: u32 = 64;
/// Documents of an export package stored per transaction (bounded memory and lock time).
const PACKAGE_CHUNK: usize = 1000;

/// How retrieval reads KSeF. Defaults suit KSeF; tests and the benchmark tune them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSyncOptions {
    /// Metadata page size, 10..=250.
    pub page_size: u32,
    /// How far before the last committed point each run starts again.
    pub overlap: chrono::Duration,
    /// Where the very first run starts: KSeF 2.0's first day.
    pub start: Timestamp,
    /// Downloads in flight at once (the client's limiter still applies).
    pub download_concurrency: usize,
    /// Export packages instead of single downloads when a role is retrieved for the
    /// first time or its listing meets more new documents than this;
    /// `None`: never (single downloads only).
    pub export_above: Option<u32>,
}

impl Default for CostSyncOptions {
    fn default() -> Self {
        CostSyncOptions {
            page_size: 250,
            overlap: chrono::Duration::minutes(30),
            start: Utc
                .with_ymd_and_hms(2026, 2, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            download_concurrency: 4,
            export_above: Some(20),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostSyncPhase {
    Listing,
    Downloading,
}

/// How far a run is; reported after every page and every downloaded batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSyncProgress {
    pub company_id: i64,
    pub phase: CostSyncPhase,
    pub new_documents: u32,
    pub downloaded: u32,
    /// Documents waiting for their XML when the download phase began.
    pub to_download: u32,
}

/// What a finished run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostSyncReport {
    pub new_documents: u32,
    pub downloaded: u32,
    pub unreadable: u32,
    /// Downloads KSeF refused this time (retried on later runs).
    pub failed_downloads: u32,
}

impl CostSyncReport {
    fn add(&mut self, other: &CostSyncReport) {
        self.new_documents += other.new_documents;
        self.downloaded += other.downloaded;
        self.unreadable += other.unreadable;
        self.failed_downloads += other.failed_downloads;
    }

    /// The desktop notification's text, or `None` when nothing new arrived.
    pub fn notification(&self, company: &str, locale: crate::Locale) -> Option<String> {
        let n = self.new_documents;
        if n == 0 {
            return None;
        }
        Some(match locale {
            crate::Locale::Pl => {
                let words = match (n % 10, n % 100) {
                    _ if n == 1 => "nowy koszt",
                    (2..=4, rem) if !(12..=14).contains(&rem) => "nowe koszty",
                    _ => "nowych kosztów",
                };
                format!("{company}: {n} {words} z KSeF.")
            }
            crate::Locale::En if n == 1 => format!("{company}: 1 new cost from KSeF."),
            crate::Locale::En => format!("{company}: {n} new costs from KSeF."),
        })
    }
}

/// Retrieval as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostSyncStatus {
    pub running: Option<CostSyncProgress>,
    pub interval_minutes: u32,
    /// The buyer role's state (the one that matters most).
    pub buyer: CostSyncState,
    pub connected: bool,
}

/// The Desk's part of retrieval: one run at a time, its progress, the options.
pub(crate) struct SyncRuntime {
    run: tokio::sync::Mutex<()>,
    progress: Mutex<Option<CostSyncProgress>>,
    options: Mutex<CostSyncOptions>,
    interval_changed: tokio::sync::Notify,
}

impl SyncRuntime {
    pub(crate) fn new() -> SyncRuntime {
        SyncRuntime {
            run: tokio::sync::Mutex::new(()),
            progress: Mutex::new(None),
            options: Mutex::new(CostSyncOptions::default()),
            interval_changed: tokio::sync::Notify::new(),
        }
    }

    fn set_progress(&self, progress: Option<CostSyncProgress>) {
        *self
            .progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = progress;
    }

    fn progress(&self) -> Option<CostSyncProgress> {
        self.progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn options(&self) -> CostSyncOptions {
        self.options
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Clears the shown progress however the run ends (also when its future is dropped).
struct ProgressGuard<'a>(&'a SyncRuntime);

impl Drop for ProgressGuard<'_> {
    fn drop(&mut self) {
        self.0.set_progress(None);
    }
}

/// The calendar day in Poland at `at` (due dates and "today" are Polish dates).
pub(crate) fn polish_date(at: Timestamp) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Warsaw).date_naive()
}

fn ksef_subject(subject: CostSubject) -> SubjectType {
    match subject {
        CostSubject::Buyer => SubjectType::Subject2,
        CostSubject::ThirdParty => SubjectType::Subject3,
        CostSubject::Authorized => SubjectType::SubjectAuthorized,
    }
}

fn kind_code(kind: InvoiceType) -> &'static str {
    match kind {
        InvoiceType::Vat => "Vat",
        InvoiceType::Zal => "Zal",
        InvoiceType::Kor => "Kor",
        InvoiceType::Roz => "Roz",
        InvoiceType::Upr => "Upr",
        InvoiceType::KorZal => "KorZal",
        InvoiceType::KorRoz => "KorRoz",
        InvoiceType::VatPef => "VatPef",
        InvoiceType::VatPefSp => "VatPefSp",
        InvoiceType::KorPef => "KorPef",
        InvoiceType::VatRr => "VatRr",
        InvoiceType::KorVatRr => "KorVatRr",
        InvoiceType::Unknown => "Unknown",
    }
}

/// KSeF sends amounts as JSON numbers; grosze are what the store keeps.
fn minor_from_f64(amount: f64) -> i64 {
    rust_decimal::Decimal::from_f64_retain(amount)
        .map(to_minor)
        .unwrap_or(0)
}

fn from_metadata(subject: CostSubject, meta: &InvoiceMetadata) -> NewCostDocument {
    let name = meta.seller.name.clone().unwrap_or_default();
    NewCostDocument {
        subject,
        ksef_number: meta.ksef_number.clone(),
        supplier_nip: Some(meta.seller.nip.clone()).filter(|nip| !nip.is_empty()),
        search_text: search_text(&[
            &name,
            &meta.seller.nip,
            &meta.invoice_number,
            &meta.ksef_number,
        ]),
        supplier_name: name,
        number: meta.invoice_number.clone(),
        issue_date: Some(meta.issue_date),
        currency: meta.currency.clone(),
        net_minor: minor_from_f64(meta.net_amount),
        vat_minor: minor_from_f64(meta.vat_amount),
        gross_minor: minor_from_f64(meta.gross_amount),
        invoice_kind: kind_code(meta.invoice_type).to_owned(),
        invoice_hash: Some(meta.invoice_hash.clone()),
        invoicing_at: Some(meta.invoicing_date),
        permanent_storage_at: Some(meta.permanent_storage_date),
    }
}

/// What the XML adds, or why it cannot be read. `new_bank_account` is decided later,
/// against the supplier's known accounts.
fn read_content(xml: &[u8], ksef_number: &str) -> std::result::Result<CostContent, String> {
    let parsed = fa3::parse(xml).map_err(|error| error.to_string())?;
    let invoice = &parsed.invoice;
    let fa = &invoice.fa;
    let totals = &fa.totals;
    let rates: Vec<RateAmount> = fa3::render::vat_summary(totals)
        .into_iter()
        .map(|(label, net, vat, _)| RateAmount {
            rate: label.to_owned(),
            net_minor: to_minor(net),
            vat_minor: vat.map(to_minor),
        })
        .collect();
    let net_minor = rates.iter().map(|r| r.net_minor).sum();
    let vat_minor = rates.iter().filter_map(|r| r.vat_minor).sum();
    let payment = fa.payment.as_ref();
    let due_date = payment.and_then(|p| p.terms.iter().find_map(|t| t.due));
    let bank_account = payment
        .and_then(|p| p.bank_accounts.first())
        .map(|a| normalise_account(&a.number))
        .filter(|a| !a.is_empty());
    let payment_form = payment.and_then(|p| p.method.as_ref()).map(|m| match m {
        fa3::PaymentMethod::Code(code) => code.to_string(),
        fa3::PaymentMethod::Other(text) => text.clone(),
    });
    let sale_date = fa.sale_date.map(|d| match d {
        fa3::SaleDate::Date(day) => day,
        fa3::SaleDate::Period { to, .. } => to,
    });
    Ok(CostContent {
        supplier_name: invoice.seller.name.clone(),
        number: fa.number.clone(),
        issue_date: fa.issue_date,
        sale_date,
        due_date,
        currency: fa.currency.clone(),
        net_minor,
        vat_minor,
        gross_minor: to_minor(totals.gross),
        rates,
        bank_account,
        payment_form,
        split_payment: fa.annotations.split_payment,
        new_bank_account: false,
        search_text: search_text(&[
            &invoice.seller.name,
            &invoice.seller.nip,
            &fa.number,
            ksef_number,
        ]),
    })
}

/// A package's document: its metadata and, unless the package lacked it, its XML with
/// what was read from it, or why KSeF's copy was refused (a wrong hash).
type Fetched<'a> = (
    &'a InvoiceMetadata,
    Option<std::result::Result<(Vec<u8>, std::result::Result<CostContent, String>), String>>,
);

/// [`read_content`] for every fetched XML of a package chunk, on all cores: parsing
/// and checking FA(3) is most of a bulk retrieval's work. `None` where there is no XML.
fn read_contents(
    invoices: &[InvoiceMetadata],
    xmls: &[Option<std::result::Result<Vec<u8>, String>>],
) -> Vec<Option<std::result::Result<CostContent, String>>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_thread = xmls.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = invoices
            .chunks(per_thread)
            .zip(xmls.chunks(per_thread))
            .map(|(invoices, xmls)| {
                scope.spawn(move || {
                    invoices
                        .iter()
                        .zip(xmls)
                        .map(|(meta, xml)| match xml {
                            Some(Ok(xml)) => Some(read_content(xml, &meta.ksef_number)),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// A download failure that concerns this one document (KSeF refused it or sent
/// something broken), as opposed to KSeF or the network being unavailable.
fn concerns_document(error: &ksef_client::KsefError) -> bool {
    use ksef_client::KsefError as E;
    matches!(
        error,
        E::Api { .. }
            | E::NotFound { .. }
            | E::Gone { .. }
            | E::IntegrityMismatch { .. }
            | E::InvalidResponse { .. }
            | E::UnexpectedStatus { .. }
    )
}

/// KSeF answered a role's query with a refusal (bad request, no permission).
fn refused_role(failure: &SyncFailure) -> bool {
    matches!(
        failure,
        SyncFailure::Ksef(
            ksef_client::KsefError::Api { .. } | ksef_client::KsefError::Forbidden { .. }
        )
    )
}

fn retrieval_config() -> ClientConfig {
    ClientConfig {
        // A 429 storm is waited out (up to ten minutes per wait), never fatal.
        retry: ksef_client::RetryPolicy {
            max_attempts: 8,
            max_retry_after: Duration::from_secs(600),
            ..ksef_client::RetryPolicy::default()
        },
        ..ClientConfig::default()
    }
}

/// Moves the role's retrieval point to `checkpoint`, never back (a run re-reads
/// [`CostSyncOptions::overlap`] before the stored point).
fn advance(
    tx: &desk_store::Tx<'_>,
    company_id: i64,
    subject: CostSubject,
    checkpoint: &SyncCheckpoint,
) -> desk_store::Result<()> {
    let current = tx.cost_sync_state(company_id, subject)?.synced_up_to;
    if current.is_none_or(|c| checkpoint.from > c) {
        tx.set_cost_synced_up_to(company_id, subject, checkpoint.from)?;
    }
    Ok(())
}

/// Keeps a pending document's downloaded original and what was read from it (or why
/// it could not be read), counting it in `done`.
fn store_content(
    tx: &desk_store::Tx<'_>,
    company_id: i64,
    id: i64,
    xml: &[u8],
    content: &std::result::Result<CostContent, String>,
    now: Timestamp,
    done: &mut CostSyncReport,
) -> desk_store::Result<()> {
    match content {
        Ok(content) => {
            let cost = tx.cost_document(company_id, id)?;
            let mut content = content.clone();
            if let (Some(contractor), Some(account)) = (cost.contractor_id, &content.bank_account) {
                let known = tx.contractor_bank_accounts(contractor)?;
                if known.is_empty() {
                    tx.add_contractor_bank_account(contractor, account, now)?;
                } else {
                    content.new_bank_account = !known.contains(account);
                }
            }
            // Keep the owner's words findable after the XML refines the row.
            let extra = [cost.note.clone().unwrap_or_default(), cost.tags.join(" ")];
            content.search_text = format!("{} {}", content.search_text, fold(&extra.join(" ")))
                .trim_end()
                .to_owned();
            tx.store_cost_content(id, xml, &content)?;
            tx.append_cost_step(id, now, None, "downloaded", "")?;
            done.downloaded += 1;
        }
        Err(problem) => {
            tx.store_cost_unreadable(id, xml, problem)?;
            tx.append_cost_step(id, now, None, "unreadable", problem)?;
            done.unreadable += 1;
        }
    }
    Ok(())
}

impl Desk {
    /// Retrieves the company's new cost invoices from KSeF (see the module docs).
    /// `on_progress` is called after each committed page and downloaded batch.
    /// Needs [`Role::Costs`]. Errors: [`CoreError::NotConnected`] and the KSeF
    /// errors of [`Desk::test_connection`]; what was committed before stays.
    pub async fn sync_costs(
        &self,
        company_id: i64,
        on_progress: &(dyn Fn(&CostSyncProgress) + Send + Sync),
    ) -> Result<CostSyncReport> {
        let now = self.clock().now();
        self.store()
            .write_with(|tx| authorize(tx, now, company_id, Role::Costs).map(|_| ()))?;
        self.sync_company(company_id, on_progress).await
    }

    async fn sync_company(
        &self,
        company_id: i64,
        on_progress: &(dyn Fn(&CostSyncProgress) + Send + Sync),
    ) -> Result<CostSyncReport> {
        let runtime = self.sync_runtime();
        let _one_at_a_time = runtime.run.lock().await;
        let _clear = ProgressGuard(runtime);
        let options = runtime.options();
        let company = self.store().read(|tx| tx.company(company_id))?;
        let nip = Nip::parse(&company.nip)?;
        let credentials = self.saved_credentials(&company).await?;
        let cancel = CancellationToken::new();
        let mut progress = CostSyncProgress {
            company_id,
            phase: CostSyncPhase::Listing,
            new_documents: 0,
            downloaded: 0,
            to_download: 0,
        };
        let report = |progress: &CostSyncProgress| {
            runtime.set_progress(Some(progress.clone()));
            on_progress(progress);
        };
        report(&progress);
        let client = self
            .signed_in_client(&company, credentials, retrieval_config(), &cancel)
            .await
            .inspect_err(|error| {
                tracing::warn!(company_id, code = error.code(), %error, "cost retrieval could not sign in");
            })?;
        let outcome = async {
            let mut result = CostSyncReport::default();
            for subject in CostSubject::ALL {
                let listed = self
                    .list_subject(
                        &client,
                        company_id,
                        subject,
                        &options,
                        &cancel,
                        &mut |new, downloaded| {
                            progress.new_documents += new;
                            progress.downloaded += downloaded;
                            report(&progress);
                        },
                    )
                    .await;
                let at = self.clock().now();
                let error = listed.as_ref().err().map(ToString::to_string);
                self.store().write(|tx| {
                    tx.record_cost_sync_run(company_id, subject, at, error.as_deref())
                })?;
                // The buyer role is what costs are about; KSeF refusing the other
                // roles' queries (no such role for this context) must not stop it.
                if subject != CostSubject::Buyer && listed.as_ref().is_err_and(refused_role) {
                    tracing::info!(
                        subject = subject.as_str(),
                        "KSeF refused this role's query; skipped"
                    );
                    continue;
                }
                result.add(&listed.or_core(|e| from_ksef(e, &nip))?);
            }
            progress.phase = CostSyncPhase::Downloading;
            progress.to_download = self
                .store()
                .read(|tx| tx.cost_inbox_counts(company_id, self.today()))?
                .pending_download;
            report(&progress);
            self.download_pending(&client, company_id, &options, &cancel, &mut result, |n| {
                progress.downloaded += n;
                report(&progress);
            })
            .await
            .or_core(|e| from_ksef(e, &nip))?;
            Ok::<_, CoreError>(result)
        }
        .await;
        if let Err(error) = client.logout(&cancel).await {
            tracing::debug!(%error, "ending the retrieval session failed");
        }
        match &outcome {
            Ok(result) => tracing::info!(
                company_id,
                new = result.new_documents,
                downloaded = result.downloaded,
                unreadable = result.unreadable,
                failed = result.failed_downloads,
                "cost invoices retrieved"
            ),
            Err(error) => {
                tracing::warn!(company_id, code = error.code(), %error, "cost retrieval stopped")
            }
        }
        outcome
    }

    /// Retrieves one subject role up to KSeF's high-water mark: lists it page by page,
    /// or through export packages when it is the role's first retrieval or the listing
    /// meets more than [`CostSyncOptions::export_above`] new documents (a catch-up).
    /// The report counts what this role added.
    async fn list_subject(
        &self,
        client: &KsefClient,
        company_id: i64,
        subject: CostSubject,
        options: &CostSyncOptions,
        cancel: &CancellationToken,
        on_page: &mut impl FnMut(u32, u32),
    ) -> std::result::Result<CostSyncReport, SyncFailure> {
        let state = self
            .store()
            .read(|tx| tx.cost_sync_state(company_id, subject))?;
        let from = state
            .synced_up_to
            .map_or(options.start, |up_to| up_to - options.overlap);
        let checkpoint = SyncCheckpoint::starting_at(from);
        let mut report = CostSyncReport::default();
        let mut bulk = options.export_above.is_some() && state.synced_up_to.is_none();
        if !bulk {
            let pages = client.sync_incremental(
                SyncOptions {
                    subject_type: ksef_subject(subject),
                    page_size: options.page_size,
                },
                checkpoint.clone(),
                cancel.clone(),
            );
            futures::pin_mut!(pages);
            let mut unknown = 0_usize;
            let limit = options
                .export_above
                .map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
            while let Some(page) = pages.next().await {
                let page = page?;
                if let Some(limit) = limit {
                    unknown += self.store().read(|tx| {
                        let mut unknown = 0_usize;
                        for meta in &page.invoices {
                            if tx
                                .cost_by_ksef_number(company_id, &meta.ksef_number)?
                                .is_none()
                            {
                                unknown += 1;
                            }
                        }
                        Ok(unknown)
                    })?;
                    if unknown > limit {
                        // What earlier pages stored gets its XML from the packages too.
                        tracing::info!(
                            subject = subject.as_str(),
                            unknown,
                            "many new cost invoices: retrieving through exports"
                        );
                        bulk = true;
                        break;
                    }
                }
                let now = self.clock().now();
                let added = self.store().write(|tx| {
                    let mut added = 0;
                    for meta in &page.invoices {
                        let document = from_metadata(subject, meta);
                        if let Some(id) = tx.insert_cost_document(company_id, &document, now)? {
                            tx.append_cost_step(id, now, None, "retrieved", subject.as_str())?;
                            added += 1;
                        }
                    }
                    advance(tx, company_id, subject, &page.checkpoint)?;
                    Ok(added)
                })?;
                report.new_documents += added;
                on_page(added, 0);
            }
        }
        if bulk {
            let packages =
                client.export_incremental(ksef_subject(subject), checkpoint, cancel.clone());
            futures::pin_mut!(packages);
            while let Some(package) = packages.next().await {
                self.store_package(company_id, subject, package?, &mut report, on_page)?;
            }
        }
        Ok(report)
    }

    /// Stores an export package: new documents with their XML, in chunks; the last
    /// chunk's transaction moves the retrieval point. A document already known but
    /// still without XML gets it; one whose XML is missing or fails its hash stays
    /// pending for a single download.
    fn store_package(
        &self,
        company_id: i64,
        subject: CostSubject,
        mut package: ExportedPackage,
        report: &mut CostSyncReport,
        on_chunk: &mut impl FnMut(u32, u32),
    ) -> std::result::Result<(), SyncFailure> {
        let invoices = std::mem::take(&mut package.invoices);
        let chunks: Vec<&[InvoiceMetadata]> = if invoices.is_empty() {
            vec![&[]]
        } else {
            invoices.chunks(PACKAGE_CHUNK).collect()
        };
        // Each chunk is parsed while the one before it is stored.
        let mut ready: Option<Vec<Fetched<'_>>> = None;
        for chunk in chunks {
            let mut xmls = Vec::with_capacity(chunk.len());
            for meta in chunk {
                xmls.push(match package.invoice_xml(meta) {
                    Ok(xml) => xml.map(Ok),
                    Err(error) if concerns_document(&error) => {
                        tracing::warn!(ksef_number = %meta.ksef_number, %error, "an exported cost invoice was refused");
                        Some(Err(error.to_string()))
                    }
                    Err(error) => return Err(error.into()),
                });
            }
            let (contents, stored) = std::thread::scope(|scope| {
                let parsing = scope.spawn(|| read_contents(chunk, &xmls));
                let stored = ready
                    .take()
                    .map(|items| self.commit_chunk(company_id, subject, &items, None))
                    .transpose();
                let contents = parsing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (contents, stored)
            });
            if let Some(done) = stored? {
                on_chunk(done.new_documents, done.downloaded + done.unreadable);
                report.add(&done);
            }
            ready = Some(
                chunk
                    .iter()
                    .zip(xmls)
                    .zip(contents)
                    .map(|((meta, xml), content)| {
                        let fetched = match (xml, content) {
                            (Some(Ok(xml)), Some(content)) => Some(Ok((xml, content))),
                            (Some(Err(refused)), _) => Some(Err(refused)),
                            _ => None,
                        };
                        (meta, fetched)
                    })
                    .collect(),
            );
        }
        if let Some(items) = ready {
            let done = self.commit_chunk(company_id, subject, &items, Some(&package.checkpoint))?;
            on_chunk(done.new_documents, done.downloaded + done.unreadable);
            report.add(&done);
        }
        Ok(())
    }

    /// Stores one chunk of a package in one transaction; `checkpoint` with the last.
    fn commit_chunk(
        &self,
        company_id: i64,
        subject: CostSubject,
        items: &[Fetched<'_>],
        checkpoint: Option<&SyncCheckpoint>,
    ) -> desk_store::Result<CostSyncReport> {
        let now = self.clock().now();
        self.store().write(|tx| {
            let mut done = CostSyncReport::default();
            for (meta, fetched) in items {
                let id = match tx.insert_cost_document(
                    company_id,
                    &from_metadata(subject, meta),
                    now,
                )? {
                    Some(id) => {
                        tx.append_cost_step(id, now, None, "retrieved", subject.as_str())?;
                        done.new_documents += 1;
                        id
                    }
                    None => match tx.cost_by_ksef_number(company_id, &meta.ksef_number)? {
                        Some(id)
                            if tx.cost_document(company_id, id)?.content
                                == ContentState::Pending =>
                        {
                            id
                        }
                        _ => continue,
                    },
                };
                match fetched {
                    Some(Ok((xml, content))) => {
                        store_content(tx, company_id, id, xml, content, now, &mut done)?;
                    }
                    Some(Err(detail)) => {
                        tx.record_cost_download_failure(id, detail)?;
                        done.failed_downloads += 1;
                    }
                    None => {}
                }
            }
            if let Some(checkpoint) = checkpoint {
                advance(tx, company_id, subject, checkpoint)?;
            }
            Ok(done)
        })
    }

    async fn download_pending(
        &self,
        client: &KsefClient,
        company_id: i64,
        options: &CostSyncOptions,
        cancel: &CancellationToken,
        result: &mut CostSyncReport,
        mut on_batch: impl FnMut(u32),
    ) -> std::result::Result<(), SyncFailure> {
        let mut after = 0;
        loop {
            let batch = self.store().read(|tx| {
                tx.costs_awaiting_content(company_id, MAX_DOWNLOAD_ATTEMPTS, after, DOWNLOAD_BATCH)
            })?;
            let Some((last, _)) = batch.last() else {
                return Ok(());
            };
            after = *last;
            let downloads: Vec<_> = futures::stream::iter(batch)
                .map(|(id, ksef_number)| async move {
                    let xml = client.download_invoice(&ksef_number, cancel).await;
                    (id, ksef_number, xml)
                })
                .buffered(options.download_concurrency.max(1))
                .collect()
                .await;
            let mut fetched = Vec::new();
            for (id, ksef_number, xml) in downloads {
                match xml {
                    Ok(xml) => {
                        let content = read_content(&xml, &ksef_number);
                        fetched.push((id, xml, content));
                    }
                    Err(error) if concerns_document(&error) => {
                        tracing::warn!(id, %error, "KSeF refused a cost invoice download");
                        result.failed_downloads += 1;
                        let detail = error.to_string();
                        self.store()
                            .write(|tx| tx.record_cost_download_failure(id, &detail))?;
                    }
                    Err(error) => {
                        // Keep what was fetched, then stop: later runs resume.
                        self.store_contents(company_id, &fetched, result)?;
                        return Err(error.into());
                    }
                }
            }
            self.store_contents(company_id, &fetched, result)?;
            on_batch(u32::try_from(fetched.len()).unwrap_or(u32::MAX));
        }
    }

    fn store_contents(
        &self,
        company_id: i64,
        fetched: &[(i64, Vec<u8>, std::result::Result<CostContent, String>)],
        result: &mut CostSyncReport,
    ) -> desk_store::Result<()> {
        let now = self.clock().now();
        let done = self.store().write(|tx| {
            let mut done = CostSyncReport::default();
            for (id, xml, content) in fetched {
                store_content(tx, company_id, *id, xml, content, now, &mut done)?;
            }
            Ok(done)
        })?;
        result.add(&done);
        Ok(())
    }

    /// Where retrieval stands for the company (progress while a run is going).
    pub fn cost_sync_status(&self, company_id: i64) -> Result<CostSyncStatus> {
        let buyer = self.store().read(|tx| {
            tx.company(company_id)?;
            tx.cost_sync_state(company_id, CostSubject::Buyer)
        })?;
        Ok(CostSyncStatus {
            running: self
                .sync_runtime()
                .progress()
                .filter(|p| p.company_id == company_id),
            interval_minutes: self.cost_sync_interval()?,
            buyer,
            connected: self.has_token(company_id)?,
        })
    }

    pub fn cost_sync_interval(&self) -> Result<u32> {
        Ok(self
            .store()
            .read(|tx| tx.app_setting(INTERVAL_KEY))?
            .and_then(|v| v.parse().ok())
            .filter(|m| (MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(m))
            .unwrap_or(DEFAULT_INTERVAL_MINUTES))
    }

    /// Sets how often the schedule retrieves (minutes); the running schedule
    /// picks it up at once.
    pub fn set_cost_sync_interval(&self, minutes: u32) -> Result<u32> {
        if !(MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(&minutes) {
            return Err(CoreError::InvalidInput(vec![
                crate::connection::InputProblem::Cost(CostInputProblem::SyncIntervalOutOfRange),
            ]));
        }
        self.store()
            .write(|tx| tx.set_app_setting(INTERVAL_KEY, &minutes.to_string()))?;
        self.sync_runtime().interval_changed.notify_waiters();
        Ok(minutes)
    }

    /// Tunes how retrieval reads KSeF (page size, overlap, first start).
    pub fn set_cost_sync_options(&self, options: CostSyncOptions) {
        *self
            .sync_runtime()
            .options
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = options;
    }

    /// The schedule: retrieves for every connected company at once and then every
    /// [`Desk::cost_sync_interval`] minutes, until the task is dropped. `on_report`
    /// hears each finished run (the shell turns new documents into a notification).
    pub async fn run_cost_schedule(
        self: Arc<Desk>,
        on_report: impl Fn(&desk_store::Company, &CostSyncReport) + Send + Sync,
    ) {
        loop {
            let companies = match self.companies() {
                Ok(companies) => companies,
                Err(error) => {
                    tracing::warn!(%error, "the retrieval schedule cannot list companies");
                    Vec::new()
                }
            };
            for company in companies {
                if !self.has_token(company.id).unwrap_or(false) {
                    continue;
                }
                match self.sync_company(company.id, &|_| {}).await {
                    Ok(report) => on_report(&company, &report),
                    Err(error) => tracing::warn!(
                        company_id = company.id,
                        code = error.code(),
                        "scheduled retrieval failed"
                    ),
                }
            }
            let minutes = self
                .cost_sync_interval()
                .unwrap_or(DEFAULT_INTERVAL_MINUTES);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(u64::from(minutes) * 60)) => {}
                () = self.sync_runtime().interval_changed.notified() => {}
            }
        }
    }
}

/// Why a listing or download step stopped: KSeF, or the local store.
#[derive(Debug, thiserror::Error)]
enum SyncFailure {
    #[error(transparent)]
    Ksef(#[from] ksef_client::KsefError),
    #[error(transparent)]
    Store(#[from] desk_store::StoreError),
}

/// Maps a listing failure; store failures keep their own error.
trait SyncFailureExt<T> {
    fn or_core(self, f: impl FnOnce(ksef_client::KsefError) -> CoreError) -> Result<T>;
}

impl<T> SyncFailureExt<T> for std::result::Result<T, SyncFailure> {
    fn or_core(self, f: impl FnOnce(ksef_client::KsefError) -> CoreError) -> Result<T> {
        match self {
            Ok(value) => Ok(value),
            Err(SyncFailure::Ksef(error)) => Err(f(error)),
            Err(SyncFailure::Store(error)) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;

    #[test]
    fn the_notification_counts_in_polish_and_english() {
        let says = |n, locale| {
            CostSyncReport {
                new_documents: n,
                ..CostSyncReport::default()
            }
            .notification("Firma", locale)
        };
        assert_eq!(says(0, Locale::Pl), None);
        assert_eq!(says(1, Locale::Pl).unwrap(), "Firma: 1 nowy koszt z KSeF.");
        assert_eq!(says(3, Locale::Pl).unwrap(), "Firma: 3 nowe koszty z KSeF.");
        assert_eq!(
            says(12, Locale::Pl).unwrap(),
            "Firma: 12 nowych kosztów z KSeF."
        );
        assert_eq!(
            says(22, Locale::Pl).unwrap(),
            "Firma: 22 nowe koszty z KSeF."
        );
        assert_eq!(
            says(5, Locale::En).unwrap(),
            "Firma: 5 new costs from KSeF."
        );
    }
}
