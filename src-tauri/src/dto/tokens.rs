use desk_core::{CompanyToken, Locale, Role, TokenState};
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum TokenStateDto {
    Pending,
    Active,
    Revoking,
    Revoked,
    Failed,
    Unknown,
}

/// A KSeF token of the company: metadata only, never the secret.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompanyTokenDto {
    pub reference: String,
    pub description: String,
    /// Permission labels in the user's language.
    pub permissions: Vec<String>,
    pub state: TokenStateDto,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub author: String,
    pub used_by_this_app: bool,
}

impl CompanyTokenDto {
    pub fn new(token: CompanyToken, locale: Locale) -> CompanyTokenDto {
        CompanyTokenDto {
            permissions: token
                .permissions
                .iter()
                .map(|p| p.label(locale).to_owned())
                .collect(),
            state: match token.state {
                TokenState::Pending => TokenStateDto::Pending,
                TokenState::Active => TokenStateDto::Active,
                TokenState::Revoking => TokenStateDto::Revoking,
                TokenState::Revoked => TokenStateDto::Revoked,
                TokenState::Failed => TokenStateDto::Failed,
                TokenState::Unknown => TokenStateDto::Unknown,
            },
            created_at: token.created_at.to_rfc3339(),
            last_used_at: token.last_used_at.map(|at| at.to_rfc3339()),
            author: token.author,
            used_by_this_app: token.used_by_this_app,
            reference: token.reference,
            description: token.description,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RoleDto {
    Admin,
    Sales,
    Costs,
    Accounting,
    Finance,
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> RoleDto {
        match role {
            Role::Admin => RoleDto::Admin,
            Role::Sales => RoleDto::Sales,
            Role::Costs => RoleDto::Costs,
            Role::Accounting => RoleDto::Accounting,
            Role::Finance => RoleDto::Finance,
        }
    }
}
