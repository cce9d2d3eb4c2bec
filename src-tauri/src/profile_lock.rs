//! One process per profile. Two processes on one profile would both work its outbox
//! and send the same invoices twice, so the app takes an exclusive OS lock on
//! `<profile>/.lock` before it opens anything there. The lock belongs to the open
//! file: the OS drops it when the process ends, however it ends (crash, `kill -9`,
//! power loss), so a stale lock never keeps the user out. `fs4` takes it with `flock` on
//! Linux and macOS and `LockFileEx` on Windows; the Unix lock is advisory, which binds
//! every KSeF Desk since each one asks.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

/// The lock file inside the profile directory; it stays there (empty) between runs.
pub const LOCK_FILE_NAME: &str = ".lock";

#[derive(Debug, thiserror::Error)]
pub enum ProfileLockError {
    /// Another process holds the profile.
    #[error("the profile {} is already open in another KSeF Desk process", dir.display())]
    InUse { dir: PathBuf },
    /// The lock file could not be opened or locked (unwritable folder, full disk...).
    #[error("cannot lock the profile {}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The profile is this process's while this lives (for the app: its whole life).
#[derive(Debug)]
pub struct ProfileLock {
    /// Closing the file releases the lock.
    _file: File,
}

impl ProfileLock {
    /// Locks the profile in `dir` (which must exist) without waiting.
    pub fn acquire(dir: &Path) -> Result<ProfileLock, ProfileLockError> {
        let io_error = |source| ProfileLockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE_NAME))
            .map_err(io_error)?;
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => Ok(ProfileLock { _file: file }),
            Ok(false) => Err(ProfileLockError::InUse {
                dir: dir.to_path_buf(),
            }),
            Err(source) => Err(io_error(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Locks belong to open files, not processes: a second open in this process is
    // refused exactly as another process would be.
    #[test]
    fn a_second_lock_on_one_profile_is_refused_until_the_first_is_gone() {
        let root = tempfile::tempdir().unwrap();
        let first = ProfileLock::acquire(root.path()).unwrap();

        match ProfileLock::acquire(root.path()) {
            Err(ProfileLockError::InUse { dir }) => assert_eq!(dir, root.path()),
            other => panic!("expected InUse, got {other:?}"),
        }
        let message = ProfileLock::acquire(root.path()).unwrap_err().to_string();
        assert!(message.contains("already open"), "{message}");

        drop(first);
        ProfileLock::acquire(root.path()).expect("free again once the holder is gone");
    }

    #[test]
    fn another_profile_is_another_lock() {
        let root = tempfile::tempdir().unwrap();
        let (work, demo) = (root.path().join("work"), root.path().join("demo"));
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&demo).unwrap();
        let _work = ProfileLock::acquire(&work).unwrap();
        let _demo = ProfileLock::acquire(&demo).expect("a different profile may run");
        // A profile nested in another (the demo profile lives in the default one) too.
        let _outer = ProfileLock::acquire(root.path()).unwrap();
    }

    #[test]
    fn an_unusable_folder_is_an_io_error_naming_it() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("no-such-profile");
        match ProfileLock::acquire(&missing) {
            Err(ProfileLockError::Io { dir, .. }) => assert_eq!(dir, missing),
            other => panic!("expected Io, got {other:?}"),
        }
    }
}
