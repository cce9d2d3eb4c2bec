//! Certificates and keys made with the openssl CLI, an implementation independent of ours.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const NIP: &str = "5265877635";
pub const OTHER_NIP: &str = "7010002137";
pub const CHALLENGE: &str = "20250514-CR-1A2B3C4D5E-6F7A8B9C0D-E1";
pub const PASSWORD: &str = "Tajne-Haslo-9f3b";

pub struct Fixtures {
    dir: tempfile::TempDir,
}

/// Runs a CLI tool and returns (success, stdout+stderr); a missing tool fails the test
/// with a hint instead of skipping it.
pub fn run(program: &str, args: &[&str], cwd: &Path) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}): install it (Debian package, see APT_TEST in scripts/lib.sh)")
        });
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

impl Fixtures {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path(name), bytes).unwrap();
    }

    pub fn openssl(&self, args: &[&str]) {
        let (ok, out) = run("openssl", args, self.dir());
        assert!(ok, "openssl {args:?} failed: {out}");
    }

    /// `<name>.key` (unencrypted PKCS#8 PEM) and `<name>.crt` (self-signed PEM) valid
    /// for two days from now. `newkey` is openssl's: "rsa:2048", "ec" (P-256)...
    pub fn self_signed(&self, name: &str, newkey: &str, subject: &str, key_usage: &str) {
        let key = format!("{name}.key");
        let crt = format!("{name}.crt");
        let ku = format!("keyUsage=critical,{key_usage}");
        let mut args = vec!["req", "-x509", "-newkey", newkey];
        if newkey == "ec" {
            args.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
        }
        args.extend([
            "-nodes", "-keyout", &key, "-out", &crt, "-days", "2", "-subj", subject, "-addext", &ku,
        ]);
        self.openssl(&args);
    }

    /// A person's certificate carrying NIP in serialNumber, RSA 2048.
    pub fn rsa_person(&self, name: &str) {
        self.self_signed(
            name,
            "rsa:2048",
            &format!(
                "/CN=Jan Kowalski/givenName=Jan/surname=Kowalski/serialNumber=TINPL-{NIP}/C=PL"
            ),
            "digitalSignature,nonRepudiation",
        );
    }

    /// A company seal carrying NIP in organizationIdentifier, EC P-256.
    pub fn ec_seal(&self, name: &str) {
        self.self_signed(
            name,
            "ec",
            &format!("/CN=Firma Testowa/O=Firma Testowa Sp. z o.o./organizationIdentifier=VATPL-{NIP}/C=PL"),
            "digitalSignature",
        );
    }

    /// `<name>.p12` with the pair `<name>.key`/`<name>.crt`; `extra` are openssl pkcs12 options.
    pub fn pkcs12(&self, name: &str, extra: &[&str]) {
        let pass = format!("pass:{PASSWORD}");
        let (key, crt, p12) = (
            format!("{name}.key"),
            format!("{name}.crt"),
            format!("{name}.p12"),
        );
        let mut args = vec![
            "pkcs12", "-export", "-inkey", &key, "-in", &crt, "-out", &p12, "-passout", &pass,
        ];
        args.extend(extra);
        self.openssl(&args);
    }
}
