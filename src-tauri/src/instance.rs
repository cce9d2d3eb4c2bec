//! A second launch on a profile that is open brings the open window forward and ends,
//! instead of running a second process on the same outbox
//! (`tauri-plugin-single-instance`; the profile lock in `profile_lock.rs` is what makes
//! it safe, this is what makes it pleasant).
//!
//! On Linux the plugin finds the first process on the session's D-Bus under a name
//! made from the profile's path, so launches on other profiles (`--data-dir`, `--demo`)
//! run side by side. On Windows and macOS the plugin knows one name per app, so there
//! it serves the default profile only; another profile's second launch meets the lock.
//! When the lock is held and nobody took the hand-over (another user's session, the
//! same folder reached through another path), the launch says so and exits with
//! [`PROFILE_IN_USE_EXIT_CODE`].

use std::path::Path;

use sha2::{Digest, Sha256};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The exit code of a launch that found its profile open in a process it could not
/// hand over to.
pub const PROFILE_IN_USE_EXIT_CODE: i32 = 3;

/// The plugin for this profile, registered before every other plugin so that a second
/// launch ends before anything else starts; `None` where the platform's plugin cannot
/// tell profiles apart and this is not the default profile.
pub fn single_instance<R: Runtime>(
    identifier: &str,
    profile: &Path,
    default_profile: bool,
) -> Option<TauriPlugin<R>> {
    if !cfg!(target_os = "linux") && !default_profile {
        return None;
    }
    Some(
        tauri_plugin_single_instance::Builder::new()
            .dbus_id(profile_bus_id(identifier, profile))
            .callback(|app, _args, _cwd| show_main_window(app))
            .build(),
    )
}

/// The D-Bus name stem of one profile: the identifier and a digest of the profile's
/// absolute path (a path may hold characters a bus name may not).
fn profile_bus_id(identifier: &str, profile: &Path) -> String {
    let absolute = std::path::absolute(profile).unwrap_or_else(|_| profile.to_path_buf());
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hex: String = digest
        .iter()
        .take(10)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{identifier}.profile_{hex}")
}

fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("KSeF Desk was launched again on this profile: showing this window");
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    for (what, result) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = result {
            tracing::warn!("cannot {what} the window: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// D-Bus: dot-separated elements of `[A-Za-z0-9_-]`, none starting with a digit,
    /// at most 255 bytes; the plugin appends `.SingleInstance`.
    fn is_bus_name(name: &str) -> bool {
        name.len() <= 255
            && name.split('.').count() >= 2
            && name.split('.').all(|element| {
                element
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
                    && element
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
    }

    #[test]
    fn each_profile_has_its_own_valid_bus_name() {
        let id = "pl.ksefdesk.desk";
        let work = profile_bus_id(id, Path::new("/home/anna/.local/share/pl.ksefdesk.desk"));
        let demo = profile_bus_id(
            id,
            Path::new("/home/anna/.local/share/pl.ksefdesk.desk/demo"),
        );
        let odd = profile_bus_id(id, Path::new("/tmp/Profil firmy ż.1 (kopia)"));
        assert_ne!(work, demo);
        assert_eq!(
            work,
            profile_bus_id(id, Path::new("/home/anna/.local/share/pl.ksefdesk.desk")),
            "the same profile, the same name, in every launch"
        );
        for name in [&work, &demo, &odd] {
            let full = format!("{name}.SingleInstance");
            assert!(is_bus_name(&full), "{full}");
        }
    }

    #[test]
    fn a_relative_profile_path_names_the_same_profile_as_its_absolute_path() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            profile_bus_id("pl.ksefdesk.desk", Path::new("profile")),
            profile_bus_id("pl.ksefdesk.desk", &cwd.join("profile"))
        );
    }
}
