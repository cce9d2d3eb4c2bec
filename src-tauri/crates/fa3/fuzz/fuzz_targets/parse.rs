//! Any input: `parse` must not panic; whatever parses must write back to a
//! document that parses to the same invoice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = fa3::parse(data) {
        let xml = fa3::write(&parsed.invoice).expect("a parsed invoice must write");
        let again = fa3::parse(&xml).expect("a written invoice must parse");
        assert_eq!(again.invoice, parsed.invoice);
    }
});
