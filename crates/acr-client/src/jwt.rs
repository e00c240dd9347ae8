//! Reading the claims of the tokens ACR returns (`exp`, `access`): the payload is decoded, not
//! verified; the registry verifies its own tokens. A token that is not a JWT is an error.

use acr_types::AccessEntry;
use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use serde::Deserialize;

/// The claims the client uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Claims {
    /// Expiry, seconds since the Unix epoch.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Granted access (ACR access tokens).
    #[serde(default)]
    pub access: Vec<AccessEntry>,
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// Decodes the payload of `token` (base64url, padded or not; standard base64 accepted too).
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.is_empty() {
        return None;
    }
    let bytes = URL_SAFE.decode(payload).or_else(|_| STANDARD.decode(payload)).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exp_and_access() {
        let payload = URL_SAFE.encode(
            br#"{"exp":1700000000,"access":[{"type":"repository","name":"a/b","actions":["pull"]}]}"#,
        );
        let c = claims(&format!("e30.{payload}.sig")).unwrap();
        assert_eq!(c.exp, Some(1_700_000_000));
        assert!(c.access[0].allows("pull"));
        assert!(claims("not-a-jwt").is_none());
        assert!(claims("a.b.c.d").is_none());
        assert!(claims("a.!!!.c").is_none());
        assert!(claims(&format!("a.{}.c", URL_SAFE.encode(b"[1]"))).is_none());
    }
}
