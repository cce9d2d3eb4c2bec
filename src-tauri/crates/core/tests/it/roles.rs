//! The core enforces roles on reads and writes; the UI only mirrors them.

use desk_core::{ErrorKind, InvoiceDraft, Role, SalesQuery};

use crate::open;

/// Makes a new person, with `roles` in every company, the current user of the profile.
pub(crate) fn act_as(dir: &tempfile::TempDir, login: &str, roles: &[Role]) {
    let store = desk_store::Store::open(&dir.path().join(desk_core::DATABASE_FILE_NAME)).unwrap();
    store
        .write(|tx| {
            let user = tx.insert_user(
                &desk_store::NewUser {
                    login: login.into(),
                    display_name: login.into(),
                },
                chrono::Utc::now(),
            )?;
            for company in tx.list_companies()? {
                for role in roles {
                    tx.grant_role(user.id, company.id, *role)?;
                }
            }
            tx.set_app_setting("session.current_user_id", &user.id.to_string())
        })
        .unwrap();
}

#[test]
fn a_costs_clerk_sees_no_sales_and_an_accountant_reads_but_does_not_issue() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    desk.seed_demo().unwrap();
    let company = desk.companies().unwrap().remove(0).id;
    let listed = desk.sales_list(company, &SalesQuery::default()).unwrap();
    let document = listed.rows[0].id;

    act_as(&dir, "costs-clerk", &[Role::Costs]);
    for error in [
        desk.sales_list(company, &SalesQuery::default())
            .unwrap_err(),
        desk.sales_detail(company, document).unwrap_err(),
        desk.upo_xml(company, document).unwrap_err(),
        desk.sales_settings(company).unwrap_err(),
    ] {
        assert_eq!(error.code(), "forbidden", "{error:?}");
        assert_eq!(error.kind(), ErrorKind::Permission);
    }
    assert_eq!(desk.current_roles(company).unwrap(), [Role::Costs]);

    act_as(&dir, "accountant", &[Role::Accounting]);
    assert!(!desk
        .sales_list(company, &SalesQuery::default())
        .unwrap()
        .rows
        .is_empty());
    desk.sales_detail(company, document).unwrap();
    let error = desk
        .save_draft(company, None, &InvoiceDraft::default())
        .unwrap_err();
    assert_eq!(error.code(), "forbidden");
}

#[test]
fn the_cost_inbox_is_for_those_who_work_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir);
    desk.seed_demo().unwrap();
    let company = desk.companies().unwrap().remove(0).id;
    let query = desk_core::CostQuery {
        limit: 50,
        ..desk_core::CostQuery::default()
    };
    desk.costs(company, &query).unwrap();

    act_as(&dir, "sales-clerk", &[Role::Sales]);
    for error in [
        desk.costs(company, &query).unwrap_err(),
        desk.cost_inbox_counts(company).unwrap_err(),
    ] {
        assert_eq!(error.code(), "forbidden", "{error:?}");
    }

    act_as(&dir, "treasurer", &[Role::Finance]);
    desk.costs(company, &query).unwrap();
    desk.cost_inbox_counts(company).unwrap();
    assert_eq!(
        desk.sales_list(company, &SalesQuery::default())
            .unwrap_err()
            .code(),
        "forbidden"
    );
}
