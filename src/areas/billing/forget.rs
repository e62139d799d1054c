//! What a purge forgets besides the accounts and logins themselves: every row elsewhere that
//! names them. The audit keeps its records (who did what, when, to which id) with the names,
//! sign-in names, emails and addresses taken out; the partnership request keeps its package
//! and decision without its contact; mail to the purged people goes (with any password it
//! carried), and mail to others that names them is kept with the names taken out.

use crate::kernel::db::Row;
use crate::kernel::query::like_contains;
use sqlx::Row as _;

use crate::areas::accounts::deletion::SUBTREE;

/// What stands in for a name or address taken out of a text.
pub const REMOVED: &str = "[removed]";

/// Needles shorter than this are not searched for in free text (a two-letter account name
/// would blank half the audit log); they still go with the rows that carry them by id.
const MIN_NEEDLE: usize = 4;

/// How many needles one LIKE query tests at once.
const CHUNK: usize = 64;

/// Removes or anonymises, in `conn`'s transaction and before the subtree itself is deleted,
/// every row that names the accounts and logins of the subtree under `id`.
pub async fn forget_subtree(conn: &mut sqlx::AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    // Who goes: the accounts' names, the logins' names and emails, the request's contact.
    let mut needles: Vec<String> = Vec::new();
    let mut emails: Vec<String> = Vec::new();
    for r in sqlx::query(&format!("SELECT name FROM accounts WHERE id IN {SUBTREE}"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        needles.push(r.try_get("name")?);
    }
    for r in sqlx::query(&format!(
        "SELECT name, email FROM logins WHERE account_id IN {SUBTREE}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        needles.push(r.try_get("name")?);
        emails.push(r.try_get::<String, _>("email")?.to_lowercase());
    }
    let requests = sqlx::query(&format!(
        "SELECT id, company_name, contact_name, email, phone, website FROM partnership_requests \
         WHERE partner_account_id IN {SUBTREE}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &requests {
        for c in ["company_name", "contact_name", "phone", "website"] {
            needles.push(r.try_get(c)?);
        }
        emails.push(r.try_get::<String, _>("email")?.to_lowercase());
    }
    // A website is also named without its scheme.
    let bare: Vec<String> = needles
        .iter()
        .filter_map(|n| {
            n.strip_prefix("https://")
                .or_else(|| n.strip_prefix("http://"))
        })
        .map(|n| n.trim_end_matches('/').to_string())
        .collect();
    needles.extend(bare);
    needles.extend(emails.iter().cloned());
    let mut needles: Vec<String> = needles
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| n.chars().count() >= MIN_NEEDLE)
        .collect();
    // Longest first, so an email goes whole before the name inside it.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup();

    // Earlier requests from the same addresses go with them.
    for r in &requests {
        let rid: i64 = r.try_get("id")?;
        sqlx::query(
            "UPDATE partnership_requests SET company_name = $1, contact_name = $1, email = $1, \
             phone = '', website = '', description = '', ip = NULL WHERE id = $2",
        )
        .bind(REMOVED)
        .bind(rid)
        .execute(&mut *conn)
        .await?;
    }
    for email in &emails {
        sqlx::query(
            "UPDATE partnership_requests SET company_name = $1, contact_name = $1, email = $1, \
             phone = '', website = '', description = '', ip = NULL WHERE LOWER(email) = $2",
        )
        .bind(REMOVED)
        .bind(email)
        .execute(&mut *conn)
        .await?;
        // Failed sign-ins counted against the address.
        sqlx::query("DELETE FROM login_throttle WHERE LOWER(key) = $1")
            .bind(format!("email:{email}"))
            .execute(&mut *conn)
            .await?;
        // Mail to the purged people goes, with any password it carried.
        sqlx::query("DELETE FROM outbox WHERE LOWER(recipient) = $1")
            .bind(email)
            .execute(&mut *conn)
            .await?;
    }

    // What the purged logins did: the record stays, without who they were or where from.
    sqlx::query(&format!(
        "UPDATE audit_log SET login_email = NULL, ip = NULL \
         WHERE login_id IN (SELECT id FROM logins WHERE account_id IN {SUBTREE}) \
            OR home_account_id IN {SUBTREE}"
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;

    // Every other text that names them: the names taken out, the rest kept.
    redact(
        conn,
        "audit_log",
        &["login_email", "detail", "target_id"],
        &needles,
    )
    .await?;
    redact(
        conn,
        "outbox",
        &["recipient", "subject", "body_text", "body_html"],
        &needles,
    )
    .await?;
    redact(conn, "jobs", &["payload", "last_error"], &needles).await?;
    Ok(())
}

/// Replaces every needle in the given text columns of `table` (matched without regard to case).
async fn redact(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    needles: &[String],
) -> Result<(), sqlx::Error> {
    for chunk in needles.chunks(CHUNK) {
        let mut sql = format!("SELECT id, {} FROM {table} WHERE ", columns.join(", "));
        let tests: Vec<String> = (1..=chunk.len())
            .flat_map(|i| {
                columns
                    .iter()
                    .map(move |c| format!("LOWER({c}) LIKE ${i} ESCAPE '\\'"))
            })
            .collect();
        sql.push_str(&tests.join(" OR "));
        let mut q = sqlx::query(&sql);
        for n in chunk {
            q = q.bind(like_contains(n));
        }
        let rows: Vec<Row> = q.fetch_all(&mut *conn).await?;
        for r in rows {
            let row_id: i64 = r.try_get("id")?;
            for c in columns {
                let Some(text) = r.try_get::<Option<String>, _>(*c)? else {
                    continue;
                };
                let clean = remove_all(&text, needles);
                if clean != text {
                    sqlx::query(&format!("UPDATE {table} SET {c} = $1 WHERE id = $2"))
                        .bind(clean)
                        .bind(row_id)
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// `text` with every occurrence of every needle (in any case) replaced by [`REMOVED`].
pub fn remove_all(text: &str, needles: &[String]) -> String {
    let mut out = text.to_string();
    for n in needles {
        out = remove_one(&out, n);
    }
    out
}

fn remove_one(text: &str, needle: &str) -> String {
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    if lower.len() != text.len() || n.is_empty() {
        // Lowering changed byte lengths (rare scripts): replace the exact spelling only.
        return text.replace(needle, REMOVED);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(i) = lower[at..].find(&n) {
        out.push_str(&text[at..at + i]);
        out.push_str(REMOVED);
        at += i + n.len();
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_taken_out_in_any_case() {
        let needles = vec![
            "zelda@quill.example".to_string(),
            "Quill Studios".to_string(),
        ];
        assert_eq!(
            remove_all("ZELDA@quill.example created quill studios", &needles),
            "[removed] created [removed]"
        );
    }
}
