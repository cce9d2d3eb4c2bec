//! `cargo bench -p fa3`: write and parse throughput (documents/s, MB/s) on the
//! samples in `ksef-spec/samples` and on one large (2 000-line) invoice. A plain
//! timing loop, no harness: the figures are what we report, not regressions to gate on.

// A benchmark reports on stdout; unwrap is fine in this developer tool.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

fn measure(label: &str, docs: &[(fa3::Invoice, Vec<u8>)]) {
    let bytes: usize = docs.iter().map(|(_, x)| x.len()).sum();
    for (what, run) in [
        (
            "write",
            &(|d: &(fa3::Invoice, Vec<u8>)| drop(fa3::write(&d.0).unwrap()))
                as &dyn Fn(&(fa3::Invoice, Vec<u8>)),
        ),
        ("parse", &|d: &(fa3::Invoice, Vec<u8>)| {
            drop(fa3::parse(&d.1).unwrap())
        }),
    ] {
        // Warm up (schema compilation, caches), then run for about a second.
        docs.iter().for_each(run);
        let start = Instant::now();
        let mut rounds = 0usize;
        while start.elapsed() < Duration::from_secs(1) {
            docs.iter().for_each(run);
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let n = rounds * docs.len();
        println!(
            "{label:>8} {what}: {:>8.0} documents/s {:>7.2} MB/s ({n} documents, {:.1} MB)",
            n as f64 / secs,
            (rounds * bytes) as f64 / 1e6 / secs,
            (rounds * bytes) as f64 / 1e6
        );
    }
}

fn main() {
    let dir = ksef_spec::samples_dir();
    let mut samples = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("ksef-spec/samples") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("fa3-") && name.ends_with(".xml") {
            let inv = fa3::parse(&std::fs::read(&path).unwrap()).unwrap().invoice;
            let xml = fa3::write(&inv).unwrap();
            samples.push((inv, xml));
        }
    }
    measure("samples", &samples);

    let mut big = samples[0].0.clone();
    let template = big.fa.lines.first().cloned().unwrap_or_default();
    big.fa.lines = (1..=2000)
        .map(|n| fa3::Line {
            number: n,
            ..template.clone()
        })
        .collect();
    fa3::amounts::recompute(&mut big.fa);
    let xml = fa3::write(&big).unwrap();
    measure("2k-lines", &[(big, xml)]);
}
