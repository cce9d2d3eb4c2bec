use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, StoreError, Timestamp, Tx};

/// The roles of the app; one person may hold several per company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Sales,
    Costs,
    Accounting,
    Finance,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Sales,
        Role::Costs,
        Role::Accounting,
        Role::Finance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sales => "sales",
            Role::Costs => "costs",
            Role::Accounting => "accounting",
            Role::Finance => "finance",
        }
    }

    fn parse(value: String) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or(StoreError::InvalidColumn {
                column: "user_roles.role",
                value,
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub created_at: Timestamp,
}

impl Tx<'_> {
    pub fn insert_user(&self, new: &NewUser, now: Timestamp) -> Result<User> {
        self.tx
            .execute(
                "INSERT INTO users (login, display_name, created_at) VALUES (?1, ?2, ?3)",
                params![new.login, new.display_name, now],
            )
            .map_err(StoreError::unique("user", new.login.clone()))?;
        Ok(User {
            id: self.tx.last_insert_rowid(),
            login: new.login.clone(),
            display_name: new.display_name.clone(),
            created_at: now,
        })
    }

    pub fn user(&self, id: i64) -> Result<User> {
        self.tx
            .query_row(
                "SELECT id, login, display_name, created_at FROM users WHERE id = ?1",
                [id],
                user_from_row,
            )
            .optional()?
            .ok_or(StoreError::NotFound { entity: "user", id })
    }

    pub fn list_users(&self) -> Result<Vec<User>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, login, display_name, created_at FROM users ORDER BY display_name, id",
        )?;
        let rows = stmt.query_map([], user_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Grants `role`; granting a role the user already holds changes nothing.
    pub fn grant_role(&self, user_id: i64, company_id: i64, role: Role) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO user_roles (user_id, company_id, role) VALUES (?1, ?2, ?3)",
            params![user_id, company_id, role.as_str()],
        )?;
        Ok(())
    }

    pub fn roles(&self, user_id: i64, company_id: i64) -> Result<Vec<Role>> {
        let mut stmt = self
            .tx
            .prepare("SELECT role FROM user_roles WHERE user_id = ?1 AND company_id = ?2")?;
        let rows = stmt.query_map([user_id, company_id], |row| row.get::<_, String>(0))?;
        let mut roles = rows
            .map(|row| Role::parse(row?))
            .collect::<Result<Vec<_>>>()?;
        roles.sort();
        Ok(roles)
    }
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        login: row.get(1)?,
        display_name: row.get(2)?,
        created_at: row.get(3)?,
    })
}
