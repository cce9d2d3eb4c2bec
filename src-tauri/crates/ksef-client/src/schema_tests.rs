//! Every request body the client sends validates against `components/schemas` of the
//! spec (`ksef-spec/openapi/open-api.json`), with OpenAPI 3.0 `nullable` translated to
//! JSON Schema and unknown properties forbidden (so a misspelt field fails).

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::batch::{build_zip, prepare, BatchFile};
use crate::crypto::{b64, encrypt_document, rsa_oaep_sha256, tests::test_keypair, SymmetricKey};
use crate::model::*;

pub(crate) fn spec_path() -> PathBuf {
    ksef_spec::openapi()
}

fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(to_json_schema).collect()),
        Value::Object(o) => {
            let mut out: Map<String, Value> = o
                .iter()
                .filter(|(k, _)| k.as_str() != "nullable" && k.as_str() != "example")
                .map(|(k, v)| {
                    // `properties` maps names to schemas; do not treat names as keywords.
                    if k == "properties" {
                        let props = v
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(n, s)| (n.clone(), to_json_schema(s)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        (k.clone(), Value::Object(props))
                    } else {
                        (k.clone(), to_json_schema(v))
                    }
                })
                .collect();
            if out.contains_key("properties") && !out.contains_key("additionalProperties") {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            if o.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = out.get_mut("enum") {
                        e.push(Value::Null);
                    }
                } else {
                    return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

pub(crate) struct Spec {
    schemas: Value,
}

impl Spec {
    pub(crate) fn load() -> Self {
        let text = std::fs::read_to_string(spec_path())
            .unwrap_or_else(|e| panic!("{}: {e}", spec_path().display()));
        let doc: Value = serde_json::from_str(&text).unwrap();
        Self {
            schemas: to_json_schema(&doc["components"]["schemas"]),
        }
    }

    pub(crate) fn errors(&self, name: &str, instance: &Value) -> Vec<String> {
        assert!(self.schemas.get(name).is_some(), "no schema {name}");
        let root = json!({
            "$ref": format!("#/components/schemas/{name}"),
            "components": { "schemas": self.schemas.clone() }
        });
        // Formats (date-time, date, uri) are checked too; unknown ones (`byte`) are ignored.
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }

    pub(crate) fn check(&self, name: &str, value: &impl serde::Serialize) {
        let instance = serde_json::to_value(value).unwrap();
        let errors = self.errors(name, &instance);
        assert!(
            errors.is_empty(),
            "{name} does not validate: {errors:#?}\n{instance:#}"
        );
    }
}

fn encryption() -> EncryptionInfo {
    let (_, public) = test_keypair();
    SymmetricKey::generate()
        .encryption_info(&public, None)
        .unwrap()
}

fn filters_full() -> InvoiceQueryFilters {
    InvoiceQueryFilters {
        subject_type: SubjectType::Subject2,
        date_range: DateRange {
            date_type: DateType::PermanentStorage,
            from: "2026-02-01T00:00:00Z".parse().unwrap(),
            to: Some("2026-03-01T00:00:00Z".parse().unwrap()),
            restrict_to_permanent_storage_hwm_date: Some(true),
        },
        ksef_number: Some("5265877635-20250826-0100001AF629-AF".into()),
        invoice_number: Some("FA/1/2026".into()),
        amount: Some(AmountFilter {
            kind: AmountType::Brutto,
            from: Some(0.0),
            to: Some(1000.5),
        }),
        seller_nip: Some("5265877635".into()),
        buyer_identifier: Some(BuyerIdentifier {
            kind: BuyerIdentifierType::Nip,
            value: Some("1111111111".into()),
        }),
        currency_codes: Some(vec!["PLN".into(), "EUR".into()]),
        invoicing_mode: Some(InvoicingMode::Online),
        is_self_invoicing: Some(false),
        form_type: Some(FormType::FA),
        invoice_types: Some(vec![
            InvoiceType::Vat,
            InvoiceType::Kor,
            InvoiceType::KorZal,
        ]),
        has_attachment: Some(false),
    }
}

#[test]
fn init_token_authentication_request_validates() {
    let spec = Spec::load();
    let (_, public) = test_keypair();
    let enc = rsa_oaep_sha256(&public, b"token|1752000000000").unwrap();
    let mut req = InitTokenAuthenticationRequest {
        challenge: "20250514-CR-1F9C3E2A00-4B6A5C8D21-7F".into(),
        context_identifier: ContextIdentifier::nip("5265877635"),
        encrypted_token: b64(&enc),
        public_key_id: None,
        authorization_policy: None,
    };
    spec.check("InitTokenAuthenticationRequest", &req);
    req.authorization_policy = Some(AuthorizationPolicy {
        allowed_ips: Some(AllowedIps {
            ip4_addresses: Some(vec!["192.168.0.10".into()]),
            ip4_ranges: Some(vec!["10.0.0.1-10.0.0.254".into()]),
            ip4_masks: Some(vec!["172.16.0.0/16".into()]),
        }),
    });
    spec.check("InitTokenAuthenticationRequest", &req);
}

#[test]
fn online_session_and_send_invoice_requests_validate() {
    let spec = Spec::load();
    spec.check(
        "OpenOnlineSessionRequest",
        &OpenOnlineSessionRequest {
            form_code: FormCode::fa3(),
            encryption: encryption(),
        },
    );
    let key = SymmetricKey::generate();
    let doc = encrypt_document(&key, b"<Faktura>...</Faktura>");
    let mut req = SendInvoiceRequest {
        invoice_hash: doc.plain_hash.clone(),
        invoice_size: doc.plain_size,
        encrypted_invoice_hash: doc.encrypted_hash.clone(),
        encrypted_invoice_size: doc.encrypted.len() as u64,
        encrypted_invoice_content: b64(&doc.encrypted),
        offline_mode: false,
        hash_of_corrected_invoice: None,
    };
    spec.check("SendInvoiceRequest", &req);
    req.offline_mode = true;
    req.hash_of_corrected_invoice = Some(doc.plain_hash);
    spec.check("SendInvoiceRequest", &req);
}

#[test]
fn batch_request_validates() {
    let spec = Spec::load();
    let files: Vec<BatchFile> = (0..30)
        .map(|i| BatchFile {
            name: format!("f{i}.xml"),
            xml: format!("<Faktura>{i}</Faktura>").into_bytes(),
        })
        .collect();
    let archive = build_zip(&files).unwrap();
    let prepared = prepare(&archive, 512, &SymmetricKey::generate()).unwrap();
    assert!(prepared.info.file_parts.len() > 1);
    let req = OpenBatchSessionRequest {
        form_code: FormCode::fa3(),
        batch_file: prepared.info,
        encryption: encryption(),
        offline_mode: true,
    };
    spec.check("OpenBatchSessionRequest", &req);
}

#[test]
fn query_and_export_requests_validate() {
    let spec = Spec::load();
    let minimal = InvoiceQueryFilters::new(
        SubjectType::Subject1,
        DateRange {
            date_type: DateType::Issue,
            from: "2026-01-01T00:00:00Z".parse().unwrap(),
            to: None,
            restrict_to_permanent_storage_hwm_date: None,
        },
    );
    spec.check("InvoiceQueryFilters", &minimal);
    spec.check("InvoiceQueryFilters", &filters_full());
    let export = InvoiceExportRequest {
        encryption: encryption(),
        only_metadata: true,
        filters: filters_full(),
        compression_type: Some(CompressionType::Zip),
    };
    spec.check("InvoiceExportRequest", &export);
}

#[test]
fn validator_rejects_wrong_bodies() {
    // The checks above can fail: misspelt, missing and out-of-range fields are caught.
    let spec = Spec::load();
    let bad_name = json!({"formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encrypted_symmetric_key": "x", "initializationVector": "y"}});
    assert!(!spec
        .errors("OpenOnlineSessionRequest", &bad_name)
        .is_empty());
    let missing =
        json!({"challenge": "20250514-CR-1F9C3E2A00-4B6A5C8D21-7F", "encryptedToken": "AAAA"});
    assert!(!spec
        .errors("InitTokenAuthenticationRequest", &missing)
        .is_empty());
    let short_hash = json!({"invoiceHash": "abc", "invoiceSize": 1, "encryptedInvoiceHash": "abc",
        "encryptedInvoiceSize": 16, "encryptedInvoiceContent": "AAAA"});
    assert!(!spec.errors("SendInvoiceRequest", &short_hash).is_empty());
    let bad_enum = json!({"subjectType": "Seller", "dateRange": {"dateType": "Issue", "from": "2026-01-01T00:00:00Z"}});
    assert!(!spec.errors("InvoiceQueryFilters", &bad_enum).is_empty());
    let nullable_ok = json!({"subjectType": "Subject1", "dateRange": {"dateType": "Issue", "from": "2026-01-01T00:00:00Z", "to": null}, "amount": null});
    assert!(spec.errors("InvoiceQueryFilters", &nullable_ok).is_empty());
    let bad_date =
        json!({"subjectType": "Subject1", "dateRange": {"dateType": "Issue", "from": "yesterday"}});
    assert!(!spec.errors("InvoiceQueryFilters", &bad_date).is_empty());
}

#[test]
fn response_types_read_spec_shaped_bodies() {
    // Responses as the spec describes them (all required fields, camelCase) deserialize,
    // and they validate against the spec too (guards the samples themselves).
    let spec = Spec::load();
    let status = json!({"ordinalNumber": 1, "invoiceNumber": "FA/1/2026", "ksefNumber": "5265877635-20250826-0100001AF629-AF",
        "referenceNumber": "20250626-EE-0000000000-0000000000-00", "invoiceHash": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
        "acquisitionDate": "2025-08-26T10:00:00Z", "invoicingDate": "2025-08-26T09:59:59.123+00:00",
        "permanentStorageDate": null, "upoDownloadUrl": null, "invoicingMode": "Online",
        "status": {"code": 200, "description": "Sukces", "details": null, "extensions": null}});
    assert!(spec
        .errors("SessionInvoiceStatusResponse", &status)
        .is_empty());
    let parsed: SessionInvoiceStatusResponse = serde_json::from_value(status).unwrap();
    assert_eq!(parsed.status.code, 200);
    let meta = json!({"hasMore": false, "isTruncated": false, "permanentStorageHwmDate": "2026-02-01T00:00:00Z",
        "invoices": [{"ksefNumber": "5265877635-20250826-0100001AF629-AF", "invoiceNumber": "FA/1", "issueDate": "2025-08-26",
        "invoicingDate": "2025-08-26T10:00:00Z", "acquisitionDate": "2025-08-26T10:00:01Z", "permanentStorageDate": "2025-08-26T10:00:02Z",
        "seller": {"nip": "5265877635", "name": "A"}, "buyer": {"identifier": {"type": "Nip", "value": "1111111111"}, "name": "B"},
        "netAmount": 100.0, "grossAmount": 123.0, "vatAmount": 23.0, "currency": "PLN", "invoicingMode": "Online",
        "invoiceType": "Vat", "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "isSelfInvoicing": false, "hasAttachment": false, "invoiceHash": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}]});
    assert!(spec
        .errors("QueryInvoicesMetadataResponse", &meta)
        .is_empty());
    let parsed: QueryInvoicesMetadataResponse = serde_json::from_value(meta).unwrap();
    assert_eq!(parsed.invoices[0].gross_amount, 123.0);
}

#[test]
fn unknown_enum_values_in_responses_do_not_break_parsing() {
    let t: InvoiceType = serde_json::from_value(json!("SomethingNew")).unwrap();
    assert_eq!(t, InvoiceType::Unknown);
    let b: BuyerIdentifierType = serde_json::from_value(json!("Future")).unwrap();
    assert_eq!(b, BuyerIdentifierType::Unknown);
    let u: PublicKeyCertificateUsage = serde_json::from_value(json!("NewUsage")).unwrap();
    assert_eq!(u, PublicKeyCertificateUsage::Other);
}

/// Cross-check of the simulator against the contract: every JSON body it answers in the
/// flows the client uses validates against the spec's response schemas (strict: unknown
/// properties are reported too). Findings are collected and reported together.
#[tokio::test]
async fn simulator_responses_match_spec_schemas() {
    use crate::client::{Call, CallAuth, KsefClient, RawResponse};
    use crate::limiter::EndpointGroup;
    use reqwest::Method;
    use secrecy::SecretString;
    use tokio_util::sync::CancellationToken;

    let spec = Spec::load();
    let sim = ksef_sim::Simulator::start(ksef_sim::SimConfig::default())
        .await
        .unwrap();
    let env = crate::Environment::custom(&sim.base_url, Some(&sim.latarnia_base)).unwrap();
    let client = KsefClient::new(env, crate::ClientConfig::default()).unwrap();
    let inner = client.inner.clone();
    let cancel = CancellationToken::new();
    let mut findings: Vec<String> = Vec::new();
    let mut check = |name: &str, body: &[u8]| {
        let v: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return findings.push(format!("{name}: not JSON: {e}")),
        };
        let errors = if let Some(item) = name.strip_suffix("[]") {
            v.as_array()
                .map(|a| a.iter().flat_map(|x| spec.errors(item, x)).collect())
                .unwrap_or_else(|| vec!["not an array".to_string()])
        } else {
            spec.errors(name, &v)
        };
        for e in errors {
            findings.push(format!("{name}: {e}"));
        }
    };
    let send = |call: Call| {
        let inner = inner.clone();
        let cancel = cancel.clone();
        async move { inner.send(&call, &cancel).await }
    };
    let raw_err = |e: crate::KsefError| -> RawResponse { panic!("{e:?}") };

    // Public endpoints and the auth flow, by hand.
    let r = send(
        Call::new(
            "c",
            Method::GET,
            inner.url("security/public-key-certificates").unwrap(),
            EndpointGroup::Auth,
        )
        .auth(CallAuth::None),
    )
    .await
    .unwrap_or_else(raw_err);
    check("PublicKeyCertificate[]", &r.body);
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("auth/challenge").unwrap(),
            EndpointGroup::Auth,
        )
        .auth(CallAuth::None),
    )
    .await
    .unwrap_or_else(raw_err);
    check("AuthenticationChallengeResponse", &r.body);
    let ch: AuthenticationChallengeResponse = r.json("c").unwrap();
    let key = inner
        .mf_key(PublicKeyCertificateUsage::KsefTokenEncryption, &cancel)
        .await
        .unwrap();
    let enc = rsa_oaep_sha256(
        &key,
        format!("{}|{}", sim.token, ch.timestamp_ms).as_bytes(),
    )
    .unwrap();
    let body = InitTokenAuthenticationRequest {
        challenge: ch.challenge,
        context_identifier: ContextIdentifier::nip(sim.nip.clone()),
        encrypted_token: b64(&enc),
        public_key_id: None,
        authorization_policy: None,
    };
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("auth/ksef-token").unwrap(),
            EndpointGroup::Auth,
        )
        .auth(CallAuth::None)
        .json(&body)
        .unwrap(),
    )
    .await
    .unwrap_or_else(raw_err);
    assert_eq!(r.status, 202);
    check("AuthenticationInitResponse", &r.body);
    let init: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let auth_token = SecretString::from(
        init["authenticationToken"]["token"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let reference = init["referenceNumber"].as_str().unwrap().to_string();
    loop {
        let r = send(
            Call::new(
                "c",
                Method::GET,
                inner.url(&format!("auth/{reference}")).unwrap(),
                EndpointGroup::Auth,
            )
            .auth(CallAuth::Bearer(auth_token.clone())),
        )
        .await
        .unwrap_or_else(raw_err);
        check("AuthenticationOperationStatusResponse", &r.body);
        let s: AuthenticationOperationStatusResponse = r.json("c").unwrap();
        if s.status.code != 100 {
            assert_eq!(s.status.code, 200);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("auth/token/redeem").unwrap(),
            EndpointGroup::Auth,
        )
        .auth(CallAuth::Bearer(auth_token)),
    )
    .await
    .unwrap_or_else(raw_err);
    check("AuthenticationTokensResponse", &r.body);
    let tokens: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let refresh = SecretString::from(
        tokens["refreshToken"]["token"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("auth/token/refresh").unwrap(),
            EndpointGroup::Auth,
        )
        .auth(CallAuth::Bearer(refresh)),
    )
    .await
    .unwrap_or_else(raw_err);
    check("AuthenticationTokenRefreshResponse", &r.body);

    // The client's own login, then the protected endpoints.
    client
        .authenticate_with_token(&sim.nip, SecretString::from(sim.token.clone()), &cancel)
        .await
        .unwrap();
    let r = send(Call::new(
        "c",
        Method::GET,
        inner.url("rate-limits").unwrap(),
        EndpointGroup::Other,
    ))
    .await
    .unwrap_or_else(raw_err);
    check("EffectiveApiRateLimits", &r.body);
    let mf = inner
        .mf_key(PublicKeyCertificateUsage::SymmetricKeyEncryption, &cancel)
        .await
        .unwrap();
    let skey = SymmetricKey::generate();
    let open = OpenOnlineSessionRequest {
        form_code: FormCode::fa3(),
        encryption: skey.encryption_info(&mf, None).unwrap(),
    };
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("sessions/online").unwrap(),
            EndpointGroup::OnlineSession,
        )
        .json(&open)
        .unwrap(),
    )
    .await
    .unwrap_or_else(raw_err);
    assert_eq!(r.status, 201);
    check("OpenOnlineSessionResponse", &r.body);
    let session: OpenOnlineSessionResponse = r.json("c").unwrap();
    let template = std::fs::read_to_string(ksef_spec::sample(
        "fa3-vat-basic_cirfmf-ksef-pdf-generator.xml",
    ))
    .unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let xml = template
        .replace(
            "FA/YUCFO-4342344706/03/2026",
            &format!("SPEC/{}", uuid_like()),
        )
        .replace("<P_1>2025-10-31</P_1>", &format!("<P_1>{today}</P_1>"));
    let doc = encrypt_document(&skey, xml.as_bytes());
    let send_req = SendInvoiceRequest {
        invoice_hash: doc.plain_hash,
        invoice_size: doc.plain_size,
        encrypted_invoice_hash: doc.encrypted_hash,
        encrypted_invoice_size: doc.encrypted.len() as u64,
        encrypted_invoice_content: b64(&doc.encrypted),
        offline_mode: false,
        hash_of_corrected_invoice: None,
    };
    let sref = session.reference_number.clone();
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner
                .url(&format!("sessions/online/{sref}/invoices"))
                .unwrap(),
            EndpointGroup::InvoiceSend,
        )
        .json(&send_req)
        .unwrap(),
    )
    .await
    .unwrap_or_else(raw_err);
    assert_eq!(r.status, 202);
    check("SendInvoiceResponse", &r.body);
    let inv: SendInvoiceResponse = r.json("c").unwrap();
    let iref = inv.reference_number;
    loop {
        let r = send(Call::new(
            "c",
            Method::GET,
            inner
                .url(&format!("sessions/{sref}/invoices/{iref}"))
                .unwrap(),
            EndpointGroup::InvoiceStatus,
        ))
        .await
        .unwrap_or_else(raw_err);
        check("SessionInvoiceStatusResponse", &r.body);
        let s: SessionInvoiceStatusResponse = r.json("c").unwrap();
        if s.status.code >= 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let r = send(Call::new(
        "c",
        Method::GET,
        inner
            .url(&format!("sessions/{sref}/invoices?pageSize=10"))
            .unwrap(),
        EndpointGroup::SessionInvoiceList,
    ))
    .await
    .unwrap_or_else(raw_err);
    check("SessionInvoicesResponse", &r.body);
    let r = send(Call::new(
        "c",
        Method::POST,
        inner.url(&format!("sessions/online/{sref}/close")).unwrap(),
        EndpointGroup::OnlineSession,
    ))
    .await
    .unwrap_or_else(raw_err);
    assert_eq!(r.status, 204);
    loop {
        let r = send(Call::new(
            "c",
            Method::GET,
            inner.url(&format!("sessions/{sref}")).unwrap(),
            EndpointGroup::SessionMisc,
        ))
        .await
        .unwrap_or_else(raw_err);
        check("SessionStatusResponse", &r.body);
        let s: SessionStatusResponse = r.json("c").unwrap();
        if s.status.code >= 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let filters = InvoiceQueryFilters::new(
        SubjectType::Subject1,
        DateRange {
            date_type: DateType::PermanentStorage,
            from: chrono::Utc::now() - chrono::Duration::days(1),
            to: None,
            restrict_to_permanent_storage_hwm_date: Some(true),
        },
    );
    let mut url = inner.url("invoices/query/metadata").unwrap();
    url.set_query(Some("pageSize=10"));
    let r = send(
        Call::new("c", Method::POST, url, EndpointGroup::InvoiceMetadata)
            .json(&filters)
            .unwrap(),
    )
    .await
    .unwrap_or_else(raw_err);
    check("QueryInvoicesMetadataResponse", &r.body);
    let export = InvoiceExportRequest {
        encryption: skey.encryption_info(&mf, None).unwrap(),
        only_metadata: false,
        filters,
        compression_type: None,
    };
    let r = send(
        Call::new(
            "c",
            Method::POST,
            inner.url("invoices/exports").unwrap(),
            EndpointGroup::InvoiceExport,
        )
        .json(&export)
        .unwrap(),
    )
    .await
    .unwrap_or_else(raw_err);
    check("ExportInvoicesResponse", &r.body);
    let eref: ExportInvoicesResponse = r.json("c").unwrap();
    loop {
        let r = send(Call::new(
            "c",
            Method::GET,
            inner
                .url(&format!("invoices/exports/{}", eref.reference_number))
                .unwrap(),
            EndpointGroup::InvoiceExportStatus,
        ))
        .await
        .unwrap_or_else(raw_err);
        check("InvoiceExportStatusResponse", &r.body);
        let s: InvoiceExportStatusResponse = r.json("c").unwrap();
        if s.status.code >= 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Error bodies, both formats.
    let raw_error = |call: Call, problem: bool| {
        let inner = inner.clone();
        let cancel = cancel.clone();
        async move {
            let mut call = call;
            call.max_attempts = Some(1);
            if !problem {
                call.headers
                    .push(("X-Error-Format".into(), "legacy".into()));
            }
            let mut req = inner.http.request(call.method.clone(), call.url.clone());
            if problem {
                req = req.header("X-Error-Format", "problem-details");
            }
            if let crate::client::CallAuth::Bearer(t) = &call.auth {
                req = req.header(
                    "Authorization",
                    format!("Bearer {}", secrecy::ExposeSecret::expose_secret(t)),
                );
            }
            if let crate::client::CallBody::Json(b) = &call.body {
                req = req
                    .header("content-type", "application/json")
                    .body(b.clone());
            }
            let _ = &cancel;
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
        }
    };
    let bad_ksef = inner
        .url("invoices/ksef/5265877635-20250101-0000000000AB-00")
        .unwrap();
    let access = inner.access_token(&cancel).await.unwrap();
    for problem in [true, false] {
        let (status, body) = raw_error(
            Call::new("c", Method::GET, bad_ksef.clone(), EndpointGroup::Other)
                .auth(CallAuth::Bearer(access.clone())),
            problem,
        )
        .await;
        assert_eq!(status, 400);
        check(
            if problem {
                "BadRequestProblemDetails"
            } else {
                "ExceptionResponse"
            },
            &body,
        );
    }
    let (status, body) = raw_error(
        Call::new(
            "c",
            Method::GET,
            inner.url("rate-limits").unwrap(),
            EndpointGroup::Other,
        )
        .auth(CallAuth::Bearer(SecretString::from("bad".to_string()))),
        true,
    )
    .await;
    assert_eq!(status, 401);
    check("UnauthorizedProblemDetails", &body);
    for problem in [true, false] {
        sim.push_fault(
            None,
            ksef_sim::OneShotFault::TooManyRequests {
                retry_after_secs: 1,
            },
        );
        let (status, body) = raw_error(
            Call::new(
                "c",
                Method::GET,
                inner.url("rate-limits").unwrap(),
                EndpointGroup::Other,
            )
            .auth(CallAuth::Bearer(access.clone())),
            problem,
        )
        .await;
        assert_eq!(status, 429);
        check(
            if problem {
                "TooManyRequestsProblemDetails"
            } else {
                "TooManyRequestsResponse"
            },
            &body,
        );
    }
    assert!(
        findings.is_empty(),
        "simulator responses deviate from the spec:\n{}",
        findings.join("\n")
    );
}

fn uuid_like() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{n:x}")
}
