//! The Tauri shell of KSeF Desk.
pub fn run() {}
