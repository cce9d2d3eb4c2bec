//! The sender: works the outbox, one online session per company and run.
//!
//! Exactly-once, step by step. Every step is committed before the next network call,
//! so a crash at any point leaves a row that says what to do next:
//!
//! 1. before `POST …/invoices` the row is `in_flight` with the session reference
//!    (the invoice hash is the document's, fixed when issued);
//! 2. KSeF's invoice reference is stored as soon as KSeF answers;
//! 3. the outcome (KSeF number or rejection) is stored on the document;
//! 4. the UPO is stored and the row is `done`.
//!
//! On restart a row with an invoice reference is followed by its status; one with
//! only a session reference is looked up in that session by hash
//! (`find_in_session_by_hash`) and sent again only if KSeF does not have it. Should
//! KSeF still answer "duplicate" (440), the original's KSeF number is taken: the
//! invoice is in KSeF once, which is what the user needs.
//!
//! Temporary trouble (KSeF down, rate limit, timeouts, no token) puts the row back
//! with a growing delay; the document stays queued and says why. An invoice sent
//! after its issue date (P_1, Polish calendar) is declared in offline mode.

use std::collections::BTreeMap;
use std::time::Duration;

use desk_store::{Company, OutboxEntry, SalesDocument, SalesStatus, SendMode, Timestamp};
use ksef_client::{
    CancellationToken, FormCode, InvoiceOutcome, InvoiceReference, KsefClient, KsefError,
    OnlineSession, RejectionKind, SendOptions,
};

use super::{event, today_in_poland, EOD_LAST_CATCH_UP};
use crate::connection::{ksef_error, sender_config};
use crate::{CoreError, Desk, Locale, Result};

/// How often the background loop looks at the outbox when nobody wakes it.
const IDLE_POLL: Duration = Duration::from_secs(30);
/// A run that starts this long after its end-of-day time is a catch-up at start.
const CATCH_UP_AFTER: chrono::Duration = chrono::Duration::minutes(5);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendRun {
    pub accepted: u32,
    pub rejected: u32,
    /// Put back for later (KSeF unavailable, rate limit, no token, ...).
    pub deferred: u32,
    /// Online sessions opened (one per company with something to send).
    pub sessions: u32,
}

/// Test support: stop the run right after a step was committed, exactly as if the
/// process had been killed there (nothing after it runs, the session is not closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The row is `in_flight` with its session; the invoice was not sent yet.
    BeforeSend,
    /// KSeF took the invoice; its reference is not stored yet.
    AfterSendUnrecorded,
    /// The invoice reference is stored; the outcome is not.
    AfterSend,
    /// The KSeF number is stored; the UPO is not.
    AfterAccepted,
}

/// Why a row stops for now.
enum Stop {
    /// Try again later; the document stays queued.
    Retry(CoreError),
    /// The simulated crash.
    Crash,
}

impl From<CoreError> for Stop {
    fn from(error: CoreError) -> Stop {
        Stop::Retry(error)
    }
}

impl From<desk_store::StoreError> for Stop {
    fn from(error: desk_store::StoreError) -> Stop {
        Stop::Retry(error.into())
    }
}

struct CompanyRun<'a> {
    desk: &'a Desk,
    company: Company,
    client: KsefClient,
    session: Option<OnlineSession>,
    crash: Option<CrashPoint>,
    cancel: &'a CancellationToken,
    run: SendRun,
}

impl Desk {
    /// Sends everything due in the outbox. Safe to call at any time (runs never
    /// overlap) and after any crash.
    pub async fn send_due(&self, cancel: &CancellationToken) -> Result<SendRun> {
        self.send_due_crashing_at(None, cancel).await
    }

    /// [`Desk::send_due`] that stops dead at `crash` (see [`CrashPoint`]).
    pub async fn send_due_crashing_at(
        &self,
        crash: Option<CrashPoint>,
        cancel: &CancellationToken,
    ) -> Result<SendRun> {
        let _one_run = self.sender_lock().lock().await;
        let now = self.clock().now();
        self.note_end_of_day_catch_up(now)?;
        let due = self.store().read_with(|tx| tx.due_outbox(now))?;
        let mut by_company: BTreeMap<i64, Vec<OutboxEntry>> = BTreeMap::new();
        for entry in due {
            by_company.entry(entry.company_id).or_default().push(entry);
        }
        let mut total = SendRun::default();
        for (company_id, entries) in by_company {
            let company = self.store().read_with(|tx| tx.company(company_id))?;
            let client = match self.company_client(&company, sender_config(), cancel).await {
                Ok(client) => client,
                Err(error) => {
                    for entry in &entries {
                        self.defer(entry, "auth", &error)?;
                    }
                    total.deferred += u32::try_from(entries.len()).unwrap_or(u32::MAX);
                    continue;
                }
            };
            let mut run = CompanyRun {
                desk: self,
                company,
                client,
                session: None,
                crash,
                cancel,
                run: SendRun::default(),
            };
            let mut crashed = false;
            for entry in &entries {
                match run.process(entry).await {
                    Ok(()) => {}
                    Err(Stop::Retry(error)) => {
                        self.defer(entry, "send", &error)?;
                        run.run.deferred += 1;
                    }
                    Err(Stop::Crash) => {
                        crashed = true;
                        break;
                    }
                }
            }
            if crashed {
                return Ok(run.run);
            }
            run.close().await;
            total.accepted += run.run.accepted;
            total.rejected += run.run.rejected;
            total.deferred += run.run.deferred;
            total.sessions += run.run.sessions;
        }
        Ok(total)
    }

    /// The background loop the shell spawns: sends what is due, wakes up when a
    /// document is sent "now", and otherwise looks every half minute (that also
    /// starts the end-of-day runs). Ends when `cancel` is cancelled.
    pub async fn run_sender(&self, cancel: CancellationToken) {
        loop {
            match self.send_due(&cancel).await {
                Ok(run) if run != SendRun::default() => tracing::info!(
                    accepted = run.accepted,
                    rejected = run.rejected,
                    deferred = run.deferred,
                    "outbox run"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(code = error.code(), "outbox run failed: {error}"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = self.sender_wakeup().notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }

    /// Puts a row back with a growing delay and says why on the document.
    fn defer(&self, entry: &OutboxEntry, step: &str, error: &CoreError) -> Result<()> {
        let now = self.clock().now();
        let wait = retry_delay(entry.attempts, error);
        let message = error.message(Locale::En);
        tracing::info!(
            document = entry.sales_document_id,
            code = error.code(),
            "sending deferred"
        );
        self.store().write_with(|tx| {
            tx.outbox_retry(entry.id, now + wait, &error.message(self.locale()), now)?;
            let document = tx.sales_document(entry.sales_document_id)?;
            if document.status == SalesStatus::Sending {
                tx.set_sales_status(document.id, SalesStatus::Queued, now)?;
            }
            event(
                tx,
                entry.sales_document_id,
                now,
                "ksef.retry_later",
                Some(step),
                "retry",
                Some(&format!(
                    "{}: {message} (next attempt after {})",
                    error.code(),
                    (now + wait).to_rfc3339()
                )),
            )
        })?;
        Ok(())
    }

    /// Notes an end-of-day run that happens only now because the app was closed at
    /// its time, so the sales page and each document can say so.
    fn note_end_of_day_catch_up(&self, now: Timestamp) -> Result<()> {
        self.store().write_with(|tx| {
            for company in tx.list_companies()? {
                let mut late_rows = Vec::new();
                for entry in tx.open_outbox(company.id)? {
                    let document = tx.sales_document(entry.sales_document_id)?;
                    // Only rows still at their planned time: a deferred row was tried.
                    if document.send_mode == Some(SendMode::EndOfDay)
                        && entry.attempts == 0
                        && entry.last_error.is_none()
                        && entry.not_before + CATCH_UP_AFTER < now
                    {
                        late_rows.push((entry, document));
                    }
                }
                let Some(scheduled) = late_rows.iter().map(|(e, _)| e.not_before).min() else {
                    continue;
                };
                let local = |t: Timestamp| {
                    t.with_timezone(&chrono_tz::Europe::Warsaw)
                        .format("%d.%m.%Y %H:%M")
                        .to_string()
                };
                let note = format!("{}|{}|{}", local(scheduled), local(now), late_rows.len());
                tx.set_company_setting(company.id, EOD_LAST_CATCH_UP, &note)?;
                for (_, document) in &late_rows {
                    event(
                        tx,
                        document.id,
                        now,
                        "end_of_day.catch_up",
                        None,
                        "info",
                        Some(&format!(
                            "end-of-day run of {} made at start {} (the app was closed)",
                            local(scheduled),
                            local(now)
                        )),
                    )?;
                }
            }
            Ok::<_, CoreError>(())
        })
    }
}

impl CompanyRun<'_> {
    fn now(&self) -> Timestamp {
        self.desk.clock().now()
    }

    fn crash_at(&self, point: CrashPoint) -> std::result::Result<(), Stop> {
        if self.crash == Some(point) {
            Err(Stop::Crash)
        } else {
            Ok(())
        }
    }

    fn map(&self, error: KsefError) -> Stop {
        Stop::Retry(ksef_error(error, &self.company.nip))
    }

    async fn process(&mut self, entry: &OutboxEntry) -> std::result::Result<(), Stop> {
        let document = self
            .desk
            .store()
            .read_with(|tx| tx.sales_document(entry.sales_document_id))?;
        if document.status == SalesStatus::Accepted {
            return self.fetch_upo(entry, &document).await;
        }
        if let (Some(session), Some(reference)) =
            (&entry.session_reference, &entry.invoice_reference)
        {
            let invoice = InvoiceReference {
                session_reference_number: session.clone(),
                reference_number: reference.clone(),
                invoice_hash: document.invoice_hash.clone().unwrap_or_default(),
            };
            return self.follow(entry, &document, &invoice).await;
        }
        if let Some(session) = &entry.session_reference {
            if let Some(invoice) = self.look_up(entry, &document, session).await? {
                return self.follow(entry, &document, &invoice).await;
            }
        }
        let invoice = self.send(entry, &document).await?;
        self.follow(entry, &document, &invoice).await
    }

    /// After an interruption: is the invoice in the session we were sending it in?
    async fn look_up(
        &self,
        entry: &OutboxEntry,
        document: &SalesDocument,
        session: &str,
    ) -> std::result::Result<Option<InvoiceReference>, Stop> {
        let hash = document.invoice_hash.clone().unwrap_or_default();
        let found = match self
            .client
            .find_in_session_by_hash(session, &hash, self.cancel)
            .await
        {
            Ok(found) => found,
            // KSeF no longer knows the session: sending again is safe, a duplicate
            // answer would still lead to the original.
            Err(KsefError::NotFound { .. }) => None,
            Err(error) => return Err(self.map(error)),
        };
        let now = self.now();
        match found {
            Some(record) => {
                let invoice = InvoiceReference {
                    session_reference_number: session.to_owned(),
                    reference_number: record.reference_number.clone(),
                    invoice_hash: hash,
                };
                self.desk.store().write_with(|tx| {
                    tx.outbox_sent(entry.id, session, Some(&record.reference_number), now)?;
                    event(
                        tx,
                        document.id,
                        now,
                        "ksef.found_after_interruption",
                        Some("sessions.invoices"),
                        "ok",
                        Some(&format!(
                            "session={session} invoice={}",
                            record.reference_number
                        )),
                    )
                })?;
                Ok(Some(invoice))
            }
            None => {
                self.desk.store().write_with(|tx| {
                    tx.outbox_reset(entry.id, now)?;
                    event(
                        tx,
                        document.id,
                        now,
                        "ksef.not_found_after_interruption",
                        Some("sessions.invoices"),
                        "info",
                        Some(&format!("session={session}: not received, sending again")),
                    )
                })?;
                Ok(None)
            }
        }
    }

    async fn session(&mut self) -> std::result::Result<OnlineSession, Stop> {
        if let Some(session) = &self.session {
            return Ok(session.clone());
        }
        let session = self
            .client
            .open_online_session(FormCode::fa3(), self.cancel)
            .await
            .map_err(|e| self.map(e))?;
        self.run.sessions += 1;
        self.session = Some(session.clone());
        Ok(session)
    }

    async fn send(
        &mut self,
        entry: &OutboxEntry,
        document: &SalesDocument,
    ) -> std::result::Result<InvoiceReference, Stop> {
        let xml = self
            .desk
            .store()
            .read_with(|tx| tx.sales_document_xml(document.id))?
            .ok_or_else(|| {
                Stop::Retry(CoreError::Internal {
                    detail: format!("document {} has no XML", document.id),
                })
            })?;
        let session = self.session().await?;
        let now = self.now();
        let offline = document
            .issue_date
            .is_some_and(|d| d < today_in_poland(now));
        self.desk.store().write_with(|tx| {
            tx.outbox_in_flight(entry.id, &session.reference_number, now)?;
            tx.set_sales_status(document.id, SalesStatus::Sending, now)?;
            tx.set_offline_mode(document.id, offline)?;
            event(
                tx,
                document.id,
                now,
                "ksef.sending",
                Some("sessions.online.send"),
                "info",
                Some(&format!(
                    "session={} hash={}{}",
                    session.reference_number,
                    document.invoice_hash.as_deref().unwrap_or(""),
                    if offline { " offline_mode=true" } else { "" }
                )),
            )
        })?;
        self.crash_at(CrashPoint::BeforeSend)?;
        let options = SendOptions {
            offline_mode: offline,
            hash_of_corrected_invoice: None,
        };
        let invoice = self
            .client
            .send_invoice_with(&session, &xml, &options, self.cancel)
            .await
            .map_err(|e| self.map(e))?;
        self.crash_at(CrashPoint::AfterSendUnrecorded)?;
        let now = self.now();
        self.desk.store().write_with(|tx| {
            tx.outbox_sent(
                entry.id,
                &invoice.session_reference_number,
                Some(&invoice.reference_number),
                now,
            )?;
            event(
                tx,
                document.id,
                now,
                "ksef.sent",
                Some("sessions.online.send"),
                "ok",
                Some(&format!("invoice={}", invoice.reference_number)),
            )
        })?;
        self.crash_at(CrashPoint::AfterSend)?;
        Ok(invoice)
    }

    /// Waits for KSeF's verdict and stores it, then fetches the UPO.
    async fn follow(
        &mut self,
        entry: &OutboxEntry,
        document: &SalesDocument,
        invoice: &InvoiceReference,
    ) -> std::result::Result<(), Stop> {
        let outcome = self
            .client
            .wait_for_invoice(invoice, self.cancel)
            .await
            .map_err(|e| self.map(e))?;
        let outcome = self.verify_duplicate(outcome, document).await?;
        let now = self.now();
        let (ksef_number, session, accepted_at, detail) = match outcome {
            InvoiceOutcome::Accepted {
                ksef_number,
                status,
            } => (
                ksef_number.clone(),
                invoice.session_reference_number.clone(),
                status.acquisition_date.unwrap_or(now),
                format!("ksef_number={ksef_number}"),
            ),
            InvoiceOutcome::Rejected {
                kind:
                    RejectionKind::Duplicate {
                        original_ksef_number: Some(original),
                        original_session_reference_number,
                    },
                ..
            } => (
                original.clone(),
                original_session_reference_number
                    .unwrap_or_else(|| invoice.session_reference_number.clone()),
                now,
                format!("KSeF 440 duplicate: already in KSeF as {original}"),
            ),
            InvoiceOutcome::Rejected {
                kind:
                    RejectionKind::CancelledBySystem
                    | RejectionKind::SessionError
                    | RejectionKind::Unknown,
                status,
                ..
            } => {
                // KSeF asks for the invoice again: it did not keep it.
                self.desk.store().write_with(|tx| {
                    tx.outbox_reset(entry.id, now)?;
                    event(
                        tx,
                        document.id,
                        now,
                        "ksef.retry_requested",
                        Some("sessions.invoice.status"),
                        "retry",
                        Some(&format!("{} {}", status.code, status.description)),
                    )
                })?;
                return Err(Stop::Retry(CoreError::KsefUnavailable {
                    detail: format!("KSeF {} {}", status.code, status.description),
                    retry_after_secs: None,
                }));
            }
            InvoiceOutcome::Rejected { status, .. } => {
                let message = if status.details.is_empty() {
                    status.description.clone()
                } else {
                    format!("{}: {}", status.description, status.details.join("; "))
                };
                self.desk.store().write_with(|tx| {
                    tx.mark_rejected(document.id, i64::from(status.code), &message, now)?;
                    tx.outbox_finish(entry.id, Some(&message), now)?;
                    event(
                        tx,
                        document.id,
                        now,
                        "rejected",
                        Some("sessions.invoice.status"),
                        "error",
                        Some(&format!("KSeF {}: {message}", status.code)),
                    )
                })?;
                self.run.rejected += 1;
                return Ok(());
            }
        };
        self.desk.store().write_with(|tx| {
            tx.mark_accepted(document.id, &ksef_number, accepted_at, now)?;
            tx.outbox_sent(
                entry.id,
                &session,
                invoice_reference_for(&session, invoice),
                now,
            )?;
            event(
                tx,
                document.id,
                now,
                "accepted",
                Some("sessions.invoice.status"),
                "ok",
                Some(&detail),
            )
        })?;
        self.run.accepted += 1;
        self.crash_at(CrashPoint::AfterAccepted)?;
        let document = self
            .desk
            .store()
            .read_with(|tx| tx.sales_document(document.id))?;
        let entry = OutboxEntry {
            session_reference: Some(session),
            ..entry.clone()
        };
        self.fetch_upo(&entry, &document).await
    }

    /// A duplicate answer names the invoice KSeF already has under this number. It is
    /// ours only if its bytes are ours (same hash): then the original's KSeF number is
    /// this document's. Another invoice with the same number stays a rejection.
    async fn verify_duplicate(
        &self,
        outcome: InvoiceOutcome,
        document: &SalesDocument,
    ) -> std::result::Result<InvoiceOutcome, Stop> {
        let InvoiceOutcome::Rejected {
            kind:
                RejectionKind::Duplicate {
                    original_ksef_number: Some(original),
                    ..
                },
            status,
            record,
        } = &outcome
        else {
            return Ok(outcome);
        };
        let stored = self
            .client
            .download_invoice(original, self.cancel)
            .await
            .map_err(|e| self.map(e))?;
        if Some(fa3::document_hash(&stored)) == document.invoice_hash {
            return Ok(outcome);
        }
        Ok(InvoiceOutcome::Rejected {
            kind: RejectionKind::Other(status.code),
            status: ksef_client::StatusDetail {
                code: status.code,
                description: status.description.clone(),
                details: status
                    .details
                    .iter()
                    .cloned()
                    .chain([format!(
                        "Another invoice with this number is already in KSeF as {original}."
                    )])
                    .collect(),
            },
            record: record.clone(),
        })
    }

    async fn fetch_upo(
        &self,
        entry: &OutboxEntry,
        document: &SalesDocument,
    ) -> std::result::Result<(), Stop> {
        let (Some(session), Some(ksef_number)) = (&entry.session_reference, &document.ksef_number)
        else {
            return Err(Stop::Retry(CoreError::Internal {
                detail: format!("document {} has no session for its UPO", document.id),
            }));
        };
        let upo = self
            .client
            .invoice_upo_by_ksef_number(session, ksef_number, self.cancel)
            .await
            .map_err(|e| self.map(e))?;
        let now = self.now();
        self.desk.store().write_with(|tx| {
            tx.store_upo(document.id, &upo.xml, now)?;
            tx.outbox_finish(entry.id, None, now)?;
            event(
                tx,
                document.id,
                now,
                "upo_received",
                Some("sessions.invoice.upo_by_ksef"),
                "ok",
                Some(&format!("upo_hash={}", upo.hash)),
            )
        })?;
        Ok(())
    }

    /// Closes the run's session (KSeF builds the session UPO then); a failure only
    /// means KSeF closes it itself later.
    async fn close(&mut self) {
        if let Some(session) = self.session.take() {
            if let Err(error) = self
                .client
                .close_online_session(&session, self.cancel)
                .await
            {
                tracing::warn!(%error, "closing the online session failed");
            }
        }
        if let Err(error) = self.client.logout(self.cancel).await {
            tracing::debug!(%error, "ending the authentication failed");
        }
    }
}

/// Our own invoice reference when the number is ours, none for a duplicate's original.
fn invoice_reference_for<'a>(session: &str, invoice: &'a InvoiceReference) -> Option<&'a str> {
    (session == invoice.session_reference_number).then_some(invoice.reference_number.as_str())
}

/// 30 s, 1, 2, 4 … minutes up to 15; at least what KSeF asked for.
fn retry_delay(attempts: i64, error: &CoreError) -> chrono::Duration {
    let exponent = u32::try_from(attempts.clamp(0, 5)).unwrap_or(5);
    let backoff =
        chrono::Duration::seconds(30 * 2_i64.pow(exponent)).min(chrono::Duration::minutes(15));
    let asked = match error {
        CoreError::KsefUnavailable {
            retry_after_secs: Some(secs),
            ..
        }
        | CoreError::KsefRateLimited {
            retry_after_secs: Some(secs),
        } => chrono::Duration::seconds(i64::try_from(*secs).unwrap_or(i64::MAX / 1000)),
        _ => chrono::Duration::zero(),
    };
    backoff.max(asked)
}
