//! Holds the JSON API to its OpenAPI document: every answer a scenario test gets from /api/v1 is
//! recorded on the server side (method, matched route template, status, body) and checked
//! against the document served at /api/openapi.json: the route and status must be documented,
//! and a JSON body must validate against the documented schema of that answer. A test whose app
//! saw an answer that does not fits fails when the app is dropped.
//!
//! The validator covers the part of JSON Schema that utoipa writes: `type` (one or a list, with
//! "null"), `properties`, `required`, `items`, `enum`, `$ref`, `allOf`, `oneOf`, `anyOf`,
//! `minItems`/`maxItems`, `minLength`/`maxLength`, `minimum`/`maximum`, `format: date-time`.
//! Objects that declare `properties` are closed: a property the document does not name is an
//! error (so nothing is answered that the document does not describe).

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use serde_json::Value;
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

/// Answers checked in this process: all of them, and those whose JSON body was validated.
pub static ANSWERS: AtomicUsize = AtomicUsize::new(0);
pub static VALIDATED: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Default)]
pub struct Recorder {
    failures: Arc<Mutex<Vec<String>>>,
    answers: Arc<AtomicUsize>,
    validated: Arc<AtomicUsize>,
}

impl Recorder {
    /// The router with the recording layer around every route.
    pub fn wrap(&self, app: axum::Router) -> axum::Router {
        app.layer(axum::middleware::from_fn_with_state(self.clone(), record))
    }

    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }

    pub fn counts(&self) -> (usize, usize) {
        (
            self.answers.load(Ordering::SeqCst),
            self.validated.load(Ordering::SeqCst),
        )
    }

    fn check(&self, method: &str, route: &str, status: u16, body: Option<Result<Value, String>>) {
        let doc = partner_panel::kernel::http::openapi::spec();
        let outcome = check_answer(doc, method, route, status, body.as_ref());
        self.answers.fetch_add(1, Ordering::SeqCst);
        ANSWERS.fetch_add(1, Ordering::SeqCst);
        match outcome {
            Ok(true) => {
                self.validated.fetch_add(1, Ordering::SeqCst);
                VALIDATED.fetch_add(1, Ordering::SeqCst);
            }
            Ok(false) => {}
            Err(e) => self.failures.lock().unwrap().push(e),
        }
    }

    /// Called when the app stops: reports what did not fit, and (with PANEL_ANSWERS_LOG set)
    /// appends this app's counts to that file.
    pub fn finish(&self) {
        let (answers, validated) = self.counts();
        if let Ok(path) = std::env::var("PANEL_ANSWERS_LOG") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "{answers} {validated}");
            }
        }
        let failures = self.failures();
        if !failures.is_empty() && !std::thread::panicking() {
            let mut seen = failures.clone();
            seen.dedup();
            panic!(
                "{} API answer(s) do not fit the OpenAPI document:\n{}",
                failures.len(),
                seen.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

async fn record(State(rec): State<Recorder>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_ascii_lowercase();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let resp = next.run(req).await;
    let Some(route) = route.filter(|r| r.starts_with("/api/v1/")) else {
        return resp;
    };
    let status = resp.status().as_u16();
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !json {
        rec.check(&method, &route, status, None);
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let value = serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string());
    rec.check(&method, &route, status, Some(value));
    Response::from_parts(parts, Body::from(bytes))
}

/// Ok(true): documented and its JSON validated; Ok(false): documented, no JSON to validate.
pub fn check_answer(
    doc: &Value,
    method: &str,
    route: &str,
    status: u16,
    body: Option<&Result<Value, String>>,
) -> Result<bool, String> {
    let Some(op) = doc["paths"].get(route).and_then(|p| p.get(method)) else {
        if status == 405 {
            // No such operation: the router refused the method.
            return Ok(false);
        }
        return Err(format!(
            "{} {route} answered {status}: the operation is not documented",
            method.to_uppercase()
        ));
    };
    let Some(answer) = op["responses"]
        .get(status.to_string())
        .or_else(|| op["responses"].get("default"))
    else {
        return Err(format!(
            "{} {route} answered {status}, which its documentation does not list{}",
            method.to_uppercase(),
            body.and_then(|b| b.as_ref().ok())
                .map(|b| format!(": {}", excerpt(b)))
                .unwrap_or_default()
        ));
    };
    let Some(body) = body else {
        return Ok(false);
    };
    let value = body.as_ref().map_err(|e| {
        format!(
            "{} {route} answered {status} with a body that is not JSON: {e}",
            method.to_uppercase()
        )
    })?;
    let Some(schema) = answer["content"]["application/json"].get("schema") else {
        return Err(format!(
            "{} {route} answered {status} with JSON, documented without a JSON schema: {}",
            method.to_uppercase(),
            excerpt(value)
        ));
    };
    let mut errors = Vec::new();
    validate(doc, value, schema, "$", &mut errors);
    if errors.is_empty() {
        Ok(true)
    } else {
        Err(format!(
            "{} {route} {status}: {} in {}",
            method.to_uppercase(),
            errors.join("; "),
            excerpt(value)
        ))
    }
}

fn excerpt(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 400 {
        format!("{}…", s.chars().take(400).collect::<String>())
    } else {
        s
    }
}

fn type_matches(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// Validates `v` against `s` (resolving `$ref` in `doc`); errors name the JSON path.
pub fn validate(doc: &Value, v: &Value, s: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        match doc["components"]["schemas"].get(name) {
            Some(target) => validate(doc, v, target, at, errors),
            None => errors.push(format!("{at}: dangling $ref {r}")),
        }
        // Siblings of $ref (description) say nothing to validate.
        return;
    }
    if let Some(all) = s["allOf"].as_array() {
        for branch in all {
            validate(doc, v, branch, at, errors);
        }
    }
    for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(branches) = s[key].as_array() {
            let fitting = branches
                .iter()
                .filter(|b| {
                    let mut e = Vec::new();
                    validate(doc, v, b, at, &mut e);
                    e.is_empty()
                })
                .count();
            if (exactly_one && fitting != 1) || fitting == 0 {
                errors.push(format!(
                    "{at}: fits {fitting} of the {key} branches, not {}",
                    if exactly_one { "one" } else { "at least one" }
                ));
            }
        }
    }
    match &s["type"] {
        Value::String(t) if !type_matches(v, t) => {
            errors.push(format!("{at}: {} is not of type {t}", excerpt(v)));
            return;
        }
        Value::Array(ts)
            if !ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(v, t)) =>
        {
            errors.push(format!(
                "{at}: {} is not of types {}",
                excerpt(v),
                s["type"]
            ));
            return;
        }
        _ => {}
    }
    if let Some(values) = s["enum"].as_array() {
        if !values.contains(v) {
            errors.push(format!("{at}: {v} is not one of {}", s["enum"]));
        }
    }
    match v {
        Value::Object(o) => {
            for req in s["required"].as_array().into_iter().flatten() {
                if let Some(name) = req.as_str() {
                    if !o.contains_key(name) {
                        errors.push(format!("{at}: required property {name} is missing"));
                    }
                }
            }
            let props = s["properties"].as_object();
            for (k, pv) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => validate(doc, pv, ps, &format!("{at}.{k}"), errors),
                    None => match &s["additionalProperties"] {
                        Value::Bool(true) => {}
                        extra @ Value::Object(_) => {
                            validate(doc, pv, extra, &format!("{at}.{k}"), errors)
                        }
                        _ if props.is_some() => {
                            errors.push(format!("{at}: property {k} is not in the document"))
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = s["minItems"].as_u64() {
                if (items.len() as u64) < min {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            if let Some(max) = s["maxItems"].as_u64() {
                if items.len() as u64 > max {
                    errors.push(format!("{at}: more than {max} items"));
                }
            }
            if let Some(item) = s.get("items") {
                for (i, x) in items.iter().enumerate() {
                    validate(doc, x, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
        Value::String(text) => {
            let n = text.chars().count() as u64;
            if s["maxLength"].as_u64().is_some_and(|m| n > m) {
                errors.push(format!("{at}: longer than {}", s["maxLength"]));
            }
            if s["minLength"].as_u64().is_some_and(|m| n < m) {
                errors.push(format!("{at}: shorter than {}", s["minLength"]));
            }
            if s["format"] == "date-time"
                && time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .is_err()
            {
                errors.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
            }
        }
        Value::Number(n) => {
            if let (Some(x), Some(min)) = (n.as_f64(), s["minimum"].as_f64()) {
                if x < min {
                    errors.push(format!("{at}: {n} is below the minimum {min}"));
                }
            }
            if let (Some(x), Some(max)) = (n.as_f64(), s["maximum"].as_f64()) {
                if x > max {
                    errors.push(format!("{at}: {n} is above the maximum {max}"));
                }
            }
        }
        _ => {}
    }
}
