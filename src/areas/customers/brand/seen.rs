//! Reading brands: an account's own, the one a login sees, and a sign-in link's.

use super::*;
use crate::areas::accounts::AccountId;

/// The rebrand information an account carries itself.
pub async fn own_brand(
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
) -> Result<Option<Brand>, sqlx::Error> {
    let q = format!("SELECT {BRAND_COLUMNS} FROM brands b WHERE b.account_id = $1");
    let row = sqlx::query(&q)
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The brand a login of `account_id` sees: its account's own, else the nearest account above
/// with one (the operator's last); none when nobody on the way carries one.
pub async fn brand_seen_from(
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
) -> Result<Option<Brand>, sqlx::Error> {
    let sql = seen_from_sql(account_id);
    let row = sql.query().fetch_optional(&mut *conn).await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The query of `brand_seen_from`: one row of `BRAND_COLUMNS`, or none.
pub fn seen_from_sql(account_id: AccountId) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {BRAND_COLUMNS} FROM account_closure c JOIN brands b ON b.account_id = c.ancestor_id \
         WHERE c.descendant_id = "
    ));
    sql.int(account_id).push(" ORDER BY c.depth LIMIT 1");
    sql
}

/// The brand of a row that joined `seen_from_sql` from the left: none when it found none.
pub fn brand_from_joined_row(r: &Row) -> Result<Option<Brand>, sqlx::Error> {
    match r.try_get::<Option<i64>, _>("account_id")? {
        Some(_) => brand_from_row(r).map(Some),
        None => Ok(None),
    }
}

/// The brand of a sign-in link's key.
pub async fn brand_by_key(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<Brand>, sqlx::Error> {
    let q = format!(
        "SELECT {BRAND_COLUMNS} FROM brands b JOIN accounts a ON a.id = b.account_id \
         WHERE b.sign_in_key = $1 AND a.status <> 'deleted'"
    );
    let row = sqlx::query(&q).bind(key).fetch_optional(&mut *conn).await?;
    row.as_ref().map(brand_from_row).transpose()
}

/// The logo of a sign-in link's key: its type and bytes.
pub async fn logo_by_key(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT b.logo_type, b.logo FROM brands b JOIN accounts a ON a.id = b.account_id \
         WHERE b.sign_in_key = $1 AND a.status <> 'deleted' AND b.logo IS NOT NULL",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(Some((r.try_get("logo_type")?, r.try_get("logo")?))),
        None => Ok(None),
    }
}
