use crate::{Result, Tx};

/// How many of a company's sales documents are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesCounts {
    pub draft: u32,
    pub issued: u32,
    pub queued: u32,
    pub sending: u32,
    pub accepted: u32,
    pub rejected: u32,
}

/// How many of a company's cost documents are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostCounts {
    pub new: u32,
    pub described: u32,
    pub approved: u32,
    pub rejected: u32,
    pub paid: u32,
}

impl Tx<'_> {
    pub fn sales_counts(&self, company_id: i64) -> Result<SalesCounts> {
        let mut counts = SalesCounts::default();
        for (status, n) in self.count_by_status("sales_documents", company_id)? {
            let slot = match status.as_str() {
                "draft" => &mut counts.draft,
                "issued" => &mut counts.issued,
                "queued" => &mut counts.queued,
                "sending" => &mut counts.sending,
                "accepted" => &mut counts.accepted,
                "rejected" => &mut counts.rejected,
                _ => continue,
            };
            *slot = n;
        }
        Ok(counts)
    }

    pub fn cost_counts(&self, company_id: i64) -> Result<CostCounts> {
        let mut counts = CostCounts::default();
        for (status, n) in self.count_by_status("cost_documents", company_id)? {
            let slot = match status.as_str() {
                "new" => &mut counts.new,
                "described" => &mut counts.described,
                "approved" => &mut counts.approved,
                "rejected" => &mut counts.rejected,
                "paid" => &mut counts.paid,
                _ => continue,
            };
            *slot = n;
        }
        Ok(counts)
    }

    /// Outbox rows not yet done, across all companies: what the status bar shows.
    pub fn pending_outbox_count(&self) -> Result<u32> {
        Ok(self.tx.query_row(
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')",
            [],
            |row| row.get(0),
        )?)
    }

    fn count_by_status(&self, table: &'static str, company_id: i64) -> Result<Vec<(String, u32)>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT status, count(*) FROM {table} WHERE company_id = ?1 GROUP BY status"
        ))?;
        let rows = stmt.query_map([company_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
