//! Desktop notifications: "N new costs arrived" after a retrieval.

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
