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

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
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
    seen: HashMap<String, DateTime<Utc>>,
    done: bool,
}

impl SyncState {
    fn checkpoint_at(&self, from: DateTime<Utc>) -> SyncCheckpoint {
        let mut seen_at_from: Vec<String> = self
            .seen
            .iter()
            .filter(|(_, d)| **d == from)
            .map(|(k, _)| k.clone())
            .collect();
        seen_at_from.sort();
        SyncCheckpoint { from, seen_at_from }
    }

    async fn step(&mut self) -> Result<SyncPage> {
        let filters = InvoiceQueryFilters::new(
            self.options.subject_type,
            DateRange {
                date_type: DateType::PermanentStorage,
                from: self.window_from,
                to: None,
                restrict_to_permanent_storage_hwm_date: Some(true),
            },
        );
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
                .insert(inv.ksef_number.clone(), inv.permanent_storage_date)
                .is_none()
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
                self.window_from = last.max(self.window_from);
                self.page_offset = 0;
            } else {
                self.page_offset += 1;
            }
            // Results are ascending by permanentStorageDate, so everything before `last`
            // has been delivered: resuming from `last` (minus the ones seen there) is exact.
            self.checkpoint_at(last.max(self.window_from))
        } else {
            self.done = true;
            let end = resp
                .permanent_storage_hwm_date
                .or(last)
                .unwrap_or(self.window_from)
                .max(self.window_from);
            self.window_from = end;
            self.checkpoint_at(end)
        };
        Ok(SyncPage {
            invoices: fresh,
            checkpoint,
            hwm: resp.permanent_storage_hwm_date,
            complete: self.done,
        })
    }
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
        let seen = checkpoint
            .seen_at_from
            .iter()
            .map(|k| (k.clone(), checkpoint.from))
            .collect();
        let state = SyncState {
            client: self.clone(),
            options,
            cancel,
            window_from: checkpoint.from,
            page_offset: 0,
            seen,
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
