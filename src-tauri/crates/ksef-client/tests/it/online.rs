use ksef_client::crypto::sha256_b64;
use ksef_client::{FormCode, InvoiceOutcome, KsefError, RejectionKind};

use crate::common::*;

#[tokio::test]
async fn online_send_accepted_with_upo_and_download() {
    let env = start_authenticated().await;
    let (c, cancel) = (&env.client, &env.cancel);
    let session = c
        .open_online_session(FormCode::fa3(), cancel)
        .await
        .unwrap();
    assert_eq!(session.reference_number.len(), 36);
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("ok"));
    let sent = c.send_invoice(&session, &xml, cancel).await.unwrap();
    assert_eq!(sent.invoice_hash, sha256_b64(&xml));
    let ksef_number = match c.wait_for_invoice(&sent, cancel).await.unwrap() {
        InvoiceOutcome::Accepted {
            ksef_number,
            status,
        } => {
            assert_eq!(status.invoice_hash, sent.invoice_hash);
            ksef_number
        }
        other => panic!("not accepted: {other:?}"),
    };
    assert!(ksef_number.starts_with(&env.sim.nip));
    assert_eq!(ksef_number.len(), 35);

    // Per-invoice UPO, by reference and by KSeF number.
    let upo = c.invoice_upo(&sent, cancel).await.unwrap();
    let text = String::from_utf8(upo.xml.clone()).unwrap();
    assert!(text.contains("Potwierdzenie"), "{text}");
    assert!(text.contains(&ksef_number));
    let upo2 = c
        .invoice_upo_by_ksef_number(&session.reference_number, &ksef_number, cancel)
        .await
        .unwrap();
    assert_eq!(upo2.xml, upo.xml);

    // Download returns the exact bytes sent.
    let downloaded = c.download_invoice(&ksef_number, cancel).await.unwrap();
    assert_eq!(downloaded, xml);

    // Close, wait, session UPO.
    c.close_online_session(&session, cancel).await.unwrap();
    let status = c
        .wait_for_session(&session.reference_number, cancel)
        .await
        .unwrap();
    assert_eq!(status.status.code, 200);
    assert_eq!(status.successful_invoice_count, Some(1));
    let upos = c.session_upos(&status, cancel).await.unwrap();
    assert!(!upos.is_empty());
    let session_upo = String::from_utf8(upos[0].xml.clone()).unwrap();
    assert!(session_upo.contains(&session.reference_number));
    assert!(session_upo.contains(&ksef_number));
    // Same page through the authenticated API path.
    let page = &status.upo.as_ref().unwrap().pages[0];
    let via_api = c
        .session_upo(&session.reference_number, &page.reference_number, cancel)
        .await
        .unwrap();
    assert_eq!(via_api.xml, upos[0].xml);

    // The session lists its invoice.
    let all = c
        .all_session_invoices(&session.reference_number, false, cancel)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].ksef_number.as_deref(), Some(ksef_number.as_str()));
}

async fn outcome_of(env: &Env, session: &ksef_client::OnlineSession, xml: &[u8]) -> InvoiceOutcome {
    let sent = env
        .client
        .send_invoice(session, xml, &env.cancel)
        .await
        .unwrap();
    env.client
        .wait_for_invoice(&sent, &env.cancel)
        .await
        .unwrap()
}

fn rejection(o: InvoiceOutcome) -> (RejectionKind, ksef_client::StatusDetail) {
    match o {
        InvoiceOutcome::Rejected { kind, status, .. } => (kind, status),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn online_rejections_are_classified() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let nip = env.sim.nip.clone();

    // 430: not a valid FA(3) document.
    let (kind, status) =
        rejection(outcome_of(&env, &session, b"<Faktura><broken></Faktura>").await);
    assert_eq!(kind, RejectionKind::SchemaValidation, "{status:?}");
    assert_eq!(status.code, 430);
    assert!(!status.description.is_empty());

    // 450: semantic error (seller NIP with a bad checksum).
    let bad_nip = invoice(&nip, "6808208875", &unique_number("sem"));
    let (kind, status) = rejection(outcome_of(&env, &session, &bad_nip).await);
    assert!(
        matches!(
            kind,
            RejectionKind::Semantic | RejectionKind::SchemaValidation
        ),
        "{kind:?} {status:?}"
    );

    // 410: seller is another company than the authenticated context.
    let foreign = invoice(SUPPLIER_NIP, BUYER_NIP, &unique_number("foreign"));
    let (kind, _) = rejection(outcome_of(&env, &session, &foreign).await);
    assert_eq!(kind, RejectionKind::PermissionScope);

    // 440: the same invoice twice.
    let xml = invoice(&nip, BUYER_NIP, &unique_number("dup"));
    let first = outcome_of(&env, &session, &xml).await;
    let original = match first {
        InvoiceOutcome::Accepted { ksef_number, .. } => ksef_number,
        other => panic!("{other:?}"),
    };
    let (kind, status) = rejection(outcome_of(&env, &session, &xml).await);
    match kind {
        RejectionKind::Duplicate {
            original_ksef_number,
            original_session_reference_number,
        } => {
            assert_eq!(original_ksef_number.as_deref(), Some(original.as_str()));
            assert_eq!(
                original_session_reference_number.as_deref(),
                Some(session.reference_number.as_str())
            );
        }
        other => panic!("{other:?} {status:?}"),
    }
    assert_eq!(status.code, 440);

    // The failed list holds exactly the rejections.
    let failed = env
        .client
        .all_session_invoices(&session.reference_number, true, &env.cancel)
        .await
        .unwrap();
    assert_eq!(failed.len(), 4, "{failed:#?}");
    env.client
        .close_online_session(&session, &env.cancel)
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_session(&session.reference_number, &env.cancel)
        .await
        .unwrap();
    assert_eq!(status.failed_invoice_count, Some(4));
    assert_eq!(status.successful_invoice_count, Some(1));
}

#[tokio::test]
async fn client_side_limits_refuse_before_sending() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let too_big = vec![b'a'; ksef_client::MAX_INVOICE_SIZE + 1];
    let err = env
        .client
        .send_invoice(&session, &too_big, &env.cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Limit(_)), "{err:?}");
    let err = env
        .client
        .send_invoice(&session, b"", &env.cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, KsefError::Limit(_)), "{err:?}");
}

#[tokio::test]
async fn session_with_no_invoices_fails_with_typed_status() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    env.client
        .close_online_session(&session, &env.cancel)
        .await
        .unwrap();
    let err = env
        .client
        .wait_for_session(&session.reference_number, &env.cancel)
        .await
        .unwrap_err();
    match err {
        KsefError::SessionFailed { status, .. } => assert_eq!(status.code, 440),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn content_encrypted_with_another_key_is_a_decryption_rejection() {
    let env = start_authenticated().await;
    let a = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let b = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    // Session B's key, session A's reference: KSeF cannot decrypt it with A's key.
    let mut mixed = b.clone();
    mixed.reference_number = a.reference_number.clone();
    let xml = invoice(&env.sim.nip, BUYER_NIP, &unique_number("435"));
    let sent = env
        .client
        .send_invoice(&mixed, &xml, &env.cancel)
        .await
        .unwrap();
    let (kind, status) = rejection(
        env.client
            .wait_for_invoice(&sent, &env.cancel)
            .await
            .unwrap(),
    );
    assert_eq!(kind, RejectionKind::Decryption, "{status:?}");
    assert_eq!(status.code, 435);
}

#[tokio::test]
async fn invoice_with_attachment_in_online_session_is_rejected_415() {
    let env = start_authenticated().await;
    let session = env
        .client
        .open_online_session(FormCode::fa3(), &env.cancel)
        .await
        .unwrap();
    let path = samples_dir().join("fa3-zalacznik-FA_3_Zalacznik_Przyklad_1_ksef-fop.xml");
    let today = chrono::Utc::now().date_naive().to_string();
    let xml = std::fs::read_to_string(path)
        .unwrap()
        .replacen(
            "<NIP>1234567890</NIP>",
            &format!("<NIP>{}</NIP>", env.sim.nip),
            1,
        )
        .replacen(
            "<NIP>9876543210</NIP>",
            &format!("<NIP>{BUYER_NIP}</NIP>"),
            1,
        )
        .replace("<P_1>2026-02-04</P_1>", &format!("<P_1>{today}</P_1>"))
        .replace("FA/001/2026/F", &unique_number("att"));
    let (kind, status) = rejection(outcome_of(&env, &session, xml.as_bytes()).await);
    assert_eq!(kind, RejectionKind::AttachmentNotAllowed, "{status:?}");
}
