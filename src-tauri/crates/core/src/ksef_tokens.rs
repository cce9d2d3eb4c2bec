//! The company's KSeF tokens as KSeF lists them, and revoking one from the app.
//!
//! Managing tokens is an administrator's job. What KSeF shows depends on the saved
//! token's own permissions: with "read/manage permissions" every token of the company,
//! otherwise only the app's own token. Revoking the app's own token also removes it
//! from the keychain, since it can no longer sign in.

use desk_store::{NewAuditEntry, Role, Timestamp};
use ksef_client::{token_reference, CancellationToken, TokenInfo, TokenStatus};
use secrecy::ExposeSecret;

use crate::access::authorize;
use crate::connection::{from_ksef, interactive_config, KsefPermission};
use crate::{Desk, Nip, Result};

/// A KSeF token of the company (its metadata; KSeF never shows the secret again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyToken {
    pub reference: String,
    pub description: String,
    pub permissions: Vec<KsefPermission>,
    pub state: TokenState,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// Who generated it, as KSeF names them (e.g. `Nip 5265877635`).
    pub author: String,
    /// The token this app signs in with.
    pub used_by_this_app: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Pending,
    Active,
    Revoking,
    Revoked,
    Failed,
    Unknown,
}

impl Desk {
    /// The company's KSeF tokens, newest first (administrators only).
    pub async fn company_tokens(
        &self,
        company_id: i64,
        cancel: &CancellationToken,
    ) -> Result<Vec<CompanyToken>> {
        let (client, own, nip) = self.admin_client(company_id, cancel).await?;
        let tokens = client
            .list_tokens(cancel)
            .await
            .map_err(|e| from_ksef(e, &nip))?;
        Ok(tokens
            .into_iter()
            .map(|t| company_token(t, own.as_deref()))
            .collect())
    }

    /// Revokes one of the company's KSeF tokens (administrators only). Revoking the
    /// app's own token disconnects the company. Returns whether it was the app's own.
    pub async fn revoke_company_token(
        &self,
        company_id: i64,
        reference: &str,
        cancel: &CancellationToken,
    ) -> Result<bool> {
        let (client, own, nip) = self.admin_client(company_id, cancel).await?;
        client
            .revoke_token(reference, cancel)
            .await
            .map_err(|e| from_ksef(e, &nip))?;
        let was_own = own.as_deref() == Some(reference);
        let now = self.clock().now();
        self.store().write(|tx| {
            tx.append_audit(&NewAuditEntry {
                at: now,
                user_id: None,
                company_id: Some(company_id),
                action: "company.token_revoked",
                detail: &format!("reference={reference}"),
            })
        })?;
        tracing::info!(company_id, was_own, "KSeF token revoked");
        if was_own {
            self.disconnect(company_id)?;
        }
        Ok(was_own)
    }

    /// An authenticated client for an administrator of the company, with the
    /// reference of the token it signed in with.
    async fn admin_client(
        &self,
        company_id: i64,
        cancel: &CancellationToken,
    ) -> Result<(ksef_client::KsefClient, Option<String>, Nip)> {
        let now = self.clock().now();
        self.store()
            .write(|tx| Ok(authorize(tx, now, company_id, Role::Admin).map(|_| ())))??;
        let company = self.store().read(|tx| tx.company(company_id))?;
        let nip = Nip::parse(&company.nip)?;
        let credentials = self.saved_credentials(&company).await?;
        // A company signed in with a certificate uses none of its tokens.
        let own = credentials
            .token()
            .and_then(|token| token_reference(token.expose_secret()))
            .map(str::to_owned);
        let client = self
            .signed_in_client(&company, credentials, interactive_config(), cancel)
            .await?;
        Ok((client, own, nip))
    }
}

fn company_token(info: TokenInfo, own: Option<&str>) -> CompanyToken {
    CompanyToken {
        used_by_this_app: own == Some(info.reference_number.as_str()),
        permissions: KsefPermission::ALL
            .into_iter()
            .filter(|p| info.requested_permissions.contains(&p.wire()))
            .collect(),
        state: match info.status {
            TokenStatus::Pending => TokenState::Pending,
            TokenStatus::Active => TokenState::Active,
            TokenStatus::Revoking => TokenState::Revoking,
            TokenStatus::Revoked => TokenState::Revoked,
            TokenStatus::Failed => TokenState::Failed,
            TokenStatus::Other => TokenState::Unknown,
        },
        created_at: info.date_created,
        last_used_at: info.last_use_date,
        author: format!(
            "{} {}",
            info.author_identifier.kind, info.author_identifier.value
        ),
        reference: info.reference_number,
        description: info.description,
    }
}
