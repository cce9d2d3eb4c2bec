// What the UI says about a company's sign-in: the token cut-off and certificate expiry.
// The dates and day counts come from the backend; this only picks words and tone.
import type { CredentialAlertDto, ExpiryLevelDto } from "./bindings";

export type AlertTone = "info" | "warning" | "danger";

/** How loud a warning is: a month ahead is information, the last week a warning. */
export function alertTone(level: ExpiryLevelDto): AlertTone {
  switch (level) {
    case "fine":
    case "within30Days":
      return "info";
    case "within7Days":
      return "warning";
    case "within1Day":
    case "expired":
      return "danger";
  }
}

/** The catalog key and its values for an alert (the status bar and dashboard banner). */
export function alertMessage(alert: CredentialAlertDto): {
  key: string;
  values: Record<string, number>;
} {
  const over = alert.daysLeft === 0;
  if (alert.kind === "tokenCutoff") {
    return over
      ? { key: "credentials.tokenEnded", values: {} }
      : { key: "credentials.tokenDaysLeft", values: { count: alert.daysLeft } };
  }
  return over
    ? { key: "credentials.certificateExpired", values: {} }
    : { key: "credentials.certificateDaysLeft", values: { count: alert.daysLeft } };
}

/** Whether the status bar shows the alert: a certificate only from 30 days before its
 * end; a token always, since every token stops at the cut-off. */
export function showsInStatusBar(alert: CredentialAlertDto | null): alert is CredentialAlertDto {
  return alert !== null && (alert.kind === "tokenCutoff" || alert.level !== "fine");
}
