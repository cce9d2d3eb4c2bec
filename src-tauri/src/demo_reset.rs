//! "Reset demo data": the running app cannot delete the database it holds open
//! (Windows forbids it), so the request is a marker file and the wipe happens at
//! the next start, before the store is opened.

use std::io;
use std::path::Path;

use desk_core::DATABASE_FILE_NAME;

const MARKER: &str = "reset-demo.requested";

/// Asks for a wipe at the next start.
pub fn request(data_dir: &Path) -> io::Result<()> {
    std::fs::write(data_dir.join(MARKER), b"")
}

/// At start, in demo mode only: removes the database and the built-in
/// simulator's data if a reset was requested. Logs stay. Returns whether it did.
pub fn apply_if_requested(data_dir: &Path) -> io::Result<bool> {
    let marker = data_dir.join(MARKER);
    if !marker.exists() {
        return Ok(false);
    }
    for suffix in ["", "-wal", "-shm"] {
        remove_file_if_present(&data_dir.join(format!("{DATABASE_FILE_NAME}{suffix}")))?;
    }
    match std::fs::remove_dir_all(data_dir.join(crate::simulator::DATA_DIR_NAME)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    // Last, so that a crash midway repeats the wipe instead of leaving half a profile.
    std::fs::remove_file(marker)?;
    Ok(true)
}

fn remove_file_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requested_reset_wipes_the_store_and_simulator_but_keeps_logs() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        for name in [DATABASE_FILE_NAME, &format!("{DATABASE_FILE_NAME}-wal")] {
            std::fs::write(data.join(name), b"x").unwrap();
        }
        let simulator = data.join(crate::simulator::DATA_DIR_NAME);
        std::fs::create_dir_all(&simulator).unwrap();
        std::fs::write(simulator.join("sim.sqlite3"), b"x").unwrap();
        std::fs::create_dir_all(data.join("logs")).unwrap();
        std::fs::write(data.join("logs/app.log"), b"x").unwrap();

        assert!(
            !apply_if_requested(data).unwrap(),
            "nothing without a request"
        );
        assert!(data.join(DATABASE_FILE_NAME).exists());

        request(data).unwrap();
        assert!(apply_if_requested(data).unwrap());
        assert!(!data.join(DATABASE_FILE_NAME).exists());
        assert!(!data.join(format!("{DATABASE_FILE_NAME}-wal")).exists());
        assert!(!simulator.exists());
        assert!(data.join("logs/app.log").exists());
        assert!(!apply_if_requested(data).unwrap(), "the request is used up");
    }
}
