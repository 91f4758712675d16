//! Secret tokens (sessions, sign-in links, API tokens): made from the OS's randomness, stored only hashed.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored only as their SHA-256 (sessions, sign-in links, API tokens).
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
