//! What keeps the idle app small (`scripts/measure-memory` measures the whole
//! process tree). WebKitGTK's defaults suit a web browser; this window shows one
//! local page.
//!
//! - Accelerated compositing off: under a software OpenGL (no GPU, a VM, Xvfb)
//!   the web process otherwise loads Mesa's llvmpipe with LLVM and keeps
//!   compositing buffers, about 100 MiB of its ~225 MiB. The app's pages are
//!   forms and lists that paint fast on the CPU.
//! - Cache model "document viewer": no back/forward page cache and the smallest
//!   memory cache; every resource is the app's own, embedded in the binary.

use tauri::{Manager, Runtime};

/// The main window's label (`tauri.conf.json`).
const MAIN_WINDOW: &str = "main";

/// Applies the settings above to the main window's web view. Without the
/// window (not created yet, or closed) there is nothing to do.
pub fn slim_main_webview<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    match app.get_webview_window(MAIN_WINDOW) {
        Some(window) => slim_webview(&window),
        None => Ok(()),
    }
}

#[cfg(target_os = "linux")]
fn slim_webview<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.with_webview(|webview| webkit::slim(&webview.inner()))
}

#[cfg(not(target_os = "linux"))]
fn slim_webview<R: Runtime>(_window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    // WebView2 and WKWebView size their caches by the system's memory pressure.
    Ok(())
}

#[cfg(target_os = "linux")]
mod webkit {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };

    pub fn slim(webview: &webkit2gtk::WebView) {
        if let Some(settings) = WebViewExt::settings(webview) {
            slim_settings(&settings);
        }
        if let Some(context) = webview.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    }

    fn slim_settings(settings: &webkit2gtk::Settings) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_page_cache(false);
    }
}
