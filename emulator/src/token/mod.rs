//! Tokens: signs and verifies the RS256 JWTs the emulator issues (ACR refresh and access tokens,
//! the demo authority's access and ID tokens). The bottom layer of the crate: it knows users and
//! lifetimes, but no HTTP and no application state.
//!
//! ACR tokens are written as ACR writes them, claims in ACR's order: by default today's form
//! ([`TokenFormat::V2`], recorded in `spec/acr/recordings/auth_exchange_and_token.json`: access
//! tokens `"version": "2.0"` with `Type`/`Name`/`Actions` grants, `rid` and `appid`), or the older
//! documented form ([`TokenFormat::V1`]: `"version": "1.0"`, lowercase grants). Both are read back.
//!
//! Every token's payload segment is also valid *padded standard* base64 (no `-`, no `_`, length a
//! multiple of 4), so clients that decode JWTs with a plain base64 decoder (`atob`, `base64 -d`)
//! read the emulator's tokens as they read ACR's.
//!
//! Inside: `claims` (what the tokens say and whom they name), `jwt` (the JWT text: segments,
//! header, random ids, clock), `opaque` (opaque stand-ins for access tokens, remembered in
//! memory) and `issuer` ([`TokenIssuer`], the key that signs and checks them).
//!
//! [`TokenFormat::V2`]: acr_types::TokenFormat::V2
//! [`TokenFormat::V1`]: acr_types::TokenFormat::V1

mod claims;
mod issuer;
mod jwt;
mod opaque;

pub use claims::{
    registry_id, AcrClaims, AcrTokenKind, EntraClaims, EntraContext, Grantee, ACR_ISSUER,
    DEMO_TENANT_ID, EMULATOR_APP_ID, ENTRA_AUDIENCE,
};
pub use issuer::{cli_token, TokenError, TokenIssuer};
pub use jwt::{is_plain_base64, now, random_text, random_uuid};
