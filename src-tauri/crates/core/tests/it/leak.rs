//! After connecting, the token's bytes appear nowhere in the data dir (SQLite file, WAL,
//! logs) nor in anything logged at any level during the whole workflow; nor do a
//! certificate's private key and its password after a move to the certificate.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use desk_core::{MemoryVault, SecretString};
use ksef_sim::{Permission, TokenSpec};
use tracing_subscriber::fmt::MakeWriter;

use crate::connection::{company, simulator};
use crate::open_with;

/// Everything logged, shared between the subscriber and the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

#[track_caller]
fn assert_nowhere(secrets: &[&str], dir: &Path, logs: &[u8]) -> Vec<String> {
    let secrets: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
    assert_bytes_nowhere(&secrets, dir, logs)
}

#[track_caller]
fn assert_bytes_nowhere(secrets: &[&[u8]], dir: &Path, logs: &[u8]) -> Vec<String> {
    let files = files(dir);
    for secret in secrets {
        assert!(!contains(logs, secret), "a secret is in the logs");
        for (path, bytes) in &files {
            assert!(!contains(bytes, secret), "a secret is in {path}");
        }
    }
    files.into_iter().map(|(path, _)| path).collect()
}

#[tokio::test]
async fn the_token_is_in_the_vault_and_in_no_file_or_log() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    // Global, so spawned tasks and the blocking pool log here too (nextest runs each
    // test in its own process).
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = open_with(&dir, vault.clone());

    let first = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead, Permission::InvoiceWrite],
        valid_until: None,
    });
    let connected = desk.connect_company(&company(&sim, &first)).await.unwrap();
    let second = sim.add_token(TokenSpec::full(sim.nip.clone()));
    desk.replace_token(connected.company.id, SecretString::from(second.clone()))
        .await
        .unwrap();
    assert!(desk.is_connected(connected.company.id).unwrap());
    assert_eq!(vault.len(), 1);

    // The part after the last `|` is the secret proper; the prefix is a public reference.
    let secrets: Vec<&str> = [first.as_str(), second.as_str()]
        .into_iter()
        .flat_map(|t| [t, t.rsplit('|').next().unwrap()])
        .collect();

    // Write what was logged where the shell keeps its logs, then scan the whole dir
    // while the database is open (WAL present) ...
    let logs = captured.0.lock().unwrap().clone();
    assert!(
        contains(&logs, b"company connected to KSeF"),
        "the capture works"
    );
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::write(dir.path().join("logs/ksef-desk.log"), &logs).unwrap();
    let scanned = assert_nowhere(&secrets, dir.path(), &logs);
    assert!(
        scanned.iter().any(|p| p.ends_with(".sqlite3")),
        "{scanned:?}"
    );
    assert!(scanned.iter().any(|p| p.ends_with("-wal")), "{scanned:?}");

    // Move to a certificate whose key file is encrypted with a password (made with
    // openssl from the key the simulator issued): the key's DER and the password too
    // may only reach the vault.
    let (certificate, key) = sim
        .issue_certificate_valid(
            &sim.nip,
            ksef_sim::CertificateKind::Authentication,
            "2026-11-01T00:00:00Z".parse().unwrap(),
            "2027-11-01T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
    let password = "Haslo-Do-Klucza-7c1e";
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("key.der"), &key).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-inform",
            "DER",
            "-in",
            "key.der",
            "-v2",
            "aes-256-cbc",
        ])
        .args(["-passout", &format!("pass:{password}"), "-out", "key.pem"])
        .current_dir(work.path())
        .output()
        .expect("openssl must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files_chosen = desk_core::credentials::import::CertificateFiles::Pem {
        certificate,
        private_key: zeroize::Zeroizing::new(std::fs::read(work.path().join("key.pem")).unwrap()),
        password: Some(SecretString::from(password.to_owned())),
    };
    desk.use_certificate(
        connected.company.id,
        files_chosen,
        &desk_core::CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(vault.len(), 2, "the token and the private key");
    let logs = captured.0.lock().unwrap().clone();
    assert!(contains(&logs, b"company signs in with a certificate"));
    std::fs::write(dir.path().join("logs/ksef-desk.log"), &logs).unwrap();
    assert_bytes_nowhere(&[key.as_slice(), password.as_bytes()], dir.path(), &logs);

    // ... and after it is closed (WAL checkpointed into the main file).
    desk.disconnect(connected.company.id).unwrap();
    drop(desk);
    let logs = captured.0.lock().unwrap().clone();
    assert_nowhere(&secrets, dir.path(), &logs);
    assert_bytes_nowhere(&[key.as_slice(), password.as_bytes()], dir.path(), &logs);
    assert!(vault.is_empty());
}
