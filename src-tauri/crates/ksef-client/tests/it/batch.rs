use ksef_client::{BatchFile, BatchOptions, FormCode};

use crate::common::*;

#[tokio::test]
async fn batch_send_in_many_parts_with_upo() {
    let env = start_authenticated().await;
    let (c, cancel) = (&env.client, &env.cancel);
    let files: Vec<BatchFile> = (0..40)
        .map(|i| BatchFile {
            name: format!("faktura-{i:03}.xml"),
            xml: invoice(&env.sim.nip, BUYER_NIP, &unique_number("batch")),
        })
        .collect();
    // Small parts force a multi-part upload.
    let options = BatchOptions {
        part_size: 20_000,
        ..BatchOptions::default()
    };
    let batch = c.send_batch(&files, &options, cancel).await.unwrap();
    assert!(batch.part_count > 1, "{batch:?}");
    assert_eq!(batch.invoice_count, 40);
    let status = c
        .wait_for_session(&batch.reference_number, cancel)
        .await
        .unwrap();
    assert_eq!(status.status.code, 200, "{status:?}");
    assert_eq!(status.successful_invoice_count, Some(40));
    let invoices = c
        .all_session_invoices(&batch.reference_number, false, cancel)
        .await
        .unwrap();
    assert_eq!(invoices.len(), 40);
    for inv in &invoices {
        assert_eq!(inv.status.code, 200, "{inv:?}");
        assert!(inv.ksef_number.is_some());
        assert!(inv
            .invoice_file_name
            .as_deref()
            .is_some_and(|n| n.starts_with("faktura-")));
    }
    let upos = c.session_upos(&status, cancel).await.unwrap();
    let all: String = upos
        .iter()
        .map(|u| String::from_utf8_lossy(&u.xml).into_owned())
        .collect();
    for inv in &invoices {
        assert!(all.contains(inv.ksef_number.as_deref().unwrap()));
    }
    // A batch invoice downloads byte-exact too.
    let first = invoices
        .iter()
        .find(|i| i.invoice_file_name.as_deref() == Some("faktura-000.xml"))
        .unwrap();
    let xml = c
        .download_invoice(first.ksef_number.as_deref().unwrap(), cancel)
        .await
        .unwrap();
    assert_eq!(xml, files[0].xml);
}

#[tokio::test]
async fn batch_with_bad_invoice_reports_it_per_invoice() {
    let env = start_authenticated().await;
    let files = vec![
        BatchFile {
            name: "ok.xml".into(),
            xml: invoice(&env.sim.nip, BUYER_NIP, &unique_number("b-ok")),
        },
        BatchFile {
            name: "bad.xml".into(),
            xml: b"<Faktura/>".to_vec(),
        },
    ];
    let batch = env
        .client
        .send_batch(
            &files,
            &BatchOptions {
                form_code: FormCode::fa3(),
                ..BatchOptions::default()
            },
            &env.cancel,
        )
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_session(&batch.reference_number, &env.cancel)
        .await
        .unwrap();
    assert_eq!(status.successful_invoice_count, Some(1));
    assert_eq!(status.failed_invoice_count, Some(1));
    let failed = env
        .client
        .all_session_invoices(&batch.reference_number, true, &env.cancel)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].invoice_file_name.as_deref(), Some("bad.xml"));
    assert_eq!(failed[0].status.code, 430);
}

#[tokio::test]
async fn part_upload_faults_are_retried_or_typed_with_the_session_reference() {
    let env = start_authenticated().await;
    let files = |tag: &str| -> Vec<BatchFile> {
        (0..3)
            .map(|i| BatchFile {
                name: format!("{tag}-{i}.xml"),
                xml: invoice(&env.sim.nip, BUYER_NIP, &unique_number(tag)),
            })
            .collect()
    };
    // One failure: PUT is idempotent, retried, the batch succeeds.
    env.sim.push_fault(
        Some("/storage"),
        ksef_sim::OneShotFault::ServerError { status: 503 },
    );
    env.sim
        .push_fault(Some("/storage"), ksef_sim::OneShotFault::ConnectionReset);
    let ok = env
        .client
        .send_batch(&files("retry"), &BatchOptions::default(), &env.cancel)
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_session(&ok.reference_number, &env.cancel)
        .await
        .unwrap();
    assert_eq!(status.successful_invoice_count, Some(3));
    // Persistent failure: a typed error naming the opened session.
    for _ in 0..10 {
        env.sim.push_fault(
            Some("/storage"),
            ksef_sim::OneShotFault::ServerError { status: 500 },
        );
    }
    let err = env
        .client
        .send_batch(&files("fail"), &BatchOptions::default(), &env.cancel)
        .await
        .unwrap_err();
    match &err {
        ksef_client::KsefError::BatchUpload {
            reference_number,
            source,
        } => {
            assert_eq!(reference_number.len(), 36);
            assert!(
                matches!(**source, ksef_client::KsefError::Server { status: 500, .. }),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_unavailability());
}
