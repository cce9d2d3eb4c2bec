//! Rights: the signed-in subject's own permissions in the context
//! (`POST /permissions/query/personal/grants`) and the TEST environment's way to grant
//! them (`POST /testdata/permissions[/revoke]`).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::certificates::Page;
use super::error::ApiError;
use super::{bearer, parse, Shared};
use crate::certs::SubjectId;
use crate::config::Permission;
use crate::store::fmt_dt;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PersonalQuery {
    permission_types: Option<Vec<String>>,
    permission_state: Option<String>,
}

/// A stable 36-character id for one permission of one subject in one context.
fn permission_id(context: &str, subject: &SubjectId, permission: Permission) -> String {
    let (kind, value) = subject.parts();
    let digest = crate::certs::fingerprint(
        format!("{context}|{kind}|{value}|{}", permission.as_str()).as_bytes(),
    );
    let d = digest.to_ascii_lowercase();
    format!(
        "{}-{}-{}-{}-{}",
        &d[0..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}

/// `POST /permissions/query/personal/grants?pageOffset&pageSize`: what the caller may do
/// in the current context (after a certificate sign-in: the signer's rights there; after
/// a token sign-in: the token's permissions).
pub(crate) async fn personal_grants(
    State(state): State<Shared>,
    Query(page): Query<Page>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (caller, signer) = state.cert_caller(bearer(&headers))?;
    let (start, size) = page.bounds(100)?;
    let req: PersonalQuery = if body.is_empty() {
        PersonalQuery::default()
    } else {
        parse(&body)?
    };
    let subject = signer
        .map(|s| s.subject.clone())
        .unwrap_or_else(|| SubjectId::Nip(caller.context_nip.clone()));
    let started = state.cert_state().started;
    let wanted_state = req.permission_state.as_deref().unwrap_or("Active");
    let mut items: Vec<Value> = caller
        .permissions
        .iter()
        .filter(|p| {
            req.permission_types
                .as_ref()
                .is_none_or(|t| t.iter().any(|t| t == p.as_str()))
        })
        .filter(|_| wanted_state == "Active")
        .map(|p| {
            let (kind, value) = subject.parts();
            json!({
                "id": permission_id(&caller.context_nip, &subject, *p),
                "contextIdentifier": {"type": "Nip", "value": caller.context_nip},
                "authorizedIdentifier": {"type": kind, "value": value},
                "permissionScope": p.as_str(),
                "description": format!("Uprawnienie {} w kontekście {}", p.as_str(), caller.context_nip),
                "permissionState": "Active",
                "startDate": fmt_dt(started),
                "canDelegate": false,
            })
        })
        .collect();
    let has_more = items.len() > start.saturating_add(size);
    let items: Vec<Value> = items.drain(..).skip(start).take(size).collect();
    Ok(Json(json!({"permissions": items, "hasMore": has_more})))
}

#[derive(Deserialize)]
struct TypedValue {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Deserialize)]
struct TestPermission {
    #[serde(rename = "permissionType")]
    permission_type: Permission,
    description: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantRequest {
    context_identifier: TypedValue,
    authorized_identifier: TypedValue,
    #[serde(default)]
    permissions: Vec<TestPermission>,
}

fn grant_key(req: &GrantRequest) -> Result<(String, SubjectId), ApiError> {
    let subject = SubjectId::from_parts(
        &req.authorized_identifier.kind,
        &req.authorized_identifier.value,
    )
    .ok_or_else(|| ApiError::validation("authorizedIdentifier.type ma niedozwoloną wartość"))?;
    if req.context_identifier.kind != "Nip" {
        return Err(ApiError::validation(
            "symulator obsługuje contextIdentifier.type = Nip",
        ));
    }
    Ok((req.context_identifier.value.clone(), subject))
}

/// `POST /testdata/permissions`: the subject gets these rights in the context (added to
/// what it had).
pub(crate) async fn testdata_grant(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: GrantRequest = parse(&body)?;
    if req
        .permissions
        .iter()
        .any(|p| !(5..=256).contains(&p.description.chars().count()))
    {
        return Err(ApiError::validation("description musi mieć 5..256 znaków"));
    }
    let key = grant_key(&req)?;
    let mut certs = state.cert_state();
    let held = certs.grants.entry(key).or_default();
    for p in &req.permissions {
        if !held.contains(&p.permission_type) {
            held.push(p.permission_type);
        }
    }
    Ok(StatusCode::OK.into_response())
}

/// `POST /testdata/permissions/revoke`: the subject loses every right in the context.
pub(crate) async fn testdata_revoke(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: GrantRequest = parse(&body)?;
    let key = grant_key(&req)?;
    state.cert_state().grants.remove(&key);
    Ok(StatusCode::OK.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_ids_are_36_chars_and_stable() {
        let s = SubjectId::Pesel("90010112345".into());
        let a = permission_id("5265877635", &s, Permission::InvoiceRead);
        assert_eq!(a.len(), 36);
        assert_eq!(a, permission_id("5265877635", &s, Permission::InvoiceRead));
        assert_ne!(a, permission_id("5265877635", &s, Permission::InvoiceWrite));
    }
}
