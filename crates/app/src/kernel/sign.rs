//! Signed tokens: a payload the platform hands out (a lead form's token, a survey link)
//! and later takes back, knowing it made it, for what, and until when.
//!
//! `<base64url(payload)>.<base64url(HMAC-SHA256(key, purpose NUL expires NUL payload))>`,
//! where the payload carries the expiry in front (`<unix seconds>:<data>`). The purpose is
//! part of the MAC, so a token made for one use (a form) is worthless for another (a
//! survey). HMAC is built on `sha2` here (RFC 2104) rather than a second digest stack.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

/// Why a token was not taken back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of ours (malformed, forged, or made for another purpose).
    #[error("the token is not valid")]
    Invalid,
    /// Ours, but past its expiry.
    #[error("the token expired")]
    Expired,
}

/// What a valid token carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub data: String,
    pub expires: DateTime<Utc>,
}

const BLOCK: usize = 64;

/// A fresh random key (256 bits, hex).
pub fn new_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// HMAC-SHA256 of `message` under `key` (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn mac(key: &str, purpose: &str, payload: &str) -> [u8; 32] {
    let mut message = Vec::with_capacity(purpose.len() + payload.len() + 1);
    message.extend_from_slice(purpose.as_bytes());
    message.push(0);
    message.extend_from_slice(payload.as_bytes());
    hmac_sha256(key.as_bytes(), &message)
}

/// A token for `purpose` carrying `data`, valid until `expires`.
pub fn sign(key: &str, purpose: &str, data: &str, expires: DateTime<Utc>) -> String {
    let payload = format!("{}:{data}", expires.timestamp());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload.as_bytes()),
        URL_SAFE_NO_PAD.encode(mac(key, purpose, &payload))
    )
}

/// Takes a token back: ours, for `purpose`, and not expired at `now`. The MAC is compared
/// in constant time; nothing of the payload is trusted before it matched.
pub fn verify(
    key: &str,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Signed, TokenError> {
    let (payload, tag) = token.split_once('.').ok_or(TokenError::Invalid)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|p| String::from_utf8(p).ok())
        .ok_or(TokenError::Invalid)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| TokenError::Invalid)?;
    let expected = mac(key, purpose, &payload);
    let same = tag.len() == expected.len()
        && tag
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(TokenError::Invalid);
    }
    let (expires, data) = payload.split_once(':').ok_or(TokenError::Invalid)?;
    let expires = expires
        .parse::<i64>()
        .ok()
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .ok_or(TokenError::Invalid)?;
    if now > expires {
        return Err(TokenError::Expired);
    }
    Ok(Signed {
        data: data.to_string(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_token_comes_back_with_its_data_until_it_expires() {
        let t = sign("k", "survey", "01LEAD", at(48));
        let back = verify("k", "survey", &t, at(1)).unwrap();
        assert_eq!(back.data, "01LEAD");
        assert_eq!(back.expires, at(48));
        assert_eq!(verify("k", "survey", &t, at(49)), Err(TokenError::Expired));
    }

    #[test]
    fn a_forged_or_foreign_token_is_invalid() {
        let t = sign("k", "survey", "01LEAD", at(48));
        assert_eq!(
            verify("other", "survey", &t, at(1)),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            verify("k", "lead_form", &t, at(1)),
            Err(TokenError::Invalid)
        );
        let (p, s) = t.split_once('.').unwrap();
        let forged = format!(
            "{}.{s}",
            URL_SAFE_NO_PAD.encode(format!("{}:01OTHER", at(48).timestamp()))
        );
        assert_eq!(
            verify("k", "survey", &forged, at(1)),
            Err(TokenError::Invalid)
        );
        for junk in ["", ".", "abc", &format!("{p}."), "ä.ö"] {
            assert_eq!(verify("k", "survey", junk, at(1)), Err(TokenError::Invalid));
        }
    }
}
