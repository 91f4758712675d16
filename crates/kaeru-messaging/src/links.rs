//! Tokens for the links in a message (read it on the web, unsubscribe): the delivery's id and an
//! HMAC-SHA256 over it with the company's key, so a link cannot be guessed or made for someone else, and
//! nothing needs storing per message.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the MAC kept in a token (128 bits).
const TAG: usize = 16;

fn mac(key: &[u8], purpose: &str, id: Uuid) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(purpose.as_bytes());
    m.update(b":");
    m.update(id.as_bytes());
    m
}

/// A token for `id`, for one `purpose` of link (`read`, `unsubscribe`).
pub fn sign(key: &[u8], purpose: &str, id: Uuid) -> String {
    let tag = mac(key, purpose, id).finalize().into_bytes();
    let mut raw = Vec::with_capacity(16 + TAG);
    raw.extend_from_slice(id.as_bytes());
    raw.extend_from_slice(&tag[..TAG]);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The id a token names, before its signature is checked (to find the company whose key checks it).
pub fn id_of(token: &str) -> Option<Uuid> {
    if token.len() > 64 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    (raw.len() == 16 + TAG).then(|| Uuid::from_slice(&raw[..16]).ok())?
}

/// Whether the token was made with `key` for `purpose`; compared in constant time.
pub fn verify(key: &[u8], purpose: &str, token: &str) -> Option<Uuid> {
    let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    if raw.len() != 16 + TAG {
        return None;
    }
    let id = Uuid::from_slice(&raw[..16]).ok()?;
    mac(key, purpose, id)
        .verify_truncated_left(&raw[16..])
        .ok()
        .map(|()| id)
}

/// A fresh random key for a company (hex of 32 bytes).
pub fn new_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut s = String::with_capacity(64);
    for byte in bytes {
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_with_its_key_and_purpose() {
        let id = Uuid::now_v7();
        let t = sign(b"key-a", "unsubscribe", id);
        assert_eq!(id_of(&t), Some(id));
        assert_eq!(verify(b"key-a", "unsubscribe", &t), Some(id));
        assert_eq!(verify(b"key-b", "unsubscribe", &t), None);
        assert_eq!(verify(b"key-a", "read", &t), None);
        let mut forged = t.clone();
        forged.replace_range(40..41, if &t[40..41] == "A" { "B" } else { "A" });
        assert_eq!(verify(b"key-a", "unsubscribe", &forged), None);
        assert_eq!(id_of("not a token"), None);
        assert_eq!(new_key().len(), 64);
    }
}
