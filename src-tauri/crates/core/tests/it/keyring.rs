//! The real OS keychain. On Linux this needs a Secret Service: CI runs the tests inside
//! `dbus-run-session` with an unlocked gnome-keyring (see scripts/test). Without one these
//! tests FAIL on purpose: a silently skipped keychain test would hide a broken app.

use std::sync::Arc;

use desk_core::{
    AppFeature, FeatureState, KeyringVault, KsefEnvironment, Nip, SecretString, TokenVault,
    VaultKey,
};
use secrecy::ExposeSecret;

use crate::connection::{company, simulator};
use crate::open_with;

/// A service name of this test run only, so real entries are never touched.
fn test_service(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("KSeF Desk test {test} {} {nanos}", std::process::id())
}

#[test]
fn the_os_keychain_saves_loads_replaces_and_deletes_a_token() {
    let service = test_service("vault");
    let key = VaultKey::new(Nip::parse("5265877635").unwrap(), KsefEnvironment::Test);
    let other_environment = VaultKey::new(key.nip.clone(), KsefEnvironment::Production);
    let vault = KeyringVault::with_service(&service);

    vault
        .save(&key, &SecretString::from("first-secret".to_owned()))
        .unwrap_or_else(|e| panic!("the OS keychain must work here (see scripts/test): {e}"));
    // A second vault object reads it back: it was persisted, not kept in the Entry (the
    // keyring crate's mock store, used when no platform feature is on, fails this).
    let reread = KeyringVault::with_service(&service);
    assert_eq!(
        reread.load(&key).unwrap().unwrap().expose_secret(),
        "first-secret"
    );
    assert!(reread.load(&other_environment).unwrap().is_none());

    vault
        .save(&key, &SecretString::from("second-secret".to_owned()))
        .unwrap();
    assert_eq!(
        reread.load(&key).unwrap().unwrap().expose_secret(),
        "second-secret"
    );

    assert!(reread.delete(&key).unwrap());
    assert!(vault.load(&key).unwrap().is_none());
    assert!(!vault.delete(&key).unwrap());
}

/// A certificate's private key goes in as raw PKCS#8 DER (`set_secret`), beside the
/// token, and comes back byte for byte; an RSA 4096 key's size fits.
#[test]
fn the_os_keychain_keeps_a_private_key_as_raw_bytes_beside_the_token() {
    let service = test_service("key");
    let key = VaultKey::new(Nip::parse("5265877635").unwrap(), KsefEnvironment::Test);
    let vault = KeyringVault::with_service(&service);
    // Every byte value, as DER has, about the size of an RSA 4096 PKCS#8 key.
    let der: Vec<u8> = (0..2400u32).map(|i| (i % 256) as u8).collect();
    vault
        .save(&key, &SecretString::from("the-token".to_owned()))
        .unwrap();
    vault
        .save_private_key(&key, &der)
        .unwrap_or_else(|e| panic!("the OS keychain must work here (see scripts/test): {e}"));
    let reread = KeyringVault::with_service(&service);
    assert_eq!(*reread.load_private_key(&key).unwrap().unwrap(), der);
    assert_eq!(
        reread.load(&key).unwrap().unwrap().expose_secret(),
        "the-token",
        "the token is a separate entry"
    );
    assert!(reread.delete_private_key(&key).unwrap());
    assert!(reread.load_private_key(&key).unwrap().is_none());
    assert!(reread.load(&key).unwrap().is_some());
    assert!(reread.delete(&key).unwrap());
}

#[tokio::test]
async fn a_company_connects_and_disconnects_with_the_os_keychain() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let service = test_service("desk");
    let desk = open_with(&dir, Arc::new(KeyringVault::with_service(&service)));
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    assert_eq!(
        connected.report.feature(AppFeature::ReceiveCostInvoices),
        FeatureState::Enabled
    );
    let key = VaultKey::new(Nip::parse(&sim.nip).unwrap(), KsefEnvironment::Simulator);
    let vault = KeyringVault::with_service(&service);
    assert_eq!(
        vault.load(&key).unwrap().unwrap().expose_secret(),
        sim.token
    );
    assert!(desk.is_connected(connected.company.id).unwrap());

    desk.disconnect(connected.company.id).unwrap();
    assert!(vault.load(&key).unwrap().is_none());
    assert!(!desk.is_connected(connected.company.id).unwrap());
}

/// A profile moves to another folder (as the app-data folder did when the bundle
/// identifier changed from `pl.ksefdesk.app` to `pl.ksefdesk.desk`): keychain entries
/// do not name the folder, so the moved profile finds its token as before.
#[tokio::test]
async fn a_profile_moved_to_another_folder_finds_its_keychain_entries() {
    let sim = simulator().await;
    let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let service = test_service("moved");
    let desk = open_with(&old, Arc::new(KeyringVault::with_service(&service)));
    let connected = desk
        .connect_company(&company(&sim, &sim.token))
        .await
        .unwrap();
    drop(desk);
    std::fs::remove_dir(new.path()).unwrap();
    std::fs::rename(old.path(), new.path()).unwrap();

    let moved = open_with(&new, Arc::new(KeyringVault::with_service(&service)));
    assert!(moved.is_connected(connected.company.id).unwrap());
    moved.disconnect(connected.company.id).unwrap();
}
