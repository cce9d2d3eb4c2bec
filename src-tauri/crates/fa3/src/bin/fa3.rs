//! `fa3`: check, render and round-trip FA(3) invoices from the command line.
//!
//! ```text
//! fa3 check [--lang pl|en] FILE...     one line per file: OK (with any warnings) or what is wrong; exit 1 if any fails
//! fa3 render FILE -o OUT.html|OUT.pdf [--ksef-number N] [--qr test|demo|prod]
//! fa3 roundtrip FILE                   parse, write, print the XML
//! fa3 bench [--iterations N] FILE...   write and parse throughput
//! ```

// A command-line tool talks through stdout/stderr by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use fa3::render::RenderOptions;

/// KSeF's limit for one invoice file without attachments (1 MB, ksef-docs
/// `limity.md`); counted in decimal megabytes so we never accept what KSeF refuses.
const MAX_INVOICE_BYTES: usize = 1_000_000;
/// The limit for an invoice with an attachment (`Zalacznik`): 3 MB.
const MAX_INVOICE_WITH_ATTACHMENT_BYTES: usize = 3_000_000;

const USAGE: &str = "usage:
  fa3 check [--lang pl|en] FILE...
  fa3 render FILE -o OUT.html|OUT.pdf [--ksef-number N] [--qr test|demo|prod]
  fa3 roundtrip FILE
  fa3 bench [--iterations N] FILE...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("render") => render(&args[1..]),
        Some("roundtrip") => roundtrip(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("fa3: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The verdict on one file under the rules for sending: `Ok` with the warnings
/// (a legal invoice that still goes out, e.g. one issued late), or what blocks it.
fn check_one(path: &Path, polish: bool) -> Result<Vec<String>, String> {
    // Refuse oversized files before reading them into memory.
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if size > MAX_INVOICE_WITH_ATTACHMENT_BYTES as u64 {
        return Err(format!(
            "file is {size} bytes, over KSeF's limit of {MAX_INVOICE_WITH_ATTACHMENT_BYTES}"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > MAX_INVOICE_WITH_ATTACHMENT_BYTES {
        return Err(format!(
            "file is {} bytes, over KSeF's limit of {MAX_INVOICE_WITH_ATTACHMENT_BYTES}",
            bytes.len()
        ));
    }
    let parsed = fa3::parse(&bytes).map_err(|e| match e {
        fa3::ParseError::Schema(issues) if polish => issues
            .iter()
            .map(fa3::SchemaIssue::message_pl)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    })?;
    let has_attachment = parsed.invoice.extra.iter().any(|e| e.name == "Zalacznik");
    if !has_attachment && bytes.len() > MAX_INVOICE_BYTES {
        return Err(format!(
            "file is {} bytes, over KSeF's limit of {MAX_INVOICE_BYTES} for invoices without an attachment",
            bytes.len()
        ));
    }
    let say = |f: &fa3::Finding| {
        let m = if polish { &f.message_pl } else { &f.message_en };
        format!("[{}] {}: {m}", f.code, f.path)
    };
    let (errors, warnings): (Vec<_>, Vec<_>) =
        parsed.warnings.iter().partition(|f| f.blocks_sending());
    if errors.is_empty() {
        Ok(warnings.into_iter().map(say).collect())
    } else {
        Err(errors.into_iter().map(say).collect::<Vec<_>>().join("; "))
    }
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let mut polish = false;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--lang" => polish = it.next().map(String::as_str) == Some("pl"),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        return Err(USAGE.to_owned());
    }
    let mut failed = false;
    for f in &files {
        match check_one(f, polish) {
            Ok(warnings) if warnings.is_empty() => println!("{}: OK", f.display()),
            Ok(warnings) => println!(
                "{}: OK, warning: {}",
                f.display(),
                warnings.join("; ").replace('\n', " ")
            ),
            Err(e) => {
                failed = true;
                println!("{}: FAIL: {}", f.display(), e.replace('\n', " "));
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn render(args: &[String]) -> Result<ExitCode, String> {
    let mut input = None;
    let mut output = None;
    let mut ksef_number = None;
    let mut qr_env = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" => output = it.next().map(PathBuf::from),
            "--ksef-number" => ksef_number = it.next().cloned(),
            "--qr" => {
                qr_env = Some(match it.next().map(String::as_str) {
                    Some("test") => fa3::Environment::Test,
                    Some("demo") => fa3::Environment::Demo,
                    Some("prod") => fa3::Environment::Production,
                    other => return Err(format!("--qr expects test|demo|prod, got {other:?}")),
                })
            }
            _ => input = Some(PathBuf::from(a)),
        }
    }
    let (Some(input), Some(output)) = (input, output) else {
        return Err(USAGE.to_owned());
    };
    let bytes = std::fs::read(&input).map_err(|e| format!("{}: {e}", input.display()))?;
    let parsed = fa3::parse(&bytes).map_err(|e| format!("{}: {e}", input.display()))?;
    let inv = &parsed.invoice;
    let verification_link =
        qr_env.map(|env| fa3::verification_link(env, inv.seller_nip(), inv.issue_date(), &bytes));
    let opts = RenderOptions {
        qr_label: if ksef_number.is_none() {
            Some("OFFLINE".to_owned())
        } else {
            None
        },
        ksef_number,
        verification_link,
    };
    let is_pdf = output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let data = if is_pdf {
        pdf(inv, &opts)?
    } else {
        fa3::render::render_html(inv, &opts).into_bytes()
    };
    std::fs::write(&output, data).map_err(|e| format!("{}: {e}", output.display()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "pdf")]
fn pdf(inv: &fa3::Invoice, opts: &RenderOptions) -> Result<Vec<u8>, String> {
    fa3::pdf::render_pdf(inv, opts).map_err(|e| e.to_string())
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &fa3::Invoice, _: &RenderOptions) -> Result<Vec<u8>, String> {
    Err("this build of fa3 has no PDF support (feature \"pdf\")".to_owned())
}

fn roundtrip(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else {
        return Err(USAGE.to_owned());
    };
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let parsed = fa3::parse(&bytes).map_err(|e| format!("{file}: {e}"))?;
    let out = fa3::write(&parsed.invoice).map_err(|e| format!("{file}: {e}"))?;
    print!("{}", String::from_utf8_lossy(&out));
    Ok(ExitCode::SUCCESS)
}

fn bench(args: &[String]) -> Result<ExitCode, String> {
    let mut iterations = 200usize;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--iterations" => {
                iterations = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--iterations expects a number")?
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        return Err(USAGE.to_owned());
    }
    let mut docs = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let inv = fa3::parse(&bytes)
            .map_err(|e| format!("{}: {e}", f.display()))?
            .invoice;
        let xml = fa3::write(&inv).map_err(|e| format!("{}: {e}", f.display()))?;
        docs.push((inv, xml));
    }
    let bytes_per_round: usize = docs.iter().map(|(_, x)| x.len()).sum();
    let rounds = iterations.max(1);
    let start = Instant::now();
    for _ in 0..rounds {
        for (inv, _) in &docs {
            fa3::write(inv).map_err(|e| e.to_string())?;
        }
    }
    report(
        "write",
        start.elapsed().as_secs_f64(),
        rounds * docs.len(),
        rounds * bytes_per_round,
    );
    let start = Instant::now();
    for _ in 0..rounds {
        for (_, xml) in &docs {
            fa3::parse(xml).map_err(|e| e.to_string())?;
        }
    }
    report(
        "parse",
        start.elapsed().as_secs_f64(),
        rounds * docs.len(),
        rounds * bytes_per_round,
    );
    Ok(ExitCode::SUCCESS)
}

fn report(what: &str, secs: f64, docs: usize, bytes: usize) {
    let secs = secs.max(1e-9);
    println!(
        "{what:>5}: {docs} documents, {:.1} MB in {secs:.3} s = {:.0} documents/s, {:.2} MB/s",
        bytes as f64 / 1e6,
        docs as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}
