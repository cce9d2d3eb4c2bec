-- How each company signs in to KSeF (issue 12). A company without a row signs in with
-- a KSeF token, as every company did before this migration. A certificate row keeps
-- only the PUBLIC certificate and what the UI shows of it; the private key lives in the
-- OS keychain and the password is never stored.
CREATE TABLE company_credentials (
    company_id         INTEGER PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    method             TEXT    NOT NULL CHECK (method = 'certificate'),
    -- 'ksef': a KSeF certificate (.crt + .key); 'qualified': a qualified certificate or
    -- company seal (PKCS#12).
    certificate_source TEXT    NOT NULL CHECK (certificate_source IN ('ksef', 'qualified')),
    certificate_der    BLOB    NOT NULL CHECK (length(certificate_der) > 0),
    subject            TEXT    NOT NULL,
    issuer             TEXT    NOT NULL,
    serial_hex         TEXT    NOT NULL,
    fingerprint_sha256 TEXT    NOT NULL CHECK (length(fingerprint_sha256) = 64),
    key_algorithm      TEXT    NOT NULL,
    not_before         TEXT    NOT NULL,
    not_after          TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
