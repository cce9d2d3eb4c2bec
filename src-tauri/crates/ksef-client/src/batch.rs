//! Batch sessions: ZIP the invoices, split the archive into parts within the documented
//! limits, encrypt each part with the session key, open, upload the parts to their
//! pre-signed URLs, close. Status and UPO work as for online sessions.

use std::io::Write;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use tokio_util::sync::CancellationToken;

use crate::client::{Call, CallAuth, CallBody, KsefClient};
use crate::crypto::{sha256_b64, SymmetricKey};
use crate::error::{KsefError, Result};
use crate::limiter::EndpointGroup;
use crate::model::{
    BatchFileInfo, BatchFilePartInfo, CompressionType, FormCode, OpenBatchSessionRequest,
    OpenBatchSessionResponse, PublicKeyCertificateUsage,
};
use crate::session::MAX_INVOICE_SIZE;

/// Largest part before encryption: 100 MB (decimal, to stay under either reading of "MB").
pub const MAX_PART_SIZE: usize = 100_000_000;
/// Most parts per batch (`BatchFileInfo.fileParts.maxItems`).
pub const MAX_PARTS: usize = 50;
/// Largest whole archive (`BatchFileInfo.fileSize.maximum`).
pub const MAX_ARCHIVE_SIZE: u64 = 5_000_000_000;
/// Most invoices per session.
pub const MAX_INVOICES_PER_SESSION: usize = 10_000;

/// One invoice file for the archive.
#[derive(Clone)]
pub struct BatchFile {
    /// File name inside the ZIP (e.g. `FA_1_2026.xml`); must be unique.
    pub name: String,
    /// Invoice XML bytes.
    pub xml: Vec<u8>,
}

impl std::fmt::Debug for BatchFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchFile")
            .field("name", &self.name)
            .field("size", &self.xml.len())
            .finish()
    }
}

/// Options of a batch send.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Form code of all invoices.
    pub form_code: FormCode,
    /// Offline mode.
    pub offline_mode: bool,
    /// Part size before encryption (1..=[`MAX_PART_SIZE`]).
    pub part_size: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            form_code: FormCode::fa3(),
            offline_mode: false,
            part_size: MAX_PART_SIZE,
        }
    }
}

/// An opened-and-closed batch session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSession {
    /// Session reference number (status and UPO as for online sessions).
    pub reference_number: String,
    /// Number of invoices in the archive.
    pub invoice_count: usize,
    /// Number of parts uploaded.
    pub part_count: usize,
    /// Plain archive size.
    pub archive_size: u64,
}

/// The ZIP archive of the invoices (deflate). Checks the documented limits first.
pub fn build_zip(files: &[BatchFile]) -> Result<Vec<u8>> {
    if files.is_empty() || files.len() > MAX_INVOICES_PER_SESSION {
        return Err(KsefError::Limit(format!(
            "batch of {} invoices outside 1..={MAX_INVOICES_PER_SESSION}",
            files.len()
        )));
    }
    let mut names = std::collections::HashSet::new();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        if f.xml.is_empty() || f.xml.len() > MAX_INVOICE_SIZE {
            return Err(KsefError::Limit(format!(
                "invoice {} has {} bytes",
                f.name,
                f.xml.len()
            )));
        }
        if !names.insert(f.name.as_str()) {
            return Err(KsefError::Archive(format!(
                "duplicate file name {}",
                f.name
            )));
        }
        zip.start_file(f.name.as_str(), options)
            .map_err(|e| KsefError::Archive(e.to_string()))?;
        zip.write_all(&f.xml)
            .map_err(|e| KsefError::Archive(e.to_string()))?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| KsefError::Archive(e.to_string()))?;
    Ok(cursor.into_inner())
}

/// Splits the plain archive into parts of at most `part_size` bytes.
pub fn split_parts(archive: &[u8], part_size: usize) -> Result<Vec<&[u8]>> {
    if part_size == 0 || part_size > MAX_PART_SIZE {
        return Err(KsefError::Limit(format!(
            "part size {part_size} outside 1..={MAX_PART_SIZE}"
        )));
    }
    if archive.len() as u64 > MAX_ARCHIVE_SIZE {
        return Err(KsefError::Limit(format!(
            "archive of {} bytes exceeds {MAX_ARCHIVE_SIZE}",
            archive.len()
        )));
    }
    let parts: Vec<&[u8]> = archive.chunks(part_size).collect();
    if parts.is_empty() || parts.len() > MAX_PARTS {
        return Err(KsefError::Limit(format!(
            "{} parts outside 1..={MAX_PARTS}",
            parts.len()
        )));
    }
    Ok(parts)
}

/// An encrypted, described batch ready to open.
pub(crate) struct PreparedBatch {
    pub info: BatchFileInfo,
    pub encrypted_parts: Vec<Vec<u8>>,
}

pub(crate) fn prepare(
    archive: &[u8],
    part_size: usize,
    key: &SymmetricKey,
) -> Result<PreparedBatch> {
    let parts = split_parts(archive, part_size)?;
    let mut infos = Vec::with_capacity(parts.len());
    let mut encrypted_parts = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        let enc = key.encrypt(p);
        infos.push(BatchFilePartInfo {
            ordinal_number: i32::try_from(i + 1).unwrap_or(i32::MAX),
            file_size: enc.len() as u64,
            file_hash: sha256_b64(&enc),
        });
        encrypted_parts.push(enc);
    }
    Ok(PreparedBatch {
        info: BatchFileInfo {
            file_size: archive.len() as u64,
            file_hash: sha256_b64(archive),
            compression_type: Some(CompressionType::Zip),
            file_parts: infos,
        },
        encrypted_parts,
    })
}

impl KsefClient {
    /// Sends invoices in one batch session: ZIP, split, encrypt, `POST /sessions/batch`,
    /// upload every part (in parallel, retried: PUT is idempotent), then close.
    /// Wait for the result with [`KsefClient::wait_for_session`].
    pub async fn send_batch(
        &self,
        files: &[BatchFile],
        options: &BatchOptions,
        cancel: &CancellationToken,
    ) -> Result<BatchSession> {
        let archive = build_zip(files)?;
        let key = SymmetricKey::generate();
        let prepared = prepare(&archive, options.part_size, &key)?;
        let mf = self
            .inner
            .mf_key(PublicKeyCertificateUsage::SymmetricKeyEncryption, cancel)
            .await?;
        let body = OpenBatchSessionRequest {
            form_code: options.form_code.clone(),
            batch_file: prepared.info.clone(),
            encryption: key.encryption_info(&mf, None)?,
            offline_mode: options.offline_mode,
        };
        let call = Call::new(
            "sessions.batch.open",
            Method::POST,
            self.inner.url("sessions/batch")?,
            EndpointGroup::BatchSession,
        )
        .json(&body)?;
        let opened: OpenBatchSessionResponse = self.inner.call_json(call, cancel).await?;
        tracing::info!(session = %opened.reference_number, parts = prepared.encrypted_parts.len(), invoices = files.len(), "batch session opened");

        let parts = Arc::new(prepared.encrypted_parts);
        let mut uploads = Vec::with_capacity(parts.len());
        for (i, _) in parts.iter().enumerate() {
            let ordinal = i32::try_from(i + 1).unwrap_or(i32::MAX);
            let req = opened
                .part_upload_requests
                .iter()
                .find(|r| r.ordinal_number == ordinal)
                .cloned()
                .ok_or(KsefError::InvalidResponse {
                    operation: "sessions.batch.open",
                    reason: format!("no upload URL for part {ordinal}"),
                })?;
            uploads.push((i, req));
        }
        let inner = self.inner.clone();
        futures::stream::iter(uploads)
            .map(|(i, req)| {
                let inner = inner.clone();
                let parts = parts.clone();
                async move {
                    let url =
                        url::Url::parse(&req.url).map_err(|e| KsefError::InvalidResponse {
                            operation: "sessions.batch.open",
                            reason: format!("bad upload URL: {e}"),
                        })?;
                    let method = Method::from_bytes(req.method.as_bytes()).map_err(|_| {
                        KsefError::InvalidResponse {
                            operation: "sessions.batch.open",
                            reason: "bad upload method".into(),
                        }
                    })?;
                    let mut call = Call::new(
                        "sessions.batch.upload_part",
                        method,
                        url,
                        EndpointGroup::Unlimited,
                    )
                    .auth(CallAuth::None)
                    .accept(None)
                    .idempotent(true);
                    call.timeout = Some(inner.config.transfer_timeout);
                    call.body = CallBody::Raw(parts.get(i).cloned().unwrap_or_default());
                    call.headers = req
                        .headers
                        .iter()
                        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
                        .collect();
                    inner.send(&call, cancel).await.map(|_| ())
                }
            })
            .buffer_unordered(self.inner.config.max_parallel_uploads.max(1))
            .try_collect::<Vec<()>>()
            .await
            .map_err(|e| match e {
                KsefError::Cancelled => KsefError::Cancelled,
                e => KsefError::BatchUpload {
                    reference_number: opened.reference_number.clone(),
                    source: Box::new(e),
                },
            })?;

        self.close_batch_session(&opened.reference_number, cancel)
            .await?;
        Ok(BatchSession {
            reference_number: opened.reference_number,
            invoice_count: files.len(),
            part_count: parts.len(),
            archive_size: archive.len() as u64,
        })
    }

    /// Closes a batch session (`POST /sessions/batch/{ref}/close`): KSeF starts processing.
    pub async fn close_batch_session(
        &self,
        session_reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let path = format!("sessions/batch/{session_reference_number}/close");
        let call = Call::new(
            "sessions.batch.close",
            Method::POST,
            self.inner.url(&path)?,
            EndpointGroup::BatchSession,
        );
        self.inner.send(&call, cancel).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn files(n: usize) -> Vec<BatchFile> {
        (0..n)
            .map(|i| BatchFile {
                name: format!("inv-{i}.xml"),
                xml: format!("<Faktura n=\"{i}\"/>").into_bytes(),
            })
            .collect()
    }

    #[test]
    fn zip_round_trips() {
        let z = build_zip(&files(3)).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert_eq!(archive.len(), 3);
        let mut s = String::new();
        archive
            .by_name("inv-1.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "<Faktura n=\"1\"/>");
    }

    #[test]
    fn limits_are_enforced() {
        assert!(matches!(build_zip(&[]), Err(KsefError::Limit(_))));
        assert!(matches!(
            build_zip(&files(MAX_INVOICES_PER_SESSION + 1)),
            Err(KsefError::Limit(_))
        ));
        let mut dup = files(2);
        dup[1].name = dup[0].name.clone();
        assert!(matches!(build_zip(&dup), Err(KsefError::Archive(_))));
        assert!(split_parts(&[1, 2, 3], 0).is_err());
        assert!(split_parts(&[1, 2, 3], MAX_PART_SIZE + 1).is_err());
        assert!(matches!(
            split_parts(&[0u8; 51], 1),
            Err(KsefError::Limit(_))
        ));
        assert_eq!(split_parts(&[0u8; 50], 1).unwrap().len(), 50);
    }

    #[test]
    fn parts_are_encrypted_and_described() {
        let key = SymmetricKey::generate();
        let archive = build_zip(&files(200)).unwrap();
        let prepared = prepare(&archive, 1000, &key).unwrap();
        let n = archive.len().div_ceil(1000);
        assert_eq!(prepared.info.file_parts.len(), n);
        assert_eq!(prepared.info.file_size, archive.len() as u64);
        assert_eq!(prepared.info.file_hash, sha256_b64(&archive));
        let mut joined = Vec::new();
        for (i, (info, enc)) in prepared
            .info
            .file_parts
            .iter()
            .zip(&prepared.encrypted_parts)
            .enumerate()
        {
            assert_eq!(info.ordinal_number as usize, i + 1);
            assert_eq!(info.file_size, enc.len() as u64);
            assert_eq!(info.file_hash, sha256_b64(enc));
            joined.extend(key.decrypt(enc).unwrap());
        }
        assert_eq!(joined, archive);
    }
}
