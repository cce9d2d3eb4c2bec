-- KSeF certificates enrolled from the app (issue 12): the PUBLIC certificate of each,
-- kept for display and so an Offline certificate can be found with its key later. The
-- private key of each lives only in the OS keychain (entry named by `key_entry`); the
-- certificate a company signs in with is also in company_credentials.
CREATE TABLE ksef_certificates (
    company_id      INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    -- KSeF's serial number (16 hex digits), as KSeF lists it.
    serial          TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('authentication', 'offline')),
    name            TEXT    NOT NULL,
    certificate_der BLOB    NOT NULL CHECK (length(certificate_der) > 0),
    -- The keychain entry's name (not the key): see core vault.rs.
    key_entry       TEXT    NOT NULL,
    valid_from      TEXT    NOT NULL,
    valid_to        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (company_id, serial)
);
