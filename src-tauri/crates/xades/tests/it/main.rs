//! Integration tests of ksef-xades against independent implementations: keys and
//! certificates from the openssl CLI, signatures checked by and made with xmlsec1, the
//! AuthTokenRequest checked by xmllint against the official XSD.

// Test code: helpers outside `#[test]` fns fail loudly too (clippy.toml only covers the fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod csr;
mod fixtures;
mod import;
mod interop;
