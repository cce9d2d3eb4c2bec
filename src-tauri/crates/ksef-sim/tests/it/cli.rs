//! The binary: `ksef-sim --port 0 --seed-demo` prints one JSON line and serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::*;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_base_url_nip_and_token_and_serves_the_demo_company() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_ksef-sim"))
            .args(["--port", "0", "--seed-demo", "--data"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let base = ready["base_url"].as_str().unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/v2"),
        "{base}"
    );
    let nip = ready["nip"].as_str().unwrap();
    assert!(ksef_sim::ids::is_valid_nip(nip));
    let api = Api::new(base);
    let keys = keys(&api).await;
    let (access, _) = login(&api, &keys, nip, ready["token"].as_str().unwrap()).await;
    let v = api
        .with_bearer(&access)
        .post(
            "/invoices/query/metadata?pageSize=250",
            json!({"subjectType": "Subject2", "dateRange": {"dateType": "Issue", "from": crate::common::days_ago(80)}}),
        )
        .await
        .expect(200)
        .json();
    assert!(v["invoices"].as_array().unwrap().len() >= 20);
    assert!(dir.path().join("ksef-sim.sqlite").exists());
}

#[test]
fn binary_rejects_unknown_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_ksef-sim"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
