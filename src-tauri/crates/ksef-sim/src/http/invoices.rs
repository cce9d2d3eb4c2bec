//! Invoice metadata query, download by KSeF number, and export packages.

use std::io::Write as _;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Months, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::config::Permission;
use crate::crypto;
use crate::ids::{self, RefKind};
use crate::state::{
    chrono_dur, AppState, Export, ExportPackage, ExportPart, Presigned, SessionFailure,
};
use crate::store::{fmt_dt, SinceColumn, StoredInvoice};

const READ: &[Permission] = &[Permission::InvoiceRead];

fn flexible_dt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    let Some(s) = s else { return Ok(None) };
    if let Ok(dt) = DateTime::parse_from_rfc3339(&s) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|n| Some(n.and_utc()))
        .map_err(|_| serde::de::Error::custom(format!("nieprawidłowa data '{s}'")))
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum DateType {
    Issue,
    Invoicing,
    PermanentStorage,
}

fn date_of(inv: &StoredInvoice, t: DateType) -> DateTime<Utc> {
    match t {
        DateType::Issue => inv
            .issue_date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(inv.invoicing_date),
        DateType::Invoicing => inv.invoicing_date,
        DateType::PermanentStorage => inv.permanent_storage_date,
    }
}

/// The result of running filters: matching invoices sorted, and the HWM.
pub(crate) struct Selection {
    invoices: Vec<StoredInvoice>,
    hwm: Option<DateTime<Utc>>,
    date_type: DateType,
}

fn select(
    state: &AppState,
    nip: &str,
    f: &Filters,
    descending: bool,
    with_xml: bool,
) -> Result<Selection, ApiError> {
    let date_type = match f.date_range.date_type.as_str() {
        "Issue" => DateType::Issue,
        "Invoicing" => DateType::Invoicing,
        "PermanentStorage" => DateType::PermanentStorage,
        other => {
            return Err(ApiError::validation(format!(
                "dateRange.dateType '{other}' jest niedozwolony"
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
    // KSeF (API 2.6): at most 3 months, counted in UTC or in Polish time.
    let until = f.date_range.to.unwrap_or(now);
    let fits = |months: Option<DateTime<Utc>>| months.is_some_and(|m| until <= m);
    let warsaw = from.with_timezone(&chrono_tz::Europe::Warsaw);
    if state.config.refuse_ranges_over_3_months
        && !fits(from.checked_add_months(Months::new(3)))
        && !fits(
            warsaw
                .checked_add_months(Months::new(3))
                .map(|m| m.with_timezone(&Utc)),
        )
    {
        return Err(ApiError::validation(
            "Zakres dateRange przekracza dozwolone 3 miesiące.",
        ));
    }
    let hwm = (date_type == DateType::PermanentStorage).then(|| {
        let h = now - chrono_dur(state.config.timing.hwm_lag);
        f.date_range.to.map_or(h, |to| to.min(h))
    });
    let restrict = f.date_range.restrict_to_permanent_storage_hwm_date == Some(true);
    if restrict {
        if let Some(h) = hwm {
            if from > h {
                return Err(ApiError::bad(
                    21183,
                    "Zakres filtrowania wykracza poza dostępny zakres danych.",
                    "Parametr dateRange.from jest późniejszy niż PermanentStorageHwmDate przy włączonym restrictToPermanentStorageHwmDate.",
                ));
            }
        }
    }
    let since = match date_type {
        DateType::Issue => SinceColumn::Issue,
        DateType::Invoicing => SinceColumn::Invoicing,
        DateType::PermanentStorage => SinceColumn::PermanentStorage,
    };
    let rows = match f.subject_type.as_str() {
        "Subject1" => state
            .store
            .for_subject_since(nip, true, (since, from), with_xml)?,
        "Subject2" => state
            .store
            .for_subject_since(nip, false, (since, from), with_xml)?,
        "Subject3" | "SubjectAuthorized" => Vec::new(),
        other => {
            return Err(ApiError::validation(format!(
                "subjectType '{other}' jest niedozwolony"
            )))
        }
    };
    let mut out: Vec<StoredInvoice> = rows
        .into_iter()
        .filter(|i| i.acquisition_date <= now)
        .filter(|i| date_type != DateType::PermanentStorage || i.permanent_storage_date <= now)
        .filter(|i| {
            let d = date_of(i, date_type);
            d >= from
                && f.date_range.to.is_none_or(|to| d <= to)
                && !(restrict && hwm.is_some_and(|h| d > h))
        })
        .filter(|i| f.ksef_number.as_deref().is_none_or(|k| k == i.ksef_number))
        .filter(|i| {
            f.invoice_number
                .as_deref()
                .is_none_or(|n| i.invoice_number.to_lowercase().contains(&n.to_lowercase()))
        })
        .filter(|i| f.seller_nip.as_deref().is_none_or(|n| n == i.seller_nip))
        .filter(|i| {
            f.buyer_identifier.as_ref().is_none_or(|b| {
                b.kind == i.buyer_id_type && (b.value.is_none() || b.value == i.buyer_id_value)
            })
        })
        .filter(|i| {
            f.amount.as_ref().is_none_or(|a| {
                let v = match a.kind.as_str() {
                    "Netto" => i.net_amount,
                    "Vat" => i.vat_amount,
                    _ => i.gross_amount,
                };
                a.from.is_none_or(|x| v >= x) && a.to.is_none_or(|x| v <= x)
            })
        })
        .filter(|i| {
            f.currency_codes
                .as_ref()
                .is_none_or(|c| c.is_empty() || c.contains(&i.currency))
        })
        .filter(|i| {
            f.invoicing_mode
                .as_deref()
                .is_none_or(|m| m == i.invoicing_mode)
        })
        .filter(|i| f.is_self_invoicing.is_none_or(|s| s == i.is_self_invoicing))
        .filter(|_| f.form_type.as_deref().is_none_or(|t| t == "FA"))
        .filter(|i| {
            f.invoice_types
                .as_ref()
                .is_none_or(|t| t.is_empty() || t.contains(&i.invoice_type))
        })
        .filter(|i| f.has_attachment.is_none_or(|h| h == i.has_attachment))
        .collect();
    out.sort_by(|a, b| {
        date_of(a, date_type)
            .cmp(&date_of(b, date_type))
            .then_with(|| a.ksef_number.cmp(&b.ksef_number))
    });
    if descending {
        out.reverse();
    }
    Ok(Selection {
        invoices: out,
        hwm,
        date_type,
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

/// `POST /invoices/query/metadata`
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
    let offset = q.page_offset.unwrap_or(0);
    let sel = select(&state, &caller.context_nip, &filters, descending, false)?;
    let limit = state.config.max_query_results;
    let total = sel.invoices.len();
    let window = total.min(limit);
    let start = offset.saturating_mul(size);
    let end = start.saturating_add(size).min(window);
    let page: Vec<Value> = sel
        .invoices
        .get(start.min(window)..end)
        .unwrap_or_default()
        .iter()
        .map(metadata_json)
        .collect();
    let truncated = total > limit && end >= window;
    let has_more = end < window || truncated;
    let mut v = json!({"hasMore": has_more, "isTruncated": truncated, "invoices": page});
    if let Some(h) = sel.hwm {
        v["permanentStorageHwmDate"] = json!(fmt_dt(h));
    }
    let _ = sel.date_type;
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
            && inv.buyer_id_value.as_deref() == Some(&caller.context_nip));
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

fn build_package(
    sel: &Selection,
    limit: usize,
    only_metadata: bool,
    key: &[u8],
    iv: &[u8],
) -> Result<ExportPackage, SessionFailure> {
    let fail = || SessionFailure {
        code: 500,
        description: "Nieznany błąd (500)",
        details: vec![],
    };
    let included: Vec<&StoredInvoice> = sel.invoices.iter().take(limit).collect();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    if !only_metadata {
        for inv in &included {
            zip.start_file(format!("{}.xml", inv.ksef_number), opts)
                .map_err(|_| fail())?;
            zip.write_all(&inv.xml).map_err(|_| fail())?;
        }
    }
    let meta = json!({"invoices": included.iter().map(|i| metadata_json(i)).collect::<Vec<_>>()});
    zip.start_file("_metadata.json", opts).map_err(|_| fail())?;
    zip.write_all(meta.to_string().as_bytes())
        .map_err(|_| fail())?;
    let archive = zip.finish().map_err(|_| fail())?.into_inner();
    let mut parts = Vec::new();
    for (n, chunk) in archive.chunks(PART_SIZE).enumerate() {
        let data = crypto::aes_encrypt(key, iv, chunk).map_err(|_| fail())?;
        parts.push(ExportPart {
            name: format!("part-{:03}.zip.aes", n + 1),
            plain_size: chunk.len() as u64,
            plain_hash: crypto::sha256_b64(chunk),
            data,
        });
    }
    let last = included.last();
    Ok(ExportPackage {
        invoice_count: included.len() as u64,
        size: archive.len() as u64,
        is_truncated: sel.invoices.len() > limit,
        last_issue_date: last.map(|i| i.issue_date),
        last_invoicing_date: last.map(|i| i.invoicing_date),
        last_permanent_storage_date: last.map(|i| i.permanent_storage_date),
        hwm: sel.hwm,
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
    if req.compression_type.as_deref().is_some_and(|c| c != "Zip") {
        return Err(ApiError::validation(
            "Symulator obsługuje compressionType = Zip",
        ));
    }
    let (key, iv) = state.session_key(
        &req.encryption.encrypted_symmetric_key,
        &req.encryption.initialization_vector,
        req.encryption.public_key_id.as_deref(),
    )?;
    let now = Utc::now();
    let result = match key {
        None => Err(SessionFailure {
            code: 415,
            description: "Błąd odszyfrowania dostarczonego klucza",
            details: vec![],
        }),
        Some(key) => match select(&state, &caller.context_nip, &req.filters, false, true) {
            Ok(sel) => build_package(
                &sel,
                10_000.min(state.config.max_query_results),
                req.only_metadata == Some(true),
                &key,
                &iv,
            ),
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
            ApiError::validation(format!(
                "Eksport o numerze referencyjnym {reference} nie został odnaleziony."
            ))
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
                    "partName": format!("{reference}-{:03}.zip.aes", n + 1),
                    "method": "GET",
                    "url": url,
                    "partSize": part.plain_size,
                    "partHash": part.plain_hash,
                    "encryptedPartSize": part.data.len(),
                    "encryptedPartHash": crypto::sha256_b64(&part.data),
                    "expirationDate": fmt_dt(until),
                }));
                let _ = &part.name;
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
