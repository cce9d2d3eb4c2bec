//! The `fa3` command-line tool.

use std::process::Command;

use crate::support::{invalid_samples, samples, xmllint};

fn fa3() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fa3"))
}

fn sample(part: &str) -> std::path::PathBuf {
    samples()
        .into_iter()
        .find(|p| p.to_string_lossy().contains(part))
        .unwrap()
}

#[test]
fn check_prints_one_line_per_file_and_fails_if_any_fails() {
    let good = sample("vat-basic");
    let out = fa3().arg("check").arg(&good).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}: OK\n", good.display())
    );

    let bad = &invalid_samples()[0];
    let placeholder_nip = sample("zalacznik-FA_3_Zalacznik_Przyklad_1");
    let out = fa3()
        .arg("check")
        .arg(&good)
        .arg(bad)
        .arg(&placeholder_nip)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].ends_with(": OK"));
    assert!(
        lines[1].contains("FAIL") && lines[1].contains("TerminOpis"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("FAIL") && lines[2].contains("nip.checksum"),
        "{}",
        lines[2]
    );
}

#[test]
fn check_speaks_polish_on_request() {
    let out = fa3()
        .args(["check", "--lang", "pl"])
        .arg(&invalid_samples()[0])
        .arg(sample("Zalacznik_Przyklad_1"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("brak wymaganego elementu Ilosc"),
        "{stdout}"
    );
    assert!(stdout.contains("ma błędną sumę kontrolną"), "{stdout}");
}

#[test]
fn check_passes_a_late_invoice_with_a_warning() {
    // Sold 3 August, issued 31 October: past the 15 September deadline, still legal.
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("late.xml");
    let xml = std::fs::read_to_string(sample("vat-basic"))
        .unwrap()
        .replace("<P_6>2025-10-03</P_6>", "<P_6>2025-08-03</P_6>");
    std::fs::write(&late, xml).unwrap();
    let out = fa3().arg("check").arg(&late).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(": OK, warning: [date.late_issue]") && stdout.contains("2025-09-15"),
        "{stdout}"
    );
}

#[test]
fn check_fails_files_over_the_ksef_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xml");
    let xml = std::fs::read_to_string(sample("vat-basic")).unwrap();
    // Valid XML padded with a comment past 1 MB (no attachment).
    let padded = xml.replacen(
        "<Faktura",
        &format!("<!--{}-->\n<Faktura", "x".repeat(1_100_000)),
        1,
    );
    std::fs::write(&big, padded).unwrap();
    let out = fa3().arg("check").arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("limit"));
}

#[test]
fn roundtrip_prints_valid_xml() {
    let out = fa3()
        .arg("roundtrip")
        .arg(sample("kor-eur"))
        .output()
        .unwrap();
    assert!(out.status.success());
    xmllint(&out.stdout).unwrap();
    assert!(fa3::parse(&out.stdout).is_ok());
}

#[test]
fn render_writes_html() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("out.html");
    let out = fa3()
        .args(["render"])
        .arg(sample("vat-basic"))
        .arg("-o")
        .arg(&html)
        .args(["--qr", "test"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("OFFLINE") && text.contains("<svg"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(fa3().output().unwrap().status.code(), Some(2));
    assert_eq!(fa3().arg("check").output().unwrap().status.code(), Some(2));
}
