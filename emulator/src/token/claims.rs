//! The claims of the tokens the emulator issues and reads, written in ACR's and Entra's key
//! order: ACR refresh and access tokens in both token formats (1.0 and 2.0), the demo
//! authority's access tokens, whom a token names ([`Grantee`]) and the identifiers in them.

use acr_types::{AccessClaim, AccessEntry};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// `iss` of every ACR token.
pub const ACR_ISSUER: &str = "Azure Container Registry";

/// The audience of Entra access tokens that `/oauth2/exchange` accepts (the ACR resource).
pub const ENTRA_AUDIENCE: &str = "https://containerregistry.azure.net";

/// The tenant id (`tid`) of the demo authority when its `{tenant}` path segment is not a GUID
/// (`demo`, `common`, `organizations`).
pub const DEMO_TENANT_ID: &str = "d3a0c0de-0000-4000-8000-0000000000ac";

/// `appid` of ACR tokens for principals that did not sign in through an Entra application
/// (passwords, repository-scoped tokens, anonymous access, `acr-emulator token`).
pub const EMULATOR_APP_ID: &str = "ac0e0a1e-0000-4000-8000-000000000acd";

/// The registry id (`rid`) ACR writes into the tokens of the registry `service`: 32 hex digits,
/// the same for the same login server.
pub fn registry_id(service: &str) -> String {
    let d = Sha256::digest(format!("acr-emulator registry {}", service.to_ascii_lowercase()));
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whom an ACR token is issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grantee<'a> {
    /// `sub`: a UPN, a token name, or empty for anonymous.
    pub subject: &'a str,
    /// `appid` (2.0 tokens): the Entra application the principal signed in with.
    pub app_id: &'a str,
    /// `tenant` (1.0 refresh tokens): the Entra tenant.
    pub tenant: &'a str,
}

impl<'a> Grantee<'a> {
    /// A principal that did not sign in through Entra: [`EMULATOR_APP_ID`], [`DEMO_TENANT_ID`].
    pub fn new(subject: &'a str) -> Self {
        Self { subject, app_id: EMULATOR_APP_ID, tenant: DEMO_TENANT_ID }
    }
}

/// The two kinds of ACR token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcrTokenKind {
    /// Issued by `/oauth2/exchange`; redeemed at `/oauth2/token`.
    Refresh,
    /// Issued by `/oauth2/token`; sent as `Authorization: Bearer` to the data plane.
    Access,
}

impl AcrTokenKind {
    /// The token's `grant_type` claim.
    pub fn grant_type(self) -> &'static str {
        match self {
            Self::Refresh => "refresh_token",
            Self::Access => "access_token",
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            Self::Refresh => "a refresh token",
            Self::Access => "an access token",
        }
    }
}

/// The claims of an ACR refresh or access token as read back, in either
/// [`TokenFormat`](acr_types::TokenFormat).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AcrClaims {
    /// Random token id.
    pub jti: String,
    /// The principal: a UPN, a token name, or empty for anonymous.
    pub sub: String,
    /// Not before (Unix seconds).
    pub nbf: u64,
    /// Expiry (Unix seconds).
    pub exp: u64,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Always [`ACR_ISSUER`].
    pub iss: String,
    /// The login server the token is for.
    pub aud: String,
    /// `2.0` (access tokens today) or `1.0` (refresh tokens, older access tokens).
    pub version: String,
    /// The registry id (2.0 form).
    #[serde(default)]
    pub rid: Option<String>,
    /// `refresh_token` or `access_token` ([`AcrTokenKind::grant_type`]).
    pub grant_type: String,
    /// The Entra application (2.0 form).
    #[serde(default)]
    pub appid: Option<String>,
    /// The Entra tenant (1.0 refresh tokens).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Granted access (access tokens), in either spelling.
    #[serde(default)]
    pub access: Option<Vec<AccessEntry>>,
    /// Always empty.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// The claims every ACR token starts with, in ACR's order.
#[derive(Serialize)]
pub(super) struct Head<'a> {
    pub(super) jti: String,
    pub(super) sub: &'a str,
    pub(super) nbf: u64,
    pub(super) exp: u64,
    pub(super) iat: u64,
    pub(super) iss: &'static str,
    pub(super) aud: &'a str,
    pub(super) version: &'static str,
}

/// `permissions` of a 2.0 refresh token: `{"Actions":[…],"NotActions":null}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PermissionsV2<'a> {
    pub(super) actions: &'a [String],
    pub(super) not_actions: Option<Vec<String>>,
}

/// `permissions` of a 1.0 refresh token: `{"actions":["*"],"notActions":[]}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PermissionsV1 {
    pub(super) actions: [&'static str; 1],
    pub(super) not_actions: [&'static str; 0],
}

/// The claims of an issued ACR token, per kind and format, in ACR's order.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Issued<'a> {
    /// Recorded: `jti … version:"2.0", rid, access, roles, grant_type, appid`.
    AccessV2 {
        #[serde(flatten)]
        head: Head<'a>,
        rid: String,
        access: Vec<AccessClaim<'a>>,
        roles: [&'static str; 0],
        grant_type: &'static str,
        appid: &'a str,
    },
    /// Recorded: `jti … version:"1.0", rid, grant_type, appid, permissions, roles`.
    RefreshV2 {
        #[serde(flatten)]
        head: Head<'a>,
        rid: String,
        grant_type: &'static str,
        appid: &'a str,
        permissions: PermissionsV2<'a>,
        roles: [&'static str; 0],
    },
    /// Documented (Azure/acr `docs/AAD-OAuth.md`): `jti … version:"1.0", grant_type, access,
    /// roles`.
    AccessV1 {
        #[serde(flatten)]
        head: Head<'a>,
        grant_type: &'static str,
        access: Vec<AccessClaim<'a>>,
        roles: [&'static str; 0],
    },
    /// Documented: `jti … version:"1.0", grant_type, tenant, permissions, roles`.
    RefreshV1 {
        #[serde(flatten)]
        head: Head<'a>,
        grant_type: &'static str,
        tenant: &'a str,
        permissions: PermissionsV1,
        roles: [&'static str; 0],
    },
}

impl<'a> Issued<'a> {
    pub(super) fn head(&mut self) -> &mut Head<'a> {
        match self {
            Self::AccessV2 { head, .. }
            | Self::RefreshV2 { head, .. }
            | Self::AccessV1 { head, .. }
            | Self::RefreshV1 { head, .. } => head,
        }
    }
}

/// The claims of a demo-authority access token that `/oauth2/exchange` reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntraClaims {
    /// Audience ([`ENTRA_AUDIENCE`]).
    pub aud: String,
    /// The authority (`{origin}/{tenant}/v2.0`).
    pub iss: String,
    /// Tenant id.
    pub tid: String,
    /// The user's object id.
    pub oid: String,
    /// The user's UPN.
    pub upn: String,
    /// The user's sign-in name.
    pub preferred_username: String,
    /// The user's display name.
    pub name: String,
    /// Delegated scopes, space-separated.
    pub scp: String,
    /// The client the token was issued to.
    pub azp: String,
    /// Expiry (Unix seconds).
    pub exp: u64,
    /// Not before (Unix seconds).
    pub nbf: u64,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Always `2.0`.
    pub ver: String,
}

/// What an Entra-style token is issued for: the authority, the tenant and the client.
#[derive(Debug, Clone, Copy)]
pub struct EntraContext<'a> {
    /// The authority's issuer, `{origin}/{tenant}/v2.0`.
    pub issuer: &'a str,
    /// The tenant id (`tid`).
    pub tenant_id: &'a str,
    /// The application (client) id.
    pub client_id: &'a str,
}
