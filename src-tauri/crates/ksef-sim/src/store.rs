//! Received invoices, kept in SQLite (a file under `--data DIR`, or in memory).
//!
//! Only accepted invoices live here: they are what buyers and sellers query and
//! download. Sessions, tokens and operations are in memory and end with the process.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{Result, SimError};

/// One accepted invoice with its KSeF metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredInvoice {
    /// KSeF number.
    pub ksef_number: String,
    /// Seller NIP.
    pub seller_nip: String,
    /// Seller name.
    pub seller_name: Option<String>,
    /// Buyer identifier type (`Nip`, `VatUe`, `Other`, `None`).
    pub buyer_id_type: String,
    /// Buyer identifier value.
    pub buyer_id_value: Option<String>,
    /// Buyer name.
    pub buyer_name: Option<String>,
    /// `P_2`.
    pub invoice_number: String,
    /// `P_1`.
    pub issue_date: NaiveDate,
    /// Accepted for processing.
    pub invoicing_date: DateTime<Utc>,
    /// KSeF number assigned.
    pub acquisition_date: DateTime<Utc>,
    /// Permanently stored.
    pub permanent_storage_date: DateTime<Utc>,
    /// Net total.
    pub net_amount: f64,
    /// Gross total.
    pub gross_amount: f64,
    /// VAT total (PLN).
    pub vat_amount: f64,
    /// Currency code.
    pub currency: String,
    /// Metadata `InvoiceType`.
    pub invoice_type: String,
    /// FormCode.systemCode.
    pub system_code: String,
    /// FormCode.schemaVersion.
    pub schema_version: String,
    /// `Online` or `Offline`.
    pub invoicing_mode: String,
    /// Self-invoicing.
    pub is_self_invoicing: bool,
    /// Has an attachment.
    pub has_attachment: bool,
    /// Base64 SHA-256 of the XML.
    pub invoice_hash: String,
    /// Technical correction of.
    pub hash_of_corrected_invoice: Option<String>,
    /// The session it came in (empty for seeded invoices issued "elsewhere").
    pub session_reference: String,
    /// The invoice reference number in that session.
    pub invoice_reference: String,
    /// The XML exactly as received.
    pub xml: Vec<u8>,
    /// NIPs of the third parties (`Podmiot3`) that are identified by NIP: they find
    /// the invoice as `Subject3`.
    pub third_party_nips: Vec<String>,
    /// NIP of the authorised subject (`PodmiotUpowazniony`), who finds the invoice as
    /// `SubjectAuthorized`.
    pub authorized_nip: Option<String>,
}

/// The date column a query filters and sorts on (SPEC `InvoiceQueryDateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateColumn {
    /// `issue_date` (a day, `YYYY-MM-DD`).
    Issue,
    /// `invoicing_date`.
    Invoicing,
    /// `permanent_storage_date`.
    PermanentStorage,
}

impl DateColumn {
    fn sql(self) -> &'static str {
        match self {
            Self::Issue => "issue_date",
            Self::Invoicing => "invoicing_date",
            Self::PermanentStorage => "permanent_storage_date",
        }
    }

    /// This column's value of `inv`, as stored (the sort key's first half).
    pub fn value_of(self, inv: &StoredInvoice) -> String {
        match self {
            Self::Issue => inv.issue_date.format("%Y-%m-%d").to_string(),
            Self::Invoicing => fmt_dt(inv.invoicing_date),
            Self::PermanentStorage => fmt_dt(inv.permanent_storage_date),
        }
    }
}

/// Which party of an invoice the querying NIP is (SPEC `InvoiceQuerySubjectType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `Subject1`: the seller (`Podmiot1`).
    Seller,
    /// `Subject2`: the buyer (`Podmiot2`) identified by NIP.
    Buyer,
    /// `Subject3`: a third party (`Podmiot3`) identified by NIP.
    ThirdParty,
    /// `SubjectAuthorized`: the authorised subject (`PodmiotUpowazniony`).
    Authorized,
}

/// Which amount an amount filter applies to (SPEC `AmountType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountColumn {
    /// `Brutto`.
    Gross,
    /// `Netto`.
    Net,
    /// `Vat`.
    Vat,
}

/// A metadata query, every filter already validated: the store evaluates all of it in
/// SQL so a page reads only its own rows. Date bounds are in the column's stored form
/// (see [`DateColumn::value_of`]); both bounds are inclusive.
#[derive(Debug, Clone)]
pub struct InvoiceQuery {
    /// The querying context's NIP.
    pub nip: String,
    /// Its role on the invoice.
    pub subject: Subject,
    /// The date column filtered and sorted on.
    pub date: DateColumn,
    /// Lower bound (inclusive).
    pub from: String,
    /// Upper bound (inclusive), if any.
    pub to: Option<String>,
    /// Only invoices whose KSeF number was assigned at or before this instant (and, for
    /// `PermanentStorage`, that are permanently stored by then).
    pub visible_at: DateTime<Utc>,
    /// Exact KSeF number.
    pub ksef_number: Option<String>,
    /// Exact invoice number (`P_2`).
    pub invoice_number: Option<String>,
    /// Seller NIP.
    pub seller_nip: Option<String>,
    /// Buyer identifier type and, optionally, value.
    pub buyer: Option<(String, Option<String>)>,
    /// Amount range (inclusive bounds).
    pub amount: Option<(AmountColumn, Option<f64>, Option<f64>)>,
    /// Currency codes (empty: any).
    pub currencies: Vec<String>,
    /// `Online` / `Offline`.
    pub invoicing_mode: Option<String>,
    /// Self-invoicing flag.
    pub is_self_invoicing: Option<bool>,
    /// Metadata invoice types (empty: any).
    pub invoice_types: Vec<String>,
    /// Attachment flag.
    pub has_attachment: Option<bool>,
    /// Newest first.
    pub descending: bool,
}

/// Where a page starts: after a known row (keyset, O(page)) or at an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    /// Skip this many rows (SQL `OFFSET`).
    Offset(usize),
    /// Continue after the row with this (date column value, KSeF number).
    After(String, String),
}

/// The SQLite store.
pub struct Store {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS invoice (
    ksef_number TEXT PRIMARY KEY,
    seller_nip TEXT NOT NULL,
    seller_name TEXT,
    buyer_id_type TEXT NOT NULL,
    buyer_id_value TEXT,
    buyer_name TEXT,
    invoice_number TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    invoicing_date TEXT NOT NULL,
    acquisition_date TEXT NOT NULL,
    permanent_storage_date TEXT NOT NULL,
    net_amount REAL NOT NULL,
    gross_amount REAL NOT NULL,
    vat_amount REAL NOT NULL,
    currency TEXT NOT NULL,
    invoice_type TEXT NOT NULL,
    system_code TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    invoicing_mode TEXT NOT NULL,
    is_self_invoicing INTEGER NOT NULL,
    has_attachment INTEGER NOT NULL,
    invoice_hash TEXT NOT NULL,
    hash_of_corrected_invoice TEXT,
    session_reference TEXT NOT NULL,
    invoice_reference TEXT NOT NULL,
    xml BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_seller ON invoice (seller_nip);
CREATE INDEX IF NOT EXISTS invoice_buyer ON invoice (buyer_id_value);
CREATE INDEX IF NOT EXISTS invoice_dup ON invoice (seller_nip, invoice_type, invoice_number);
CREATE INDEX IF NOT EXISTS invoice_buyer_stored_key ON invoice (buyer_id_value, permanent_storage_date, ksef_number);
CREATE INDEX IF NOT EXISTS invoice_buyer_invoicing ON invoice (buyer_id_value, invoicing_date, ksef_number);
CREATE INDEX IF NOT EXISTS invoice_buyer_issue ON invoice (buyer_id_value, issue_date, ksef_number);
CREATE INDEX IF NOT EXISTS invoice_seller_stored ON invoice (seller_nip, permanent_storage_date, ksef_number);
CREATE INDEX IF NOT EXISTS invoice_seller_invoicing ON invoice (seller_nip, invoicing_date, ksef_number);
CREATE INDEX IF NOT EXISTS invoice_seller_issue ON invoice (seller_nip, issue_date, ksef_number);
CREATE TABLE IF NOT EXISTS invoice_party (
    role TEXT NOT NULL,
    nip TEXT NOT NULL,
    ksef_number TEXT NOT NULL,
    PRIMARY KEY (role, nip, ksef_number)
);
CREATE TABLE IF NOT EXISTS ksef_token (
    value TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    context_nip TEXT NOT NULL,
    permissions TEXT NOT NULL,
    valid_until TEXT,
    revoked INTEGER NOT NULL,
    description TEXT NOT NULL,
    created TEXT NOT NULL,
    author_nip TEXT NOT NULL
);
";

const COLUMNS: &str = "ksef_number, seller_nip, seller_name, buyer_id_type, buyer_id_value, buyer_name, \
    invoice_number, issue_date, invoicing_date, acquisition_date, permanent_storage_date, net_amount, \
    gross_amount, vat_amount, currency, invoice_type, system_code, schema_version, invoicing_mode, \
    is_self_invoicing, has_attachment, invoice_hash, hash_of_corrected_invoice, session_reference, \
    invoice_reference, xml";

/// Formats a UTC instant the way the simulator stores and sends it (RFC 3339, ms, `Z`).
pub fn fmt_dt(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_dt(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredInvoice> {
    let issue: String = row.get(7)?;
    Ok(StoredInvoice {
        ksef_number: row.get(0)?,
        seller_nip: row.get(1)?,
        seller_name: row.get(2)?,
        buyer_id_type: row.get(3)?,
        buyer_id_value: row.get(4)?,
        buyer_name: row.get(5)?,
        invoice_number: row.get(6)?,
        issue_date: NaiveDate::parse_from_str(&issue, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?,
        invoicing_date: parse_dt(&row.get::<_, String>(8)?)?,
        acquisition_date: parse_dt(&row.get::<_, String>(9)?)?,
        permanent_storage_date: parse_dt(&row.get::<_, String>(10)?)?,
        net_amount: row.get(11)?,
        gross_amount: row.get(12)?,
        vat_amount: row.get(13)?,
        currency: row.get(14)?,
        invoice_type: row.get(15)?,
        system_code: row.get(16)?,
        schema_version: row.get(17)?,
        invoicing_mode: row.get(18)?,
        is_self_invoicing: row.get(19)?,
        has_attachment: row.get(20)?,
        invoice_hash: row.get(21)?,
        hash_of_corrected_invoice: row.get(22)?,
        session_reference: row.get(23)?,
        invoice_reference: row.get(24)?,
        xml: row.get(25)?,
        third_party_nips: Vec::new(),
        authorized_nip: None,
    })
}

impl Store {
    /// Opens (creating) `dir/ksef-sim.sqlite`, or an in-memory database.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let conn = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                let conn = Connection::open(dir.join("ksef-sim.sqlite"))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| SimError::Invalid("store lock poisoned".into()))?;
        Ok(f(&conn)?)
    }

    /// Adds an accepted invoice (and the NIPs of its third parties and authorised
    /// subject, so they can query it).
    pub fn insert(&self, inv: &StoredInvoice) -> Result<()> {
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            let parties = inv
                .third_party_nips
                .iter()
                .map(|n| ("3", n))
                .chain(inv.authorized_nip.iter().map(|n| ("A", n)));
            for (role, nip) in parties {
                tx.execute(
                    "INSERT OR IGNORE INTO invoice_party (role, nip, ksef_number) VALUES (?1, ?2, ?3)",
                    params![role, nip, inv.ksef_number],
                )?;
            }
            tx.execute(
                &format!("INSERT INTO invoice ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"),
                params![
                    inv.ksef_number,
                    inv.seller_nip,
                    inv.seller_name,
                    inv.buyer_id_type,
                    inv.buyer_id_value,
                    inv.buyer_name,
                    inv.invoice_number,
                    inv.issue_date.format("%Y-%m-%d").to_string(),
                    fmt_dt(inv.invoicing_date),
                    fmt_dt(inv.acquisition_date),
                    fmt_dt(inv.permanent_storage_date),
                    inv.net_amount,
                    inv.gross_amount,
                    inv.vat_amount,
                    inv.currency,
                    inv.invoice_type,
                    inv.system_code,
                    inv.schema_version,
                    inv.invoicing_mode,
                    inv.is_self_invoicing,
                    inv.has_attachment,
                    inv.invoice_hash,
                    inv.hash_of_corrected_invoice,
                    inv.session_reference,
                    inv.invoice_reference,
                    inv.xml,
                ],
            )?;
            tx.commit()
        })
    }

    /// The accepted invoice a new one would duplicate (same seller, kind and number).
    pub fn find_duplicate(
        &self,
        seller_nip: &str,
        invoice_type: &str,
        invoice_number: &str,
    ) -> Result<Option<(String, String)>> {
        self.with(|c| {
            c.query_row(
                "SELECT ksef_number, session_reference FROM invoice \
                 WHERE seller_nip = ?1 AND invoice_type = ?2 AND invoice_number = ?3 LIMIT 1",
                params![seller_nip, invoice_type, invoice_number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }

    /// Whether an accepted invoice is a technical correction of the invoice with `hash`.
    pub fn has_correction_of(&self, hash: &str) -> Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM invoice WHERE hash_of_corrected_invoice = ?1",
                params![hash],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n > 0)
    }

    /// Whether an accepted invoice has this hash (in the seller's context).
    pub fn has_hash(&self, seller_nip: &str, hash: &str) -> Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM invoice WHERE seller_nip = ?1 AND invoice_hash = ?2",
                params![seller_nip, hash],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n > 0)
    }

    /// One invoice by KSeF number.
    pub fn get(&self, ksef_number: &str) -> Result<Option<StoredInvoice>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM invoice WHERE ksef_number = ?1"),
                params![ksef_number],
                from_row,
            )
            .optional()
        })
    }

    /// Every invoice where `nip` is the seller (`as_seller`) or the buyer (by NIP).
    pub fn for_subject(&self, nip: &str, as_seller: bool) -> Result<Vec<StoredInvoice>> {
        let sql = if as_seller {
            format!("SELECT {COLUMNS} FROM invoice WHERE seller_nip = ?1")
        } else {
            format!(
                "SELECT {COLUMNS} FROM invoice WHERE buyer_id_type = 'Nip' AND buyer_id_value = ?1"
            )
        };
        self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(params![nip], from_row)?;
            rows.collect()
        })
    }

    /// Whether `nip` is a third party or the authorised subject of an invoice.
    pub fn is_party(&self, ksef_number: &str, nip: &str) -> Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM invoice_party WHERE nip = ?1 AND ksef_number = ?2",
                params![nip, ksef_number],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n > 0)
    }

    /// One page of a metadata query: at most `limit` rows from `start`, sorted by the
    /// date column and then the KSeF number, without their XML unless `with_xml`.
    /// With [`PageStart::After`] and the per-subject indexes this reads only the
    /// page's rows, however deep into the result it is.
    pub fn query_page(
        &self,
        q: &InvoiceQuery,
        start: &PageStart,
        limit: usize,
        with_xml: bool,
    ) -> Result<Vec<StoredInvoice>> {
        use rusqlite::types::Value as V;
        let columns = if with_xml {
            COLUMNS.to_owned()
        } else {
            COLUMNS.replace(", xml", ", x'' AS xml")
        };
        let mut args: Vec<V> = vec![V::Text(q.nip.clone())];
        let subject = match q.subject {
            Subject::Seller => "seller_nip = ?1",
            Subject::Buyer => "buyer_id_type = 'Nip' AND buyer_id_value = ?1",
            Subject::ThirdParty => {
                "ksef_number IN (SELECT ksef_number FROM invoice_party WHERE role = '3' AND nip = ?1)"
            }
            Subject::Authorized => {
                "ksef_number IN (SELECT ksef_number FROM invoice_party WHERE role = 'A' AND nip = ?1)"
            }
        };
        let col = q.date.sql();
        let mut sql = format!("SELECT {columns} FROM invoice WHERE {subject}");
        let mut push = |sql: &mut String, clause: &str, v: V| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        push(
            &mut sql,
            &format!(" AND {col} >= ?"),
            V::Text(q.from.clone()),
        );
        if let Some(to) = &q.to {
            push(&mut sql, &format!(" AND {col} <= ?"), V::Text(to.clone()));
        }
        let visible = fmt_dt(q.visible_at);
        push(
            &mut sql,
            " AND acquisition_date <= ?",
            V::Text(visible.clone()),
        );
        if q.date == DateColumn::PermanentStorage {
            push(
                &mut sql,
                " AND permanent_storage_date <= ?",
                V::Text(visible),
            );
        }
        if let Some(k) = &q.ksef_number {
            push(&mut sql, " AND ksef_number = ?", V::Text(k.clone()));
        }
        if let Some(n) = &q.invoice_number {
            push(&mut sql, " AND invoice_number = ?", V::Text(n.clone()));
        }
        if let Some(n) = &q.seller_nip {
            push(&mut sql, " AND seller_nip = ?", V::Text(n.clone()));
        }
        if let Some((kind, value)) = &q.buyer {
            push(&mut sql, " AND buyer_id_type = ?", V::Text(kind.clone()));
            if let Some(v) = value {
                push(&mut sql, " AND buyer_id_value = ?", V::Text(v.clone()));
            }
        }
        if let Some((kind, from, to)) = q.amount {
            let c = match kind {
                AmountColumn::Gross => "gross_amount",
                AmountColumn::Net => "net_amount",
                AmountColumn::Vat => "vat_amount",
            };
            if let Some(f) = from {
                push(&mut sql, &format!(" AND {c} >= ?"), V::Real(f));
            }
            if let Some(t) = to {
                push(&mut sql, &format!(" AND {c} <= ?"), V::Real(t));
            }
        }
        if let Some(m) = &q.invoicing_mode {
            push(&mut sql, " AND invoicing_mode = ?", V::Text(m.clone()));
        }
        if let Some(b) = q.is_self_invoicing {
            push(
                &mut sql,
                " AND is_self_invoicing = ?",
                V::Integer(i64::from(b)),
            );
        }
        if let Some(b) = q.has_attachment {
            push(
                &mut sql,
                " AND has_attachment = ?",
                V::Integer(i64::from(b)),
            );
        }
        for (column, values) in [
            ("currency", &q.currencies),
            ("invoice_type", &q.invoice_types),
        ] {
            if values.is_empty() {
                continue;
            }
            sql.push_str(&format!(" AND {column} IN ("));
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                push(&mut sql, "?", V::Text(v.clone()));
            }
            sql.push(')');
        }
        let (cmp, dir) = if q.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let PageStart::After(date, ksef) = start {
            push(
                &mut sql,
                &format!(" AND ({col}, ksef_number) {cmp} (?"),
                V::Text(date.clone()),
            );
            push(&mut sql, ", ?)", V::Text(ksef.clone()));
        }
        sql.push_str(&format!(" ORDER BY {col} {dir}, ksef_number {dir}"));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        push(&mut sql, " LIMIT ?", V::Integer(limit));
        if let PageStart::Offset(n) = start {
            push(
                &mut sql,
                " OFFSET ?",
                V::Integer(i64::try_from(*n).unwrap_or(i64::MAX)),
            );
        }
        self.with(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), from_row)?;
            rows.collect()
        })
    }

    /// Saves (inserts or replaces) a KSeF token, so a data directory keeps credentials.
    pub(crate) fn save_token(&self, value: &str, t: &crate::state::KsefToken) -> Result<()> {
        let perms: Vec<&str> = t.spec.permissions.iter().map(|p| p.as_str()).collect();
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO ksef_token (value, reference, context_nip, permissions, valid_until, revoked, description, created, author_nip) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    value,
                    t.reference,
                    t.spec.context_nip,
                    perms.join(","),
                    t.spec.valid_until.map(fmt_dt),
                    t.revoked,
                    t.description,
                    fmt_dt(t.created),
                    t.author_nip,
                ],
            )
            .map(|_| ())
        })
    }

    /// Every saved KSeF token.
    pub(crate) fn load_tokens(&self) -> Result<Vec<(String, crate::state::KsefToken)>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT value, reference, context_nip, permissions, valid_until, revoked, description, created, author_nip FROM ksef_token",
            )?;
            let rows = stmt.query_map([], |r| {
                let perms: String = r.get(3)?;
                let valid_until: Option<String> = r.get(4)?;
                Ok((
                    r.get::<_, String>(0)?,
                    crate::state::KsefToken {
                        reference: r.get(1)?,
                        spec: crate::config::TokenSpec {
                            context_nip: r.get(2)?,
                            permissions: perms
                                .split(',')
                                .filter_map(|p| serde_json::from_value(serde_json::Value::String(p.to_owned())).ok())
                                .collect(),
                            valid_until: valid_until.as_deref().map(parse_dt).transpose()?,
                        },
                        revoked: r.get(5)?,
                        description: r.get(6)?,
                        created: parse_dt(&r.get::<_, String>(7)?)?,
                        last_use: None,
                        author_nip: r.get(8)?,
                    },
                ))
            })?;
            rows.collect()
        })
    }

    /// Replaces an invoice's stored document (and its hash); `false` if there is none.
    pub fn replace_xml(&self, ksef_number: &str, xml: &[u8], hash: &str) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE invoice SET xml = ?2, invoice_hash = ?3 WHERE ksef_number = ?1",
                params![ksef_number, xml, hash],
            )
        })
        .map(|n| n > 0)
    }

    /// Number of stored invoices.
    pub fn count(&self) -> Result<usize> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM invoice", [], |r| r.get::<_, i64>(0)))
            .map(|n| usize::try_from(n).unwrap_or(0))
    }
}
