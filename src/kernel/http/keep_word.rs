//! The API keeps its word: query parameters and JSON bodies are held to what the OpenAPI document
//! says of them, read from the same utoipa derives that write the document (`IntoParams` of a
//! query struct, `ToSchema` of a body), so the two cannot drift apart.
//!
//! - A query parameter of the right type but outside its documented range, length or values (an
//!   empty value included, unless the empty text is one of them) is refused with 422
//!   `validation_failed` naming it. (A required one left out is refused by the rules, after the
//!   access checks, so that an account out of reach still answers 404.) Values that cannot be read as their type stay
//!   a 400 `invalid_query` (from the deserializer, which runs first).
//! - A body field sent as JSON `null` is refused with 422 naming it, unless its schema says it is
//!   nullable.

use crate::kernel::error::AppError;
use serde_json::Value;
use std::{
    any::TypeId,
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

/// One documented query parameter: its name and its schema as JSON.
struct Param {
    name: String,
    schema: Value,
}

/// One entry per type, computed once.
type Cache<V> = OnceLock<Mutex<HashMap<TypeId, Arc<V>>>>;

fn cached<V: Send + Sync + 'static>(
    cache: &'static Cache<V>,
    key: TypeId,
    make: impl FnOnce() -> V,
) -> Arc<V> {
    let map = cache.get_or_init(Default::default);
    if let Some(v) = map.lock().expect("cache").get(&key) {
        return v.clone();
    }
    let v = Arc::new(make());
    map.lock().expect("cache").insert(key, v.clone());
    v
}

fn params_of<T: utoipa::IntoParams + 'static>() -> Arc<Vec<Param>> {
    static CACHE: Cache<Vec<Param>> = OnceLock::new();
    cached(&CACHE, TypeId::of::<T>(), || {
        T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
            .into_iter()
            .map(|p| {
                let v = serde_json::to_value(&p).unwrap_or_default();
                Param {
                    name: p.name.clone(),
                    schema: v["schema"].clone(),
                }
            })
            .collect()
    })
}

/// Which top-level body fields may be `null`.
fn nullable_fields_of<T: utoipa::ToSchema + 'static>() -> Arc<HashMap<String, bool>> {
    static CACHE: Cache<HashMap<String, bool>> = OnceLock::new();
    cached(&CACHE, TypeId::of::<T>(), || {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(k, s)| (k.clone(), accepts_null(s)))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// True when a schema admits `null`: `type` lists it, an enum holds it, or a `oneOf`/`anyOf`
/// branch does.
pub fn accepts_null(s: &Value) -> bool {
    match &s["type"] {
        Value::String(t) if t == "null" => return true,
        Value::Array(ts) if ts.iter().any(|t| t == "null") => return true,
        _ => {}
    }
    if s["enum"]
        .as_array()
        .is_some_and(|e| e.contains(&Value::Null))
    {
        return true;
    }
    ["oneOf", "anyOf"]
        .iter()
        .any(|k| s[*k].as_array().is_some_and(|b| b.iter().any(accepts_null)))
}

/// Refuses `null` for every top-level field of `body` whose schema does not admit it.
pub fn check_nulls<T: utoipa::ToSchema + 'static>(body: &Value) -> Result<(), AppError> {
    let Some(obj) = body.as_object() else {
        return Ok(());
    };
    let fields = nullable_fields_of::<T>();
    for (k, v) in obj {
        if v.is_null() && fields.get(k) == Some(&false) {
            return Err(AppError::validation(
                k,
                format!("Send a value for {k} or leave it out: null is not accepted here"),
            ));
        }
    }
    Ok(())
}

/// Holds every documented parameter of `T` present in `query` to its schema.
pub fn check_query<T: utoipa::IntoParams + 'static>(query: &str) -> Result<(), AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    for p in params_of::<T>().iter() {
        for (_, v) in pairs.iter().filter(|(k, _)| *k == p.name) {
            check_value(&p.name, v, &p.schema)?;
        }
    }
    Ok(())
}

fn first_type(s: &Value) -> Option<&str> {
    match &s["type"] {
        Value::String(t) => Some(t.as_str()),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn check_value(name: &str, v: &str, s: &Value) -> Result<(), AppError> {
    let bad = |m: String| {
        Err(AppError::validation(
            name,
            format!("The query parameter {m}"),
        ))
    };
    if let Some(values) = s["enum"].as_array() {
        if !values.iter().any(|x| x.as_str() == Some(v)) {
            let list: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            return bad(format!("{name} is one of: {}", list.join(", ")));
        }
        return Ok(());
    }
    match first_type(s) {
        Some("integer") => {
            let (min, max) = (s["minimum"].as_i64(), s["maximum"].as_i64());
            let range = match (min, max) {
                (Some(a), Some(b)) => format!(" from {a} to {b}"),
                (Some(a), None) => format!(" of at least {a}"),
                (None, Some(b)) => format!(" of at most {b}"),
                (None, None) => String::new(),
            };
            match v.trim().parse::<i64>() {
                Ok(n) if min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m) => Ok(()),
                _ => bad(format!("{name} must be a whole number{range}")),
            }
        }
        Some("boolean") if v != "true" && v != "false" => {
            bad(format!("{name} must be true or false"))
        }
        Some("string") => {
            let n = v.chars().count() as u64;
            if let Some(max) = s["maxLength"].as_u64() {
                if n > max {
                    return bad(format!("{name} must be at most {max} characters"));
                }
            }
            if let Some(min) = s["minLength"].as_u64() {
                if n < min {
                    return bad(format!("{name} must be at least {min} characters"));
                }
            }
            if s["format"] == "date" {
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                if time::Date::parse(v, &fmt).is_err() {
                    return bad(format!("{name} is a date written YYYY-MM-DD"));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// For a body field where `null` means something (e.g. no limit): absent is `None` (with
/// `#[serde(default)]`), `null` is `Some(None)`, a value is `Some(Some(v))`.
pub fn value_or_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_held_to_their_schema() {
        let page = json!({ "type": "integer", "minimum": 1, "maximum": 100 });
        assert!(check_value("per_page", "1", &page).is_ok());
        assert!(check_value("per_page", "100", &page).is_ok());
        for v in ["0", "-5", "101", ""] {
            let e = check_value("per_page", v, &page).unwrap_err();
            assert_eq!(e.field(), Some("per_page"), "{v}");
        }
        let status = json!({ "type": "string", "enum": ["active", "inactive"] });
        assert!(check_value("status", "active", &status).is_ok());
        assert!(check_value("status", "", &status).is_err());
        let q = json!({ "type": "string", "maxLength": 3 });
        assert!(check_value("q", "", &q).is_ok());
        assert!(check_value("q", "äöü", &q).is_ok(), "characters, not bytes");
        assert!(check_value("q", "abcd", &q).is_err());
        let day = json!({ "type": "string", "format": "date" });
        assert!(check_value("to", "2026-02-28", &day).is_ok());
        assert!(check_value("to", "2026-02-30", &day).is_err());
        assert!(check_value("to", "", &day).is_err());
        let flag = json!({ "type": ["boolean", "null"] });
        assert!(check_value("all", "true", &flag).is_ok());
        assert!(check_value("all", "yes", &flag).is_err());
    }

    #[test]
    fn null_is_read_from_the_schema() {
        assert!(accepts_null(&json!({ "type": ["integer", "null"] })));
        assert!(accepts_null(
            &json!({ "oneOf": [{ "type": "null" }, { "$ref": "#/components/schemas/X" }] })
        ));
        assert!(!accepts_null(&json!({ "type": "string" })));
        assert!(!accepts_null(&json!({ "$ref": "#/components/schemas/X" })));
    }
}
