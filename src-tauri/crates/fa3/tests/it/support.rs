//! Shared helpers: locating `shared/ksef` and running `xmllint` offline.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `<workspace root>/../shared/ksef`, found from this crate's manifest dir so it
/// works wherever the repository is cloned (CI puts `shared/` beside it).
pub fn shared_ksef() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/ksef")
}

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
    fa3_files(&shared_ksef().join("samples"))
}

pub fn invalid_samples() -> Vec<PathBuf> {
    fa3_files(&shared_ksef().join("samples/invalid"))
}

/// Validate `xml` with `xmllint --schema` against the official XSD (offline).
/// Returns xmllint's stderr on failure. Requires `libxml2-utils`.
pub fn xmllint(xml: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd = shared_ksef().join("schemas/schemat_FA(3)_v1-0E.xsd");
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
