-- Incremental cost-invoice sync: per company and subject type, the point up to
-- which KSeF's stored set has been read completely (the high-water mark).
CREATE TABLE ksef_sync_state (
    company_id   INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    subject_type TEXT    NOT NULL CHECK (subject_type IN ('seller', 'buyer')),
    synced_up_to TEXT,
    last_run_at  TEXT,
    last_error   TEXT,
    PRIMARY KEY (company_id, subject_type)
);
