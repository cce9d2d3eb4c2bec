//! A company's credentials as Settings, the dashboard and the status bar see them.

use std::sync::Arc;

use desk_core::credentials::import::CertificateFiles;
use desk_core::{
    CancellationToken, CoreError, CredentialAlert, CredentialMethod, ErrorKind, KsefEnvironment,
    Locale, MemoryVault, Nip, SecretString, TokenVault, VaultKey,
};
use zeroize::Zeroizing;

use crate::connection::{company, simulator};
use crate::open;

#[tokio::test]
async fn a_token_company_counts_the_days_to_the_cut_off() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    let credentials = desk.credentials(connected.company.id).unwrap();
    assert_eq!(credentials.method, CredentialMethod::Token);
    assert!(credentials.has_secret);
    assert!(credentials.can_manage, "who adds a company administers it");
    assert_eq!(credentials.token_last_day.to_string(), "2026-12-31");
    // The test clock says 25 November 2026: 6 days of November and 31 of December.
    assert_eq!(credentials.token_days_left, 37);
    assert_eq!(credentials.certificate_expiry, None);
    assert_eq!(
        credentials.alert(),
        Some(CredentialAlert::TokenCutoff { days_left: 37 })
    );
    assert_eq!(
        desk.status().unwrap().credential_alert,
        Some(CredentialAlert::TokenCutoff { days_left: 37 })
    );

    desk.disconnect(connected.company.id).unwrap();
    assert!(!desk.credentials(connected.company.id).unwrap().has_secret);
}

/// Runs openssl in `dir` (an implementation independent of ours); a missing tool fails.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}): install it"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pem_files(dir: &std::path::Path, cert: &str, key: &str, password: &str) -> CertificateFiles {
    CertificateFiles::Pem {
        certificate: std::fs::read(dir.join(cert)).unwrap(),
        private_key: Zeroizing::new(std::fs::read(dir.join(key)).unwrap()),
        password: Some(SecretString::from(password.to_owned())),
    }
}

#[tokio::test]
async fn an_unusable_certificate_is_refused_naming_every_problem_and_nothing_changes() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = crate::open_with(&dir, vault.clone());
    let id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    let files = tempfile::tempdir().unwrap();
    let f = files.path();
    // A certificate of another company (NIP 7010002137), its key encrypted.
    openssl(
        f,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "other.key",
            "-out",
            "other.crt",
            "-days",
            "400",
            "-subj",
            "/CN=Jan Kowalski/serialNumber=TINPL-7010002137/C=PL",
            "-passout",
            "pass:Tajne-Haslo",
        ],
    );
    openssl(
        f,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "stranger.key",
        ],
    );
    let cancel = CancellationToken::new();
    let refused = |error: &CoreError| -> Vec<&'static str> {
        assert_eq!(error.kind(), ErrorKind::Validation, "{error:?}");
        assert_eq!(error.code(), "certificate_refused");
        error
            .certificate_issues()
            .iter()
            .map(|i| i.code())
            .collect()
    };

    let wrong = desk
        .use_certificate(
            id,
            pem_files(f, "other.crt", "other.key", "zle-haslo"),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(refused(&wrong), ["wrong_password"]);
    assert_eq!(wrong.certificate_issues()[0].field(), "password");
    assert!(wrong
        .message(Locale::Pl)
        .contains("Hasło jest nieprawidłowe"));

    let mismatch = desk
        .use_certificate(id, pem_files(f, "other.crt", "stranger.key", ""), &cancel)
        .await
        .unwrap_err();
    assert_eq!(refused(&mismatch), ["key_does_not_match_certificate"]);

    let not_a_certificate = desk
        .use_certificate(
            id,
            pem_files(f, "stranger.key", "other.key", "Tajne-Haslo"),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(refused(&not_a_certificate), ["not_a_certificate"]);

    // Read fine, but issued for another NIP and (by the test clock of 25 November)
    // not valid yet: both are named.
    let other = desk
        .use_certificate(
            id,
            pem_files(f, "other.crt", "other.key", "Tajne-Haslo"),
            &cancel,
        )
        .await
        .unwrap_err();
    let codes = refused(&other);
    assert!(codes.contains(&"certificate_other_nip"), "{codes:?}");
    assert!(codes.contains(&"certificate_not_yet_valid"), "{codes:?}");
    assert!(other.message(Locale::Pl).contains("NIP 7010002137"));
    assert!(other.message(Locale::En).contains("NIP 7010002137"));

    // Nothing changed: still the token, no key kept, the password nowhere.
    let credentials = desk.credentials(id).unwrap();
    assert_eq!(credentials.method, CredentialMethod::Token);
    assert_eq!(vault.len(), 1, "only the token");
    let key = VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator);
    assert!(vault.load_private_key(&key).unwrap().is_none());

    // Only the company's administrator changes how it signs in: a sales clerk is
    // refused before any file is read.
    crate::roles::act_as(&dir, "clerk", &[desk_core::Role::Sales]);
    assert!(!desk.credentials(id).unwrap().can_manage);
    let error = desk
        .use_certificate(
            id,
            pem_files(f, "other.crt", "other.key", "Tajne-Haslo"),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "forbidden");
    assert_eq!(error.kind(), ErrorKind::Permission);
}

/// The issue's "done when": a token company moves to a certificate the simulator issued,
/// and with token sign-in switched off it still sends an invoice and retrieves costs.
#[tokio::test]
async fn a_token_company_moves_to_a_certificate_and_works_after_the_token_cut_off() {
    use chrono::{Duration, Utc};
    use desk_core::{ContractorInput, CostSyncOptions, DraftLine, InvoiceDraft, SendMode};
    use ksef_sim::{CertificateKind, SimConfig, Simulator};

    // Tokens stop working a few seconds from now, as on 1 January 2027.
    let cut_off = Utc::now() + Duration::seconds(8);
    let sim = Simulator::start(SimConfig {
        token_auth_refused_from: Some(cut_off),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let (certificate, key) = sim
        .issue_certificate(&sim.nip, CertificateKind::Authentication)
        .unwrap();
    let secret_key = key.clone();
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    // The certificate is valid from the simulator's real now: the desk's clock, fixed
    // after the issue, agrees.
    let desk = desk_core::Desk::open(
        dir.path(),
        Box::new(desk_core::FixedClock(Utc::now())),
        vault.clone(),
    )
    .unwrap();
    let id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    tokio::time::sleep((cut_off - Utc::now()).to_std().unwrap_or_default()).await;

    let started = std::time::Instant::now();
    let switch = desk
        .use_certificate(
            id,
            CertificateFiles::Pem {
                certificate,
                private_key: Zeroizing::new(key),
                password: None,
            },
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // The NIP owner holds every right in its own context: every feature works.
    for feature in desk_core::AppFeature::ALL {
        assert_eq!(
            switch.report.feature(feature),
            desk_core::FeatureState::Enabled,
            "{feature:?}"
        );
    }
    let credentials = switch.credentials;
    let CredentialMethod::Certificate(stored) = &credentials.method else {
        panic!("{credentials:?}")
    };
    assert_eq!(stored.fingerprint_sha256.len(), 64);
    assert_eq!(stored.key_algorithm, "EC P-256");
    assert!(credentials.has_secret);
    assert_eq!(
        credentials.alert(),
        None,
        "a fresh certificate needs no warning"
    );
    let vault_key = VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator);
    assert_eq!(
        *vault.load_private_key(&vault_key).unwrap().unwrap(),
        secret_key
    );
    // The token is kept (nothing lost), but it no longer signs in.
    assert!(vault.load(&vault_key).unwrap().is_some());
    assert!(desk
        .test_connection(&crate::connection::request(&sim, &sim.token))
        .await
        .is_err());

    // Sending: the outbox signs in with the certificate.
    let buyer = desk
        .add_contractor(
            id,
            &ContractorInput {
                nip: "774-000-14-54".into(),
                name: "Hurtownia Papiernicza Kałamarz S.A.".into(),
                address_line1: "ul. Żółkiewskiego 12".into(),
                address_line2: "87-100 Toruń".into(),
                ..ContractorInput::default()
            },
        )
        .unwrap();
    let draft = desk
        .save_draft(
            id,
            None,
            &InvoiceDraft {
                contractor_id: Some(buyer.id),
                currency: "PLN".into(),
                lines: vec![DraftLine {
                    name: "Papier ksero A4".into(),
                    unit: "szt.".into(),
                    quantity: "10".into(),
                    unit_price: "21,90".into(),
                    rate: "23".into(),
                }],
                ..InvoiceDraft::default()
            },
        )
        .unwrap();
    desk.issue(id, draft.id).unwrap();
    desk.send(id, draft.id, SendMode::Now).unwrap();
    let run = desk.send_due(&CancellationToken::new()).await.unwrap();
    assert_eq!(run.accepted, 1, "{run:?}");
    assert_eq!(sim.invoice_count().unwrap(), 1);

    // Retrieval: costs come in with the certificate too.
    desk.set_cost_sync_options(CostSyncOptions {
        start: Utc::now() - Duration::days(30),
        ..CostSyncOptions::default()
    });
    desk.sync_costs(id, &|_: &desk_core::CostSyncProgress| {})
        .await
        .unwrap();

    // The private key is in no file of the profile.
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes
                .windows(secret_key.len())
                .any(|w| w == secret_key.as_slice()),
            "the private key leaked into {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A certificate 5 days from its end: warned once (the 7-day threshold), in the status
/// bar, and as one desktop notification until the next threshold.
#[tokio::test]
async fn a_certificate_near_its_end_warns_once_per_threshold() {
    use chrono::{Duration, Utc};
    use desk_core::credentials::ExpiryLevel;
    use ksef_sim::CertificateKind;

    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let open_at = |at| {
        desk_core::Desk::open(
            dir.path(),
            Box::new(desk_core::FixedClock(at)),
            vault.clone(),
        )
        .unwrap()
    };
    let now = Utc::now();
    let desk = open_at(now);
    let id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    let (certificate, key) = sim
        .issue_certificate_valid(
            &sim.nip,
            CertificateKind::Authentication,
            now - Duration::days(360),
            now + Duration::days(5),
        )
        .unwrap();
    let files = CertificateFiles::Pem {
        certificate,
        private_key: Zeroizing::new(key),
        password: None,
    };
    desk.use_certificate(id, files, &CancellationToken::new())
        .await
        .unwrap();
    let Some(CredentialAlert::CertificateExpiring(expiry)) =
        desk.status().unwrap().credential_alert
    else {
        panic!("the status bar must warn")
    };
    assert_eq!(
        (expiry.days_left, expiry.level),
        (5, ExpiryLevel::Within7Days)
    );

    let notices = desk.due_expiry_notices().unwrap();
    assert_eq!(notices.len(), 1);
    assert!(notices[0]
        .1
        .notification("Pracownia", Locale::Pl)
        .contains("dni: 5"));
    assert!(
        desk.due_expiry_notices().unwrap().is_empty(),
        "once per threshold"
    );
    // Four days later the 1-day threshold is announced, once again.
    let later = open_at(now + Duration::days(4) + Duration::hours(1));
    let notices = later.due_expiry_notices().unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].1.level, ExpiryLevel::Within1Day);
    assert!(later.due_expiry_notices().unwrap().is_empty());
}

/// The wizard's recommended way in: a company added in one step with a self-signed
/// certificate (the NIP owner, as KSeF Test accepts) whose key is encrypted. Refusals
/// (a wrong password, a certificate KSeF does not let in) store nothing; the company
/// added signs in with the certificate, its adder administers it, and it sends.
#[tokio::test]
async fn a_company_is_added_with_a_certificate_in_one_step_and_refusals_store_nothing() {
    use chrono::Utc;
    use desk_core::{CompanyCertificateConnection, DraftLine, InvoiceDraft, SendMode};

    let sim = simulator().await;
    let files = tempfile::tempdir().unwrap();
    let f = files.path();
    let subject = format!("/CN=Anna Nowak/serialNumber=TINPL-{}/C=PL", sim.nip);
    for (name, subject) in [
        ("owner", subject.as_str()),
        // A person with no rights in the company's context.
        (
            "person",
            "/CN=Jan Kowalski/serialNumber=PNOPL-90010112345/C=PL",
        ),
    ] {
        openssl(
            f,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.crt"),
                "-days",
                "400",
                "-subj",
                subject,
                "-passout",
                "pass:Tajne-Haslo",
            ],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    // The certificates are valid from the real now: the desk's clock agrees.
    let desk = desk_core::Desk::open(
        dir.path(),
        Box::new(desk_core::FixedClock(Utc::now())),
        vault.clone(),
    )
    .unwrap();
    let connection = |files| CompanyCertificateConnection {
        name: "Biuro Rachunkowe Certyfikat".into(),
        address_line1: "ul. Długa 1".into(),
        address_line2: "00-001 Warszawa".into(),
        nip: sim.nip.clone(),
        environment: KsefEnvironment::Simulator,
        base_url: Some(sim.base_url.clone()),
        files,
    };
    let cancel = CancellationToken::new();
    let stored_nothing = |desk: &desk_core::Desk| {
        assert!(desk.companies().unwrap().is_empty());
        assert_eq!(vault.len(), 0, "no key kept");
    };

    let invalid = desk
        .connect_company_with_certificate(
            CompanyCertificateConnection {
                name: " ".into(),
                nip: "123".into(),
                ..connection(pem_files(f, "owner.crt", "owner.key", "Tajne-Haslo"))
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), "invalid_input", "{invalid:?}");
    stored_nothing(&desk);

    let wrong = desk
        .connect_company_with_certificate(
            connection(pem_files(f, "owner.crt", "owner.key", "zle-haslo")),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "certificate_refused");
    assert_eq!(wrong.certificate_issues()[0].field(), "password");
    stored_nothing(&desk);

    let no_rights = desk
        .connect_company_with_certificate(
            connection(pem_files(f, "person.crt", "person.key", "Tajne-Haslo")),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_ne!(no_rights.kind(), ErrorKind::Internal, "{no_rights:?}");
    stored_nothing(&desk);

    let connected = desk
        .connect_company_with_certificate(
            connection(pem_files(f, "owner.crt", "owner.key", "Tajne-Haslo")),
            &cancel,
        )
        .await
        .unwrap();
    let id = connected.company.id;
    for feature in desk_core::AppFeature::ALL {
        assert_eq!(
            connected.report.feature(feature),
            desk_core::FeatureState::Enabled,
            "{feature:?}"
        );
    }
    let credentials = desk.credentials(id).unwrap();
    assert!(matches!(
        credentials.method,
        CredentialMethod::Certificate(_)
    ));
    assert!(credentials.has_secret);
    assert!(credentials.can_manage, "who adds a company administers it");
    let vault_key = VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator);
    assert!(vault.load_private_key(&vault_key).unwrap().is_some());
    assert!(vault.load(&vault_key).unwrap().is_none(), "no token");
    // The same NIP twice is refused before any file is read.
    let twice = desk
        .connect_company_with_certificate(
            connection(pem_files(f, "owner.crt", "owner.key", "")),
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(twice.code(), "already_exists", "{twice:?}");

    // It sends with the certificate.
    let buyer = desk
        .add_contractor(
            id,
            &desk_core::ContractorInput {
                nip: "774-000-14-54".into(),
                name: "Hurtownia Papiernicza Kałamarz S.A.".into(),
                address_line1: "ul. Żółkiewskiego 12".into(),
                address_line2: "87-100 Toruń".into(),
                ..desk_core::ContractorInput::default()
            },
        )
        .unwrap();
    let draft = desk
        .save_draft(
            id,
            None,
            &InvoiceDraft {
                contractor_id: Some(buyer.id),
                currency: "PLN".into(),
                lines: vec![DraftLine {
                    name: "Usługa księgowa".into(),
                    unit: "usł.".into(),
                    quantity: "1".into(),
                    unit_price: "500,00".into(),
                    rate: "23".into(),
                }],
                ..InvoiceDraft::default()
            },
        )
        .unwrap();
    desk.issue(id, draft.id).unwrap();
    desk.send(id, draft.id, SendMode::Now).unwrap();
    let run = desk.send_due(&cancel).await.unwrap();
    assert_eq!(run.accepted, 1, "{run:?}");
}
