//! A small simulator of media players and monitoring probes, used by the tests and the players
//! and customers benchmarks: each simulated device registers with its player ID and MAC, polls
//! its playlist with the version it has (If-None-Match, optionally a long poll), and reports what
//! it would show; each simulated probe enrolls with a code of its site and checks in with its
//! token (the probe protocol under /probe/v1).

#![allow(dead_code)]

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// One simulated device.
#[derive(Clone, Debug, Default)]
pub struct Device {
    pub player_id: String,
    pub mac: String,
    pub token: Option<String>,
    /// The version it shows (the last ETag, without quotes).
    pub version: Option<String>,
    /// The last playlist answer it got.
    pub shows: Option<Value>,
}

/// The MAC address of simulated device `i` (locally administered, never multicast).
pub fn mac_of(i: u64) -> String {
    let b = i.to_be_bytes();
    format!(
        "02:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
        b[3], b[4], b[5], b[6], b[7]
    )
}

impl Device {
    pub fn new(player_id: &str, mac: &str) -> Device {
        Device {
            player_id: player_id.to_string(),
            mac: mac.to_string(),
            ..Device::default()
        }
    }

    /// Registers; keeps the token when one is given. Returns the status and the answer.
    pub async fn register(&mut self, c: &reqwest::Client, base: &str) -> (StatusCode, Value) {
        let r = c
            .post(format!("{base}/device/v1/register"))
            .json(&json!({"player_id": self.player_id, "mac": self.mac}))
            .send()
            .await
            .expect("register");
        let st = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if let Some(t) = v["token"].as_str() {
            self.token = Some(t.to_string());
        }
        (st, v)
    }

    /// Polls (a long poll of `wait` seconds when given); keeps what it gets. Returns the status
    /// and how long the answer took.
    pub async fn poll(
        &mut self,
        c: &reqwest::Client,
        base: &str,
        wait: Option<u32>,
    ) -> (StatusCode, Duration) {
        let url = match wait {
            Some(w) => format!("{base}/device/v1/playlist?wait={w}"),
            None => format!("{base}/device/v1/playlist"),
        };
        let mut rb = c.get(url);
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(v) = &self.version {
            rb = rb.header(header::IF_NONE_MATCH, format!("\"{v}\""));
        }
        let started = Instant::now();
        let r = rb.send().await.expect("poll");
        let st = r.status();
        if st == StatusCode::OK {
            let etag = r
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim_matches('"').to_string());
            let v: Value = r.json().await.unwrap_or(Value::Null);
            self.version = etag;
            self.shows = Some(v);
        } else {
            let _ = r.bytes().await;
        }
        (st, started.elapsed())
    }

    /// Reports the version it shows.
    pub async fn report(&self, c: &reqwest::Client, base: &str) -> StatusCode {
        let mut rb = c
            .post(format!("{base}/device/v1/report"))
            .json(&json!({"version": self.version.clone().unwrap_or_default()}));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        rb.send().await.expect("report").status()
    }

    /// What it would show, in words: the clip titles in order.
    pub fn showing(&self) -> Vec<String> {
        self.shows
            .as_ref()
            .and_then(|v| v["items"].as_array())
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["title"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One simulated probe: its token once enrolled (or given, for probes written in bulk).
#[derive(Clone, Debug, Default)]
pub struct Probe {
    pub name: String,
    pub token: Option<String>,
    pub probe_id: Option<i64>,
    /// The interval the panel told it, in seconds.
    pub interval_seconds: Option<i64>,
}

impl Probe {
    pub fn new(name: &str) -> Probe {
        Probe {
            name: name.to_string(),
            ..Probe::default()
        }
    }

    /// A probe that has its token already.
    pub fn with_token(name: &str, token: &str) -> Probe {
        Probe {
            name: name.to_string(),
            token: Some(token.to_string()),
            ..Probe::default()
        }
    }

    /// Enrolls with an enrollment code; keeps its token, id and interval when given. Returns
    /// the status and the answer.
    pub async fn enroll(
        &mut self,
        c: &reqwest::Client,
        base: &str,
        code: &str,
        host: &str,
        version: &str,
    ) -> (StatusCode, Value) {
        let r = c
            .post(format!("{base}/probe/v1/enroll"))
            .json(&json!({"code": code, "name": self.name, "host": host, "version": version}))
            .send()
            .await
            .expect("enroll");
        let st = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if let Some(t) = v["token"].as_str() {
            self.token = Some(t.to_string());
            self.probe_id = v["probe_id"].as_i64();
            self.interval_seconds = v["interval_seconds"].as_i64();
        }
        (st, v)
    }

    /// Checks in with `body` (`{}`, or its version and host). Returns the status, whether it
    /// was recorded (`None` when the answer is not a check-in) and how long the answer took.
    pub async fn check_in(
        &self,
        c: &reqwest::Client,
        base: &str,
        body: &Value,
    ) -> (StatusCode, Option<bool>, Duration) {
        let mut rb = c.post(format!("{base}/probe/v1/check-in")).json(body);
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        let started = Instant::now();
        let r = rb.send().await.expect("check-in");
        let st = r.status();
        let bytes = r.bytes().await.unwrap_or_default();
        let took = started.elapsed();
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (st, v["recorded"].as_bool(), took)
    }
}
