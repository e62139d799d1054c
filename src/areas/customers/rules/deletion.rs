//! Deleting several customers through the accounts' deletion: the preview, the question, the delete.

use super::*;
use crate::areas::accounts::AccountId;

/// Every count of a deletion preview by name ("accounts" are the customers).
fn preview_counts(p: &accounts::DeletionPreview) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(p) {
        for (k, v) in m {
            if let Some(n) = v.as_i64() {
                let k = if k == "accounts" {
                    "customers".to_string()
                } else {
                    k
                };
                out.insert(k, n);
            }
        }
    }
    out
}

fn add_counts(into: &mut BTreeMap<String, i64>, from: BTreeMap<String, i64>) {
    for (k, v) in from {
        *into.entry(k).or_insert(0) += v;
    }
}

/// "Delete 2 customers, 3 logins and 4 sites?": every count by name, customers first.
pub fn question(counts: &BTreeMap<String, i64>) -> String {
    let word = |k: &str, n: i64| {
        let noun = if n == 1 {
            k.strip_suffix('s').unwrap_or(k).to_string()
        } else {
            k.to_string()
        };
        format!("{n} {noun}")
    };
    let mut parts = vec![word("customers", *counts.get("customers").unwrap_or(&0))];
    // What may be none (sites, probes) is named only when some go.
    for (k, n) in counts
        .iter()
        .filter(|(k, n)| k.as_str() != "customers" && (**n > 0 || k.as_str() == "logins"))
    {
        parts.push(word(k, *n));
    }
    let last = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        format!("Delete {last}?")
    } else {
        format!("Delete {} and {last}?", parts.join(", "))
    }
}

/// What deleting the customers `ids` would remove (admins and owners).
pub async fn deletion_preview(
    state: &AppState,
    who: &Identity,
    ids: &[i64],
) -> AppResult<(CustomerDeletion, Vec<accounts::DeletionPreview>)> {
    let ids = crate::kernel::http::table::check_ids(ids.to_vec())?;
    let mut customers = Vec::with_capacity(ids.len());
    let mut previews = Vec::with_capacity(ids.len());
    let mut counts = BTreeMap::new();
    // Every id as the single-customer routes check it, before anything is read.
    for id in &ids {
        access::resource(state, who, &CUSTOMER, *id, Need::Admin).await?;
    }
    for id in &ids {
        let p = accounts::deletion_preview(state, who, AccountId(*id)).await?;
        add_counts(&mut counts, preview_counts(&p));
        previews.push(p);
        customers.push(
            store::get(&state.db, AccountId(*id))
                .await?
                .ok_or(AppError::NotFound)?,
        );
    }
    Ok((
        CustomerDeletion {
            customers,
            question: question(&counts),
            counts,
        },
        previews,
    ))
}

/// Deletes the customers `ids` with everything that goes with them, in one transaction, each
/// counted again under the lock; `confirm` must be the number of customers the confirmation named.
pub async fn delete(
    state: &AppState,
    who: &Identity,
    input: &DeleteCustomers,
) -> AppResult<CustomerDeletion> {
    let (before, previews) = deletion_preview(state, who, &input.ids).await?;
    let n = before.customers.len() as i64;
    if input.confirm != Some(n) {
        return Err(AppError::field_code(
            ErrorCode::ConfirmationRequired,
            "confirm",
            format!(
                "{} Confirm with the number of customers ({n}).",
                before.question
            ),
        ));
    }
    let view = accounts::get(&state.db, who.view_account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let mut counts = BTreeMap::new();
    for p in previews {
        let accounts_now = accounts::deletion::count_subtree(&mut tx, p.account.id)
            .await?
            .accounts;
        let done = accounts::deletion::delete_in(
            &mut tx,
            state.db.backend,
            now,
            who,
            &view,
            p,
            Some(accounts_now),
        )
        .await?;
        add_counts(&mut counts, preview_counts(&done));
    }
    let names: Vec<&str> = before.customers.iter().map(|c| c.name.as_str()).collect();
    let question = question(&counts);
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(view.id),
            action: "customer.delete",
            target_type: Some("account"),
            target_id: Some(
                before
                    .customers
                    .iter()
                    .map(|c| c.id.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            detail: Some(format!(
                "{} ({})",
                question.trim_start_matches("Delete ").trim_end_matches('?'),
                names.join(", ")
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CustomerDeletion {
        customers: before
            .customers
            .into_iter()
            .map(|c| Customer {
                status: "deleted".into(),
                ..c
            })
            .collect(),
        question,
        counts,
    })
}
