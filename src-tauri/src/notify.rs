//! Desktop notifications: "N new costs arrived" after a retrieval, and a certificate
//! nearing its end.

use desk_core::{Company, CostSyncReport, Desk};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// Tells the user how many new costs arrived (nothing when none did). A desktop
/// without a notification service only loses the notification, never the costs.
pub fn new_costs(app: &AppHandle, desk: &Desk, company: &Company, report: &CostSyncReport) {
    let Some(body) = report.notification(&company.name, desk.locale()) else {
        return;
    };
    if let Err(error) = app
        .notification()
        .builder()
        .title("KSeF Desk")
        .body(body)
        .show()
    {
        tracing::warn!(%error, "the desktop notification could not be shown");
    }
}

/// Warns on the desktop when a company's certificate crosses 30, 7 or 1 day(s) before
/// its end (once per threshold; the core remembers). Checked at start and hourly.
pub async fn certificate_expiry_loop(app: AppHandle, desk: std::sync::Arc<Desk>) {
    loop {
        let checker = desk.clone();
        let due = tauri::async_runtime::spawn_blocking(move || checker.due_expiry_notices()).await;
        match due {
            Ok(Ok(notices)) => {
                for (company, expiry) in notices {
                    let body = expiry.notification(&company.name, desk.locale());
                    if let Err(error) = app
                        .notification()
                        .builder()
                        .title("KSeF Desk")
                        .body(body)
                        .show()
                    {
                        tracing::warn!(%error, "the desktop notification could not be shown");
                    }
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "checking certificate expiry failed"),
            Err(error) => tracing::warn!(%error, "checking certificate expiry did not finish"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
