use rusqlite::{params, OptionalExtension};

use crate::{Result, Tx};

impl Tx<'_> {
    pub fn app_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT value FROM app_settings WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_app_setting(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
