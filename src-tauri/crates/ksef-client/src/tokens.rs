//! The context's KSeF tokens: list them (`GET /tokens`) and revoke one
//! (`DELETE /tokens/{referenceNumber}`).
//!
//! What a caller sees depends on its permissions (spec): with `CredentialsRead` or
//! `CredentialsManage` every token of the context, otherwise only the token it
//! authenticated with. Revoking another token needs `CredentialsManage`; any token may
//! revoke itself.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::client::{Call, KsefClient};
use crate::error::Result;
use crate::limiter::EndpointGroup;

/// A permission a KSeF token carries (`TokenPermissionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenPermission {
    /// Read invoices (`InvoiceRead`).
    InvoiceRead,
    /// Send invoices (`InvoiceWrite`).
    InvoiceWrite,
    /// Read permissions and tokens (`CredentialsRead`).
    CredentialsRead,
    /// Grant and revoke permissions and tokens (`CredentialsManage`).
    CredentialsManage,
    /// Manage subunits (`SubunitManage`).
    SubunitManage,
    /// Enforcement operations (`EnforcementOperations`).
    EnforcementOperations,
    /// Introspection (`Introspection`).
    Introspection,
    /// A permission this client does not know yet (KSeF added one).
    #[serde(other)]
    Other,
}

/// The lifecycle state of a KSeF token (`AuthenticationTokenStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenStatus {
    /// Created; permissions are still being granted.
    Pending,
    /// Usable for authentication.
    Active,
    /// Being revoked; no longer usable.
    Revoking,
    /// Revoked.
    Revoked,
    /// Activation failed; a new token is needed.
    Failed,
    /// A state this client does not know yet.
    #[serde(other)]
    Other,
}

/// An identifier with its type (`Nip`, `Pesel`, `Fingerprint`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedIdentifier {
    /// The identifier's type as KSeF names it.
    #[serde(rename = "type")]
    pub kind: String,
    /// The identifier.
    pub value: String,
}

/// One KSeF token's metadata (`QueryTokensResponseItem`). Never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The token's reference number (the part before the first `|` of the token).
    pub reference_number: String,
    /// Who generated it.
    pub author_identifier: TypedIdentifier,
    /// The context it gives access to.
    pub context_identifier: TypedIdentifier,
    /// The description given when it was generated.
    pub description: String,
    /// Its permissions.
    pub requested_permissions: Vec<TokenPermission>,
    /// When it was generated.
    pub date_created: DateTime<Utc>,
    /// When it was last used to authenticate.
    #[serde(default)]
    pub last_use_date: Option<DateTime<Utc>>,
    /// Its state.
    pub status: TokenStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryTokensResponseWire {
    #[serde(default)]
    continuation_token: Option<String>,
    tokens: Vec<TokenInfo>,
}

/// The reference number inside a KSeF token (`{reference}|nip-{nip}|{secret}`), which
/// identifies the token in `GET /tokens` without revealing it.
pub fn token_reference(token: &str) -> Option<&str> {
    let (reference, rest) = token.split_once('|')?;
    (!reference.is_empty() && rest.contains('|')).then_some(reference)
}

impl KsefClient {
    /// Every token of the context the caller may see, newest first, following
    /// continuation tokens.
    pub async fn list_tokens(&self, cancel: &CancellationToken) -> Result<Vec<TokenInfo>> {
        let mut out = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let mut url = self.inner.url("tokens")?;
            url.query_pairs_mut().append_pair("pageSize", "100");
            let mut call = Call::new("tokens.list", Method::GET, url, EndpointGroup::Other);
            if let Some(t) = &continuation {
                call.headers
                    .push(("x-continuation-token".into(), t.clone()));
            }
            let page: QueryTokensResponseWire = self.inner.call_json(call, cancel).await?;
            out.extend(page.tokens);
            match page.continuation_token.filter(|t| !t.is_empty()) {
                Some(t) => continuation = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// Revokes the token with this reference number. Not retried blindly: a repeat
    /// of an applied revocation would answer with an error for a done job.
    pub async fn revoke_token(
        &self,
        reference_number: &str,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let url = self.inner.url(&format!("tokens/{reference_number}"))?;
        let call =
            Call::new("tokens.revoke", Method::DELETE, url, EndpointGroup::Other).idempotent(false);
        self.inner.send(&call, cancel).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_the_first_part_of_a_token() {
        assert_eq!(
            token_reference("20251010-EC-2A1B3C4D5E-F6A7B8C9D0-1E|nip-5265877635|abc"),
            Some("20251010-EC-2A1B3C4D5E-F6A7B8C9D0-1E")
        );
        assert_eq!(token_reference("no-separators"), None);
        assert_eq!(token_reference("|nip-1|x"), None);
        assert_eq!(token_reference("ref|only-one-part"), None);
    }

    #[test]
    fn unknown_permissions_and_states_do_not_break_the_list() {
        let item = serde_json::json!({
            "referenceNumber": "20251010-EC-2A1B3C4D5E-F6A7B8C9D0-1E",
            "authorIdentifier": {"type": "Nip", "value": "5265877635"},
            "contextIdentifier": {"type": "Nip", "value": "5265877635"},
            "description": "Token dla KSeF Desk",
            "requestedPermissions": ["InvoiceRead", "SomethingNew"],
            "dateCreated": "2026-11-25T10:00:00Z",
            "status": "Suspended"
        });
        let info: TokenInfo = serde_json::from_value(item).unwrap();
        assert_eq!(
            info.requested_permissions,
            [TokenPermission::InvoiceRead, TokenPermission::Other]
        );
        assert_eq!(info.status, TokenStatus::Other);
        assert_eq!(info.last_use_date, None);
    }
}
