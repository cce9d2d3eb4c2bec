-- Sales: the list's columns denormalised onto the document so that filtering,
-- searching and sorting 100,000 documents never reads a document body; one
-- numbering series per document kind; the send mode chosen by the user.

ALTER TABLE numbering_series ADD COLUMN kind TEXT NOT NULL DEFAULT 'VAT'
    CHECK (kind IN ('VAT', 'KOR', 'ZAL', 'ROZ', 'UPR'));
CREATE UNIQUE INDEX numbering_series_one_default_per_kind
    ON numbering_series (company_id, kind) WHERE is_default = 1;

ALTER TABLE sales_documents ADD COLUMN buyer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_documents ADD COLUMN buyer_nip TEXT;
-- Lower-case, diacritics folded: number, buyer, NIP, KSeF number.
ALTER TABLE sales_documents ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_documents ADD COLUMN send_mode TEXT
    CHECK (send_mode IS NULL OR send_mode IN ('now', 'end_of_day'));
-- Sent after its issue date (P_1): KSeF's offline-mode rules apply.
ALTER TABLE sales_documents ADD COLUMN offline_mode INTEGER NOT NULL DEFAULT 0
    CHECK (offline_mode IN (0, 1));
ALTER TABLE sales_documents ADD COLUMN upo_received_at TEXT;

CREATE INDEX sales_documents_company_updated ON sales_documents (company_id, updated_at);
CREATE INDEX sales_documents_company_gross ON sales_documents (company_id, gross_total_minor);
CREATE INDEX sales_documents_company_contractor ON sales_documents (company_id, contractor_id);
CREATE INDEX sales_documents_corrects ON sales_documents (corrects_id);

-- Full-text search of the list: trigram-indexed, so any part of a number, name or
-- NIP is found without scanning every document.
CREATE VIRTUAL TABLE sales_search USING fts5(
    search_text, content = 'sales_documents', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO sales_search (sales_search) VALUES ('rebuild');
CREATE TRIGGER sales_search_insert AFTER INSERT ON sales_documents
BEGIN
    INSERT INTO sales_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER sales_search_delete AFTER DELETE ON sales_documents
BEGIN
    INSERT INTO sales_search (sales_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER sales_search_update AFTER UPDATE OF search_text ON sales_documents
BEGIN
    INSERT INTO sales_search (sales_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO sales_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
