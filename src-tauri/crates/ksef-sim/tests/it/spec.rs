//! The official OpenAPI document as a response validator.
//!
//! OpenAPI 3.0 schemas become JSON Schema (draft 7) by turning `nullable: true` into a
//! `null` alternative; `$ref`s resolve inside the same document. On top of the schema
//! check, `unknown_fields` reports properties the spec does not define (the spec does
//! not forbid them, but a wrong field name is exactly the bug to catch).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

pub const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/ksef/openapi/open-api.json"
);

pub struct Spec {
    doc: Value,
    schemas: Value,
    validators: std::sync::Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn convert(v: &Value) -> Value {
    match v {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, val) in obj {
                if k == "nullable" || k == "example" || k == "description" && val.is_string() {
                    continue;
                }
                out.insert(k.clone(), convert(val));
            }
            if obj.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::Array(e)) = out.get_mut("enum") {
                    e.push(Value::Null);
                }
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    _ => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        other => other.clone(),
    }
}

pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(SPEC_PATH).unwrap()).unwrap();
        let schemas = convert(&doc["components"]["schemas"]);
        Spec {
            doc,
            schemas,
            validators: Default::default(),
        }
    })
}

/// Matches a concrete path (without `/v2`) to the spec's template.
fn template_for<'a>(doc: &'a Value, method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(&str, &Value, usize)> = None;
    for (tpl, item) in doc["paths"].as_object()? {
        let t: Vec<&str> = tpl.trim_matches('/').split('/').collect();
        if t.len() != segs.len() {
            continue;
        }
        let mut statics = 0;
        let ok = t.iter().zip(&segs).all(|(a, b)| {
            if a.starts_with('{') {
                true
            } else if a == b {
                statics += 1;
                true
            } else {
                false
            }
        });
        if ok && item.get(method).is_some() && best.is_none_or(|(_, _, s)| statics > s) {
            best = Some((tpl.as_str(), &item[method], statics));
        }
    }
    best.map(|(t, op, _)| (t, op))
}

impl Spec {
    /// The response schema (converted) for a call, or an explanation why there is none.
    pub fn response_schema(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
    ) -> Result<Value, String> {
        let (tpl, op) = template_for(&self.doc, method, path)
            .ok_or_else(|| format!("{method} {path} is not in the spec"))?;
        let resp = op["responses"]
            .get(status.to_string())
            .ok_or_else(|| format!("{method} {tpl}: status {status} is not documented"))?;
        let ct = content_type.split(';').next().unwrap_or("").trim();
        let media = resp["content"].get(ct).ok_or_else(|| {
            format!("{method} {tpl} {status}: content type {ct} is not documented")
        })?;
        Ok(convert(&media["schema"]))
    }

    fn validator(&self, key: &str, schema: &Value) -> std::sync::Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap();
        cache
            .entry(key.to_owned())
            .or_insert_with(|| {
                let mut root = schema.clone();
                root.as_object_mut().unwrap().insert(
                    "components".into(),
                    json!({"schemas": self.schemas.clone()}),
                );
                std::sync::Arc::new(
                    jsonschema::draft7::options()
                        .should_validate_formats(true)
                        .build(&root)
                        .unwrap_or_else(|e| panic!("schema for {key} does not compile: {e}")),
                )
            })
            .clone()
    }

    /// Validates a value against a named component schema.
    pub fn check_schema(&self, name: &str, value: &Value) -> Vec<String> {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        let v = self.validator(&format!("schema {name}"), &schema);
        let mut problems: Vec<String> = v
            .iter_errors(value)
            .map(|e| format!("{name}: {e} at {}", e.instance_path))
            .collect();
        unknown_fields(&self.schemas, &schema, value, "", &mut problems);
        problems
    }

    /// Validates a JSON response body; returns every problem found.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Vec<String> {
        let schema = match self.response_schema(method, path, status, content_type) {
            Ok(s) => s,
            Err(e) => return vec![e],
        };
        let key = format!("{method} {path} {status} {content_type}");
        let v = self.validator(&key, &schema);
        let mut problems: Vec<String> = v
            .iter_errors(body)
            .map(|e| format!("{key}: {e} at {}", e.instance_path))
            .collect();
        unknown_fields(&self.schemas, &schema, body, "", &mut problems);
        problems
    }
}

fn resolve<'a>(schemas: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            schemas,
            &schemas[r.trim_start_matches("#/components/schemas/")],
        ),
        None => s,
    }
}

/// Collects the property schemas an object schema allows (through allOf/anyOf/$ref).
fn properties<'a>(
    schemas: &'a Value,
    s: &'a Value,
    out: &mut Vec<(&'a str, &'a Value)>,
    open: &mut bool,
) {
    let s = resolve(schemas, s);
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        out.extend(p.iter().map(|(k, v)| (k.as_str(), v)));
    }
    if s.get("additionalProperties").is_some() {
        *open = true;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            for sub in list {
                properties(schemas, sub, out, open);
            }
        }
    }
}

fn unknown_fields(schemas: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(schemas, schema);
    match v {
        Value::Object(obj) => {
            let mut props = Vec::new();
            let mut open = false;
            properties(schemas, schema, &mut props, &mut open);
            if open {
                return;
            }
            for (k, val) in obj {
                match props.iter().find(|(name, _)| *name == k) {
                    Some((_, sub)) => unknown_fields(schemas, sub, val, &format!("{at}/{k}"), out),
                    None => out.push(format!("field {at}/{k} is not defined by the spec")),
                }
            }
        }
        Value::Array(items) => {
            let mut item_schema = schema.get("items");
            if item_schema.is_none() {
                for key in ["allOf", "anyOf"] {
                    if let Some(list) = schema.get(key).and_then(Value::as_array) {
                        item_schema = list.iter().find_map(|s| resolve(schemas, s).get("items"));
                    }
                }
            }
            if let Some(is) = item_schema {
                for (n, item) in items.iter().enumerate() {
                    unknown_fields(schemas, is, item, &format!("{at}/{n}"), out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_validator_rejects_wrong_shapes() {
    let spec = spec();
    let bad =
        json!({"challenge": "short", "timestamp": "yesterday", "clientIp": "1.2.3.4", "extra": 1});
    let problems = spec.check("post", "/auth/challenge", 200, "application/json", &bad);
    assert!(
        problems.iter().any(|p| p.contains("timestampMs")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("extra")), "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("date-time") || p.contains("yesterday")),
        "{problems:?}"
    );
    let problems = spec.check("get", "/sessions/X", 418, "application/json", &json!({}));
    assert_eq!(problems.len(), 1);
}

/// Every operation of the minimal set (API-NOTES §14, plus exports, limits, tokens and
/// auth sessions) is served: a request without credentials reaches the handler (no
/// 404/405) and its error answer has the documented shape.
#[tokio::test]
async fn the_simulator_serves_the_documented_operations() {
    let sim = ksef_sim::Simulator::start(crate::common::fast_config())
        .await
        .unwrap();
    let api = crate::common::Api::new(&sim.base_url);
    let r = "20250101-SO-0000000000-0000000000-00";
    let k = "5265877635-20250916-010040741B3E-46";
    let ops: Vec<(reqwest::Method, String)> = vec![
        (
            reqwest::Method::GET,
            "/security/public-key-certificates".into(),
        ),
        (reqwest::Method::POST, "/auth/challenge".into()),
        (reqwest::Method::POST, "/auth/ksef-token".into()),
        (reqwest::Method::GET, format!("/auth/{r}")),
        (reqwest::Method::POST, "/auth/token/redeem".into()),
        (reqwest::Method::POST, "/auth/token/refresh".into()),
        (reqwest::Method::GET, "/auth/sessions".into()),
        (reqwest::Method::DELETE, "/auth/sessions/current".into()),
        (reqwest::Method::DELETE, format!("/auth/sessions/{r}")),
        (reqwest::Method::POST, "/sessions/online".into()),
        (
            reqwest::Method::POST,
            format!("/sessions/online/{r}/invoices"),
        ),
        (reqwest::Method::POST, format!("/sessions/online/{r}/close")),
        (reqwest::Method::POST, "/sessions/batch".into()),
        (reqwest::Method::POST, format!("/sessions/batch/{r}/close")),
        (reqwest::Method::GET, "/sessions?sessionType=Online".into()),
        (reqwest::Method::GET, format!("/sessions/{r}")),
        (reqwest::Method::GET, format!("/sessions/{r}/invoices")),
        (
            reqwest::Method::GET,
            format!("/sessions/{r}/invoices/failed"),
        ),
        (reqwest::Method::GET, format!("/sessions/{r}/invoices/{r}")),
        (
            reqwest::Method::GET,
            format!("/sessions/{r}/invoices/{r}/upo"),
        ),
        (
            reqwest::Method::GET,
            format!("/sessions/{r}/invoices/ksef/{k}/upo"),
        ),
        (reqwest::Method::GET, format!("/sessions/{r}/upo/{r}")),
        (reqwest::Method::POST, "/invoices/query/metadata".into()),
        (reqwest::Method::GET, format!("/invoices/ksef/{k}")),
        (reqwest::Method::POST, "/invoices/exports".into()),
        (reqwest::Method::GET, format!("/invoices/exports/{r}")),
        (reqwest::Method::GET, "/rate-limits".into()),
        (reqwest::Method::GET, "/limits/context".into()),
        (reqwest::Method::GET, "/limits/subject".into()),
        (reqwest::Method::POST, "/tokens".into()),
        (reqwest::Method::GET, "/tokens".into()),
        (reqwest::Method::GET, format!("/tokens/{r}")),
        (reqwest::Method::DELETE, format!("/tokens/{r}")),
        (reqwest::Method::POST, "/auth/xades-signature".into()),
        (reqwest::Method::GET, "/certificates/limits".into()),
        (
            reqwest::Method::GET,
            "/certificates/enrollments/data".into(),
        ),
        (reqwest::Method::POST, "/certificates/enrollments".into()),
        (
            reqwest::Method::GET,
            format!("/certificates/enrollments/{r}"),
        ),
        (reqwest::Method::POST, "/certificates/retrieve".into()),
        (reqwest::Method::POST, "/certificates/query".into()),
        (
            reqwest::Method::POST,
            "/certificates/0321C82DA41B4362/revoke".into(),
        ),
        (
            reqwest::Method::POST,
            "/permissions/query/personal/grants".into(),
        ),
        (reqwest::Method::POST, "/testdata/permissions".into()),
        (reqwest::Method::POST, "/testdata/permissions/revoke".into()),
    ];
    for (method, path) in ops {
        let tpl_path = path.split('?').next().unwrap();
        assert!(
            template_for(&spec().doc, &method.as_str().to_lowercase(), tpl_path).is_some(),
            "{method} {path} is not an operation of the spec"
        );
        let body = (method == reqwest::Method::POST).then(|| json!({}));
        // `call` validates every JSON answer against the spec.
        let resp = api.call(method.clone(), &path, body).await;
        let status = resp.status.as_u16();
        assert!(
            status != 404 && status != 405,
            "{method} {path} answered {status}"
        );
        assert!(status < 500, "{method} {path} answered {status}");
    }
}
