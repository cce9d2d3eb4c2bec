use desk_store::{NewAuditEntry, NewContractor, NewUser, Role, StoreError};
use rusqlite::Connection;

use crate::{acme, at, temp_store};

fn supplier(nip: &str, name: &str) -> NewContractor {
    NewContractor {
        nip: Some(nip.into()),
        eu_vat_id: None,
        name: name.into(),
        address_line1: String::new(),
        address_line2: String::new(),
        country_code: "PL".into(),
        email: None,
        trusted: false,
    }
}

#[test]
fn companies_round_trip_and_nip_is_unique() {
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    assert_eq!(company.nip, "5261040828");
    assert_eq!(company.created_at, at(2));
    assert_eq!(t.store.read(|tx| tx.company(company.id)).unwrap(), company);

    let error = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(3)))
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::AlreadyExists { entity: "company", detail } if detail.contains("5261040828")),
        "{error}"
    );
}

#[test]
fn a_missing_company_is_not_found() {
    let t = temp_store();
    let error = t.store.read(|tx| tx.company(42)).unwrap_err();
    assert!(matches!(
        error,
        StoreError::NotFound {
            entity: "company",
            id: 42
        }
    ));
}

#[test]
fn the_schema_rejects_a_malformed_nip() {
    let t = temp_store();
    let mut bad = acme();
    bad.nip = "52610408".into();
    assert!(t.store.write(|tx| tx.insert_company(&bad, at(2))).is_err());
}

#[test]
fn contractors_are_listed_per_company_by_name() {
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    t.store
        .write(|tx| {
            tx.insert_contractor(company.id, &supplier("7010002139", "Zeta"), at(2))?;
            tx.insert_contractor(company.id, &supplier("1132853869", "alfa"), at(2))
        })
        .unwrap();
    let names: Vec<_> = t
        .store
        .read(|tx| tx.list_contractors(company.id))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["alfa", "Zeta"]);

    let duplicate = t
        .store
        .write(|tx| tx.insert_contractor(company.id, &supplier("7010002139", "Zeta again"), at(3)));
    assert!(matches!(
        duplicate,
        Err(StoreError::AlreadyExists {
            entity: "contractor",
            ..
        })
    ));
}

#[test]
fn roles_are_granted_once_and_read_back_sorted() {
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    let user = t
        .store
        .write(|tx| {
            let user = tx.insert_user(
                &NewUser {
                    login: "anna".into(),
                    display_name: "Anna Nowak".into(),
                },
                at(2),
            )?;
            tx.grant_role(user.id, company.id, Role::Finance)?;
            tx.grant_role(user.id, company.id, Role::Costs)?;
            tx.grant_role(user.id, company.id, Role::Finance)?;
            Ok(user)
        })
        .unwrap();
    assert_eq!(
        t.store.read(|tx| tx.roles(user.id, company.id)).unwrap(),
        [Role::Costs, Role::Finance]
    );
    assert_eq!(t.store.read(|tx| tx.list_users()).unwrap(), [user]);
}

#[test]
fn the_audit_log_is_append_only() {
    let t = temp_store();
    t.store
        .write(|tx| {
            tx.append_audit(&NewAuditEntry {
                at: at(4),
                user_id: None,
                company_id: None,
                action: "settings.locale",
                detail: "en",
            })
        })
        .unwrap();
    let entries = t.store.read(|tx| tx.recent_audit(10)).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "settings.locale");

    let conn = Connection::open(t.store.path()).unwrap();
    let error = conn
        .execute("UPDATE audit_log SET detail = 'pl'", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    drop(conn);
    assert_eq!(t.store.read(|tx| tx.recent_audit(10)).unwrap(), entries);
    drop(t.dir);
}

#[test]
fn counts_start_at_zero() {
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    let sales = t.store.read(|tx| tx.sales_counts(company.id)).unwrap();
    assert_eq!(sales, Default::default());
    assert_eq!(t.store.read(|tx| tx.pending_outbox_count()).unwrap(), 0);
}

#[test]
fn only_simulator_companies_follow_the_simulator() {
    let t = temp_store();
    let mut simulated = acme();
    simulated.nip = "5265877635".into();
    simulated.ksef_environment = desk_store::KsefEnvironment::Simulator;
    let (real, simulated) = t
        .store
        .write(|tx| {
            Ok((
                tx.insert_company(&acme(), at(2))?,
                tx.insert_company(&simulated, at(2))?,
            ))
        })
        .unwrap();
    let updated = t
        .store
        .write(|tx| tx.set_simulator_base_url("http://127.0.0.1:4321/v2"))
        .unwrap();
    assert_eq!(updated, 1);
    let read = |id| t.store.read(|tx| tx.company(id)).unwrap().ksef_base_url;
    assert_eq!(
        read(simulated.id).as_deref(),
        Some("http://127.0.0.1:4321/v2")
    );
    assert_eq!(read(real.id), None);
}

fn cost(ksef: &str) -> desk_store::NewCostDocument {
    desk_store::NewCostDocument {
        subject: desk_store::CostSubject::Buyer,
        ksef_number: ksef.into(),
        supplier_nip: Some("7740001454".into()),
        supplier_name: "Hurtownia Papiernicza Kałamarz S.A.".into(),
        number: "FV/1/2026".into(),
        issue_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2),
        currency: "PLN".into(),
        net_minor: 10_000,
        vat_minor: 2_300,
        gross_minor: 12_300,
        invoice_kind: "Vat".into(),
        invoice_hash: None,
        invoicing_at: Some(at(2)),
        permanent_storage_at: Some(at(2)),
        search_text: "kalamarz".into(),
    }
}

#[test]
fn a_cost_document_is_stored_once_and_its_original_xml_never_changes() {
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    let ksef = "7740001454-20261102-0100001AF629-AF";
    let first = t
        .store
        .write(|tx| tx.insert_cost_document(company.id, &cost(ksef), at(3)))
        .unwrap();
    let again = t
        .store
        .write(|tx| tx.insert_cost_document(company.id, &cost(ksef), at(4)))
        .unwrap();
    let id = first.unwrap();
    assert_eq!(again, None, "the same KSeF number is not stored twice");
    // The supplier became an untrusted contractor on first sight.
    let contractors = t.store.read(|tx| tx.list_contractors(company.id)).unwrap();
    assert_eq!(contractors.len(), 1);
    assert!(!contractors[0].trusted);

    t.store
        .write(|tx| tx.store_cost_unreadable(id, b"<broken", "XML: unexpected end"))
        .unwrap();
    let row = t.store.read(|tx| tx.cost_document(company.id, id)).unwrap();
    assert_eq!(row.content, desk_store::ContentState::Unreadable);
    assert!(row.first_from_supplier);

    let conn = Connection::open(crate::db_path(&t.dir)).unwrap();
    let error = conn
        .execute("UPDATE cost_documents SET xml = x'00' WHERE id = ?1", [id])
        .unwrap_err();
    assert!(error.to_string().contains("immutable"), "{error}");
    t.store
        .write(|tx| tx.append_cost_step(id, at(5), None, "retrieved", ""))
        .unwrap();
    let error = conn.execute("DELETE FROM cost_steps", []).unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
}

#[test]
fn a_company_signs_in_with_a_token_until_a_certificate_is_set_and_back() {
    use desk_store::{CertificateSource, CredentialMethod, StoredCertificate};
    let t = temp_store();
    let company = t
        .store
        .write(|tx| tx.insert_company(&acme(), at(2)))
        .unwrap();
    let read = || {
        t.store
            .read(|tx| tx.company_credentials(company.id))
            .unwrap()
    };
    assert_eq!(read(), CredentialMethod::Token);
    let certificate = StoredCertificate {
        source: CertificateSource::Qualified,
        der: vec![0x30, 0x82, 0x01],
        subject: "CN=Jan Kowalski,serialNumber=TINPL-5261040828".into(),
        issuer: "CN=KSeF CA".into(),
        serial_hex: "0A1B".into(),
        fingerprint_sha256: "AB".repeat(32),
        key_algorithm: "EC P-256".into(),
        not_before: at(1),
        not_after: at(30),
    };
    t.store
        .write(|tx| tx.set_company_certificate(company.id, &certificate, at(3)))
        .unwrap();
    assert_eq!(read(), CredentialMethod::Certificate(certificate.clone()));
    // A renewed certificate replaces the old one.
    let renewed = StoredCertificate {
        source: CertificateSource::Ksef,
        serial_hex: "0C0D".into(),
        ..certificate
    };
    t.store
        .write(|tx| tx.set_company_certificate(company.id, &renewed, at(4)))
        .unwrap();
    assert_eq!(read(), CredentialMethod::Certificate(renewed));
    assert!(t
        .store
        .write(|tx| tx.set_company_token_method(company.id))
        .unwrap());
    assert_eq!(read(), CredentialMethod::Token);
    assert!(!t
        .store
        .write(|tx| tx.set_company_token_method(company.id))
        .unwrap());
    let missing = t.store.read(|tx| tx.company_credentials(company.id + 99));
    assert!(matches!(
        missing,
        Err(desk_store::StoreError::NotFound { .. })
    ));
}
