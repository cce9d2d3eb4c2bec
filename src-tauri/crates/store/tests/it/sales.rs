//! Sales repositories on a real file: numbering, queuing with its outbox row, the
//! full-text index following the documents, history.

use chrono::NaiveDate;
use desk_store::{
    DraftRow, IssuedRow, NewDocumentEvent, OutboxState, SalesQuery, SalesStatus, SendMode,
    StoreError,
};

use crate::{acme, at, temp_store};

fn row(buyer: &str) -> DraftRow {
    DraftRow {
        kind: "VAT".into(),
        contractor_id: None,
        buyer_name: buyer.into(),
        buyer_nip: Some("7740001454".into()),
        issue_date: NaiveDate::from_ymd_opt(2026, 11, 25),
        sale_date: None,
        due_date: None,
        currency: "PLN".into(),
        net_total_minor: 10_000,
        vat_total_minor: 2_300,
        gross_total_minor: 12_300,
        draft_json: "{}".into(),
        corrects_id: None,
        search_text: buyer.to_lowercase(),
    }
}

#[test]
fn numbers_count_per_series_and_period_and_a_rolled_back_issue_gives_its_number_back() {
    let t = temp_store();
    let numbers = t
        .store
        .write(|tx| {
            let company = tx.insert_company(&acme(), at(1))?;
            let series = tx.default_series(company.id, "VAT", "FV/{n}/{MM}/{YYYY}", true)?;
            let again = tx.default_series(company.id, "VAT", "other", false)?;
            assert_eq!(series, again);
            let kor = tx.default_series(company.id, "KOR", "KOR/{n}/{YYYY}", false)?;
            Ok(vec![
                tx.next_in_series(series.id, "2026-11")?,
                tx.next_in_series(series.id, "2026-11")?,
                tx.next_in_series(series.id, "2026-12")?,
                tx.next_in_series(kor.id, "2026")?,
            ])
        })
        .unwrap();
    assert_eq!(numbers, [1, 2, 1, 1]);
    let failed: Result<(), StoreError> = t.store.write(|tx| {
        tx.next_in_series(1, "2026-11")?;
        Err(StoreError::NotFound {
            entity: "test",
            id: 0,
        })
    });
    assert!(failed.is_err());
    let next = t.store.write(|tx| tx.next_in_series(1, "2026-11")).unwrap();
    assert_eq!(next, 3);
}

#[test]
fn queuing_writes_the_outbox_row_and_search_follows_the_document() {
    let t = temp_store();
    let (company_id, id) = t
        .store
        .write(|tx| {
            let company = tx.insert_company(&acme(), at(1))?;
            let series = tx.default_series(company.id, "VAT", "FV/{n}/{YYYY}", false)?;
            let draft = tx.insert_sales_draft(company.id, &row("Drukarnia Świt"), at(2))?;
            assert!(tx.update_sales_draft(draft.id, &row("Hurtownia Kałamarz"), at(2))?);
            tx.mark_issued(
                draft.id,
                &IssuedRow {
                    series_id: series.id,
                    number: "FV/1/2026",
                    issue_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default(),
                    xml: b"<Faktura/>",
                    invoice_hash: "hash",
                    net_total_minor: 10_000,
                    vat_total_minor: 2_300,
                    gross_total_minor: 12_300,
                    search_text: "fv/1/2026 hurtownia kalamarz 7740001454",
                },
                at(2),
            )?;
            // Issued is final: a late autosave no longer changes it.
            assert!(!tx.update_sales_draft(draft.id, &row("x"), at(3))?);
            tx.queue_sales_document(draft.id, SendMode::EndOfDay, at(3), at(2))?;
            tx.append_document_event(
                draft.id,
                &NewDocumentEvent {
                    at: at(2),
                    kind: "queued",
                    ksef_operation: None,
                    outcome: "ok",
                    detail: None,
                },
            )?;
            Ok((company.id, draft.id))
        })
        .unwrap();

    t.store
        .read(|tx| {
            let document = tx.sales_document(id)?;
            assert_eq!(document.status, SalesStatus::Queued);
            assert_eq!(document.send_mode, Some(SendMode::EndOfDay));
            assert!(tx.due_outbox(at(2))?.is_empty());
            let due = tx.due_outbox(at(3))?;
            assert_eq!(due.len(), 1);
            assert_eq!(due[0].state, OutboxState::Pending);
            assert_eq!(tx.document_events(id)?.len(), 1);
            Ok(())
        })
        .unwrap();

    let search = |text: &str| {
        t.store
            .read(|tx| {
                tx.list_sales(
                    company_id,
                    &SalesQuery {
                        text: Some(text.into()),
                        ..SalesQuery::default()
                    },
                )
            })
            .unwrap()
            .total
    };
    assert_eq!(search("kalamarz"), 1);
    assert_eq!(search("swit"), 0, "the index follows updates");
    assert_eq!(search("fv/1"), 1);
    assert_eq!(search("5261040828-2026"), 0, "no KSeF number yet");
    t.store
        .write(|tx| {
            tx.outbox_in_flight(1, "session-1", at(3))?;
            tx.mark_accepted(id, "5261040828-20261125-0100A0D6723E-C2", at(3), at(3))
        })
        .unwrap();
    assert_eq!(search("0100a0d6723e"), 1);
    assert_eq!(search("\"x"), 0, "quotes in a search are text");
    // An accepted document needs its KSeF number (schema CHECK).
    let bad = t.store.write(|tx| {
        let draft = tx.insert_sales_draft(company_id, &row("y"), at(4))?;
        tx.set_sales_status(draft.id, SalesStatus::Accepted, at(4))
    });
    assert!(bad.is_err());
}
