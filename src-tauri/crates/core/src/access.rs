//! Who is acting, and may they? The backend enforces roles; the UI only mirrors them.
//!
//! A profile is used by one person at a time: the current user. A fresh profile gets
//! its owner on first need, and whoever adds a company becomes its administrator.
//! Admin implies every other role.

use desk_store::{NewUser, Role, Tx, User};

use crate::{CoreError, Desk, Result};

const CURRENT_USER_KEY: &str = "session.current_user_id";

impl Desk {
    /// The person using this profile (created as the owner on first need).
    pub fn current_user(&self) -> Result<User> {
        let now = self.clock().now();
        Ok(self.store().write(|tx| current_user_in(tx, now))?)
    }

    /// The roles the current user holds in `company_id` (what the UI mirrors).
    pub fn current_roles(&self, company_id: i64) -> Result<Vec<Role>> {
        let now = self.clock().now();
        Ok(self.store().write(|tx| {
            tx.company(company_id)?;
            let user = current_user_in(tx, now)?;
            tx.roles(user.id, company_id)
        })?)
    }
}

/// The current user inside a transaction, created as the owner if the profile has none.
pub(crate) fn current_user_in(tx: &Tx<'_>, now: desk_store::Timestamp) -> desk_store::Result<User> {
    if let Some(id) = tx
        .app_setting(CURRENT_USER_KEY)?
        .and_then(|id| id.parse::<i64>().ok())
    {
        if let Ok(user) = tx.user(id) {
            return Ok(user);
        }
    }
    let user = match tx.list_users()?.into_iter().next() {
        Some(user) => user,
        None => tx.insert_user(
            &NewUser {
                login: "owner".into(),
                display_name: "Właściciel".into(),
            },
            now,
        )?,
    };
    tx.set_app_setting(CURRENT_USER_KEY, &user.id.to_string())?;
    Ok(user)
}

/// The current user if they hold `needed` (or Admin) in `company_id`, else
/// [`CoreError::Forbidden`]. Call it inside the transaction that does the work,
/// so the check and the change see the same roles.
pub(crate) fn authorize(
    tx: &Tx<'_>,
    now: desk_store::Timestamp,
    company_id: i64,
    needed: Role,
) -> Result<User> {
    tx.company(company_id)?;
    let user = current_user_in(tx, now)?;
    let roles = tx.roles(user.id, company_id)?;
    if roles.contains(&Role::Admin) || roles.contains(&needed) {
        Ok(user)
    } else {
        Err(CoreError::Forbidden { needed, company_id })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use desk_store::{KsefEnvironment, NewCompany};

    use super::*;
    use crate::{FixedClock, MemoryVault};

    fn desk(dir: &std::path::Path) -> Desk {
        let clock = FixedClock("2026-11-25T10:00:00Z".parse().unwrap());
        Desk::open(dir, Box::new(clock), Arc::new(MemoryVault::default())).unwrap()
    }

    #[test]
    fn a_fresh_profile_gets_one_owner_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        let first = desk.current_user().unwrap();
        let again = desk.current_user().unwrap();
        assert_eq!(first, again);
        assert_eq!(first.login, "owner");
    }

    #[test]
    fn roles_are_enforced_and_admin_implies_all() {
        let dir = tempfile::tempdir().unwrap();
        let desk = desk(dir.path());
        let now = desk.clock().now();
        let result = desk.store().write(|tx| {
            let company = tx.insert_company(
                &NewCompany {
                    nip: "5265877635".into(),
                    name: "Firma".into(),
                    address_line1: String::new(),
                    address_line2: String::new(),
                    ksef_environment: KsefEnvironment::Simulator,
                    ksef_base_url: None,
                },
                now,
            )?;
            let user = current_user_in(tx, now)?;
            tx.grant_role(user.id, company.id, Role::Sales)?;
            Ok(company.id)
        });
        let company_id = result.unwrap();
        let outcome = |role| {
            desk.store()
                .write(|tx| Ok(authorize(tx, now, company_id, role).map(|u| u.id)))
                .unwrap()
        };
        assert!(outcome(Role::Sales).is_ok());
        let denied = outcome(Role::Finance).unwrap_err();
        assert_eq!(denied.code(), "forbidden");
        assert_eq!(denied.kind(), crate::ErrorKind::Permission);

        let user = desk.current_user().unwrap();
        desk.store()
            .write(|tx| tx.grant_role(user.id, company_id, Role::Admin))
            .unwrap();
        assert!(outcome(Role::Finance).is_ok());
    }
}
