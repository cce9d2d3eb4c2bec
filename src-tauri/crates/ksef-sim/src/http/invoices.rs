//! Invoice metadata query, download by KSeF number, and export packages.

use std::io::Write as _;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Months, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Europe::Warsaw;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::config::{Permission, QueryWindow};
use crate::crypto;
use crate::ids::{self, RefKind};
use crate::state::{
    chrono_dur, AppState, Export, ExportPackage, ExportPart, Presigned, SessionFailure,
};
use crate::store::{
    fmt_dt, AmountColumn, DateColumn, InvoiceQuery, PageStart, StoredInvoice, Subject,
};

const READ: &[Permission] = &[Permission::InvoiceRead];

/// A date-time as KSeF reads it: with `Z` or an explicit offset, or without an offset
/// as Europe/Warsaw local time (SPEC `InvoiceQueryFilters.dateRange`).
fn flexible_dt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    let Some(s) = s else { return Ok(None) };
    if let Ok(dt) = DateTime::parse_from_rfc3339(&s) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|_| serde::de::Error::custom(format!("nieprawidłowa data '{s}'")))?;
    warsaw_local(naive)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("nieprawidłowa data '{s}'")))
}

/// A Polish wall-clock time as an instant: the earlier one when the clock goes back,
/// the first valid minute after a spring-forward gap.
fn warsaw_local(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    Warsaw
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            Warsaw
                .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|d| d.with_timezone(&Utc))
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DateRange {
    date_type: String,
    #[serde(deserialize_with = "flexible_dt")]
    from: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "flexible_dt")]
    to: Option<DateTime<Utc>>,
    #[serde(default)]
    restrict_to_permanent_storage_hwm_date: Option<bool>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Amount {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    from: Option<f64>,
    #[serde(default)]
    to: Option<f64>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BuyerIdentifier {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    value: Option<String>,
}

/// SPEC `InvoiceQueryFilters`.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Filters {
    subject_type: String,
    date_range: DateRange,
    #[serde(default)]
    ksef_number: Option<String>,
    #[serde(default)]
    invoice_number: Option<String>,
    #[serde(default)]
    amount: Option<Amount>,
    #[serde(default)]
    seller_nip: Option<String>,
    #[serde(default)]
    buyer_identifier: Option<BuyerIdentifier>,
    #[serde(default)]
    currency_codes: Option<Vec<String>>,
    #[serde(default)]
    invoicing_mode: Option<String>,
    #[serde(default)]
    is_self_invoicing: Option<bool>,
    #[serde(default)]
    form_type: Option<String>,
    #[serde(default)]
    invoice_types: Option<Vec<String>>,
    #[serde(default)]
    has_attachment: Option<bool>,
}

/// Whether `from..=to` fits the allowed query window. With a window in months the
/// range passes if it fits in UTC or in Polish time (SPEC `dateRange`: "3 miesiące w
/// strefie UTC lub w strefie Europe/Warsaw").
fn within_window(window: QueryWindow, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    match window {
        QueryWindow::Months(m) => {
            let fits = |from: NaiveDateTime, to: NaiveDateTime| {
                from.checked_add_months(Months::new(m))
                    .is_some_and(|end| to <= end)
            };
            fits(from.naive_utc(), to.naive_utc())
                || fits(
                    from.with_timezone(&Warsaw).naive_local(),
                    to.with_timezone(&Warsaw).naive_local(),
                )
        }
        QueryWindow::Days(d) => to - from <= chrono::Duration::days(i64::from(d)),
    }
}

/// A validated query: what the store runs (`None`: nothing can match), and the HWM.
pub(crate) struct Plan {
    query: Option<InvoiceQuery>,
    hwm: Option<DateTime<Utc>>,
}

fn plan(state: &AppState, nip: &str, f: &Filters, descending: bool) -> Result<Plan, ApiError> {
    let date = match f.date_range.date_type.as_str() {
        "Issue" => DateColumn::Issue,
        "Invoicing" => DateColumn::Invoicing,
        "PermanentStorage" => DateColumn::PermanentStorage,
        other => {
            return Err(ApiError::validation(format!(
                "dateRange.dateType '{other}' jest niedozwolony"
            )))
        }
    };
    let subject = match f.subject_type.as_str() {
        "Subject1" => Subject::Seller,
        "Subject2" => Subject::Buyer,
        "Subject3" => Subject::ThirdParty,
        "SubjectAuthorized" => Subject::Authorized,
        other => {
            return Err(ApiError::validation(format!(
                "subjectType '{other}' jest niedozwolony"
            )))
        }
    };
    let from = f
        .date_range
        .from
        .ok_or_else(|| ApiError::validation("dateRange.from jest wymagane"))?;
    if f.date_range.to.is_some_and(|to| to < from) {
        return Err(ApiError::validation(
            "dateRange.to jest wcześniejsze niż dateRange.from",
        ));
    }
    let now = Utc::now();
    let window = state.config.query_window;
    if !within_window(window, from, f.date_range.to.unwrap_or(now)) {
        return Err(ApiError::validation(format!(
            "Zakres dat dateRange przekracza maksymalny dozwolony okres ({window})."
        )));
    }
    let hwm = (date == DateColumn::PermanentStorage).then(|| {
        let h = now - chrono_dur(state.config.timing.hwm_lag);
        f.date_range.to.map_or(h, |to| to.min(h))
    });
    let restrict = f.date_range.restrict_to_permanent_storage_hwm_date == Some(true);
    let mut to = f.date_range.to;
    if let (true, Some(h)) = (restrict, hwm) {
        if from > h {
            return Err(ApiError::bad(
                21183,
                "Zakres filtrowania wykracza poza dostępny zakres danych.",
                "Parametr dateRange.from jest późniejszy niż PermanentStorageHwmDate przy włączonym restrictToPermanentStorageHwmDate.",
            ));
        }
        to = Some(to.map_or(h, |t| t.min(h)));
    }
    // Issue dates are days: the bounds are the Polish calendar days of the instants.
    let bound = |d: DateTime<Utc>| match date {
        DateColumn::Issue => d.with_timezone(&Warsaw).format("%Y-%m-%d").to_string(),
        _ => fmt_dt(d),
    };
    let amount = match &f.amount {
        None => None,
        Some(a) => Some((
            match a.kind.as_str() {
                "Brutto" => AmountColumn::Gross,
                "Netto" => AmountColumn::Net,
                "Vat" => AmountColumn::Vat,
                other => {
                    return Err(ApiError::validation(format!(
                        "amount.type '{other}' jest niedozwolony"
                    )))
                }
            },
            a.from,
            a.to,
        )),
    };
    // Every invoice the simulator stores is an FA document.
    if f.form_type.as_deref().is_some_and(|t| t != "FA") {
        return Ok(Plan { query: None, hwm });
    }
    Ok(Plan {
        query: Some(InvoiceQuery {
            nip: nip.to_owned(),
            subject,
            date,
            from: bound(from),
            to: to.map(bound),
            visible_at: now,
            ksef_number: f.ksef_number.clone(),
            invoice_number: f.invoice_number.clone(),
            seller_nip: f.seller_nip.clone(),
            buyer: f
                .buyer_identifier
                .as_ref()
                .map(|b| (b.kind.clone(), b.value.clone())),
            amount,
            currencies: f.currency_codes.clone().unwrap_or_default(),
            invoicing_mode: f.invoicing_mode.clone(),
            is_self_invoicing: f.is_self_invoicing,
            invoice_types: f.invoice_types.clone().unwrap_or_default(),
            has_attachment: f.has_attachment,
            descending,
        }),
        hwm,
    })
}

/// SPEC `InvoiceMetadata`.
pub(crate) fn metadata_json(i: &StoredInvoice) -> Value {
    let mut buyer_id = json!({"type": i.buyer_id_type});
    if let Some(v) = &i.buyer_id_value {
        buyer_id["value"] = json!(v);
    }
    let mut seller = json!({"nip": i.seller_nip});
    if let Some(n) = &i.seller_name {
        seller["name"] = json!(n);
    }
    let mut buyer = json!({"identifier": buyer_id});
    if let Some(n) = &i.buyer_name {
        buyer["name"] = json!(n);
    }
    let mut v = json!({
        "ksefNumber": i.ksef_number,
        "invoiceNumber": i.invoice_number,
        "issueDate": i.issue_date.format("%Y-%m-%d").to_string(),
        "invoicingDate": fmt_dt(i.invoicing_date),
        "acquisitionDate": fmt_dt(i.acquisition_date),
        "permanentStorageDate": fmt_dt(i.permanent_storage_date),
        "seller": seller,
        "buyer": buyer,
        "netAmount": i.net_amount,
        "grossAmount": i.gross_amount,
        "vatAmount": i.vat_amount,
        "currency": i.currency,
        "invoicingMode": i.invoicing_mode,
        "invoiceType": i.invoice_type,
        "formCode": {"systemCode": i.system_code, "schemaVersion": i.schema_version, "value": "FA"},
        "isSelfInvoicing": i.is_self_invoicing,
        "hasAttachment": i.has_attachment,
        "invoiceHash": i.invoice_hash,
    });
    if let Some(h) = &i.hash_of_corrected_invoice {
        v["hashOfCorrectedInvoice"] = json!(h);
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryParams {
    #[serde(default)]
    sort_order: Option<String>,
    #[serde(default)]
    page_offset: Option<usize>,
    #[serde(default)]
    page_size: Option<usize>,
}

/// The key under which the sort key of the row before `row` of a result is kept, so
/// the page starting there continues after it (keyset) instead of skipping `row` rows.
fn cursor_key(nip: &str, body: &[u8], descending: bool, row: usize) -> String {
    format!("{nip}|{}|{descending}|{row}", crypto::sha256_b64(body))
}

/// `POST /invoices/query/metadata`
///
/// Pages are read from SQLite by keyset: the sort key of the last row of each page
/// served is remembered, so the next `pageOffset` continues after it and reads only
/// its own rows (an unknown offset falls back to SQL `OFFSET`).
pub(crate) async fn query_metadata(
    State(state): State<Shared>,
    q: Result<Query<QueryParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let Query(q) =
        q.map_err(|e| ApiError::validation(format!("Nieprawidłowe parametry zapytania: {e}")))?;
    let caller = state.caller(bearer(&headers), READ)?;
    let filters: Filters = parse(&body)?;
    let descending = match q.sort_order.as_deref() {
        None | Some("Asc") => false,
        Some("Desc") => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "sortOrder '{other}' jest niedozwolony"
            )))
        }
    };
    let size = q.page_size.unwrap_or(10);
    if !(10..=250).contains(&size) {
        return Err(ApiError::validation("pageSize musi być w zakresie 10..250"));
    }
    let start = q
        .page_offset
        .unwrap_or(0)
        .checked_mul(size)
        .ok_or_else(|| ApiError::validation("pageOffset jest zbyt duży"))?;
    let plan = plan(&state, &caller.context_nip, &filters, descending)?;
    let cap = state.config.max_query_results;
    let (page, has_more, truncated) = match &plan.query {
        None => (Vec::new(), false, false),
        Some(query) if start >= cap => {
            let beyond = state
                .store
                .query_page(query, &PageStart::Offset(cap), 1, false)?;
            (Vec::new(), !beyond.is_empty(), !beyond.is_empty())
        }
        Some(query) => {
            let want = size.min(cap - start);
            let key = cursor_key(&caller.context_nip, &body, descending, start);
            let cursor = state.inner().page_cursors.get(&key).cloned();
            let from = match cursor {
                Some((date, ksef)) if start > 0 => PageStart::After(date, ksef),
                _ => PageStart::Offset(start),
            };
            let mut rows = state.store.query_page(query, &from, want + 1, false)?;
            let extra = rows.len() > want;
            rows.truncate(want);
            let end = start + rows.len();
            if let Some(last) = rows.last() {
                let next = cursor_key(&caller.context_nip, &body, descending, end);
                let mut inner = state.inner();
                if inner.page_cursors.len() > 10_000 {
                    inner.page_cursors.clear();
                }
                inner
                    .page_cursors
                    .insert(next, (query.date.value_of(last), last.ksef_number.clone()));
            }
            (rows, extra, extra && end >= cap)
        }
    };
    let page: Vec<Value> = page.iter().map(metadata_json).collect();
    let mut v = json!({"hasMore": has_more, "isTruncated": truncated, "invoices": page});
    if let Some(h) = plan.hwm {
        v["permanentStorageHwmDate"] = json!(fmt_dt(h));
    }
    Ok(Json(v))
}

/// `GET /invoices/ksef/{ksefNumber}`
pub(crate) async fn download(
    State(state): State<Shared>,
    Path(ksef): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), READ)?;
    let not_found = || {
        ApiError::bad(
            21164,
            "Faktura o podanym identyfikatorze nie istnieje.",
            format!("Faktura o numerze KSeF {ksef} nie została znaleziona."),
        )
    };
    if !ids::is_valid_ksef_number(&ksef) {
        return Err(ApiError::validation(format!(
            "'{ksef}' nie jest poprawnym numerem KSeF"
        )));
    }
    let inv = state.store.get(&ksef)?.ok_or_else(not_found)?;
    let visible = inv.seller_nip == caller.context_nip
        || (inv.buyer_id_type == "Nip"
            && inv.buyer_id_value.as_deref() == Some(&caller.context_nip))
        || state.store.is_party(&ksef, &caller.context_nip)?;
    let now = Utc::now();
    if !visible || inv.acquisition_date > now {
        return Err(not_found());
    }
    if inv.permanent_storage_date > now {
        return Err(ApiError::bad(
            21165,
            "Faktura o podanym numerze KSeF nie jest jeszcze dostępna.",
            format!("Faktura o numerze KSeF {ksef} została przetworzona, ale nie jest jeszcze dostępna do pobrania. Spróbuj ponownie później."),
        ));
    }
    let hash = inv.invoice_hash.clone();
    let mut resp = (StatusCode::OK, inv.xml).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if let Ok(v) = HeaderValue::from_str(&hash) {
        resp.headers_mut().insert("x-ms-meta-hash", v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportEncryption {
    encrypted_symmetric_key: String,
    initialization_vector: String,
    #[serde(default)]
    public_key_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportRequest {
    encryption: ExportEncryption,
    filters: Filters,
    #[serde(default)]
    only_metadata: Option<bool>,
    #[serde(default)]
    compression_type: Option<String>,
}

const PART_SIZE: usize = 50 * 1024 * 1024;

/// SPEC `CompressionType`: how an export package is packed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compression {
    Zip,
    TarGz,
}

impl Compression {
    fn extension(self) -> &'static str {
        match self {
            Self::Zip => "zip",
            Self::TarGz => "tar.gz",
        }
    }
}

/// Packs `files` (name, content) as one archive.
fn archive(files: &[(String, &[u8])], compression: Compression) -> std::io::Result<Vec<u8>> {
    match compression {
        Compression::Zip => {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default();
            for (name, data) in files {
                zip.start_file(name.as_str(), opts)
                    .map_err(std::io::Error::other)?;
                zip.write_all(data)?;
            }
            Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
        }
        Compression::TarGz => {
            let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            for (name, data) in files {
                let mut header = tar::Header::new_gnu();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                header.set_mtime(u64::try_from(Utc::now().timestamp()).unwrap_or(0));
                header.set_cksum();
                tar.append_data(&mut header, name, *data)?;
            }
            tar.into_inner()?.finish()
        }
    }
}

fn build_package(
    rows: &[StoredInvoice],
    limit: usize,
    plan: &Plan,
    only_metadata: bool,
    compression: Compression,
    (key, iv): (&[u8], &[u8]),
) -> Result<ExportPackage, SessionFailure> {
    let fail = || SessionFailure {
        code: 500,
        description: "Nieznany błąd (500)",
        details: vec![],
    };
    let included = rows.get(..limit.min(rows.len())).unwrap_or_default();
    let meta =
        json!({"invoices": included.iter().map(metadata_json).collect::<Vec<_>>()}).to_string();
    let mut files: Vec<(String, &[u8])> = Vec::new();
    if !only_metadata {
        files.extend(
            included
                .iter()
                .map(|i| (format!("{}.xml", i.ksef_number), i.xml.as_slice())),
        );
    }
    files.push(("_metadata.json".into(), meta.as_bytes()));
    let archive = archive(&files, compression).map_err(|_| fail())?;
    let mut parts = Vec::new();
    for (n, chunk) in archive.chunks(PART_SIZE).enumerate() {
        let data = crypto::aes_encrypt(key, iv, chunk).map_err(|_| fail())?;
        parts.push(ExportPart {
            name: format!("{:03}.{}.aes", n + 1, compression.extension()),
            plain_size: chunk.len() as u64,
            plain_hash: crypto::sha256_b64(chunk),
            data,
        });
    }
    let is_truncated = rows.len() > limit;
    // The last date is given only for a truncated package, and only the one the export
    // was filtered by (SPEC `InvoiceExportPackage.last*Date`).
    let last = included.last().filter(|_| is_truncated);
    let date = plan.query.as_ref().map(|q| q.date);
    Ok(ExportPackage {
        invoice_count: included.len() as u64,
        size: archive.len() as u64,
        is_truncated,
        last_issue_date: last
            .filter(|_| date == Some(DateColumn::Issue))
            .map(|i| i.issue_date),
        last_invoicing_date: last
            .filter(|_| date == Some(DateColumn::Invoicing))
            .map(|i| i.invoicing_date),
        last_permanent_storage_date: last
            .filter(|_| date == Some(DateColumn::PermanentStorage))
            .map(|i| i.permanent_storage_date),
        hwm: plan.hwm,
        parts,
    })
}

/// `POST /invoices/exports`
pub(crate) async fn start_export(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let caller = state.caller(bearer(&headers), READ)?;
    let req: ExportRequest = parse(&body)?;
    let compression = match req.compression_type.as_deref() {
        None | Some("Zip") => Compression::Zip,
        Some("TarGz") => Compression::TarGz,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "compressionType '{other}' jest niedozwolony"
            )))
        }
    };
    let now = Utc::now();
    let max = state.config.max_concurrent_exports;
    let running = state
        .inner()
        .exports
        .values()
        .filter(|e| e.context_nip == caller.context_nip && now < e.ready_at)
        .count();
    if running >= max {
        return Err(ApiError::bad(
            21182,
            "Osiągnięto limit trwających eksportów.",
            format!("Dla uwierzytelnionego podmiotu w bieżącym kontekście osiągnięto maksymalny limit {max} równoczesnych eksportów faktur. Spróbuj ponownie później."),
        ));
    }
    let (key, iv) = state.session_key(
        &req.encryption.encrypted_symmetric_key,
        &req.encryption.initialization_vector,
        req.encryption.public_key_id.as_deref(),
    )?;
    let result = match key {
        None => Err(SessionFailure {
            code: 415,
            description: "Błąd odszyfrowania dostarczonego klucza",
            details: vec![],
        }),
        Some(key) => match plan(&state, &caller.context_nip, &req.filters, false) {
            Ok(plan) => {
                let limit = 10_000.min(state.config.max_query_results);
                let rows = match &plan.query {
                    Some(q) => state
                        .store
                        .query_page(q, &PageStart::Offset(0), limit + 1, true)?,
                    None => Vec::new(),
                };
                build_package(
                    &rows,
                    limit,
                    &plan,
                    req.only_metadata == Some(true),
                    compression,
                    (&key, &iv),
                )
            }
            Err(ApiError::BadRequest {
                code: 21183,
                details,
                ..
            }) => Err(SessionFailure {
                code: 420,
                description: "Zakres filtrowania wykracza poza dostępny zakres danych",
                details,
            }),
            Err(e) => return Err(e),
        },
    };
    let reference = ids::reference_number(RefKind::Export, now);
    let delay = chrono_dur(state.config.timing.processing_delay)
        + chrono::Duration::milliseconds(state.fault_state().config.slow_processing_ms as i64);
    state.inner().exports.insert(
        reference.clone(),
        Export {
            context_nip: caller.context_nip,
            created: now,
            ready_at: now + delay,
            result,
        },
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({"referenceNumber": reference})),
    )
        .into_response())
}

/// `GET /invoices/exports/{referenceNumber}`
pub(crate) async fn export_status(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = state.caller(bearer(&headers), READ)?;
    let now = Utc::now();
    let mut inner = state.inner();
    let export = inner
        .exports
        .get(&reference)
        .filter(|e| e.context_nip == caller.context_nip)
        .cloned()
        .ok_or_else(|| {
            ApiError::bad(
                21175,
                "Wynik zapytania o podanym identyfikatorze nie istnieje.",
                format!("Eksport o numerze referencyjnym {reference} nie został odnaleziony."),
            )
        })?;
    if now - export.created > chrono::Duration::days(7) {
        return Err(ApiError::Gone(
            "Status eksportu nie jest już dostępny.".into(),
        ));
    }
    if now < export.ready_at {
        return Ok(Json(
            json!({"status": {"code": 100, "description": "Eksport faktur w toku"}}),
        ));
    }
    match &export.result {
        Err(f) => Ok(Json(
            json!({"status": {"code": f.code, "description": f.description, "details": f.details}}),
        )),
        Ok(p) => {
            let mut parts = Vec::new();
            for (n, part) in p.parts.iter().enumerate() {
                let ordinal = u32::try_from(n + 1).unwrap_or(u32::MAX);
                let (url, until) = state.presign(
                    &mut inner,
                    Presigned::ExportPart {
                        export: reference.clone(),
                        ordinal,
                    },
                );
                parts.push(json!({
                    "ordinalNumber": ordinal,
                    "partName": format!("{reference}-{}", part.name),
                    "method": "GET",
                    "url": url,
                    "partSize": part.plain_size,
                    "partHash": part.plain_hash,
                    "encryptedPartSize": part.data.len(),
                    "encryptedPartHash": crypto::sha256_b64(&part.data),
                    "expirationDate": fmt_dt(until),
                }));
            }
            let mut package = json!({
                "invoiceCount": p.invoice_count,
                "size": p.size,
                "parts": parts,
                "isTruncated": p.is_truncated,
            });
            if let Some(d) = p.last_issue_date {
                package["lastIssueDate"] = json!(d.format("%Y-%m-%d").to_string());
            }
            if let Some(d) = p.last_invoicing_date {
                package["lastInvoicingDate"] = json!(fmt_dt(d));
            }
            if let Some(d) = p.last_permanent_storage_date {
                package["lastPermanentStorageDate"] = json!(fmt_dt(d));
            }
            if let Some(d) = p.hwm {
                package["permanentStorageHwmDate"] = json!(fmt_dt(d));
            }
            Ok(Json(json!({
                "status": {"code": 200, "description": "Eksport faktur zakończony sukcesem"},
                "completedDate": fmt_dt(export.ready_at),
                "packageExpirationDate": fmt_dt(export.created + chrono::Duration::days(7)),
                "package": package,
            })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn three_months_pass_in_utc_or_in_polish_time() {
        let w = QueryWindow::DEFAULT;
        assert!(within_window(
            w,
            at("2026-01-15T00:00:00Z"),
            at("2026-04-15T00:00:00Z")
        ));
        assert!(!within_window(
            w,
            at("2026-01-15T00:00:00Z"),
            at("2026-04-15T00:00:01Z")
        ));
        // 2026-02-28 23:30 UTC is 2026-03-01 00:30 in Warsaw: three months end on
        // 2026-05-28 23:30 UTC, or on 2026-06-01 00:30 Polish time (May 31, 22:30 UTC).
        let from = at("2026-02-28T23:30:00Z");
        assert!(within_window(w, from, at("2026-05-28T23:30:00Z")));
        assert!(
            within_window(w, from, at("2026-05-31T22:00:00Z")),
            "fits in Polish time"
        );
        assert!(!within_window(w, from, at("2026-05-31T23:00:00Z")));
        // API 2.7.1: 100 days.
        let d = QueryWindow::Days(100);
        assert!(within_window(d, from, from + chrono::Duration::days(100)));
        assert!(!within_window(d, from, from + chrono::Duration::days(101)));
    }

    #[test]
    fn dates_without_offset_are_warsaw_time_with_offset_as_given() {
        let parse = |s: &str| {
            let v: DateRange =
                serde_json::from_value(json!({"dateType": "Issue", "from": s})).unwrap();
            v.from.unwrap()
        };
        assert_eq!(parse("2026-01-15T12:00:00"), at("2026-01-15T11:00:00Z"));
        assert_eq!(parse("2026-07-15T12:00:00.5"), at("2026-07-15T10:00:00.5Z"));
        assert_eq!(parse("2026-07-15T12:00:00Z"), at("2026-07-15T12:00:00Z"));
        assert_eq!(
            parse("2026-07-15T12:00:00+03:00"),
            at("2026-07-15T09:00:00Z")
        );
        // A time skipped when clocks go forward (29 March 2026, 02:00-03:00).
        assert_eq!(parse("2026-03-29T02:30:00"), at("2026-03-29T01:30:00Z"));
    }
}
