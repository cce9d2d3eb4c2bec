//! The bundle identifier was `pl.ksefdesk.app` until macOS's bundle extension `.app`
//! made `tauri build` warn about it; it is `pl.ksefdesk.desk` now. The OS app-data
//! directory is named after the identifier, so profiles made before the change sit in
//! the old one. At start, before anything opens the new directory, the old one moves
//! there whole (the default profile, the demo profile beside it, logs, the WebView's
//! storage). Nothing is lost: one atomic rename where the OS allows it (both lie in
//! the same parent, so nearly always), else a copy that is compared byte for byte
//! before it takes the new name and before the old one is removed. A new directory
//! that already has something in it is never touched. Keychain entries do not name
//! the directory (see `desk_core::vault`), so they are found as before.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The identifier the profiles were made under until this version.
pub const OLD_IDENTIFIER: &str = "pl.ksefdesk.app";

/// What happened to the old app-data directory.
#[derive(Debug, PartialEq, Eq)]
pub enum ProfileMove {
    /// There is no old directory: a new install, or moved before.
    NothingToMove,
    /// The new directory has data already; the old one was left as it is.
    NewAlreadyHasData,
    /// Moved in one atomic rename.
    Renamed,
    /// Copied, checked byte for byte, then renamed into place. `old_removed` is false
    /// when the old copy could not be deleted afterwards (the data is safe either way).
    Copied {
        files: u64,
        bytes: u64,
        old_removed: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileMoveError {
    #[error("moving the profiles from {} to {} failed at {}: {source}", old.display(), new.display(), at.display())]
    Io {
        old: PathBuf,
        new: PathBuf,
        at: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the copy of {} differs from the original; nothing was moved", at.display())]
    CopyDiffers { at: PathBuf },
    #[error("{} is neither a file nor a folder; nothing was moved", at.display())]
    Unsupported { at: PathBuf },
}

/// Moves the app-data directory `old` to `new` (see the module's description).
pub fn move_profiles(old: &Path, new: &Path) -> Result<ProfileMove, ProfileMoveError> {
    move_profiles_with(old, new, |from, to| std::fs::rename(from, to))
}

/// [`move_profiles`] with the rename step given, so that tests can make it fail the way
/// a rename across file systems does.
fn move_profiles_with(
    old: &Path,
    new: &Path,
    rename: impl Fn(&Path, &Path) -> io::Result<()>,
) -> Result<ProfileMove, ProfileMoveError> {
    let io_error = |at: &Path| {
        let at = at.to_path_buf();
        move |source| ProfileMoveError::Io {
            old: old.to_path_buf(),
            new: new.to_path_buf(),
            at,
            source,
        }
    };
    match std::fs::symlink_metadata(old) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(ProfileMoveError::Unsupported { at: old.into() }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(ProfileMove::NothingToMove)
        }
        Err(error) => return Err(io_error(old)(error)),
    }
    if has_entries(new).map_err(io_error(new))? {
        return Ok(ProfileMove::NewAlreadyHasData);
    }
    // An empty new directory gives way (a rename cannot replace it on Windows).
    match std::fs::remove_dir(new) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(io_error(new)(error)),
        _ => {}
    }
    if let Some(parent) = new.parent() {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    if rename(old, new).is_ok() {
        return Ok(ProfileMove::Renamed);
    }
    // Another KSeF Desk starting at the same moment (another profile) may have moved it.
    if has_entries(new).map_err(io_error(new))? {
        return Ok(ProfileMove::NewAlreadyHasData);
    }
    let staging = staging_path(new);
    match std::fs::remove_dir_all(&staging) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            return Err(io_error(&staging)(error))
        }
        _ => {}
    }
    let copied = copy_tree(old, &staging)
        .and_then(|counts| verify_tree(old, &staging).map(|()| counts))
        .and_then(|counts| {
            rename(&staging, new).map_err(io_error(new))?;
            Ok(counts)
        });
    let (files, bytes) = match copied {
        Ok(counts) => counts,
        Err(error) => {
            // The old directory is untouched; the half copy goes.
            let _ = std::fs::remove_dir_all(&staging);
            if has_entries(new).map_err(io_error(new))? {
                return Ok(ProfileMove::NewAlreadyHasData);
            }
            return Err(error);
        }
    };
    Ok(ProfileMove::Copied {
        files,
        bytes,
        old_removed: std::fs::remove_dir_all(old).is_ok(),
    })
}

/// Whether `dir` exists and has anything in it.
fn has_entries(dir: &Path) -> io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Beside the new directory (same file system), named per process so that two
/// starting apps never share one.
fn staging_path(new: &Path) -> PathBuf {
    let mut name = new.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".moving-{}", std::process::id()));
    new.with_file_name(name)
}

/// Copies the tree `from` to `to` (which must not exist); returns files and bytes.
fn copy_tree(from: &Path, to: &Path) -> Result<(u64, u64), ProfileMoveError> {
    let io_error = |at: &Path| {
        let at = at.to_path_buf();
        move |source| ProfileMoveError::Io {
            old: from.to_path_buf(),
            new: to.to_path_buf(),
            at,
            source,
        }
    };
    std::fs::create_dir(to).map_err(io_error(to))?;
    let (mut files, mut bytes) = (0u64, 0u64);
    for entry in std::fs::read_dir(from).map_err(io_error(from))? {
        let entry = entry.map_err(io_error(from))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io_error(&source))?;
        if kind.is_dir() {
            let (sub_files, sub_bytes) = copy_tree(&source, &target)?;
            files = files.saturating_add(sub_files);
            bytes = bytes.saturating_add(sub_bytes);
        } else if kind.is_file() {
            let copied = std::fs::copy(&source, &target).map_err(io_error(&source))?;
            File::open(&target)
                .and_then(|file| file.sync_all())
                .map_err(io_error(&target))?;
            files = files.saturating_add(1);
            bytes = bytes.saturating_add(copied);
        } else {
            return Err(ProfileMoveError::Unsupported { at: source });
        }
    }
    Ok((files, bytes))
}

/// Every folder and file of `original` is in `copy` with the same bytes.
fn verify_tree(original: &Path, copy: &Path) -> Result<(), ProfileMoveError> {
    let io_error = |at: &Path| {
        let at = at.to_path_buf();
        move |source| ProfileMoveError::Io {
            old: original.to_path_buf(),
            new: copy.to_path_buf(),
            at,
            source,
        }
    };
    for entry in std::fs::read_dir(original).map_err(io_error(original))? {
        let entry = entry.map_err(io_error(original))?;
        let (source, target) = (entry.path(), copy.join(entry.file_name()));
        if entry.file_type().map_err(io_error(&source))?.is_dir() {
            verify_tree(&source, &target)?;
        } else if !same_bytes(&source, &target).map_err(io_error(&target))? {
            return Err(ProfileMoveError::CopyDiffers { at: target });
        }
    }
    Ok(())
}

fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut a, mut b) = match (File::open(a), File::open(b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(error), _) => return Err(error),
        (_, Err(error)) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        (_, Err(error)) => return Err(error),
    };
    if a.metadata()?.len() != b.metadata()?.len() {
        return Ok(false);
    }
    let (mut buffer_a, mut buffer_b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let read = a.read(&mut buffer_a)?;
        if read == 0 {
            return Ok(true);
        }
        // `read` never exceeds the buffer's length, so both slices exist.
        let (Some(chunk_a), Some(chunk_b)) = (buffer_a.get(..read), buffer_b.get_mut(..read))
        else {
            return Ok(false);
        };
        b.read_exact(chunk_b)?;
        if chunk_a != chunk_b {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An old app-data directory as the previous version left it.
    fn old_profiles(root: &Path) -> PathBuf {
        let old = root.join(OLD_IDENTIFIER);
        std::fs::create_dir_all(old.join("logs")).unwrap();
        std::fs::create_dir_all(old.join("demo/simulator")).unwrap();
        std::fs::write(old.join("ksef-desk.sqlite3"), b"the real profile").unwrap();
        std::fs::write(old.join("logs/ksef-desk.2026-12-01.log"), b"log").unwrap();
        std::fs::write(old.join("demo/ksef-desk.sqlite3"), vec![7u8; 200_000]).unwrap();
        std::fs::write(old.join("demo/simulator/sim.sqlite3"), b"").unwrap();
        old
    }

    fn assert_has_the_profiles(dir: &Path) {
        let read = |p: &str| std::fs::read(dir.join(p)).unwrap();
        assert_eq!(read("ksef-desk.sqlite3"), b"the real profile");
        assert_eq!(read("logs/ksef-desk.2026-12-01.log"), b"log");
        assert_eq!(read("demo/ksef-desk.sqlite3"), vec![7u8; 200_000]);
        assert_eq!(read("demo/simulator/sim.sqlite3"), b"");
    }

    #[test]
    fn the_old_directory_is_renamed_to_the_new_one() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let new = root.path().join("pl.ksefdesk.desk");

        assert_eq!(move_profiles(&old, &new).unwrap(), ProfileMove::Renamed);
        assert_has_the_profiles(&new);
        assert!(!old.exists());
        assert_eq!(
            move_profiles(&old, &new).unwrap(),
            ProfileMove::NothingToMove,
            "the next start finds nothing to move"
        );
    }

    #[test]
    fn an_empty_new_directory_gives_way() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let new = root.path().join("pl.ksefdesk.desk");
        std::fs::create_dir(&new).unwrap();

        assert_eq!(move_profiles(&old, &new).unwrap(), ProfileMove::Renamed);
        assert_has_the_profiles(&new);
    }

    #[test]
    fn a_new_directory_with_data_is_never_touched() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let new = root.path().join("pl.ksefdesk.desk");
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("ksef-desk.sqlite3"), b"newer").unwrap();

        assert_eq!(
            move_profiles(&old, &new).unwrap(),
            ProfileMove::NewAlreadyHasData
        );
        assert_eq!(
            std::fs::read(new.join("ksef-desk.sqlite3")).unwrap(),
            b"newer"
        );
        assert_has_the_profiles(&old);
    }

    #[test]
    fn without_an_old_directory_nothing_happens() {
        let root = tempfile::tempdir().unwrap();
        let new = root.path().join("pl.ksefdesk.desk");
        assert_eq!(
            move_profiles(&root.path().join(OLD_IDENTIFIER), &new).unwrap(),
            ProfileMove::NothingToMove
        );
        assert!(!new.exists(), "nothing is created");
    }

    /// How `rename` fails across file systems (EXDEV), for the first call only: the
    /// staged copy is renamed within the new one's parent, which works.
    fn cross_device_once() -> impl Fn(&Path, &Path) -> io::Result<()> {
        let failed = std::sync::atomic::AtomicBool::new(false);
        move |from, to| {
            if !failed.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return Err(io::Error::new(io::ErrorKind::CrossesDevices, "EXDEV"));
            }
            std::fs::rename(from, to)
        }
    }

    #[test]
    fn when_rename_fails_a_verified_copy_takes_its_place() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let new = root.path().join("pl.ksefdesk.desk");

        let moved = move_profiles_with(&old, &new, cross_device_once()).unwrap();
        assert_eq!(
            moved,
            ProfileMove::Copied {
                files: 4,
                bytes: 16 + 3 + 200_000,
                old_removed: true
            }
        );
        assert_has_the_profiles(&new);
        assert!(!old.exists());
        assert!(!staging_path(&new).exists(), "no staging folder left");
    }

    #[test]
    fn a_failed_copy_leaves_the_old_directory_and_no_new_one() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let new = root.path().join("pl.ksefdesk.desk");
        let never = |_: &Path, _: &Path| Err(io::Error::other("the disk is full"));

        let error = move_profiles_with(&old, &new, never).unwrap_err();
        assert!(error.to_string().contains("the disk is full"), "{error}");
        assert_has_the_profiles(&old);
        assert!(!new.exists());
        assert!(!staging_path(&new).exists());
    }

    #[test]
    fn a_copy_that_differs_is_caught() {
        let root = tempfile::tempdir().unwrap();
        let old = old_profiles(root.path());
        let copy = root.path().join("copy");
        copy_tree(&old, &copy).unwrap();
        verify_tree(&old, &copy).unwrap();

        let mut changed = vec![7u8; 200_000];
        changed[150_000] = 8;
        std::fs::write(copy.join("demo/ksef-desk.sqlite3"), changed).unwrap();
        assert!(matches!(
            verify_tree(&old, &copy),
            Err(ProfileMoveError::CopyDiffers { at }) if at.ends_with("demo/ksef-desk.sqlite3")
        ));
        std::fs::remove_file(copy.join("logs/ksef-desk.2026-12-01.log")).unwrap();
        assert!(matches!(
            verify_tree(&old, &copy),
            Err(ProfileMoveError::CopyDiffers { .. })
        ));
    }
}
