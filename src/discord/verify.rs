//! Discord's request signatures: every POST to the interactions endpoint carries
//! `X-Signature-Ed25519`, an Ed25519 signature by the application's key over
//! `X-Signature-Timestamp` followed by the raw body. A request is read only once
//! its signature checks out against the application's public key (Developer Portal
//! → General Information → Public Key), and its timestamp is near now, so that a
//! captured request cannot be replayed later.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signature, VerifyingKey, SIGNATURE_LENGTH};

pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";
/// How far a request's timestamp may be from now, either way. Discord sends at
/// once; a few seconds of clock difference are usual, and a request older than this
/// is a replay or was held up too long to be answered in Discord's 3 seconds anyway.
pub const MAX_SKEW: Duration = Duration::from_secs(60);

/// Why a request was refused (all are 401: the sender is not shown which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no {0} header")]
    Missing(&'static str),
    #[error("a malformed {0} header")]
    Malformed(&'static str),
    #[error("a signature that does not match the application's public key")]
    Forged,
    #[error("a timestamp too far from now")]
    Stale,
}

impl Rejection {
    /// A short name, for the metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Rejection::Missing(_) => "missing_header",
            Rejection::Malformed(_) => "malformed_header",
            Rejection::Forged => "bad_signature",
            Rejection::Stale => "stale_timestamp",
        }
    }
}

/// A public key that is not 32 bytes of hex, or not a point on the curve.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the public key is not valid: it should be the 64 hex digits shown as Public Key in the Discord Developer Portal → your application → General Information")]
pub struct BadPublicKey;

/// Checks requests against one application's public key.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: VerifyingKey,
}

/// The signature and timestamp of a request, read from its headers.
#[derive(Debug, Clone)]
pub struct Signed {
    signature: Signature,
    timestamp: String,
}

impl Verifier {
    /// From the hex form the Developer Portal shows.
    pub fn from_hex(hex: &str) -> Result<Verifier, BadPublicKey> {
        let bytes: [u8; 32] = decode_hex(hex.trim()).and_then(|b| b.try_into().ok()).ok_or(BadPublicKey)?;
        Ok(Verifier { key: VerifyingKey::from_bytes(&bytes).map_err(|_| BadPublicKey)? })
    }

    /// The signature headers, before the body is read.
    pub fn headers(signature: Option<&[u8]>, timestamp: Option<&[u8]>) -> Result<Signed, Rejection> {
        let signature = signature.ok_or(Rejection::Missing(SIGNATURE_HEADER))?;
        let timestamp = timestamp.ok_or(Rejection::Missing(TIMESTAMP_HEADER))?;
        let signature: [u8; SIGNATURE_LENGTH] = std::str::from_utf8(signature)
            .ok()
            .and_then(decode_hex)
            .and_then(|b| b.try_into().ok())
            .ok_or(Rejection::Malformed(SIGNATURE_HEADER))?;
        let timestamp = std::str::from_utf8(timestamp)
            .ok()
            .filter(|t| !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(Rejection::Malformed(TIMESTAMP_HEADER))?;
        Ok(Signed { signature: Signature::from_bytes(&signature), timestamp: timestamp.to_string() })
    }

    /// Whether `signed` is the application's signature over its timestamp and
    /// `body`, made within [`MAX_SKEW`] of `now`.
    pub fn verify(&self, signed: &Signed, body: &[u8], now: SystemTime) -> Result<(), Rejection> {
        let mut message = Vec::with_capacity(signed.timestamp.len() + body.len());
        message.extend_from_slice(signed.timestamp.as_bytes());
        message.extend_from_slice(body);
        self.key.verify_strict(&message, &signed.signature).map_err(|_| Rejection::Forged)?;
        let sent = signed.timestamp.parse::<u64>().map_err(|_| Rejection::Malformed(TIMESTAMP_HEADER))?;
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if now.abs_diff(sent) > MAX_SKEW.as_secs() {
            return Err(Rejection::Stale);
        }
        Ok(())
    }
}

/// Lower- or upper-case hex, two digits a byte.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    text.as_bytes().chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// `bytes` as lower-case hex, as Discord writes keys and signatures.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    fn pair(seed: u8) -> (SigningKey, Verifier) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let verifier = Verifier::from_hex(&encode_hex(signing.verifying_key().as_bytes())).expect("a valid key");
        (signing, verifier)
    }

    fn headers(key: &SigningKey, timestamp: &str, body: &[u8]) -> Signed {
        let signature = key.sign(&[timestamp.as_bytes(), body].concat());
        Verifier::headers(Some(encode_hex(&signature.to_bytes()).as_bytes()), Some(timestamp.as_bytes()))
            .expect("well formed")
    }

    #[test]
    fn only_the_applications_fresh_signature_over_this_body_passes() {
        let (key, verifier) = pair(7);
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let body = br#"{"type":1}"#;
        assert_eq!(verifier.verify(&headers(&key, "1700000000", body), body, now), Ok(()));
        assert_eq!(verifier.verify(&headers(&key, "1699999950", body), body, now), Ok(()), "50 s of skew is fine");
        let other_body = br#"{"type":2}"#;
        assert_eq!(verifier.verify(&headers(&key, "1700000000", body), other_body, now), Err(Rejection::Forged));
        let (other_key, _) = pair(8);
        assert_eq!(verifier.verify(&headers(&other_key, "1700000000", body), body, now), Err(Rejection::Forged));
        assert_eq!(verifier.verify(&headers(&key, "1699999000", body), body, now), Err(Rejection::Stale), "a replay");
        assert_eq!(verifier.verify(&headers(&key, "1700001000", body), body, now), Err(Rejection::Stale), "the future");
        // The timestamp is signed: changing it breaks the signature.
        let mut moved = headers(&key, "1699999000", body);
        moved.timestamp = "1700000000".into();
        assert_eq!(verifier.verify(&moved, body, now), Err(Rejection::Forged));
    }

    #[test]
    fn missing_and_malformed_headers_are_told_apart() {
        let signature = "ab".repeat(64);
        assert_eq!(Verifier::headers(None, Some(b"1")).err(), Some(Rejection::Missing(SIGNATURE_HEADER)));
        assert_eq!(
            Verifier::headers(Some(signature.as_bytes()), None).err(),
            Some(Rejection::Missing(TIMESTAMP_HEADER))
        );
        for bad in ["", "abc", "zz", &"ab".repeat(63), &"ab".repeat(65)] {
            assert_eq!(
                Verifier::headers(Some(bad.as_bytes()), Some(b"1")).err(),
                Some(Rejection::Malformed(SIGNATURE_HEADER)),
                "{bad:?}"
            );
        }
        for bad in ["", "-1", "1.5", "12345678901234567890123", "now"] {
            assert_eq!(
                Verifier::headers(Some(signature.as_bytes()), Some(bad.as_bytes())).err(),
                Some(Rejection::Malformed(TIMESTAMP_HEADER)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn public_keys_are_64_hex_digits_of_a_curve_point() {
        assert!(Verifier::from_hex(&"00".repeat(31)).is_err());
        assert!(Verifier::from_hex("not hex at all, not hex at all, not hex at all, not hex at all!!!").is_err());
        let (key, _) = pair(1);
        let upper = encode_hex(key.verifying_key().as_bytes()).to_uppercase();
        assert!(Verifier::from_hex(&format!(" {upper}\n")).is_ok(), "case and surrounding space do not matter");
    }
}
