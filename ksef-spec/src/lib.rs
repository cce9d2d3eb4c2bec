//! The official KSeF contract files, kept in the repository so a clone builds, tests
//! and benchmarks on its own, and the one way code reaches them.
//!
//! The files live beside this crate's manifest (`ksef-spec/openapi`, `schemas`,
//! `samples`; provenance and licences in `SOURCES.md`), so every path here is this
//! crate's own directory: no reader climbs out of the repository, and `scripts/test`
//! fails if anything does. Paths are for tests and benchmarks (they point into the
//! source tree); the app itself only embeds the FA(3) schemas ([`fa3_xsd`]).

use std::path::{Path, PathBuf};

/// The `ksef-spec` directory of this checkout.
pub fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The KSeF API 2.0 OpenAPI document (`openapi/open-api.json`).
pub fn openapi() -> PathBuf {
    dir().join("openapi/open-api.json")
}

/// A schema file by its name under `schemas/`, e.g. `upo-v4-3.xsd`,
/// `schemat_FA(3)_v1-0E.xsd` or `auth/schemat_auth_v2-1.xsd`.
pub fn schema(name: &str) -> PathBuf {
    dir().join("schemas").join(name)
}

/// The directory of valid FA(3) sample invoices (`samples/`); invalid ones are in
/// its `invalid/` subdirectory.
pub fn samples_dir() -> PathBuf {
    dir().join("samples")
}

/// A sample invoice by file name, e.g. `fa3-vat-basic_cirfmf-ksef-pdf-generator.xml`.
pub fn sample(name: &str) -> PathBuf {
    samples_dir().join(name)
}

/// The FA(3) schema set, embedded at compile time for the app's own validator
/// (it ships to Windows and macOS, where no schema files or libxml2 are at hand).
pub mod fa3_xsd {
    /// `schemat_FA(3)_v1-0E.xsd`, the invoice schema.
    pub const FA: &str = include_str!("../schemas/schemat_FA(3)_v1-0E.xsd");
    /// `StrukturyDanych_v10-0E.xsd`, imported by the invoice schema.
    pub const STRUKTURY: &str = include_str!("../schemas/StrukturyDanych_v10-0E.xsd");
    /// `ElementarneTypyDanych_v10-0E.xsd`, included by `StrukturyDanych`.
    pub const ELEMENTARNE: &str = include_str!("../schemas/ElementarneTypyDanych_v10-0E.xsd");
    /// `KodyKrajow_v10-0E.xsd`, included by `ElementarneTypyDanych`.
    pub const KODY: &str = include_str!("../schemas/KodyKrajow_v10-0E.xsd");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path this crate hands out exists, so a moved file fails here first
    /// rather than as a puzzling read error in another crate's test.
    #[test]
    fn every_named_file_is_present() {
        assert!(openapi().is_file());
        for name in [
            "schemat_FA(3)_v1-0E.xsd",
            "StrukturyDanych_v10-0E.xsd",
            "ElementarneTypyDanych_v10-0E.xsd",
            "KodyKrajow_v10-0E.xsd",
            "upo-v4-3.xsd",
            "auth/schemat_auth_v2-0.xsd",
            "auth/schemat_auth_v2-1.xsd",
        ] {
            assert!(schema(name).is_file(), "{name}");
        }
        assert!(sample("fa3-vat-basic_cirfmf-ksef-pdf-generator.xml").is_file());
        assert!(samples_dir().join("invalid").is_dir());
        assert!(fa3_xsd::FA.contains("schemaLocation=\"StrukturyDanych_v10-0E.xsd\""));
    }
}
