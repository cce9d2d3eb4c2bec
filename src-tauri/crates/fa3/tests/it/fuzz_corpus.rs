//! Replays the cargo-fuzz corpus (`fuzz/corpus/parse`) with the fuzz target's
//! property, so CI exercises it without nightly or libFuzzer.

use std::path::Path;

#[test]
fn fuzz_corpus_replays_without_panics_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/parse");
    let mut n = 0;
    let mut parsed_ok = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        n += 1;
        if let Ok(parsed) = fa3::parse(&data) {
            parsed_ok += 1;
            let xml =
                fa3::write(&parsed.invoice).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let again = fa3::parse(&xml).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(again.invoice, parsed.invoice, "{}", path.display());
        }
    }
    assert!(n >= 10, "corpus has {n} entries");
    assert!(
        parsed_ok >= 3 && parsed_ok < n,
        "{parsed_ok} of {n} parsed: corpus should mix valid and invalid"
    );
}
