//! Where KSeF tokens and certificates' private keys live: the operating system's
//! keychain, behind a trait core owns.
//!
//! A KSeF token is a long-lived secret; it is kept only in a [`TokenVault`], one entry
//! per company NIP and KSeF environment ([`VaultKey`]), and handled as a
//! [`SecretString`] everywhere (its `Debug` prints nothing). A certificate's private key
//! is a second entry of the same company and environment, holding the unencrypted
//! PKCS#8 DER as raw bytes (`Zeroizing` in memory). Neither ever goes to SQLite, logs,
//! exports or IPC responses.
//!
//! * [`KeyringVault`] is the real one (the `keyring` crate: Windows Credential Manager,
//!   macOS Keychain, Linux Secret Service). Entries are named service `KSeF Desk`,
//!   account `<environment>:<nip>` (e.g. `production:5265877635`) for the token and
//!   `<environment>:<nip>:certificate-key` for the private key. The key is stored with
//!   `set_secret` as raw DER, not text: Windows Credential Manager caps a secret at 2560
//!   bytes and `set_password` stores UTF-16 there, so base64 text of an RSA 4096 key
//!   (about 2.4 KB of DER) would not fit.
//! * [`MemoryVault`] keeps entries in memory, for tests of other code; it can be told
//!   to act as a locked keychain.
//!
//! Calls may block (Secret Service talks D-Bus and may show an unlock prompt): call them
//! from a blocking context.

use std::collections::HashMap;
use std::sync::Mutex;

use desk_store::KsefEnvironment;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::Nip;

/// The name of the keychain entries' service.
pub const KEYRING_SERVICE: &str = "KSeF Desk";

/// Which token: one per company NIP and KSeF environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultKey {
    pub nip: Nip,
    pub environment: KsefEnvironment,
}

impl VaultKey {
    pub fn new(nip: Nip, environment: KsefEnvironment) -> VaultKey {
        VaultKey { nip, environment }
    }

    /// The keychain account name of the token: `<environment>:<nip>`.
    pub fn account(&self) -> String {
        format!("{}:{}", self.environment.as_str(), self.nip)
    }

    /// The keychain account name of the certificate's private key:
    /// `<environment>:<nip>:certificate-key`.
    pub fn private_key_account(&self) -> String {
        format!("{}:certificate-key", self.account())
    }

    /// The keychain account name of the private key of a KSeF certificate the app
    /// enrolled and does not (yet) sign in with: `<environment>:<nip>:ksef-key:<entry>`.
    pub fn enrolled_key_account(&self, entry: &str) -> String {
        format!("{}:ksef-key:{entry}", self.account())
    }
}

/// The largest private key accepted for the keychain: Windows Credential Manager's
/// limit for one secret.
pub const MAX_PRIVATE_KEY_LEN: usize = 2560;

/// What went wrong with the keychain. Details never contain the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The keychain exists but is locked or access was refused (Secret Service
    /// collection locked, the user dismissed the prompt).
    #[error("the system keychain is locked or access was refused: {detail}")]
    Locked { detail: String },
    /// No keychain service answered (no Secret Service on D-Bus, platform failure).
    #[error("the system keychain is unavailable: {detail}")]
    Unavailable { detail: String },
    /// The keychain refused or mangled the entry (too long, bad encoding, ambiguous).
    #[error("the system keychain failed: {detail}")]
    Failed { detail: String },
}

impl VaultError {
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::Locked { .. } => "keychain_locked",
            VaultError::Unavailable { .. } => "keychain_unavailable",
            VaultError::Failed { .. } => "keychain_failed",
        }
    }
}

/// Stores KSeF tokens and certificates' private keys. Implementations must never log or
/// persist them elsewhere.
pub trait TokenVault: Send + Sync {
    /// Saves (or replaces) the token for `key`.
    fn save(&self, key: &VaultKey, token: &SecretString) -> Result<(), VaultError>;
    /// The token for `key`, `None` when there is no entry.
    fn load(&self, key: &VaultKey) -> Result<Option<SecretString>, VaultError>;
    /// Removes the entry; `false` when there was none.
    fn delete(&self, key: &VaultKey) -> Result<bool, VaultError>;
    /// Saves (or replaces) the certificate's private key (unencrypted PKCS#8 DER) for
    /// `key`; refused above [`MAX_PRIVATE_KEY_LEN`] bytes.
    fn save_private_key(&self, key: &VaultKey, pkcs8_der: &[u8]) -> Result<(), VaultError>;
    /// The private key for `key`, `None` when there is no entry.
    fn load_private_key(&self, key: &VaultKey) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError>;
    /// Removes the private key's entry; `false` when there was none.
    fn delete_private_key(&self, key: &VaultKey) -> Result<bool, VaultError>;
    /// Saves the private key of an enrolled KSeF certificate under `entry`
    /// ([`VaultKey::enrolled_key_account`]); refused above [`MAX_PRIVATE_KEY_LEN`] bytes.
    fn save_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
        pkcs8_der: &[u8],
    ) -> Result<(), VaultError>;
    /// The private key saved under `entry`, `None` when there is none.
    fn load_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError>;
    /// Removes the key saved under `entry`; `false` when there was none.
    fn delete_enrolled_key(&self, key: &VaultKey, entry: &str) -> Result<bool, VaultError>;
}

fn check_key_len(pkcs8_der: &[u8]) -> Result<(), VaultError> {
    if pkcs8_der.len() > MAX_PRIVATE_KEY_LEN {
        return Err(VaultError::Failed {
            detail: format!(
                "the private key has {} bytes, more than the {MAX_PRIVATE_KEY_LEN} a keychain \
                 entry may hold",
                pkcs8_der.len()
            ),
        });
    }
    Ok(())
}

/// The OS keychain through the `keyring` crate (v3, platform features enabled
/// explicitly: without one, Linux silently gets a non-persistent mock).
#[derive(Debug, Clone)]
pub struct KeyringVault {
    service: String,
}

impl Default for KeyringVault {
    fn default() -> Self {
        KeyringVault::new()
    }
}

impl KeyringVault {
    /// The app's vault (service [`KEYRING_SERVICE`]).
    pub fn new() -> KeyringVault {
        KeyringVault::with_service(KEYRING_SERVICE)
    }

    /// A vault under another service name (tests keep apart from real entries).
    pub fn with_service(service: impl Into<String>) -> KeyringVault {
        KeyringVault {
            service: service.into(),
        }
    }

    fn entry(&self, key: &VaultKey) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, &key.account()).map_err(map_keyring)
    }

    fn key_entry(&self, key: &VaultKey) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, &key.private_key_account()).map_err(map_keyring)
    }

    fn enrolled_entry(&self, key: &VaultKey, entry: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, &key.enrolled_key_account(entry)).map_err(map_keyring)
    }
}

impl TokenVault for KeyringVault {
    fn save(&self, key: &VaultKey, token: &SecretString) -> Result<(), VaultError> {
        self.entry(key)?
            .set_password(token.expose_secret())
            .map_err(map_keyring)?;
        tracing::info!(account = %key.account(), "KSeF token saved in the system keychain");
        Ok(())
    }

    fn load(&self, key: &VaultKey) -> Result<Option<SecretString>, VaultError> {
        match self.entry(key)?.get_password() {
            Ok(token) => Ok(Some(SecretString::from(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_keyring(error)),
        }
    }

    fn delete(&self, key: &VaultKey) -> Result<bool, VaultError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => {
                tracing::info!(account = %key.account(), "KSeF token removed from the system keychain");
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(map_keyring(error)),
        }
    }

    fn save_private_key(&self, key: &VaultKey, pkcs8_der: &[u8]) -> Result<(), VaultError> {
        check_key_len(pkcs8_der)?;
        self.key_entry(key)?
            .set_secret(pkcs8_der)
            .map_err(map_keyring)?;
        tracing::info!(account = %key.private_key_account(), "private key saved in the system keychain");
        Ok(())
    }

    fn load_private_key(&self, key: &VaultKey) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        match self.key_entry(key)?.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_keyring(error)),
        }
    }

    fn delete_private_key(&self, key: &VaultKey) -> Result<bool, VaultError> {
        match self.key_entry(key)?.delete_credential() {
            Ok(()) => {
                tracing::info!(account = %key.private_key_account(), "private key removed from the system keychain");
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(map_keyring(error)),
        }
    }

    fn save_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
        pkcs8_der: &[u8],
    ) -> Result<(), VaultError> {
        check_key_len(pkcs8_der)?;
        self.enrolled_entry(key, entry)?
            .set_secret(pkcs8_der)
            .map_err(map_keyring)?;
        tracing::info!(account = %key.enrolled_key_account(entry), "enrolled certificate's key saved in the system keychain");
        Ok(())
    }

    fn load_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        match self.enrolled_entry(key, entry)?.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_keyring(error)),
        }
    }

    fn delete_enrolled_key(&self, key: &VaultKey, entry: &str) -> Result<bool, VaultError> {
        match self.enrolled_entry(key, entry)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(map_keyring(error)),
        }
    }
}

/// Maps keyring errors without ever formatting a stored value (`BadEncoding` carries
/// the raw bytes of the secret, so only its kind is kept).
fn map_keyring(error: keyring::Error) -> VaultError {
    match error {
        keyring::Error::NoStorageAccess(source) => VaultError::Locked {
            detail: source.to_string(),
        },
        keyring::Error::PlatformFailure(source) => VaultError::Unavailable {
            detail: source.to_string(),
        },
        keyring::Error::NoEntry => VaultError::Failed {
            detail: "the entry vanished while it was being written".into(),
        },
        keyring::Error::BadEncoding(_) => VaultError::Failed {
            detail: "the stored entry is not valid UTF-8".into(),
        },
        keyring::Error::TooLong(attribute, limit) => VaultError::Failed {
            detail: format!("{attribute} is longer than the keychain's limit of {limit}"),
        },
        keyring::Error::Invalid(attribute, reason) => VaultError::Failed {
            detail: format!("invalid {attribute}: {reason}"),
        },
        keyring::Error::Ambiguous(entries) => VaultError::Failed {
            detail: format!("{} entries match; remove the duplicates", entries.len()),
        },
        other => VaultError::Failed {
            detail: other.to_string(),
        },
    }
}

/// An in-memory vault for tests of other code. Shares nothing with the OS.
#[derive(Default)]
pub struct MemoryVault {
    entries: Mutex<HashMap<String, SecretString>>,
    keys: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
    failure: Mutex<Option<VaultError>>,
}

impl MemoryVault {
    pub fn new() -> MemoryVault {
        MemoryVault::default()
    }

    /// From now on every call fails with `error` (`None`: works again), like a
    /// locked or missing keychain.
    pub fn set_failure(&self, error: Option<VaultError>) {
        *self
            .failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = error;
    }

    /// How many entries (tokens and private keys) are stored.
    pub fn len(&self) -> usize {
        self.entries().len() + self.keys().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, SecretString>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<Vec<u8>>>> {
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check(&self) -> Result<(), VaultError> {
        match self
            .failure
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
        {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

impl TokenVault for MemoryVault {
    fn save(&self, key: &VaultKey, token: &SecretString) -> Result<(), VaultError> {
        self.check()?;
        self.entries().insert(key.account(), token.clone());
        Ok(())
    }

    fn load(&self, key: &VaultKey) -> Result<Option<SecretString>, VaultError> {
        self.check()?;
        Ok(self.entries().get(&key.account()).cloned())
    }

    fn delete(&self, key: &VaultKey) -> Result<bool, VaultError> {
        self.check()?;
        Ok(self.entries().remove(&key.account()).is_some())
    }

    fn save_private_key(&self, key: &VaultKey, pkcs8_der: &[u8]) -> Result<(), VaultError> {
        self.check()?;
        check_key_len(pkcs8_der)?;
        self.keys().insert(
            key.private_key_account(),
            Zeroizing::new(pkcs8_der.to_vec()),
        );
        Ok(())
    }

    fn load_private_key(&self, key: &VaultKey) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        self.check()?;
        Ok(self.keys().get(&key.private_key_account()).cloned())
    }

    fn delete_private_key(&self, key: &VaultKey) -> Result<bool, VaultError> {
        self.check()?;
        Ok(self.keys().remove(&key.private_key_account()).is_some())
    }

    fn save_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
        pkcs8_der: &[u8],
    ) -> Result<(), VaultError> {
        self.check()?;
        check_key_len(pkcs8_der)?;
        self.keys().insert(
            key.enrolled_key_account(entry),
            Zeroizing::new(pkcs8_der.to_vec()),
        );
        Ok(())
    }

    fn load_enrolled_key(
        &self,
        key: &VaultKey,
        entry: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        self.check()?;
        Ok(self.keys().get(&key.enrolled_key_account(entry)).cloned())
    }

    fn delete_enrolled_key(&self, key: &VaultKey, entry: &str) -> Result<bool, VaultError> {
        self.check()?;
        Ok(self
            .keys()
            .remove(&key.enrolled_key_account(entry))
            .is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(environment: KsefEnvironment) -> VaultKey {
        VaultKey::new(Nip::parse("5265877635").unwrap(), environment)
    }

    #[test]
    fn entries_are_per_nip_and_environment() {
        let vault = MemoryVault::new();
        let token = SecretString::from("secret-a".to_owned());
        vault.save(&key(KsefEnvironment::Test), &token).unwrap();
        assert!(vault
            .load(&key(KsefEnvironment::Production))
            .unwrap()
            .is_none());
        let loaded = vault.load(&key(KsefEnvironment::Test)).unwrap().unwrap();
        assert_eq!(loaded.expose_secret(), "secret-a");
        assert_eq!(key(KsefEnvironment::Test).account(), "test:5265877635");
        assert!(vault.delete(&key(KsefEnvironment::Test)).unwrap());
        assert!(!vault.delete(&key(KsefEnvironment::Test)).unwrap());
        assert!(vault.is_empty());
    }

    #[test]
    fn a_private_key_is_a_second_entry_beside_the_token() {
        let vault = MemoryVault::new();
        let key = key(KsefEnvironment::Test);
        assert_eq!(key.private_key_account(), "test:5265877635:certificate-key");
        vault
            .save(&key, &SecretString::from("token".to_owned()))
            .unwrap();
        vault.save_private_key(&key, &[1, 2, 3]).unwrap();
        assert_eq!(vault.len(), 2);
        assert_eq!(
            *vault.load_private_key(&key).unwrap().unwrap(),
            vec![1, 2, 3]
        );
        assert!(vault.delete(&key).unwrap());
        // Removing the token leaves the key, and the other way round.
        assert!(vault.load_private_key(&key).unwrap().is_some());
        assert!(vault.delete_private_key(&key).unwrap());
        assert!(!vault.delete_private_key(&key).unwrap());
        let too_long = vec![0u8; MAX_PRIVATE_KEY_LEN + 1];
        assert_eq!(
            vault.save_private_key(&key, &too_long).unwrap_err().code(),
            "keychain_failed"
        );
    }

    #[test]
    fn a_failing_vault_fails_every_call_until_told_otherwise() {
        let vault = MemoryVault::new();
        let locked = VaultError::Locked {
            detail: "collection is locked".into(),
        };
        vault.set_failure(Some(locked.clone()));
        let token = SecretString::from("x".to_owned());
        assert_eq!(
            vault.save(&key(KsefEnvironment::Demo), &token),
            Err(locked.clone())
        );
        assert_eq!(vault.load(&key(KsefEnvironment::Demo)).err(), Some(locked));
        vault.set_failure(None);
        assert!(vault.load(&key(KsefEnvironment::Demo)).unwrap().is_none());
    }

    #[test]
    fn keyring_errors_map_to_kinds_without_the_secret() {
        let bad = map_keyring(keyring::Error::BadEncoding(b"top-secret".to_vec()));
        assert_eq!(bad.code(), "keychain_failed");
        assert!(!bad.to_string().contains("top-secret"));
        let locked = map_keyring(keyring::Error::NoStorageAccess("locked".into()));
        assert_eq!(locked.code(), "keychain_locked");
        let down = map_keyring(keyring::Error::PlatformFailure("no dbus".into()));
        assert_eq!(down.code(), "keychain_unavailable");
        assert!(down.to_string().contains("no dbus"));
    }
}
