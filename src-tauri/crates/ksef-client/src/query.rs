//! Invoice metadata query, incremental high-water-mark sync, download by KSeF number,
//! and asynchronous export packages.
//!
//! ## Incremental sync rules (spec: `POST /invoices/query/metadata`, HWM docs)
//! * query by `dateType = PermanentStorage`, `sortOrder = Asc`, `from = checkpoint`,
//!   `restrictToPermanentStorageHwmDate = true` — the window `[from, HWM]` is closed:
//!   KSeF guarantees no invoice will later appear below the HWM;
//! * `hasMore && !isTruncated` → next `pageOffset` (a page index);
//! * `hasMore && isTruncated` (10 000-record cap) → `from` = the last record's
//!   `permanentStorageDate`, `pageOffset = 0`;
//! * `!hasMore` → the window is complete; the next window starts at the HWM.
//!
//! `from` is inclusive, so records exactly at a boundary come back in the next query; the
//! checkpoint remembers the KSeF numbers seen at its `from` instant and they are dropped.
//! Every page's checkpoint is exact (the last delivered date plus those seen at it), so a
//! sync interrupted anywhere resumes without gaps or repeats.
//! Result: no gaps (windows are adjacent) and no duplicates (boundary de-duplication).
//!
//! ## Windows
//! KSeF refuses a query or export whose date range exceeds 3 months, so every request
//! carries `to` = [`window_end`] of its `from` (at most 90 days, always inside 3 calendar
//! months in UTC and in Europe/Warsaw). A window that ends before the HWM is followed by
//! the next one, starting exactly at its end.
//!
//! ## Exports (`POST /invoices/exports`, "przyrostowe pobieranie faktur")
//! [`KsefClient::export_incremental`] walks the same windows with export packages: one
//! encrypted ZIP of up to 10 000 invoices plus `_metadata.json`. `isTruncated` → the next
//! export starts at `lastPermanentStorageDate`; otherwise at the window's end or the HWM.
//! The next export is started before the current package is downloaded (two in flight,
//! well under KSeF's limit of 10 per context), so KSeF prepares one while we store the other.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read as _};
use std::sync::Arc;

use chrono::{DateTime, Months, Timelike as _, Utc};
use futures::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::auth::sleep;
use crate::client::{Call, CallAuth, KsefClient};
use crate::crypto::{sha256_b64, SymmetricKey};
use crate::error::{KsefError, Result};
use crate::limiter::EndpointGroup;
use crate::model::{
    CompressionType, DateRange, DateType, ExportInvoicesResponse, InvoiceExportRequest,
    InvoiceExportStatusResponse, InvoiceMetadata, InvoicePackage, InvoicePackagePart,
    InvoiceQueryFilters, PageRequest, PublicKeyCertificateUsage, QueryInvoicesMetadataResponse,
    SortOrder, SubjectType,
};

/// KSeF exception code: invoice processed but not yet available for download.
const NOT_YET_AVAILABLE: i64 = 21165;

/// The longest window one query or export spans (the "at most 90 days").
pub const MAX_WINDOW_DAYS: i64 = 90;

/// The name of the metadata file in every export package.
const PACKAGE_METADATA: &str = "_metadata.json";

/// Where the window starting at `from` ends: 90 days later, but never past 3 calendar
/// months less a day (February–April is only 89 days, and KSeF may count the months in
/// Europe/Warsaw, whose offset changes by an hour in between). Whole seconds, so KSeF
/// echoes it exactly as the HWM of a window that ends before the real one.
pub fn window_end(from: DateTime<Utc>) -> DateTime<Utc> {
    let days = from + chrono::Duration::days(MAX_WINDOW_DAYS);
    let months = from
        .checked_add_months(Months::new(3))
        .map(|m| m - chrono::Duration::days(1));
    let end = months.map_or(days, |m| m.min(days));
    end.with_nanosecond(0).unwrap_or(end)
}

/// Where the next window starts once a window `[_, to]` was read completely and KSeF
/// reported `hwm`: at `to` when the HWM is past it, otherwise nowhere (up to date).
fn next_window(to: DateTime<Utc>, hwm: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    hwm.filter(|h| *h >= to).map(|_| to)
}

/// Where an incremental sync resumes. Store it after processing each page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCheckpoint {
    /// Inclusive start of the next window (`permanentStorageDate`).
    pub from: DateTime<Utc>,
    /// KSeF numbers already delivered whose `permanentStorageDate == from`.
    pub seen_at_from: Vec<String>,
}

impl SyncCheckpoint {
    /// A first sync starting at `from` (e.g. the company's KSeF start date).
    pub fn starting_at(from: DateTime<Utc>) -> Self {
        Self {
            from,
            seen_at_from: Vec::new(),
        }
    }
}

/// One page of an incremental sync.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncPage {
    /// Invoices not delivered before (in `permanentStorageDate` order).
    pub invoices: Vec<InvoiceMetadata>,
    /// Resume point once `invoices` are stored.
    pub checkpoint: SyncCheckpoint,
    /// HWM reported by KSeF for this query.
    pub hwm: Option<DateTime<Utc>>,
    /// True for the last page of the run: everything up to the HWM was delivered.
    pub complete: bool,
}

/// Incremental sync parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// `Subject1` = sales (I am the seller), `Subject2` = costs (I am the buyer).
    pub subject_type: SubjectType,
    /// 10..=250.
    pub page_size: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            subject_type: SubjectType::Subject2,
            page_size: 250,
        }
    }
}

/// A running export: its reference and the key the package is encrypted with.
#[derive(Clone, Debug)]
pub struct ExportHandle {
    /// Export reference number.
    pub reference_number: String,
    key: Arc<SymmetricKey>,
}

struct SyncState {
    client: KsefClient,
    options: SyncOptions,
    cancel: CancellationToken,
    window_from: DateTime<Utc>,
    page_offset: u32,
    seen: Seen,
    done: bool,
}

/// KSeF numbers delivered at or after the current `from` (with their dates), to drop
/// the repeats an inclusive `from` brings back; older ones are forgotten.
#[derive(Default)]
struct Seen(HashMap<String, DateTime<Utc>>);

impl Seen {
    fn from_checkpoint(checkpoint: &SyncCheckpoint) -> Seen {
        Seen(
            checkpoint
                .seen_at_from
                .iter()
                .map(|k| (k.clone(), checkpoint.from))
                .collect(),
        )
    }

    /// True when `ksef_number` was not delivered before.
    fn first_time(&mut self, ksef_number: &str, at: DateTime<Utc>) -> bool {
        self.0.insert(ksef_number.to_owned(), at).is_none()
    }

    fn forget_before(&mut self, from: DateTime<Utc>) {
        self.0.retain(|_, d| *d >= from);
    }

    fn checkpoint_at(&self, from: DateTime<Utc>) -> SyncCheckpoint {
        let mut seen_at_from: Vec<String> = self
            .0
            .iter()
            .filter(|(_, d)| **d == from)
            .map(|(k, _)| k.clone())
            .collect();
        seen_at_from.sort();
        SyncCheckpoint { from, seen_at_from }
    }
}

/// The filters of one window of the incremental sync.
fn window_filters(subject_type: SubjectType, from: DateTime<Utc>) -> InvoiceQueryFilters {
    InvoiceQueryFilters::new(
        subject_type,
        DateRange {
            date_type: DateType::PermanentStorage,
            from,
            to: Some(window_end(from)),
            restrict_to_permanent_storage_hwm_date: Some(true),
        },
    )
}

impl SyncState {
    fn move_to(&mut self, from: DateTime<Utc>) {
        self.window_from = from;
        self.page_offset = 0;
        self.seen.forget_before(from);
    }

    async fn step(&mut self) -> Result<SyncPage> {
        let filters = window_filters(self.options.subject_type, self.window_from);
        let page = PageRequest {
            page_offset: self.page_offset,
            page_size: self.options.page_size,
            sort_order: SortOrder::Asc,
        };
        let resp = self
            .client
            .query_metadata(&filters, page, &self.cancel)
            .await?;
        let mut fresh = Vec::new();
        for inv in &resp.invoices {
            if self
                .seen
                .first_time(&inv.ksef_number, inv.permanent_storage_date)
            {
                fresh.push(inv.clone());
            }
        }
        let last = resp.invoices.last().map(|i| i.permanent_storage_date);
        let checkpoint = if resp.has_more {
            let Some(last) = last else {
                return Err(KsefError::InvalidResponse {
                    operation: "invoices.query.metadata",
                    reason: "hasMore with an empty page".into(),
                });
            };
            if resp.is_truncated {
                // 10 000-record cap: a new query from the last record's date.
                self.move_to(last.max(self.window_from));
            } else {
                self.page_offset += 1;
            }
            // Results are ascending by permanentStorageDate, so everything before `last`
            // has been delivered: resuming from `last` (minus the ones seen there) is exact.
            self.seen.checkpoint_at(last.max(self.window_from))
        } else {
            let to = window_end(self.window_from);
            match next_window(to, resp.permanent_storage_hwm_date) {
                Some(next) => self.move_to(next),
                None => {
                    self.done = true;
                    let end = resp
                        .permanent_storage_hwm_date
                        .or(last)
                        .unwrap_or(self.window_from)
                        .clamp(self.window_from, to);
                    self.move_to(end);
                }
            }
            self.seen.checkpoint_at(self.window_from)
        };
        Ok(SyncPage {
            invoices: fresh,
            checkpoint,
            hwm: resp.permanent_storage_hwm_date,
            complete: self.done,
        })
    }
}

/// One export package of an incremental export sync, downloaded and decrypted.
pub struct ExportedPackage {
    /// Invoices not delivered before, from `_metadata.json` (ascending by
    /// `permanentStorageDate`). Their XML comes from [`ExportedPackage::invoice_xml`].
    pub invoices: Vec<InvoiceMetadata>,
    /// Resume point once `invoices` are stored.
    pub checkpoint: SyncCheckpoint,
    /// True for the last package of the run: everything up to the HWM was delivered.
    pub complete: bool,
    archive: zip::ZipArchive<Cursor<Vec<u8>>>,
}

impl std::fmt::Debug for ExportedPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedPackage")
            .field("invoices", &self.invoices.len())
            .field("checkpoint", &self.checkpoint)
            .field("complete", &self.complete)
            .finish_non_exhaustive()
    }
}

impl ExportedPackage {
    /// The original XML of `invoice` (`{ksefNumber}.xml`), checked against the hash its
    /// metadata declares. `Ok(None)` when the package lacks the file.
    pub fn invoice_xml(&mut self, invoice: &InvoiceMetadata) -> Result<Option<Vec<u8>>> {
        let bad = |reason: String| KsefError::InvalidResponse {
            operation: "invoices.exports.package",
            reason,
        };
        let name = format!("{}.xml", invoice.ksef_number);
        let mut file = match self.archive.by_name(&name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(bad(format!("{name}: {e}"))),
        };
        let mut xml = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
        file.read_to_end(&mut xml)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        let hash = sha256_b64(&xml);
        if hash != invoice.invoice_hash {
            return Err(KsefError::IntegrityMismatch {
                what: "exported invoice",
                expected: invoice.invoice_hash.clone(),
                actual: hash,
            });
        }
        Ok(Some(xml))
    }
}

/// The package's `_metadata.json`: `{"invoices": [InvoiceMetadata]}`.
#[derive(Deserialize)]
struct PackageMetadata {
    invoices: Vec<InvoiceMetadata>,
}

/// An export started for the window beginning at `from`.
struct StartedExport {
    handle: ExportHandle,
    from: DateTime<Utc>,
}

struct ExportState {
    client: KsefClient,
    subject_type: SubjectType,
    cancel: CancellationToken,
    next: Option<StartedExport>,
    seen: Seen,
}

impl ExportState {
    async fn start(&self, from: DateTime<Utc>) -> Result<StartedExport> {
        let filters = window_filters(self.subject_type, from);
        let handle = self
            .client
            .start_export(&filters, false, &self.cancel)
            .await?;
        tracing::debug!(
            reference = %handle.reference_number,
            %from,
            "invoice export started"
        );
        Ok(StartedExport { handle, from })
    }

    async fn step(&mut self, started: StartedExport) -> Result<ExportedPackage> {
        let invalid = |reason: &str| KsefError::InvalidResponse {
            operation: "invoices.exports.status",
            reason: reason.to_owned(),
        };
        let package = self
            .client
            .wait_for_export(&started.handle, &self.cancel)
            .await?;
        let to = window_end(started.from);
        // Where the next export starts, if anywhere — decided before downloading this
        // one, so KSeF can prepare it meanwhile.
        let next_from = if package.is_truncated {
            let last = package
                .last_permanent_storage_date
                .ok_or_else(|| invalid("a truncated package without lastPermanentStorageDate"))?;
            Some(last.max(started.from))
        } else {
            next_window(to, package.permanent_storage_hwm_date)
        };
        if let Some(from) = next_from {
            self.next = Some(self.start(from).await?);
        }
        let mut archive = Vec::new();
        for part in sorted_parts(&package) {
            let plain = self
                .client
                .download_export_part(&started.handle, part, &self.cancel)
                .await?;
            archive.extend_from_slice(&plain);
        }
        let mut archive =
            zip::ZipArchive::new(Cursor::new(archive)).map_err(|e| KsefError::InvalidResponse {
                operation: "invoices.exports.package",
                reason: format!("not a ZIP archive: {e}"),
            })?;
        let listed: PackageMetadata = {
            let mut file =
                archive
                    .by_name(PACKAGE_METADATA)
                    .map_err(|e| KsefError::InvalidResponse {
                        operation: "invoices.exports.package",
                        reason: format!("{PACKAGE_METADATA}: {e}"),
                    })?;
            let mut json = Vec::new();
            file.read_to_end(&mut json)
                .map_err(|e| KsefError::InvalidResponse {
                    operation: "invoices.exports.package",
                    reason: format!("{PACKAGE_METADATA}: {e}"),
                })?;
            serde_json::from_slice(&json).map_err(|e| KsefError::InvalidResponse {
                operation: "invoices.exports.package",
                reason: format!("{PACKAGE_METADATA}: {e}"),
            })?
        };
        let invoices: Vec<InvoiceMetadata> = listed
            .invoices
            .into_iter()
            .filter(|i| {
                self.seen
                    .first_time(&i.ksef_number, i.permanent_storage_date)
            })
            .collect();
        let (checkpoint, complete) = match next_from {
            Some(from) => {
                self.seen.forget_before(from);
                (self.seen.checkpoint_at(from), false)
            }
            None => {
                let last = invoices.last().map(|i| i.permanent_storage_date);
                let end = package
                    .permanent_storage_hwm_date
                    .or(last)
                    .unwrap_or(started.from)
                    .clamp(started.from, to);
                self.seen.forget_before(end);
                (self.seen.checkpoint_at(end), true)
            }
        };
        Ok(ExportedPackage {
            invoices,
            checkpoint,
            complete,
            archive,
        })
    }
}

/// The package's parts in their ordinal order (the archive is their concatenation).
fn sorted_parts(package: &InvoicePackage) -> Vec<&InvoicePackagePart> {
    let mut parts: Vec<&InvoicePackagePart> = package.parts.iter().collect();
    parts.sort_by_key(|p| p.ordinal_number);
    parts
}

impl KsefClient {
    /// One page of invoice metadata (`POST /invoices/query/metadata`).
    pub async fn query_metadata(
        &self,
        filters: &InvoiceQueryFilters,
        page: PageRequest,
        cancel: &CancellationToken,
    ) -> Result<QueryInvoicesMetadataResponse> {
        let mut url = self.inner.url("invoices/query/metadata")?;
        url.query_pairs_mut()
            .append_pair("sortOrder", page.sort_order.as_str())
            .append_pair("pageOffset", &page.page_offset.to_string())
            .append_pair("pageSize", &page.page_size.clamp(10, 250).to_string());
        // A read: safe to retry.
        let call = Call::new(
            "invoices.query.metadata",
            Method::POST,
            url,
            EndpointGroup::InvoiceMetadata,
        )
        .idempotent(true)
        .json(filters)?;
        self.inner.call_json(call, cancel).await
    }

    /// Incremental, gap-free, duplicate-free sync from `checkpoint` up to KSeF's HWM, as a
    /// stream of pages. Store each page's invoices and then its checkpoint.
    pub fn sync_incremental(
        &self,
        options: SyncOptions,
        checkpoint: SyncCheckpoint,
        cancel: CancellationToken,
    ) -> impl Stream<Item = Result<SyncPage>> + Send + 'static {
        let state = SyncState {
            client: self.clone(),
            options,
            cancel,
            window_from: checkpoint.from,
            page_offset: 0,
            seen: Seen::from_checkpoint(&checkpoint),
            done: false,
        };
        futures::stream::try_unfold(state, |mut state| async move {
            if state.done {
                return Ok(None);
            }
            let page = state.step().await?;
            Ok(Some((page, state)))
        })
    }

    /// Incremental sync through export packages (recommended by KSeF for volume): from
    /// `checkpoint` up to the HWM, one downloaded package at a time. Store each
    /// package's invoices and then its checkpoint; the same gap- and repeat-free rules
    /// as [`KsefClient::sync_incremental`] hold.
    pub fn export_incremental(
        &self,
        subject_type: SubjectType,
        checkpoint: SyncCheckpoint,
        cancel: CancellationToken,
    ) -> impl Stream<Item = Result<ExportedPackage>> + Send + 'static {
        let state = ExportState {
            client: self.clone(),
            subject_type,
            cancel,
            next: None,
            seen: Seen::from_checkpoint(&checkpoint),
        };
        let first = checkpoint.from;
        futures::stream::try_unfold((state, Some(first)), |(mut state, first)| async move {
            let started = match (first, state.next.take()) {
                (Some(from), _) => state.start(from).await?,
                (None, Some(next)) => next,
                (None, None) => return Ok(None),
            };
            let package = state.step(started).await?;
            Ok(Some((package, (state, None))))
        })
    }

    /// Downloads one invoice's XML by KSeF number (`GET /invoices/ksef/{ksefNumber}`),
    /// verifying `x-ms-meta-hash` when present. Waits (up to the invoice poll timeout) while
    /// KSeF answers 21165 "not yet available" for a just-accepted invoice.
    pub async fn download_invoice(
        &self,
        ksef_number: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>> {
        let path = format!("invoices/ksef/{ksef_number}");
        let started = Instant::now();
        let mut delay = self.inner.config.poll.initial;
        loop {
            let call = Call::new(
                "invoices.download",
                Method::GET,
                self.inner.url(&path)?,
                EndpointGroup::InvoiceDownload,
            )
            .accept(Some("application/xml"));
            match self
                .fetch_document(call, "invoice", ksef_number, cancel)
                .await
            {
                Ok(doc) => return Ok(doc.xml),
                // 21165: accepted but not yet permanently stored — KSeF says "try again later".
                Err(e)
                    if e.ksef_codes().contains(&NOT_YET_AVAILABLE)
                        && started.elapsed() < self.inner.config.poll.invoice_timeout =>
                {
                    tracing::debug!(
                        ksef_number,
                        "invoice not yet available for download; waiting"
                    );
                    sleep(delay, cancel).await?;
                    delay = (delay * 2).min(self.inner.config.poll.max);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Starts an export package (`POST /invoices/exports`) encrypted with a fresh key.
    pub async fn start_export(
        &self,
        filters: &InvoiceQueryFilters,
        only_metadata: bool,
        cancel: &CancellationToken,
    ) -> Result<ExportHandle> {
        let mf = self
            .inner
            .mf_key(PublicKeyCertificateUsage::SymmetricKeyEncryption, cancel)
            .await?;
        let key = SymmetricKey::generate();
        let body = InvoiceExportRequest {
            encryption: key.encryption_info(&mf, None)?,
            only_metadata,
            filters: filters.clone(),
            compression_type: Some(CompressionType::Zip),
        };
        let call = Call::new(
            "invoices.exports.start",
            Method::POST,
            self.inner.url("invoices/exports")?,
            EndpointGroup::InvoiceExport,
        )
        .json(&body)?;
        let r: ExportInvoicesResponse = self.inner.call_json(call, cancel).await?;
        Ok(ExportHandle {
            reference_number: r.reference_number,
            key: Arc::new(key),
        })
    }

    /// Export status (`GET /invoices/exports/{ref}`).
    pub async fn export_status(
        &self,
        reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<InvoiceExportStatusResponse> {
        let path = format!("invoices/exports/{reference_number}");
        let call = Call::new(
            "invoices.exports.status",
            Method::GET,
            self.inner.url(&path)?,
            EndpointGroup::InvoiceExportStatus,
        );
        self.inner.call_json(call, cancel).await
    }

    /// Polls an export until its package is ready.
    pub async fn wait_for_export(
        &self,
        handle: &ExportHandle,
        cancel: &CancellationToken,
    ) -> Result<InvoicePackage> {
        let started = Instant::now();
        let mut delay = self.inner.config.poll.initial;
        loop {
            let s = self.export_status(&handle.reference_number, cancel).await?;
            match (s.status.code, s.package) {
                (100, _) => {}
                (200, Some(p)) => return Ok(p),
                _ => {
                    return Err(KsefError::SessionFailed {
                        reference_number: handle.reference_number.clone(),
                        status: s.status.to_detail(),
                    })
                }
            }
            if started.elapsed() >= self.inner.config.poll.session_timeout {
                return Err(KsefError::WaitTimeout {
                    what: "export",
                    after: started.elapsed(),
                });
            }
            sleep(delay, cancel).await?;
            delay = (delay * 2).min(self.inner.config.poll.max);
        }
    }

    /// Downloads one package part from its pre-signed URL, checks both hashes, decrypts.
    pub async fn download_export_part(
        &self,
        handle: &ExportHandle,
        part: &InvoicePackagePart,
        cancel: &CancellationToken,
    ) -> Result<Vec<u8>> {
        let url = url::Url::parse(&part.url).map_err(|e| KsefError::InvalidResponse {
            operation: "invoices.exports.part",
            reason: format!("bad part URL: {e}"),
        })?;
        let method = Method::from_bytes(part.method.as_bytes()).unwrap_or(Method::GET);
        let call = Call::new(
            "invoices.exports.part",
            method,
            url,
            EndpointGroup::Unlimited,
        )
        .auth(CallAuth::None)
        .accept(None)
        .idempotent(true);
        let mut call = call;
        call.timeout = Some(self.inner.config.transfer_timeout);
        let r = self.inner.send(&call, cancel).await?;
        let enc_hash = sha256_b64(&r.body);
        // The storage's own hash of what it sent (spec: `x-ms-meta-hash`, the encrypted part).
        if let Some(sent) = r.header("x-ms-meta-hash") {
            if sent != enc_hash {
                return Err(KsefError::IntegrityMismatch {
                    what: "export part (x-ms-meta-hash)",
                    expected: sent,
                    actual: enc_hash,
                });
            }
        }
        if enc_hash != part.encrypted_part_hash {
            return Err(KsefError::IntegrityMismatch {
                what: "export part (encrypted)",
                expected: part.encrypted_part_hash.clone(),
                actual: enc_hash,
            });
        }
        let plain = handle.key.decrypt(&r.body)?;
        let hash = sha256_b64(&plain);
        if hash != part.part_hash {
            return Err(KsefError::IntegrityMismatch {
                what: "export part",
                expected: part.part_hash.clone(),
                actual: hash,
            });
        }
        Ok(plain)
    }
}

/// De-duplicates by KSeF number, keeping first occurrences (helper for callers merging
/// results of overlapping queries, e.g. the "up to now" strategy).
pub fn dedupe_by_ksef_number(invoices: Vec<InvoiceMetadata>) -> Vec<InvoiceMetadata> {
    let mut seen = HashSet::new();
    invoices
        .into_iter()
        .filter(|i| seen.insert(i.ksef_number.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_window_is_at_most_90_days_and_inside_three_calendar_months() {
        let at = |y, m, d, s| Utc.with_ymd_and_hms(y, m, d, 0, 0, s).unwrap();
        // February to April is only 89 days: the month bound (less a day) wins.
        assert_eq!(window_end(at(2026, 2, 1, 0)), at(2026, 4, 30, 0));
        // March to May is 92 days: 90 days.
        assert_eq!(window_end(at(2026, 3, 1, 0)), at(2026, 5, 30, 0));
        // Whole seconds, so KSeF's echo of it compares equal.
        let from = at(2026, 3, 1, 7) + chrono::Duration::microseconds(123_456);
        assert_eq!(window_end(from), at(2026, 5, 30, 7));
    }

    #[test]
    fn the_next_window_starts_at_the_end_only_when_the_hwm_is_past_it() {
        let to = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        assert_eq!(next_window(to, Some(to)), Some(to));
        assert_eq!(
            next_window(to, Some(to + chrono::Duration::days(3))),
            Some(to)
        );
        assert_eq!(
            next_window(to, Some(to - chrono::Duration::seconds(1))),
            None
        );
        assert_eq!(next_window(to, None), None);
    }
}
