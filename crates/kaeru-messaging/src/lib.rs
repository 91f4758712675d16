//! What leaves Kaeru for many people at once. An announcement is written once in Markdown and becomes an
//! e-mail (HTML and plain text, with the 特定電子メール法 footer and RFC 8058 one-click unsubscribe) or a
//! short LINE text with a link; links carry a token signed with the company's key, never a guessable id.
//! The LINE Messaging API is called directly (multicast, quota, link tokens) and its webhooks are verified
//! here (Base64 HMAC-SHA256 of the raw body, compared in constant time).

pub mod calendar;
pub mod compose;
pub mod line;
pub mod links;
pub mod markdown;
pub mod qr;

pub use compose::{Footer, Letter, Parts, Rendered, compose, compose_rendered};
pub use line::{LineClient, LineError, Quota, WebhookEvent, verify_signature};
