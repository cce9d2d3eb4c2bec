-- Costs (issue 8): purchase invoices retrieved from KSeF into an approval and
-- payment inbox. A document arrives from the metadata query first (content
-- 'pending'), then its original XML is downloaded and parsed ('parsed') or kept
-- with the reason it could not be read ('unreadable'); it is never dropped.
--
-- The workflow keeps the 0001 status column and its values: 'described' with a
-- submitted_at is "sent for approval", 'approved' with paid_minor > 0 is
-- "partially paid".

ALTER TABLE cost_documents ADD COLUMN subject_role TEXT NOT NULL DEFAULT 'buyer'
    CHECK (subject_role IN ('buyer', 'third_party', 'authorized'));
ALTER TABLE cost_documents ADD COLUMN invoice_kind TEXT NOT NULL DEFAULT 'Vat';
ALTER TABLE cost_documents ADD COLUMN invoice_hash TEXT;
ALTER TABLE cost_documents ADD COLUMN invoicing_at TEXT;
ALTER TABLE cost_documents ADD COLUMN permanent_storage_at TEXT;
ALTER TABLE cost_documents ADD COLUMN content_state TEXT NOT NULL DEFAULT 'pending'
    CHECK (content_state IN ('pending', 'parsed', 'unreadable'));
ALTER TABLE cost_documents ADD COLUMN content_problem TEXT;
ALTER TABLE cost_documents ADD COLUMN download_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cost_documents ADD COLUMN download_error TEXT;
ALTER TABLE cost_documents ADD COLUMN sale_date TEXT;
ALTER TABLE cost_documents ADD COLUMN bank_account TEXT;
ALTER TABLE cost_documents ADD COLUMN payment_form TEXT;
ALTER TABLE cost_documents ADD COLUMN split_payment INTEGER NOT NULL DEFAULT 0
    CHECK (split_payment IN (0, 1));
-- Warnings fixed when the document arrives: the supplier's first invoice, and
-- a bank account the supplier has not used before.
ALTER TABLE cost_documents ADD COLUMN first_from_supplier INTEGER NOT NULL DEFAULT 0
    CHECK (first_from_supplier IN (0, 1));
ALTER TABLE cost_documents ADD COLUMN new_bank_account INTEGER NOT NULL DEFAULT 0
    CHECK (new_bank_account IN (0, 1));
ALTER TABLE cost_documents ADD COLUMN cost_centre TEXT;
ALTER TABLE cost_documents ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE cost_documents ADD COLUMN submitted_at TEXT;
ALTER TABLE cost_documents ADD COLUMN rejection_reason TEXT;
ALTER TABLE cost_documents ADD COLUMN paid_minor INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0);
-- Lower-case, diacritics folded: supplier, NIP, number, KSeF number, note, tags.
ALTER TABLE cost_documents ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- The inbox pages through 100 000 documents by these orders.
CREATE INDEX cost_documents_company_received ON cost_documents (company_id, id);
CREATE INDEX cost_documents_company_due ON cost_documents (company_id, due_date, id);
CREATE INDEX cost_documents_company_issue ON cost_documents (company_id, issue_date, id);
CREATE INDEX cost_documents_company_gross ON cost_documents (company_id, gross_total_minor, id);
CREATE INDEX cost_documents_company_supplier ON cost_documents (company_id, supplier_nip, id);
CREATE INDEX cost_documents_pending ON cost_documents (company_id, content_state, id);

-- The original XML is the legal document: once stored it never changes.
CREATE TRIGGER cost_documents_xml_is_immutable BEFORE UPDATE OF xml ON cost_documents
WHEN OLD.xml IS NOT NULL AND NEW.xml IS NOT OLD.xml
BEGIN
    SELECT RAISE(ABORT, 'the original XML of a cost document is immutable');
END;

-- Amounts per VAT rate as the invoice states them (P_13_x / P_14_x).
CREATE TABLE cost_document_rates (
    cost_document_id INTEGER NOT NULL REFERENCES cost_documents (id) ON DELETE CASCADE,
    rate             TEXT    NOT NULL,
    net_minor        INTEGER NOT NULL,
    vat_minor        INTEGER,
    PRIMARY KEY (cost_document_id, rate)
);

-- Every workflow step of a cost: who, when, what. Append-only.
CREATE TABLE cost_steps (
    id               INTEGER PRIMARY KEY,
    cost_document_id INTEGER NOT NULL REFERENCES cost_documents (id) ON DELETE CASCADE,
    at               TEXT    NOT NULL,
    user_id          INTEGER REFERENCES users (id),
    action           TEXT    NOT NULL,
    detail           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX cost_steps_document ON cost_steps (cost_document_id, id);
CREATE TRIGGER cost_steps_are_append_only_update BEFORE UPDATE ON cost_steps
BEGIN
    SELECT RAISE(ABORT, 'cost_steps is append-only');
END;
CREATE TRIGGER cost_steps_are_append_only_delete BEFORE DELETE ON cost_steps
BEGIN
    SELECT RAISE(ABORT, 'cost_steps is append-only');
END;

CREATE TABLE cost_payments (
    id               INTEGER PRIMARY KEY,
    cost_document_id INTEGER NOT NULL REFERENCES cost_documents (id) ON DELETE CASCADE,
    paid_on          TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    method           TEXT    NOT NULL CHECK (method IN ('transfer', 'split_payment', 'card', 'cash', 'other')),
    reference        TEXT    NOT NULL DEFAULT '',
    recorded_by      INTEGER REFERENCES users (id),
    recorded_at      TEXT    NOT NULL
);
CREATE INDEX cost_payments_document ON cost_payments (cost_document_id, id);

-- Incremental retrieval per company and KSeF subject role: where the next run
-- starts (the permanent-storage date up to which everything was stored).
CREATE TABLE cost_sync_state (
    company_id      INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    subject         TEXT    NOT NULL CHECK (subject IN ('buyer', 'third_party', 'authorized')),
    synced_up_to    TEXT,
    last_run_at     TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    PRIMARY KEY (company_id, subject)
);
