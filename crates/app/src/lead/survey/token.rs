//! The survey link's token: the lead and an expiry, signed with HMAC-SHA256 under the
//! deployment's key, so nobody can make a link for a lead they were not sent one for.
//!
//! `<lead id>.<expiry, unix seconds>.<signature, 32 hex digits>` — URL-safe as it is.

use crate::kernel::auth::secrets_equal;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::LeadId;
use sha2::{Digest, Sha256};

/// Why a token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token of ours: malformed, or the signature does not match.
    Forged,
    /// A genuine token whose time is over.
    Expired,
}

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
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

fn signature(key: &[u8], lead: &str, expires: i64) -> String {
    let mac = hmac(key, format!("survey:{lead}:{expires}").as_bytes());
    hex::encode(&mac[..16])
}

/// A token for `lead` valid until `expires_at`.
pub fn sign(key: &[u8], lead: &LeadId, expires_at: DateTime<Utc>) -> String {
    let expires = expires_at.timestamp();
    format!(
        "{lead}.{expires}.{}",
        signature(key, lead.as_str(), expires)
    )
}

/// The lead a token was made for, if it is ours and still valid at `now`.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<LeadId, TokenError> {
    let mut parts = token.splitn(3, '.');
    let (Some(lead), Some(expires), Some(given)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Forged);
    };
    let lead_ok = !lead.is_empty()
        && lead.len() <= 64
        && lead
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let expires: i64 = match expires.parse() {
        Ok(e) if lead_ok => e,
        _ => return Err(TokenError::Forged),
    };
    if !secrets_equal(&signature(key, lead, expires), given) {
        return Err(TokenError::Forged);
    }
    if now.timestamp() >= expires {
        return Err(TokenError::Expired);
    }
    Ok(LeadId::new(lead))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    const KEY: &[u8] = b"a deployment's key";

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        let mac = hmac(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_signed_link_names_its_lead_until_it_expires() {
        let lead = LeadId::new("01JLEAD0000000000000000000");
        let token = sign(KEY, &lead, t0() + Duration::days(30));
        assert_eq!(verify(KEY, &token, t0()), Ok(lead.clone()));
        assert_eq!(
            verify(KEY, &token, t0() + Duration::days(30)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_changed_lead_expiry_or_key_is_a_forgery() {
        let lead = LeadId::new("01JLEAD0000000000000000000");
        let expires = t0() + Duration::days(30);
        let token = sign(KEY, &lead, expires);
        let (_, sig) = token.rsplit_once('.').unwrap();
        let other = format!("01JLEAD0000000000000000001.{}.{sig}", expires.timestamp());
        assert_eq!(verify(KEY, &other, t0()), Err(TokenError::Forged));
        let later = format!(
            "{lead}.{}.{sig}",
            (expires + Duration::days(365)).timestamp()
        );
        assert_eq!(verify(KEY, &later, t0()), Err(TokenError::Forged));
        assert_eq!(
            verify(b"another key", &token, t0()),
            Err(TokenError::Forged)
        );
        for junk in ["", "..", "abc", "a.b.c", "a.1.", &"x".repeat(3000)] {
            assert_eq!(verify(KEY, junk, t0()), Err(TokenError::Forged), "{junk}");
        }
    }
}
