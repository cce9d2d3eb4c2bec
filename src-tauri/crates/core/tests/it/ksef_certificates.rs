//! KSeF certificates managed in the app: list, limits, enrol (key → keychain, CSR, poll,
//! retrieve), sign in with the new one, revoke; refusals for token companies and
//! non-administrators. Against the simulator over loopback HTTP.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use desk_core::credentials::import::CertificateFiles;
use desk_core::{
    CancellationToken, CredentialMethod, Desk, EnrollmentStep, ErrorKind, FixedClock,
    KsefCertificateKind, KsefCertificateState, KsefEnrollment, KsefEnvironment, Locale,
    MemoryVault, Nip, Role, TokenVault, VaultKey,
};
use ksef_sim::{CertificateKind, SimConfig, SimHandle, Simulator};
use zeroize::Zeroizing;

use crate::connection::company;
use crate::roles::act_as;

/// A desk whose clock agrees with the simulator's real now (it issues certificates
/// from now), with the company moved to a simulator-issued certificate.
async fn certificate_company(
    dir: &tempfile::TempDir,
    vault: Arc<MemoryVault>,
    config: SimConfig,
) -> (SimHandle, Desk, i64) {
    let sim = Simulator::start(config).await.unwrap();
    // A little ahead: certificates start at the current whole second.
    let now = Utc::now() + chrono::Duration::seconds(2);
    let desk = Desk::open(dir.path(), Box::new(FixedClock(now)), vault).unwrap();
    let id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    let (certificate, key) = sim
        .issue_certificate(&sim.nip, CertificateKind::Authentication)
        .unwrap();
    desk.use_certificate(
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
    (sim, desk, id)
}

fn no_steps(_: EnrollmentStep) {}

#[tokio::test]
async fn an_enrolled_authentication_certificate_signs_in_and_once_revoked_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    // KSeF's default of 2 certificates held would stop at the third.
    let mut config = SimConfig::default();
    config.certificates.certificate_limit = 3;
    let (sim, desk, id) = certificate_company(&dir, vault.clone(), config).await;
    let cancel = CancellationToken::new();
    let vault_key = VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator);
    let first_key = vault.load_private_key(&vault_key).unwrap().unwrap();

    let before = desk.ksef_certificates(id, &cancel).await.unwrap();
    assert!(before.can_enroll);
    assert!(before.limits.can_request);
    let own: Vec<_> = before
        .certificates
        .iter()
        .filter(|c| c.used_by_this_app)
        .collect();
    assert_eq!(own.len(), 1, "{:?}", before.certificates);
    assert!(!own[0].key_in_app, "it was imported, not enrolled here");

    // An Offline certificate: its key is kept, the sign-in does not change.
    let offline = desk
        .enroll_ksef_certificate(
            id,
            &KsefEnrollment {
                name: "Faktury offline".into(),
                kind: KsefCertificateKind::Offline,
                use_to_sign_in: false,
            },
            &no_steps,
            &cancel,
        )
        .await
        .unwrap();
    assert!(vault
        .load_enrolled_key(&vault_key, &offline)
        .unwrap()
        .is_some());
    assert_eq!(
        *vault.load_private_key(&vault_key).unwrap().unwrap(),
        *first_key
    );

    // An Authentication certificate that becomes the sign-in credential.
    let steps = Mutex::new(Vec::new());
    let record = |step: EnrollmentStep| steps.lock().unwrap().push(step);
    let serial = desk
        .enroll_ksef_certificate(
            id,
            &KsefEnrollment {
                name: "Laptop biuro".into(),
                kind: KsefCertificateKind::Authentication,
                use_to_sign_in: true,
            },
            &record,
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(
        *steps.lock().unwrap(),
        [
            EnrollmentStep::Preparing,
            EnrollmentStep::Waiting,
            EnrollmentStep::Retrieving,
            EnrollmentStep::SigningIn
        ]
    );
    let new_key = vault
        .load_enrolled_key(&vault_key, &serial)
        .unwrap()
        .unwrap();
    assert_eq!(
        *vault.load_private_key(&vault_key).unwrap().unwrap(),
        *new_key
    );
    assert_ne!(*new_key, *first_key);
    let CredentialMethod::Certificate(stored) = desk.credentials(id).unwrap().method else {
        panic!("still a certificate company")
    };
    assert_eq!(stored.serial_hex, serial);
    assert_eq!(stored.key_algorithm, "EC P-256");

    // Listing signs in with the new certificate.
    let after = desk.ksef_certificates(id, &cancel).await.unwrap();
    let new = after
        .certificates
        .iter()
        .find(|c| c.serial == serial)
        .unwrap();
    assert!(new.used_by_this_app && new.key_in_app);
    assert_eq!(new.kind, Some(KsefCertificateKind::Authentication));
    assert_eq!(new.name, "Laptop biuro");
    assert_eq!(new.state, KsefCertificateState::Active);
    let listed_offline = after
        .certificates
        .iter()
        .find(|c| c.serial == offline)
        .unwrap();
    assert_eq!(listed_offline.kind, Some(KsefCertificateKind::Offline));
    assert!(listed_offline.key_in_app && !listed_offline.used_by_this_app);
    assert_eq!(
        after.limits.enrollment_remaining,
        before.limits.enrollment_remaining - 2
    );
    assert_eq!(after.limits.certificate_remaining, 0);
    assert!(!after.limits.can_request, "the limit of 3 is reached");

    // The keys are in no file of the profile (the SQLite database included).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        for key in [&new_key, &first_key] {
            assert!(!bytes.windows(key.len()).any(|w| w == key.as_slice()));
        }
    }

    // Revoking the certificate the app signs in with disconnects the company…
    let der = stored.der.clone();
    assert!(desk
        .revoke_ksef_certificate(id, &serial, &cancel)
        .await
        .unwrap());
    assert!(!desk.is_connected(id).unwrap());
    assert!(vault
        .load_enrolled_key(&vault_key, &serial)
        .unwrap()
        .is_none());
    // …and KSeF refuses it from now on.
    let refused = desk
        .use_certificate(
            id,
            CertificateFiles::Pem {
                certificate: der,
                private_key: Zeroizing::new(new_key.to_vec()),
                password: None,
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Remote, "{refused:?}");
}

#[tokio::test]
async fn a_company_on_its_token_may_list_but_not_enrol() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let desk = crate::open_with(&dir, vault.clone());
    let id = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap()
        .company
        .id;
    let cancel = CancellationToken::new();
    let listed = desk.ksef_certificates(id, &cancel).await.unwrap();
    assert!(!listed.can_enroll);

    let error = desk
        .enroll_ksef_certificate(
            id,
            &KsefEnrollment {
                name: "Laptop biuro".into(),
                kind: KsefCertificateKind::Authentication,
                use_to_sign_in: true,
            },
            &no_steps,
            &cancel,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "enrollment_needs_certificate");
    assert!(error.message(Locale::Pl).contains("logowaniu certyfikatem"));
    assert!(error.message(Locale::En).contains("certificate sign-in"));
    assert_eq!(vault.len(), 1, "only the token: no key was generated");
    assert_eq!(
        desk.credentials(id).unwrap().method,
        CredentialMethod::Token
    );
}

#[tokio::test]
async fn a_clerk_may_not_list_enrol_or_revoke_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let (_sim, desk, id) = certificate_company(&dir, vault.clone(), SimConfig::default()).await;
    let cancel = CancellationToken::new();
    let serial = desk
        .ksef_certificates(id, &cancel)
        .await
        .unwrap()
        .certificates
        .into_iter()
        .find(|c| c.used_by_this_app)
        .unwrap()
        .serial;
    act_as(&dir, "clerk", &[Role::Sales]);

    let forbidden = |error: desk_core::CoreError| {
        assert_eq!(error.code(), "forbidden");
        assert_eq!(error.kind(), ErrorKind::Permission);
    };
    forbidden(desk.ksef_certificates(id, &cancel).await.unwrap_err());
    forbidden(
        desk.enroll_ksef_certificate(
            id,
            &KsefEnrollment {
                name: "Laptop biuro".into(),
                kind: KsefCertificateKind::Offline,
                use_to_sign_in: false,
            },
            &no_steps,
            &cancel,
        )
        .await
        .unwrap_err(),
    );
    forbidden(
        desk.revoke_ksef_certificate(id, &serial, &cancel)
            .await
            .unwrap_err(),
    );
    forbidden(
        desk.renew_ksef_certificate(id, &serial, &no_steps, &cancel)
            .await
            .unwrap_err(),
    );
    assert!(desk.is_connected(id).unwrap());
    assert_eq!(vault.len(), 2, "token and the sign-in key only");
}

#[tokio::test]
async fn renewing_the_sign_in_certificate_moves_the_company_to_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let (_sim, desk, id) = certificate_company(&dir, vault.clone(), SimConfig::default()).await;
    let cancel = CancellationToken::new();
    let old = desk
        .ksef_certificates(id, &cancel)
        .await
        .unwrap()
        .certificates
        .into_iter()
        .find(|c| c.used_by_this_app)
        .unwrap();
    let new = desk
        .renew_ksef_certificate(id, &old.serial, &no_steps, &cancel)
        .await
        .unwrap();
    assert_ne!(new, old.serial);
    let listed = desk.ksef_certificates(id, &cancel).await.unwrap();
    let renewed = listed
        .certificates
        .iter()
        .find(|c| c.serial == new)
        .unwrap();
    assert!(renewed.used_by_this_app);
    assert_eq!(renewed.name, old.name);
    assert_eq!(renewed.kind, old.kind);
    // The old one is still valid at KSeF until the user revokes it.
    assert!(listed.certificates.iter().any(|c| c.serial == old.serial));
}

/// The real OS keychain keeps an enrolled certificate's key as raw bytes in its own
/// entry, apart from the sign-in key (needs a Secret Service, see scripts/test).
#[test]
fn the_os_keychain_keeps_enrolled_keys_apart_from_the_sign_in_key() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let service = format!("KSeF Desk test enrolled {} {nanos}", std::process::id());
    let vault = desk_core::KeyringVault::with_service(&service);
    let key = VaultKey::new(Nip::parse("5265877635").unwrap(), KsefEnvironment::Test);
    let der = ksef_xades::new_p256_key();
    vault
        .save_enrolled_key(&key, "1A2B3C4D5E6F7081", &der)
        .unwrap_or_else(|e| panic!("the OS keychain must work here (see scripts/test): {e}"));
    let reread = desk_core::KeyringVault::with_service(&service);
    assert_eq!(
        *reread
            .load_enrolled_key(&key, "1A2B3C4D5E6F7081")
            .unwrap()
            .unwrap(),
        *der
    );
    assert!(reread.load_private_key(&key).unwrap().is_none());
    assert!(reread.load_enrolled_key(&key, "other").unwrap().is_none());
    assert!(reread
        .delete_enrolled_key(&key, "1A2B3C4D5E6F7081")
        .unwrap());
    assert!(!reread
        .delete_enrolled_key(&key, "1A2B3C4D5E6F7081")
        .unwrap());
}

#[tokio::test]
async fn a_cancelled_enrolment_leaves_no_key_behind() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let mut config = SimConfig::default();
    config.certificates.enrollment_delay = std::time::Duration::from_secs(30);
    let (_sim, desk, id) = certificate_company(&dir, vault.clone(), config).await;
    assert_eq!(vault.len(), 2, "token and sign-in key");
    let steps = Mutex::new(Vec::new());
    let record = |step: EnrollmentStep| steps.lock().unwrap().push(step);
    // The UI's Cancel drops the operation's future while KSeF is still issuing.
    let request = KsefEnrollment {
        name: "Laptop biuro".into(),
        kind: KsefCertificateKind::Authentication,
        use_to_sign_in: true,
    };
    let cancel = CancellationToken::new();
    let enrol = desk.enroll_ksef_certificate(id, &request, &record, &cancel);
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(3), enrol)
            .await
            .is_err()
    );
    assert_eq!(steps.lock().unwrap().last(), Some(&EnrollmentStep::Waiting));
    for _ in 0..50 {
        if vault.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(vault.len(), 2, "the pending key was removed");
    assert!(desk.is_connected(id).unwrap());
}
