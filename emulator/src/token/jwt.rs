//! JWT text: base64url segments whose payload is also plain padded base64, the JWT header, and
//! the clock and random ids the tokens carry.

use base64::{
    engine::{general_purpose, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use rand::Rng as _;
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// Base64url without padding, the JWT encoding.
pub(super) fn b64url(bytes: &[u8]) -> String {
    general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Base64url that tolerates padding, for reading segments.
pub(super) const B64URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A random UUID v4 string.
pub fn random_uuid() -> String {
    let mut b: [u8; 16] = rand::thread_rng().gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// `n` random bytes as base64url text (codes, opaque refresh tokens).
pub fn random_text(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill(bytes.as_mut_slice());
    b64url(&bytes)
}

/// JSON text with every character that could produce `-` or `_` in base64 escaped: non-ASCII
/// characters and `>`, `?`, `~`, DEL (the only ASCII bytes whose low six bits are 62 or 63).
/// These characters can only occur inside JSON strings, where `\uXXXX` means the same.
fn base64_safe_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if matches!(c, '>' | '?' | '~' | '\u{7f}') || !c.is_ascii() {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// True when a payload segment is also plain padded base64: no `-`, no `_`, length % 4 == 0.
pub fn is_plain_base64(segment: &str) -> bool {
    segment.len() % 4 == 0 && !segment.contains(['-', '_'])
}

/// Encodes claims as a payload segment that is also plain base64, keys in the order `claims`
/// serializes them. The JSON is made ASCII with the risky characters escaped, then filled with
/// 0–2 spaces before the closing brace so its length is a multiple of 3; should the result still
/// not qualify, `redraw` (which draws a random-id claim again) runs and the loop repeats.
pub(super) fn encode_payload<T: Serialize>(claims: &mut T, redraw: impl Fn(&mut T)) -> String {
    let json = |c: &T| serde_json::to_string(c).unwrap_or_else(|_| "{}".to_owned());
    for _ in 0..1000 {
        let mut text = base64_safe_json(&json(claims));
        let fill = (3 - text.len() % 3) % 3;
        text.insert_str(text.len() - 1, &" ".repeat(fill));
        let segment = b64url(text.as_bytes());
        if is_plain_base64(&segment) {
            return segment;
        }
        redraw(claims);
    }
    // Not reachable: the escaping above makes every segment qualify on the first pass.
    b64url(json(claims).as_bytes())
}

/// The JWT header of every token, keys in ACR's order.
#[derive(Serialize)]
pub(super) struct JwtHeader<'a> {
    pub(super) alg: &'static str,
    pub(super) typ: &'static str,
    pub(super) kid: &'a str,
}
