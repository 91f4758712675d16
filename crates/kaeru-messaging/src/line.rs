//! The LINE Messaging API, called directly: multicast (at most 500 user ids, `X-Line-Retry-Key` so a retry
//! is never a second message), the monthly quota and its consumption, link tokens for account linking,
//! replies; and the webhook's signature (Base64 HMAC-SHA256 of the raw body with the channel secret).
//! The base URL is configurable (`KAERU_LINE_API_URL`) so tests talk to a fake LINE on loopback.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::fmt;
use std::time::Duration;

/// LINE's own API.
pub const DEFAULT_API_URL: &str = "https://api.line.me";
/// Where a person confirms an account link.
pub const DEFAULT_ACCESS_URL: &str = "https://access.line.me";

/// Whether `signature` (the `X-Line-Signature` header) is the Base64 HMAC-SHA256 of `body` with `secret`.
pub fn verify_signature(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The signature LINE would put on `body` (for the fake server in tests, and for checking by hand).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A channel's access to the API. The token never appears in `Debug` output.
#[derive(Clone)]
pub struct LineClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl fmt::Debug for LineClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineClient")
            .field("base", &self.base)
            .field("token", &"***")
            .finish()
    }
}

/// Why a call to LINE did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    /// 429: too many requests, or the month's messages are used up.
    #[error("LINE refused for now (429): {0}")]
    TooMany(String),
    /// 401/403: the access token is wrong or revoked.
    #[error("LINE did not accept the channel access token ({0})")]
    Unauthorized(u16),
    /// 4xx other than the above: the request itself is wrong; retrying will not help.
    #[error("LINE refused the request ({status}): {body}")]
    Rejected { status: u16, body: String },
    /// 5xx or a network failure: worth retrying with the same retry key.
    #[error("LINE could not be reached: {0}")]
    Unavailable(String),
}

impl LineError {
    /// Whether the month's quota is what refused.
    pub fn is_quota(&self) -> bool {
        matches!(self, Self::TooMany(b) if b.to_ascii_lowercase().contains("monthly limit"))
    }
}

/// The month's messages: the plan's limit (`None` when unlimited) and how many were sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: Option<i64>,
    pub used: i64,
}

impl Quota {
    pub fn remaining(&self) -> Option<i64> {
        self.limit.map(|l| (l - self.used).max(0))
    }
}

#[derive(Deserialize)]
struct QuotaBody {
    #[serde(rename = "type")]
    kind: String,
    value: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsumptionBody {
    total_usage: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkTokenBody {
    link_token: String,
}

impl LineClient {
    pub fn new(base: &str, token: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    async fn check(r: reqwest::Result<reqwest::Response>) -> Result<reqwest::Response, LineError> {
        let r = r.map_err(|e| LineError::Unavailable(e.to_string()))?;
        let status = r.status().as_u16();
        if r.status().is_success() {
            return Ok(r);
        }
        let body: String = r
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        Err(match status {
            429 => LineError::TooMany(body),
            401 | 403 => LineError::Unauthorized(status),
            400..=499 => LineError::Rejected { status, body },
            _ => LineError::Unavailable(format!("{status} {body}")),
        })
    }

    /// A GET or POST of `path` with the token, its JSON answer read as `T`.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<T, LineError> {
        Self::check(
            self.http
                .request(method, format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await,
        )
        .await?
        .json()
        .await
        .map_err(|e| LineError::Unavailable(e.to_string()))
    }

    /// The month's limit and use.
    pub async fn quota(&self) -> Result<Quota, LineError> {
        let q: QuotaBody = self
            .call(reqwest::Method::GET, "/v2/bot/message/quota")
            .await?;
        let c: ConsumptionBody = self
            .call(reqwest::Method::GET, "/v2/bot/message/quota/consumption")
            .await?;
        Ok(Quota {
            limit: (q.kind == "limited").then_some(q.value.unwrap_or(0)),
            used: c.total_usage,
        })
    }

    /// Sends one text to up to 500 users. A 409 for a retry key LINE already accepted is success: the
    /// earlier attempt went through.
    pub async fn multicast(
        &self,
        to: &[String],
        text: &str,
        retry_key: uuid::Uuid,
    ) -> Result<(), LineError> {
        debug_assert!(to.len() <= kaeru_domain::announcement::LINE_BATCH);
        self.send_once("multicast", serde_json::json!(to), text, retry_key)
            .await
    }

    /// Sends one text to one user (a message of their own, such as a job alert), with a retry key so a
    /// retry after a lost answer is not sent twice.
    pub async fn push(&self, to: &str, text: &str, retry_key: uuid::Uuid) -> Result<(), LineError> {
        self.send_once("push", serde_json::json!(to), text, retry_key)
            .await
    }

    /// `POST /v2/bot/message/{kind}` of one text with `X-Line-Retry-Key`; a 409 with
    /// `x-line-accepted-request-id` means LINE accepted an earlier attempt with this key.
    async fn send_once(
        &self,
        kind: &str,
        to: serde_json::Value,
        text: &str,
        retry_key: uuid::Uuid,
    ) -> Result<(), LineError> {
        let body = serde_json::json!({
            "to": to,
            "messages": [{"type": "text", "text": text}],
        });
        let r = self
            .http
            .post(format!("{}/v2/bot/message/{kind}", self.base))
            .bearer_auth(&self.token)
            .header("X-Line-Retry-Key", retry_key.to_string())
            .json(&body)
            .send()
            .await
            .map_err(|e| LineError::Unavailable(e.to_string()))?;
        if r.status().as_u16() == 409 && r.headers().contains_key("x-line-accepted-request-id") {
            return Ok(());
        }
        Self::check(Ok(r)).await.map(|_| ())
    }

    /// Answers an event that came with a reply token.
    pub async fn reply(&self, reply_token: &str, text: &str) -> Result<(), LineError> {
        let body = serde_json::json!({
            "replyToken": reply_token,
            "messages": [{"type": "text", "text": text}],
        });
        Self::check(
            self.http
                .post(format!("{}/v2/bot/message/reply", self.base))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await,
        )
        .await
        .map(|_| ())
    }

    /// A link token for a user who follows the account, to start account linking.
    pub async fn link_token(&self, user_id: &str) -> Result<String, LineError> {
        let b: LinkTokenBody = self
            .call(
                reqwest::Method::POST,
                &format!("/v2/bot/user/{user_id}/linkToken"),
            )
            .await?;
        Ok(b.link_token)
    }
}

/// The events Kaeru acts on, read from a webhook body; others are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookEvent {
    Follow {
        user: String,
        reply_token: Option<String>,
    },
    Unfollow {
        user: String,
    },
    Text {
        user: String,
        text: String,
        reply_token: Option<String>,
    },
    /// The person confirmed an account link; `ok` is false when LINE reports it failed.
    AccountLink {
        user: String,
        nonce: String,
        ok: bool,
    },
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    #[serde(rename = "type")]
    kind: String,
    source: Option<RawSource>,
    reply_token: Option<String>,
    message: Option<RawMessage>,
    link: Option<RawLink>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSource {
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct RawLink {
    result: String,
    nonce: String,
}

/// Reads a webhook body (already verified). A body that is not LINE's JSON is an error.
pub fn parse_events(body: &[u8]) -> Result<Vec<WebhookEvent>, serde_json::Error> {
    let b: Body = serde_json::from_slice(body)?;
    Ok(b.events
        .into_iter()
        .filter_map(|e| {
            let user = e.source.and_then(|s| s.user_id)?;
            if user.is_empty() || user.len() > 64 {
                return None;
            }
            match e.kind.as_str() {
                "follow" => Some(WebhookEvent::Follow {
                    user,
                    reply_token: e.reply_token,
                }),
                "unfollow" => Some(WebhookEvent::Unfollow { user }),
                "message" => {
                    let m = e.message?;
                    (m.kind == "text").then_some(())?;
                    Some(WebhookEvent::Text {
                        user,
                        text: m.text?.chars().take(200).collect(),
                        reply_token: e.reply_token,
                    })
                }
                "accountLink" => {
                    let l = e.link?;
                    Some(WebhookEvent::AccountLink {
                        user,
                        ok: l.result == "ok",
                        nonce: l.nonce.chars().take(200).collect(),
                    })
                }
                _ => None,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_raw_body() {
        let body = br#"{"destination":"U0","events":[]}"#;
        let sig = sign("secret", body);
        assert!(verify_signature("secret", body, &sig));
        assert!(!verify_signature("other", body, &sig));
        assert!(!verify_signature("secret", b"{}", &sig));
        assert!(!verify_signature("secret", body, ""));
        assert!(!verify_signature("secret", body, "not base64!"));
    }

    #[test]
    fn events_are_read_and_unknown_ones_ignored() {
        let body = br#"{"destination":"U0","events":[
          {"type":"follow","source":{"type":"user","userId":"U1"},"replyToken":"r1"},
          {"type":"message","source":{"type":"user","userId":"U2"},"replyToken":"r2","message":{"type":"text","id":"1","text":"123456"}},
          {"type":"accountLink","source":{"type":"user","userId":"U3"},"link":{"result":"ok","nonce":"n"}},
          {"type":"unfollow","source":{"type":"user","userId":"U4"}},
          {"type":"beacon","source":{"type":"user","userId":"U5"}},
          {"type":"message","source":{"type":"group","groupId":"G"},"message":{"type":"text","text":"x"}}
        ]}"#;
        let ev = parse_events(body).unwrap();
        assert_eq!(ev.len(), 4);
        assert!(matches!(&ev[1], WebhookEvent::Text { text, .. } if text == "123456"));
        assert!(matches!(&ev[2], WebhookEvent::AccountLink { ok: true, .. }));
        assert!(parse_events(b"not json").is_err());
    }
}
