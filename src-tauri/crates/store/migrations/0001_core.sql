-- The core schema. Amounts are integers in minor units (grosze for PLN) so that
-- sorting, filtering and sums are exact; timestamps are RFC 3339 UTC text.

CREATE TABLE companies (
    id               INTEGER PRIMARY KEY,
    nip              TEXT    NOT NULL UNIQUE CHECK (length(nip) = 10 AND nip NOT GLOB '*[^0-9]*'),
    name             TEXT    NOT NULL CHECK (name <> ''),
    address_line1    TEXT    NOT NULL DEFAULT '',
    address_line2    TEXT    NOT NULL DEFAULT '',
    country_code     TEXT    NOT NULL DEFAULT 'PL',
    ksef_environment TEXT    NOT NULL CHECK (ksef_environment IN ('test', 'demo', 'production', 'simulator')),
    ksef_base_url    TEXT,
    created_at       TEXT    NOT NULL
);

CREATE TABLE contractors (
    id            INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    nip           TEXT,
    eu_vat_id     TEXT,
    name          TEXT    NOT NULL CHECK (name <> ''),
    address_line1 TEXT    NOT NULL DEFAULT '',
    address_line2 TEXT    NOT NULL DEFAULT '',
    country_code  TEXT    NOT NULL DEFAULT 'PL',
    email         TEXT,
    trusted       INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (company_id, nip)
);

CREATE TABLE contractor_bank_accounts (
    contractor_id INTEGER NOT NULL REFERENCES contractors (id) ON DELETE CASCADE,
    account       TEXT    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    PRIMARY KEY (contractor_id, account)
);

CREATE TABLE numbering_series (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    pattern     TEXT    NOT NULL,
    reset       TEXT    NOT NULL CHECK (reset IN ('yearly', 'monthly')),
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1))
);

-- The last number handed out per series and period; bumped in the same
-- transaction that issues the invoice, so numbers have no gaps or duplicates.
CREATE TABLE numbering_counters (
    series_id INTEGER NOT NULL REFERENCES numbering_series (id) ON DELETE CASCADE,
    period    TEXT    NOT NULL,
    last      INTEGER NOT NULL CHECK (last >= 0),
    PRIMARY KEY (series_id, period)
);

CREATE TABLE sales_documents (
    id                 INTEGER PRIMARY KEY,
    company_id         INTEGER NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    contractor_id      INTEGER REFERENCES contractors (id) ON DELETE RESTRICT,
    series_id          INTEGER REFERENCES numbering_series (id),
    number             TEXT,
    kind               TEXT    NOT NULL CHECK (kind IN ('VAT', 'KOR', 'ZAL', 'ROZ', 'UPR')),
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'issued', 'queued', 'sending', 'accepted', 'rejected')),
    issue_date         TEXT,
    sale_date          TEXT,
    due_date           TEXT,
    currency           TEXT    NOT NULL DEFAULT 'PLN',
    net_total_minor    INTEGER NOT NULL DEFAULT 0,
    vat_total_minor    INTEGER NOT NULL DEFAULT 0,
    gross_total_minor  INTEGER NOT NULL DEFAULT 0,
    draft_json         TEXT,
    xml                BLOB,
    invoice_hash       TEXT,
    ksef_number        TEXT UNIQUE,
    ksef_accepted_at   TEXT,
    upo_xml            BLOB,
    rejection_code     INTEGER,
    rejection_message  TEXT,
    corrects_id        INTEGER REFERENCES sales_documents (id) ON DELETE RESTRICT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    UNIQUE (company_id, number),
    -- Once KSeF has accepted a document it carries its KSeF number.
    CHECK (status <> 'accepted' OR ksef_number IS NOT NULL)
);
CREATE INDEX sales_documents_company_status ON sales_documents (company_id, status);
CREATE INDEX sales_documents_company_issue_date ON sales_documents (company_id, issue_date);

CREATE TABLE cost_documents (
    id                 INTEGER PRIMARY KEY,
    company_id         INTEGER NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    contractor_id      INTEGER REFERENCES contractors (id) ON DELETE SET NULL,
    ksef_number        TEXT    NOT NULL,
    supplier_nip       TEXT,
    supplier_name      TEXT    NOT NULL DEFAULT '',
    number             TEXT    NOT NULL DEFAULT '',
    issue_date         TEXT,
    due_date           TEXT,
    currency           TEXT    NOT NULL DEFAULT 'PLN',
    net_total_minor    INTEGER NOT NULL DEFAULT 0,
    vat_total_minor    INTEGER NOT NULL DEFAULT 0,
    gross_total_minor  INTEGER NOT NULL DEFAULT 0,
    xml                BLOB,
    status             TEXT    NOT NULL CHECK (status IN ('new', 'described', 'approved', 'rejected', 'paid')),
    description        TEXT,
    category           TEXT,
    approved_by        INTEGER REFERENCES users (id),
    approved_at        TEXT,
    paid_at            TEXT,
    received_at        TEXT    NOT NULL,
    UNIQUE (company_id, ksef_number)
);
CREATE INDEX cost_documents_company_status ON cost_documents (company_id, status);

-- The communication history of a document: every step, kept forever.
CREATE TABLE document_events (
    id                INTEGER PRIMARY KEY,
    sales_document_id INTEGER REFERENCES sales_documents (id) ON DELETE CASCADE,
    cost_document_id  INTEGER REFERENCES cost_documents (id) ON DELETE CASCADE,
    at                TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    ksef_operation    TEXT,
    outcome           TEXT    NOT NULL,
    detail            TEXT,
    CHECK ((sales_document_id IS NULL) <> (cost_document_id IS NULL))
);
CREATE INDEX document_events_sales ON document_events (sales_document_id);
CREATE INDEX document_events_cost ON document_events (cost_document_id);

-- The transactional outbox: a row is written in the same transaction that
-- queues a document and is only marked done once KSeF's answer is stored.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY,
    sales_document_id  INTEGER NOT NULL UNIQUE REFERENCES sales_documents (id) ON DELETE RESTRICT,
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    not_before         TEXT    NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT,
    session_reference  TEXT,
    invoice_reference  TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE INDEX outbox_state ON outbox (state, not_before);

CREATE TABLE app_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE company_settings (
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (company_id, key)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    login        TEXT NOT NULL UNIQUE CHECK (login <> ''),
    display_name TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'sales', 'costs', 'accounting', 'finance')),
    PRIMARY KEY (user_id, company_id, role)
);

-- Append-only: who did what, when. No secrets are ever written here.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    company_id INTEGER REFERENCES companies (id),
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
