//! Reading the claims of the tokens ACR returns (`exp`, `access`): the payload is decoded, not
//! verified; the registry verifies its own tokens. Reading is tolerant: ACR enforces rights
//! itself, so a claim the client cannot read makes what it says *unknown*, never an error.

use crate::auth::Grants;
use acr_types::AccessEntry;
use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use serde_json::Value;

/// The claims the client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Expiry, seconds since the Unix epoch; `None` when absent or not a number.
    pub exp: Option<i64>,
    /// When it was issued, on the issuer's clock (seconds); `None` when absent or not a number.
    pub iat: Option<i64>,
    /// Granted access: ACR access tokens write it as `Type`/`Name`/`Actions` (`version` 2.0) or
    /// `type`/`name`/`actions` (1.0); anything else reads as [`Grants::Unknown`].
    pub access: Grants,
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// Decodes the payload of `token` (base64url, padded or not; standard base64 accepted too).
/// `None` when it is not a JWT whose payload is a JSON object.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.is_empty() {
        return None;
    }
    let bytes = URL_SAFE.decode(payload).or_else(|_| STANDARD.decode(payload)).ok()?;
    let Value::Object(map) = serde_json::from_slice(&bytes).ok()? else { return None };
    Some(Claims {
        exp: map.get("exp").and_then(seconds),
        iat: map.get("iat").and_then(seconds),
        access: grants(map.get("access")),
    })
}

/// `exp` as a JSON number (an integer, or a float as some issuers write it) or a numeric string.
pub(crate) fn seconds(v: &Value) -> Option<i64> {
    match v {
        // Truncation is intended: sub-second precision does not matter for expiry.
        #[allow(clippy::cast_possible_truncation)]
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The `access` claim: a list of entries in either spelling. A missing or `null` claim, or one
/// with any entry the client cannot read, is unknown rather than "nothing granted": a wrong
/// "nothing" would hide an admin's controls, while the registry refuses what is not allowed.
fn grants(v: Option<&Value>) -> Grants {
    match v {
        Some(v @ Value::Array(_)) => serde_json::from_value::<Vec<AccessEntry>>(v.clone())
            .map_or(Grants::Unknown, Grants::Known),
        _ => Grants::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!("e30.{}.sig", URL_SAFE.encode(payload))
    }

    #[test]
    fn reads_exp_and_access_in_both_spellings() {
        for access in [
            r#"[{"type":"repository","name":"a/b","actions":["pull"]}]"#,
            r#"[{"Type":"repository","Name":"a/b","Actions":["pull"]}]"#,
        ] {
            let c = claims(&token(&format!(r#"{{"exp":1700000000,"access":{access}}}"#))).unwrap();
            assert_eq!(c.exp, Some(1_700_000_000));
            let Grants::Known(entries) = c.access else { panic!("{access}") };
            assert!(entries[0].allows("pull"));
        }
    }

    #[test]
    fn what_cannot_be_read_is_unknown_not_an_error() {
        for payload in [
            r#"{"exp":1}"#,
            r#"{"exp":1,"access":null}"#,
            r#"{"exp":1,"access":"repository:a:pull"}"#,
            r#"{"exp":1,"access":[{"kind":"repository"}]}"#,
            r#"{"exp":1,"access":[{"Type":"repository","Name":"a","Actions":["pull"]},7]}"#,
        ] {
            assert_eq!(claims(&token(payload)).unwrap().access, Grants::Unknown, "{payload}");
        }
        assert_eq!(
            claims(&token(r#"{"exp":1,"access":[]}"#)).unwrap().access,
            Grants::Known(vec![])
        );
        assert_eq!(claims(&token(r#"{"exp":1.5e9}"#)).unwrap().exp, Some(1_500_000_000));
        assert_eq!(claims(&token(r#"{"exp":"1500000000"}"#)).unwrap().exp, Some(1_500_000_000));
        assert_eq!(claims(&token(r#"{"exp":true}"#)).unwrap().exp, None);
        assert_eq!(claims(&token(r#"{}"#)).unwrap().exp, None);
    }

    #[test]
    fn only_a_jwt_with_an_object_payload_has_claims() {
        assert!(claims("not-a-jwt").is_none());
        assert!(claims("access_token").is_none());
        assert!(claims("a.b.c.d").is_none());
        assert!(claims("a.!!!.c").is_none());
        assert!(claims(&token("[1]")).is_none());
    }
}
