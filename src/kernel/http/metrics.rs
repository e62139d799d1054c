//! Prometheus metrics: requests by route and status, a latency histogram, job and outbox gauges.

use crate::state::AppState;
use axum::{extract::State, http::header, response::IntoResponse};
use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Duration};

const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
    }
}

fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// /metrics on the panel's address: only with the configured bearer token (401 without it or
/// with another; 404 when no token is configured, as if there were no such page).
pub async fn render_guarded(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    match &state.config.metrics_token {
        None => crate::kernel::error::AppError::NotFound.into_response(),
        Some(token) if !bearer_is(&headers, token.expose()) => {
            crate::kernel::error::AppError::Unauthenticated.into_response()
        }
        Some(_) => render(State(state)).await.into_response(),
    }
}

/// The router of the separate metrics address (PANEL_METRICS_BIND): /metrics alone, with the
/// token too when one is configured.
pub fn separate_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(
                |State(state): State<AppState>, headers: axum::http::HeaderMap| async move {
                    match &state.config.metrics_token {
                        Some(t) if !bearer_is(&headers, t.expose()) => {
                            crate::kernel::error::AppError::Unauthenticated.into_response()
                        }
                        _ => render(State(state)).await.into_response(),
                    }
                },
            ),
        )
        .with_state(state)
}

/// Whether the request carries `Authorization: Bearer <token>` (compared in constant time).
fn bearer_is(headers: &axum::http::HeaderMap, token: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let (a, b) = (given.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    out.push_str("# HELP panel_http_requests_total HTTP requests by method, route and status.\n");
    out.push_str("# TYPE panel_http_requests_total counter\n");
    if let Ok(m) = state.metrics.requests.lock() {
        for ((method, route, status), n) in m.iter() {
            let _ = writeln!(
                out,
                "panel_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(method),
                label(route)
            );
        }
    }
    out.push_str("# HELP panel_http_request_duration_seconds Request latency by route.\n");
    out.push_str("# TYPE panel_http_request_duration_seconds histogram\n");
    if let Ok(m) = state.metrics.latency.lock() {
        for (route, h) in m.iter() {
            let r = label(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "panel_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "panel_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "panel_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "panel_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
    }
    out.push_str("# HELP panel_jobs Jobs in the job table by status.\n# TYPE panel_jobs gauge\n");
    let mut outbox = String::from(
        "# HELP panel_outbox Messages in the outbox by status.\n# TYPE panel_outbox gauge\n",
    );
    let mut up = 1;
    match crate::kernel::jobs::gauges(&state).await {
        Ok(g) => {
            for (table, status, n) in g {
                let line = format!("{{status=\"{}\"}} {n}\n", label(&status));
                if table == "jobs" {
                    out.push_str("panel_jobs");
                    out.push_str(&line);
                } else {
                    outbox.push_str("panel_outbox");
                    outbox.push_str(&line);
                }
            }
        }
        Err(_) => up = 0,
    }
    out.push_str(&outbox);
    let _ = writeln!(out, "# HELP panel_database_up Whether the last metrics read reached the database.\n# TYPE panel_database_up gauge\npanel_database_up {up}");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
