//! Authentication: challenge, token flow, redeem once, refresh, expiry, revocation,
//! permissions (401/403 like the real API) and the two error formats.

use std::time::Duration;

use ksef_sim::{Permission, SimConfig, Simulator, TokenSpec};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn token_flow_redeems_once_and_refreshes() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (reference, auth_token) = init_auth(&api, &keys, &sim.nip, &sim.token).await;
    let st = auth_final(&api, &reference, &auth_token).await;
    assert_eq!(st["status"]["code"], 200);
    assert_eq!(st["authenticationMethod"], "Token");

    let a = api.with_bearer(&auth_token);
    let tokens = a.post_empty("/auth/token/redeem").await.expect(200).json();
    // Only once.
    let again = a.post_empty("/auth/token/redeem").await.expect(400);
    assert_eq!(again.exception_code(), 21301);
    let st = a
        .get(&format!("/auth/{reference}"))
        .await
        .expect(200)
        .json();
    assert_eq!(st["isTokenRedeemed"], true);

    let access = tokens["accessToken"]["token"].as_str().unwrap();
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "JWT-shaped");
    // The refresh token is not an access token and vice versa.
    api.with_bearer(refresh)
        .get("/rate-limits")
        .await
        .expect(401);
    api.with_bearer(access)
        .post_empty("/auth/token/refresh")
        .await
        .expect(401);
    let fresh = api
        .with_bearer(refresh)
        .post_empty("/auth/token/refresh")
        .await
        .expect(200)
        .json();
    let fresh = fresh["accessToken"]["token"].as_str().unwrap();
    assert_ne!(fresh, access);
    let limits = api
        .with_bearer(fresh)
        .get("/rate-limits")
        .await
        .expect(200)
        .json();
    assert_eq!(limits["invoiceSend"]["perSecond"], 10);
    api.with_bearer(fresh)
        .get("/limits/context")
        .await
        .expect(200);
    api.with_bearer(fresh)
        .get("/limits/subject")
        .await
        .expect(200);

    // Revoking the current authentication kills its tokens.
    api.with_bearer(fresh)
        .call(Method::DELETE, "/auth/sessions/current", None)
        .await
        .expect(204);
    api.with_bearer(fresh).get("/rate-limits").await.expect(401);
    api.with_bearer(refresh)
        .post_empty("/auth/token/refresh")
        .await
        .expect(401);
}

#[tokio::test]
async fn bad_tokens_end_in_450_or_415_and_redeem_is_refused() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;

    // Unknown token.
    let (r, t) = init_auth(
        &api,
        &keys,
        &sim.nip,
        "20250101-EC-0000000000-0000000000-00|nip-5265877635|00",
    )
    .await;
    let st = auth_final(&api, &r, &t).await;
    assert_eq!(st["status"]["code"], 450);
    let redeem = api
        .with_bearer(&t)
        .post_empty("/auth/token/redeem")
        .await
        .expect(400);
    assert_eq!(redeem.exception_code(), 21301);

    // Wrong timestamp inside the encrypted token.
    let ch = api.post_empty("/auth/challenge").await.expect(200).json();
    let plain = format!("{}|{}", sim.token, ch["timestampMs"].as_i64().unwrap() - 1);
    let v = api
        .post(
            "/auth/ksef-token",
            json!({"challenge": ch["challenge"], "contextIdentifier": {"type": "Nip", "value": sim.nip}, "encryptedToken": oaep(&keys.token, plain.as_bytes())}),
        )
        .await
        .expect(202)
        .json();
    let st = auth_final(
        &api,
        v["referenceNumber"].as_str().unwrap(),
        v["authenticationToken"]["token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(st["status"]["code"], 450);
    assert_eq!(st["status"]["details"][0], "Nieprawidłowy czas tokena");

    // A challenge is single-use.
    let again = api
        .post(
            "/auth/ksef-token",
            json!({"challenge": ch["challenge"], "contextIdentifier": {"type": "Nip", "value": sim.nip}, "encryptedToken": oaep(&keys.token, plain.as_bytes())}),
        )
        .await
        .expect(400);
    assert_eq!(again.exception_code(), 21111);

    // Token of another context.
    let (r, t) = init_auth(&api, &keys, "7770001281", &sim.token).await;
    assert_eq!(auth_final(&api, &r, &t).await["status"]["code"], 415);

    // A token revoked after sign-in: refreshing answers 400/21301 (spec), not 401.
    let revoked_later = sim.add_token(TokenSpec::full(sim.nip.clone()));
    let (_, refresh) = login(&api, &keys, &sim.nip, &revoked_later).await;
    assert!(sim.revoke_token(&revoked_later));
    let r = api
        .with_bearer(&refresh)
        .post_empty("/auth/token/refresh")
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21301);
    assert!(String::from_utf8_lossy(&r.body).contains("Token KSeF został unieważniony."));

    // Revoked token.
    let extra = sim.add_token(TokenSpec::full(sim.nip.clone()));
    assert!(sim.revoke_token(&extra));
    let (r, t) = init_auth(&api, &keys, &sim.nip, &extra).await;
    assert_eq!(auth_final(&api, &r, &t).await["status"]["code"], 450);

    // Expired token.
    let expired = sim.add_token(TokenSpec {
        valid_until: Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ..TokenSpec::full(sim.nip.clone())
    });
    let (r, t) = init_auth(&api, &keys, &sim.nip, &expired).await;
    assert_eq!(auth_final(&api, &r, &t).await["status"]["code"], 450);

    // Unknown key id: 21470.
    let ch = api.post_empty("/auth/challenge").await.expect(200).json();
    let r = api
        .post(
            "/auth/ksef-token",
            json!({"challenge": ch["challenge"], "contextIdentifier": {"type": "Nip", "value": sim.nip}, "encryptedToken": "AAAA", "publicKeyId": sha(b"nope")}),
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21470);
}

#[tokio::test]
async fn missing_or_expired_credentials_give_401_and_missing_permissions_403() {
    let mut cfg = fast_config();
    cfg.timing.access_token_ttl = Duration::from_millis(2500);
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;

    let r = api.get("/rate-limits").await.expect(401);
    assert_eq!(r.content_type(), "application/problem+json");
    assert_eq!(r.json()["status"], 401);
    api.with_bearer("not-a-token")
        .get("/rate-limits")
        .await
        .expect(401);

    // A read-only token may query but not open a session.
    let reader = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![Permission::InvoiceRead],
        valid_until: None,
    });
    let (access, _) = login(&api, &keys, &sim.nip, &reader).await;
    let a = api.with_bearer(&access);
    let body = json!({
        "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encryptedSymmetricKey": oaep(&keys.symmetric, &random(32)), "initializationVector": "AAAAAAAAAAAAAAAAAAAAAA=="},
    });
    let r = a.post("/sessions/online", body).await.expect(403);
    let v = r.json();
    assert_eq!(v["reasonCode"], "missing-permissions");
    assert_eq!(v["security"]["presentPermissions"][0], "InvoiceRead");
    a.post(
        "/invoices/query/metadata",
        json!({"subjectType": "Subject2", "dateRange": {"dateType": "Invoicing", "from": crate::common::days_ago(30)}}),
    )
    .await
    .expect(200);

    // Access tokens expire; the refresh token still works.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let r = a.get("/rate-limits").await.expect(401);
    assert!(r.json()["detail"].as_str().unwrap().contains("wygasł"));

    // A token with no permissions cannot authenticate (415).
    let none = sim.add_token(TokenSpec {
        context_nip: sim.nip.clone(),
        permissions: vec![],
        valid_until: None,
    });
    let (r, t) = init_auth(&api, &keys, &sim.nip, &none).await;
    assert_eq!(auth_final(&api, &r, &t).await["status"]["code"], 415);
    let _ = SimConfig::default();
}

#[tokio::test]
async fn problem_details_header_switches_the_400_format() {
    let sim = start().await;
    let mut api = Api::new(&sim.base_url);
    let legacy = api
        .post("/auth/ksef-token", json!({"challenge": "x"}))
        .await
        .expect(400);
    assert_eq!(legacy.content_type(), "application/json");
    assert_eq!(legacy.exception_code(), 21405);
    api.extra_headers
        .push(("X-Error-Format".into(), "problem-details".into()));
    let problem = api
        .post("/auth/ksef-token", json!({"challenge": "x"}))
        .await
        .expect(400);
    assert_eq!(problem.content_type(), "application/problem+json");
    let v = problem.json();
    assert_eq!(v["errors"][0]["code"], 21405);
    assert_eq!(v["instance"], "/v2/auth/ksef-token");
}

#[tokio::test]
async fn tokens_can_be_generated_listed_used_and_revoked_through_the_api() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let admin = api.with_bearer(&access);
    let g = admin
        .post(
            "/tokens",
            json!({"permissions": ["InvoiceRead"], "description": "Token do testów"}),
        )
        .await
        .expect(202)
        .json();
    let reference = g["referenceNumber"].as_str().unwrap();
    let token = g["token"].as_str().unwrap();
    let st = admin
        .get(&format!("/tokens/{reference}"))
        .await
        .expect(200)
        .json();
    assert_eq!(st["status"], "Active");
    assert_eq!(st["requestedPermissions"], json!(["InvoiceRead"]));
    let list = admin.get("/tokens").await.expect(200).json();
    assert!(list["tokens"].as_array().unwrap().len() >= 2);

    let (reader, _) = login(&api, &keys, &sim.nip, token).await;
    assert!(admin
        .get(&format!("/tokens/{reference}"))
        .await
        .expect(200)
        .json()["lastUseDate"]
        .is_string());
    // Without CredentialsRead a token sees only itself, and may not revoke others.
    let own = api
        .with_bearer(&reader)
        .get("/tokens")
        .await
        .expect(200)
        .json();
    let own = own["tokens"].as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["referenceNumber"], reference);
    let admin_reference = sim.token.split('|').next().unwrap();
    api.with_bearer(&reader)
        .call(Method::DELETE, &format!("/tokens/{admin_reference}"), None)
        .await
        .expect(403);
    admin
        .call(Method::DELETE, &format!("/tokens/{reference}"), None)
        .await
        .expect(204);
    assert_eq!(
        admin
            .get(&format!("/tokens/{reference}"))
            .await
            .expect(200)
            .json()["status"],
        "Revoked"
    );
    // Bearer tokens derived from a revoked KSeF token stop working.
    api.with_bearer(&reader)
        .get("/rate-limits")
        .await
        .expect(401);

    // The spec's test hook for the warning header.
    let mut warned = Api::new(&sim.base_url);
    warned
        .extra_headers
        .push(("X-Test-System-Warning".into(), "[100]: test".into()));
    let r = warned
        .get("/security/public-key-certificates")
        .await
        .expect(200);
    assert_eq!(r.header("x-system-warning").as_deref(), Some("[100]: test"));
}

#[tokio::test]
async fn active_authentications_are_listed_and_can_be_revoked_by_reference() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (first, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let (second, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let list = api
        .with_bearer(&first)
        .get("/auth/sessions")
        .await
        .expect(200)
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let current: Vec<bool> = items
        .iter()
        .map(|i| i["isCurrent"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let other = items.iter().find(|i| i["isCurrent"] == false).unwrap()["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    api.with_bearer(&first)
        .call(Method::DELETE, &format!("/auth/sessions/{other}"), None)
        .await
        .expect(204);
    api.with_bearer(&second)
        .get("/rate-limits")
        .await
        .expect(401);
    api.with_bearer(&first)
        .get("/rate-limits")
        .await
        .expect(200);
    let r = api
        .with_bearer(&first)
        .call(
            Method::DELETE,
            "/auth/sessions/20250101-AU-0000000000-0000000000-00",
            None,
        )
        .await
        .expect(400);
    assert_eq!(r.exception_code(), 21304);
}

#[tokio::test]
async fn testdata_switches_block_contexts_and_grant_attachments() {
    let mut cfg = fast_config();
    cfg.attachments_allowed = false;
    let sim = Simulator::start(cfg).await.unwrap();
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let ctx = json!({"contextIdentifier": {"type": "Nip", "value": sim.nip}});
    api.post("/testdata/context/block", ctx.clone())
        .await
        .expect(200);
    let r = api
        .with_bearer(&access)
        .get("/rate-limits")
        .await
        .expect(403);
    assert_eq!(r.json()["reasonCode"], "security-service-blocked");
    let (r, t) = init_auth(&api, &keys, &sim.nip, &sim.token).await;
    assert_eq!(auth_final(&api, &r, &t).await["status"]["code"], 480);
    api.post("/testdata/context/unblock", ctx).await.expect(200);
    api.with_bearer(&access)
        .get("/rate-limits")
        .await
        .expect(200);
}
