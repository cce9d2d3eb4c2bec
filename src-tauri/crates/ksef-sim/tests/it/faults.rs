//! Fault injection: one-shot faults, rates, latency, outages, resets, rate limits,
//! slow processing, and the HTTP control endpoints.

use std::time::{Duration, Instant};

use ksef_sim::{FaultConfig, OneShotFault, OutageWindow, RateLimit, RateLimits, TokenSpec};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn one_shot_faults_hit_the_next_matching_request_only() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    sim.push_fault(
        Some("/auth/challenge"),
        OneShotFault::TooManyRequests {
            retry_after_secs: 3,
        },
    );
    // A request that does not match is untouched.
    api.get("/security/public-key-certificates")
        .await
        .expect(200);
    let r = api.post_empty("/auth/challenge").await.expect(429);
    assert_eq!(r.header("retry-after").as_deref(), Some("3"));
    assert_eq!(r.json()["status"]["code"], 429);
    api.post_empty("/auth/challenge").await.expect(200);

    sim.push_fault(None, OneShotFault::ServerError { status: 503 });
    api.post_empty("/auth/challenge").await.expect(503);

    sim.push_fault(None, OneShotFault::ConnectionReset);
    let err = api
        .try_call(reqwest::Method::POST, "/auth/challenge", None)
        .await;
    assert!(err.is_err(), "connection must drop: {err:?}");
    api.post_empty("/auth/challenge").await.expect(200);

    sim.push_fault(None, OneShotFault::Delay { ms: 300 });
    let t = Instant::now();
    api.post_empty("/auth/challenge").await.expect(200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn rates_latency_and_outage_windows() {
    let sim = start().await;
    let mut api = Api::new(&sim.base_url);
    sim.set_faults(FaultConfig {
        rate_429: 1.0,
        retry_after_secs: 7,
        ..FaultConfig::default()
    });
    let r = api.post_empty("/auth/challenge").await.expect(429);
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    api.extra_headers
        .push(("X-Error-Format".into(), "problem-details".into()));
    let r = api.post_empty("/auth/challenge").await.expect(429);
    assert_eq!(r.content_type(), "application/problem+json");

    sim.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    let mut statuses = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let r = api
            .try_call(reqwest::Method::POST, "/auth/challenge", None)
            .await
            .unwrap();
        statuses.insert(r.status.as_u16());
    }
    assert!(
        statuses.iter().all(|s| (500..600).contains(s)),
        "{statuses:?}"
    );

    let now = chrono::Utc::now();
    sim.set_faults(FaultConfig {
        outages: vec![OutageWindow {
            from: now - chrono::Duration::seconds(1),
            to: now + chrono::Duration::seconds(30),
        }],
        ..FaultConfig::default()
    });
    let r = api
        .try_call(reqwest::Method::POST, "/auth/challenge", None)
        .await
        .unwrap();
    assert_eq!(r.status, 503);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((25..=30).contains(&retry), "{retry}");

    sim.set_faults(FaultConfig {
        latency_ms: 250,
        ..FaultConfig::default()
    });
    let t = Instant::now();
    api.post_empty("/auth/challenge").await.expect(200);
    assert!(t.elapsed() >= Duration::from_millis(250));

    sim.set_faults(FaultConfig {
        rate_reset: 1.0,
        ..FaultConfig::default()
    });
    assert!(api
        .try_call(reqwest::Method::POST, "/auth/challenge", None)
        .await
        .is_err());

    sim.set_faults(FaultConfig::default());
    api.post_empty("/auth/challenge").await.expect(200);
}

#[tokio::test]
async fn production_rate_limits_are_enforced_by_default() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    // The documented production values, per group.
    let limits = api.get("/rate-limits").await.expect(200).json();
    for (group, s, m, h) in [
        ("invoiceMetadata", 8, 16, 20),
        ("invoiceExport", 8, 16, 20),
        ("invoiceExportStatus", 10, 60, 600),
        ("invoiceDownload", 8, 16, 64),
        ("invoiceSend", 10, 30, 180),
        ("sessionList", 5, 10, 60),
        ("other", 10, 30, 120),
    ] {
        assert_eq!(
            (
                &limits[group]["perSecond"],
                &limits[group]["perMinute"],
                &limits[group]["perHour"]
            ),
            (&json!(s), &json!(m), &json!(h)),
            "{group}"
        );
    }
    // invoiceMetadata: 8 per second, 16 per minute, without any fault configured.
    let body = json!({"subjectType": "Subject1", "dateRange": {"dateType": "Invoicing", "from": crate::common::days_ago(30)}});
    let mut codes = Vec::new();
    let mut retry_after = None;
    for _ in 0..20 {
        let r = api.post("/invoices/query/metadata", body.clone()).await;
        if r.status == 429 && retry_after.is_none() {
            retry_after = r.header("retry-after");
        }
        codes.push(r.status.as_u16());
    }
    // However slow this machine is, the per-minute limit (16) caps the successes.
    let ok = codes.iter().filter(|c| **c == 200).count();
    assert!((8..=16).contains(&ok), "{codes:?}");
    assert!(codes[..8].iter().all(|c| *c == 200), "{codes:?}");
    assert!(codes.contains(&429), "{codes:?}");
    assert!(retry_after.is_some());
    // Limits count per context: another company is not slowed down.
    let other = sim.add_token(TokenSpec::full("7770001281"));
    let (oa, _) = login(&Api::new(&sim.base_url), &keys, "7770001281", &other).await;
    Api::new(&sim.base_url)
        .with_bearer(&oa)
        .post("/invoices/query/metadata", body.clone())
        .await
        .expect(200);
    // Switched off, nothing is refused.
    sim.set_faults(FaultConfig {
        enforce_rate_limits: false,
        ..FaultConfig::default()
    });
    api.post("/invoices/query/metadata", body).await.expect(200);
}

#[tokio::test]
async fn configured_limits_apply_per_hour_and_to_each_other_endpoint_separately() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    let mut limits = RateLimits::production();
    limits
        .0
        .insert("invoiceDownload".into(), RateLimit::new(8, 16, 3));
    limits.0.insert("other".into(), RateLimit::new(10, 2, 120));
    sim.set_faults(FaultConfig {
        rate_limits: limits,
        ..FaultConfig::default()
    });
    let reported = api.get("/rate-limits").await.expect(200).json();
    assert_eq!(reported["invoiceDownload"]["perHour"], 3);
    // Three downloads an hour: the fourth waits for the hour window.
    let ksef = "5265877635-20250916-010040741B3E-46";
    for _ in 0..3 {
        api.get(&format!("/invoices/ksef/{ksef}")).await.expect(400);
    }
    let r = api.get(&format!("/invoices/ksef/{ksef}")).await.expect(429);
    assert_eq!(r.header("retry-after").as_deref(), Some("3600"));
    // "Other" endpoints each have their own counter (limity-api.md): two calls a minute
    // to /limits/context leave /limits/subject untouched.
    for _ in 0..2 {
        api.get("/limits/context").await.expect(200);
    }
    api.get("/limits/context").await.expect(429);
    api.get("/limits/subject").await.expect(200);
}

#[tokio::test]
async fn slow_processing_keeps_invoices_in_progress_longer() {
    let sim = start().await;
    let api = Api::new(&sim.base_url);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, &sim.nip, &sim.token).await;
    let api = api.with_bearer(&access);
    sim.set_faults(FaultConfig {
        slow_processing_ms: 3000,
        ..FaultConfig::default()
    });
    let s = open_online(&api, &keys).await;
    let inv = send(&api, &s, &invoice(&sim.nip, "7770001281", &unique_number())).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let v = api
        .get(&format!("/sessions/{}/invoices/{inv}", s.reference))
        .await
        .expect(200)
        .json();
    assert_eq!(v["status"]["code"], 100, "{v}");
    let t = Instant::now();
    let (seen, v) = invoice_final(&api, &s.reference, &inv).await;
    assert_eq!(v["status"]["code"], 200);
    assert!(seen.contains(&150), "{seen:?}");
    assert!(t.elapsed() >= Duration::from_millis(600));
}

#[tokio::test]
async fn control_endpoints_set_faults_and_create_tokens_over_http() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let cfg: FaultConfig = http
        .put(format!("{}/__sim/faults", sim.origin))
        .json(&json!({"rate429": 1.0, "retryAfterSecs": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg.rate_429, 1.0);
    assert_eq!(sim.faults().retry_after_secs, 2);
    // Control endpoints are never faulted.
    let health = http
        .get(format!("{}/__sim/health", sim.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let api = Api::new(&sim.base_url);
    api.post_empty("/auth/challenge").await.expect(429);
    http.put(format!("{}/__sim/faults", sim.origin))
        .json(&json!({}))
        .send()
        .await
        .unwrap();

    let r = http
        .post(format!("{}/__sim/faults/next", sim.origin))
        .json(&json!({"pathContains": "/auth/challenge", "fault": {"kind": "serverError", "status": 502}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        api.try_call(reqwest::Method::POST, "/auth/challenge", None)
            .await
            .unwrap()
            .status,
        502
    );

    let t: serde_json::Value = http
        .post(format!("{}/__sim/tokens", sim.origin))
        .json(&json!({"context_nip": "7770001281", "permissions": ["InvoiceRead"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = keys(&api).await;
    login(&api, &keys, "7770001281", t["token"].as_str().unwrap()).await;
}

#[tokio::test]
async fn latarnia_reports_outages_and_announcements() {
    let sim = start().await;
    let status = || async {
        reqwest::get(format!("{}/status", sim.latarnia_base))
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    assert_eq!(status().await["status"], "AVAILABLE");
    let now = chrono::Utc::now();
    sim.set_faults(FaultConfig {
        outages: vec![OutageWindow {
            from: now - chrono::Duration::seconds(1),
            to: now + chrono::Duration::seconds(30),
        }],
        ..FaultConfig::default()
    });
    assert_eq!(status().await["status"], "MAINTENANCE");
    sim.set_faults(FaultConfig {
        announcements: vec![ksef_sim::Announcement {
            category: "FAILURE".into(),
            title: "Awaria KSeF".into(),
            text: "Tryb awaryjny".into(),
            start: now - chrono::Duration::minutes(5),
            end: None,
        }],
        ..FaultConfig::default()
    });
    let v = status().await;
    assert_eq!(v["status"], "FAILURE");
    assert_eq!(v["messages"][0]["type"], "FAILURE_START");
    let m: serde_json::Value = reqwest::get(format!("{}/messages", sim.latarnia_base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m[0]["title"], "Awaria KSeF");
}
