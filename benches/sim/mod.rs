//! A small simulator of media players, used by the tests and the players benchmark: each
//! simulated device registers with its player ID and MAC, polls its playlist with the version it
//! has (If-None-Match, optionally a long poll), and reports what it would show.

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
