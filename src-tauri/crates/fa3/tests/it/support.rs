//! Shared helpers: the samples in `ksef-spec/` and running `xmllint` offline.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every `fa3-*.xml` in `dir`, sorted.
pub fn fa3_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("fa3-") && n.ends_with(".xml")
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no samples in {}", dir.display());
    v
}

pub fn samples() -> Vec<PathBuf> {
    fa3_files(&ksef_spec::samples_dir())
}

pub fn invalid_samples() -> Vec<PathBuf> {
    fa3_files(&ksef_spec::samples_dir().join("invalid"))
}

/// Validate `xml` with `xmllint --schema` against the official XSD (offline).
/// Returns xmllint's stderr on failure. Requires `libxml2-utils`.
pub fn xmllint(xml: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd = ksef_spec::schema("schemat_FA(3)_v1-0E.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("xmllint not runnable (apt-get install libxml2-utils): {e}"));
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
