//! [`TokenIssuer`]: loads the signing key, signs every token the emulator issues and verifies
//! the ones it is shown (signature, issuer, times, audience, kind); also the tokens of
//! `acr-emulator token` ([`cli_token`]).

use super::{
    claims::{
        registry_id, AcrClaims, AcrTokenKind, EntraClaims, EntraContext, Grantee, Head, Issued,
        PermissionsV1, PermissionsV2, ACR_ISSUER, DEMO_TENANT_ID, ENTRA_AUDIENCE,
    },
    jwt::{b64url, encode_payload, now, random_text, random_uuid, JwtHeader, B64URL_LENIENT},
    opaque::OpaqueTokens,
};
use crate::{config::TokenLifetimes, users::User};
use acr_types::{action, AccessClaim, AccessEntry, Secret, TokenFormat};
use base64::Engine as _;
use rsa::{
    pkcs1::DecodeRsaPrivateKey as _,
    pkcs1v15::{Signature, SigningKey, VerifyingKey},
    pkcs8::{DecodePrivateKey as _, EncodePublicKey as _},
    signature::{SignatureEncoding as _, Signer as _, Verifier as _},
    traits::PublicKeyParts as _,
    RsaPrivateKey,
};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use std::{fmt, path::Path};

/// The built-in demo signing key (public on purpose; see the file's comment lines).
const DEMO_KEY_PEM: &str = include_str!("../../keys/demo-signing-key.pem");

/// A token that failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

impl TokenError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Signs and verifies every token.
pub struct TokenIssuer {
    lifetimes: TokenLifetimes,
    format: TokenFormat,
    kid: String,
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
    jwk_n: String,
    jwk_e: String,
    /// Opaque access tokens handed out by [`TokenIssuer::opaque_access_token`].
    opaque: OpaqueTokens,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("kid", &self.kid)
            .field("lifetimes", &self.lifetimes)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// Loads the signing key (`None`: the built-in demo key). The PEM may be PKCS#8
    /// (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`); text before the first
    /// `-----BEGIN` (comments) is ignored. The key must have at least 2048 bits.
    pub fn new(signing_key: Option<&Path>, lifetimes: TokenLifetimes) -> Result<Self, String> {
        let (pem, origin) = match signing_key {
            None => (DEMO_KEY_PEM.to_owned(), "the built-in demo key".to_owned()),
            Some(path) => (
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the signing key {}: {e}", path.display()))?,
                path.display().to_string(),
            ),
        };
        let start = pem
            .find("-----BEGIN")
            .ok_or_else(|| format!("{origin}: no PEM block (-----BEGIN …) found"))?;
        let pem = pem[start..].trim();
        let key = if pem.starts_with("-----BEGIN RSA PRIVATE KEY") {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| e.to_string())
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())
        }
        .map_err(|e| format!("{origin}: not an RSA private key in PEM: {e}"))?;
        if key.size() < 256 {
            return Err(format!(
                "{origin}: the RSA key has {} bits; at least 2048 are needed",
                key.size() * 8
            ));
        }
        let public = key.to_public_key();
        let der = public
            .to_public_key_der()
            .map_err(|e| format!("{origin}: cannot encode the public key: {e}"))?;
        let digest = Sha256::digest(der.as_bytes());
        let kid: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            lifetimes,
            format: TokenFormat::default(),
            kid,
            jwk_n: b64url(&public.n().to_bytes_be()),
            jwk_e: b64url(&public.e().to_bytes_be()),
            verifying: VerifyingKey::new(public),
            signing: SigningKey::new(key),
            opaque: OpaqueTokens::default(),
        })
    }

    /// The key id in every token's header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The token lifetimes.
    pub fn lifetimes(&self) -> &TokenLifetimes {
        &self.lifetimes
    }

    /// The same issuer writing ACR tokens in `format` (default: [`TokenFormat::V2`]).
    pub fn with_format(mut self, format: TokenFormat) -> Self {
        self.format = format;
        self
    }

    /// The form of the ACR tokens it writes.
    pub fn format(&self) -> TokenFormat {
        self.format
    }

    /// The public key as a JSON Web Key Set (`/{tenant}/discovery/v2.0/keys`).
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": self.jwk_n,
            "e": self.jwk_e,
            "alg": "RS256",
        }]})
    }

    /// Signs claims; `redraw` draws their random-id claim again when the payload must change to
    /// be plain base64.
    fn sign<T: Serialize>(&self, mut claims: T, redraw: impl Fn(&mut T)) -> Secret {
        let header = JwtHeader { alg: "RS256", typ: "JWT", kid: &self.kid };
        let header = serde_json::to_string(&header).unwrap_or_default();
        let payload = encode_payload(&mut claims, redraw);
        let mut text = format!("{}.{payload}", b64url(header.as_bytes()));
        // Cannot fail: the key was checked to be large enough for a SHA-256 PKCS#1 v1.5 signature.
        let signature: Signature =
            self.signing.try_sign(text.as_bytes()).expect("RS256 signing with a checked key");
        text.push('.');
        text.push_str(&b64url(&signature.to_bytes()));
        Secret::new(text)
    }

    /// Signs an Entra-style claims map; `vary` names its random-id claim.
    fn sign_map(&self, claims: Map<String, Value>, vary: &'static str) -> Secret {
        self.sign(claims, |m| {
            m.insert(vary.to_owned(), Value::String(random_uuid()));
        })
    }

    /// Checks a token's form and signature and returns its claims, without looking at them.
    pub fn verify_signature(&self, token: &str) -> Result<Value, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::new("the token is not a JWT (three dot-separated parts)"));
        };
        let not_jwt = || TokenError::new("the token is not a JWT (a part is not base64url JSON)");
        let header: Value = B64URL_LENIENT
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(not_jwt)?;
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err(TokenError::new("the token is not signed with RS256"));
        }
        if header.get("kid").and_then(Value::as_str).is_some_and(|k| k != self.kid) {
            return Err(TokenError::new("the token is signed with an unknown key (kid)"));
        }
        let bad_signature = || TokenError::new("the token's signature is not valid");
        let signature = B64URL_LENIENT.decode(s).map_err(|_| bad_signature())?;
        let signature = Signature::try_from(signature.as_slice()).map_err(|_| bad_signature())?;
        self.verifying
            .verify(format!("{h}.{p}").as_bytes(), &signature)
            .map_err(|_| bad_signature())?;
        let claims: Value = B64URL_LENIENT
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(not_jwt)?;
        if !claims.is_object() {
            return Err(not_jwt());
        }
        Ok(claims)
    }

    fn head<'a>(&self, kind: AcrTokenKind, who: &Grantee<'a>, service: &'a str) -> Head<'a> {
        let iat = now();
        let life = match kind {
            AcrTokenKind::Refresh => self.lifetimes.refresh,
            AcrTokenKind::Access => self.lifetimes.access,
        };
        let version = match (kind, self.format) {
            (AcrTokenKind::Access, format) => format.version(),
            (AcrTokenKind::Refresh, _) => "1.0",
        };
        Head {
            jti: random_uuid(),
            sub: who.subject,
            nbf: iat,
            exp: iat + life.as_secs(),
            iat,
            iss: ACR_ISSUER,
            aud: service,
            version,
        }
    }

    fn sign_acr(&self, claims: Issued<'_>) -> Secret {
        self.sign(claims, |c| c.head().jti = random_uuid())
    }

    /// An ACR refresh token for `who` at the registry `service`. `actions` are the registry-wide
    /// actions of its `permissions` claim in the 2.0 form (`read`, `write`, `delete`); the 1.0
    /// form always writes `["*"]`.
    pub fn refresh_token(&self, who: &Grantee<'_>, service: &str, actions: &[String]) -> Secret {
        let head = self.head(AcrTokenKind::Refresh, who, service);
        let grant_type = AcrTokenKind::Refresh.grant_type();
        self.sign_acr(match self.format {
            TokenFormat::V2 => Issued::RefreshV2 {
                head,
                rid: registry_id(service),
                grant_type,
                appid: who.app_id,
                permissions: PermissionsV2 { actions, not_actions: None },
                roles: [],
            },
            TokenFormat::V1 => Issued::RefreshV1 {
                head,
                grant_type,
                tenant: who.tenant,
                permissions: PermissionsV1 { actions: [action::ALL], not_actions: [] },
                roles: [],
            },
        })
    }

    /// An ACR access token for `who` (an empty subject: anonymous) at `service` granting
    /// `access`.
    pub fn access_token(
        &self,
        who: &Grantee<'_>,
        service: &str,
        access: Vec<AccessEntry>,
    ) -> Secret {
        self.signed_access_token(who, service, access).0
    }

    /// An opaque access token (43 random base64url characters, not a JWT) standing for the
    /// access token [`TokenIssuer::access_token`] would issue with the same arguments: this
    /// issuer remembers that JWT until it expires, and [`TokenIssuer::verify_acr`] accepts the
    /// opaque token exactly as it accepts the JWT (same grants, registry and expiry).
    pub fn opaque_access_token(
        &self,
        who: &Grantee<'_>,
        service: &str,
        access: Vec<AccessEntry>,
    ) -> Secret {
        let (jwt, exp) = self.signed_access_token(who, service, access);
        self.opaque.remember(jwt, exp)
    }

    /// How many opaque access tokens this issuer remembers (live, or expired but not yet dropped).
    pub fn opaque_tokens(&self) -> usize {
        self.opaque.len()
    }

    /// An access token JWT and its expiry (Unix seconds).
    fn signed_access_token(
        &self,
        who: &Grantee<'_>,
        service: &str,
        access: Vec<AccessEntry>,
    ) -> (Secret, u64) {
        let head = self.head(AcrTokenKind::Access, who, service);
        let exp = head.exp;
        let grant_type = AcrTokenKind::Access.grant_type();
        let claims = access.iter().map(|e| AccessClaim(e, self.format)).collect();
        let token = self.sign_acr(match self.format {
            TokenFormat::V2 => Issued::AccessV2 {
                head,
                rid: registry_id(service),
                access: claims,
                roles: [],
                grant_type,
                appid: who.app_id,
            },
            TokenFormat::V1 => Issued::AccessV1 { head, grant_type, access: claims, roles: [] },
        });
        (token, exp)
    }

    /// Verifies an ACR token of `kind` for `service`: signature, issuer, `nbf`/`exp` against the
    /// clock, audience and `grant_type`. An opaque token from
    /// [`TokenIssuer::opaque_access_token`] is checked as the JWT it stands for.
    pub fn verify_acr(
        &self,
        token: &str,
        service: &str,
        kind: AcrTokenKind,
    ) -> Result<AcrClaims, TokenError> {
        let remembered = self.opaque.resolve(token);
        let value = self.verify_signature(remembered.as_deref().unwrap_or(token))?;
        let claims: AcrClaims = serde_json::from_value(value)
            .map_err(|_| TokenError::new("the token is not an ACR token (claims missing)"))?;
        if claims.iss != ACR_ISSUER {
            return Err(TokenError::new("the token was not issued by the registry"));
        }
        check_times(claims.nbf, claims.exp)?;
        if claims.aud != service {
            return Err(TokenError(format!(
                "the token is for the registry '{}', not '{service}'",
                claims.aud
            )));
        }
        if claims.grant_type != kind.grant_type() {
            return Err(TokenError(format!(
                "the token is not {} (its grant_type is '{}')",
                kind.noun(),
                claims.grant_type
            )));
        }
        Ok(claims)
    }

    fn entra_base(&self, ctx: &EntraContext<'_>, user: &User, aud: &str) -> Map<String, Value> {
        let iat = now();
        let mut m = Map::new();
        m.insert("aud".into(), aud.into());
        m.insert("iss".into(), ctx.issuer.into());
        m.insert("iat".into(), iat.into());
        m.insert("nbf".into(), iat.into());
        m.insert("exp".into(), (iat + self.lifetimes.entra_access.as_secs()).into());
        m.insert("name".into(), user.display_name.clone().into());
        m.insert("oid".into(), user.object_id.clone().into());
        m.insert("preferred_username".into(), user.upn.clone().into());
        m.insert("sub".into(), pairwise_subject(&user.object_id, ctx.client_id).into());
        m.insert("tid".into(), ctx.tenant_id.into());
        m.insert("uti".into(), random_text(16).into());
        m.insert("ver".into(), "2.0".into());
        m
    }

    /// A demo-authority access token for the ACR resource ([`ENTRA_AUDIENCE`]) with the
    /// delegated scopes `scp` (space-separated, e.g. `user_impersonation`).
    pub fn entra_access_token(&self, ctx: &EntraContext<'_>, user: &User, scp: &str) -> Secret {
        let mut m = self.entra_base(ctx, user, ENTRA_AUDIENCE);
        m.insert("azp".into(), ctx.client_id.into());
        m.insert("azpacr".into(), "0".into());
        m.insert("appid".into(), ctx.client_id.into());
        m.insert("scp".into(), scp.into());
        m.insert("upn".into(), user.upn.clone().into());
        self.sign_map(m, "uti")
    }

    /// A demo-authority ID token for the client, with `nonce` from the authorization request.
    pub fn entra_id_token(
        &self,
        ctx: &EntraContext<'_>,
        user: &User,
        nonce: Option<&str>,
    ) -> Secret {
        let mut m = self.entra_base(ctx, user, ctx.client_id);
        if let Some(n) = nonce {
            m.insert("nonce".into(), n.into());
        }
        // Entra's optional `login_hint` claim (opaque to the client): the account's object id
        // here, which the logout endpoint accepts as `logout_hint`.
        m.insert("login_hint".into(), user.object_id.clone().into());
        self.sign_map(m, "uti")
    }

    /// Verifies a demo-authority access token: signature, `nbf`/`exp`, audience
    /// [`ENTRA_AUDIENCE`], and that it names a user (`oid`).
    pub fn verify_entra_access(&self, token: &str) -> Result<EntraClaims, TokenError> {
        let value = self.verify_signature(token)?;
        let claims: EntraClaims = serde_json::from_value(value)
            .map_err(|_| TokenError::new("the token is not an Entra access token"))?;
        check_times(claims.nbf, claims.exp)?;
        if claims.aud.trim_end_matches('/') != ENTRA_AUDIENCE {
            return Err(TokenError(format!(
                "the Entra token's audience is '{}', not '{ENTRA_AUDIENCE}'",
                claims.aud
            )));
        }
        if claims.oid.is_empty() {
            return Err(TokenError::new("the Entra token names no user (oid)"));
        }
        Ok(claims)
    }
}

/// A stable per-application subject, as Entra's pairwise `sub`.
fn pairwise_subject(oid: &str, client_id: &str) -> String {
    let d = Sha256::digest(format!("{oid}|{client_id}").as_bytes());
    b64url(&d[..24])
}

fn check_times(nbf: u64, exp: u64) -> Result<(), TokenError> {
    let t = now();
    if t >= exp {
        return Err(TokenError::new("the token has expired"));
    }
    if t < nbf {
        return Err(TokenError::new("the token is not valid yet (nbf)"));
    }
    Ok(())
}

/// Token text for `acr-emulator token`: `kind` `entra` (default; a demo-authority access token
/// to exchange at `/oauth2/exchange`), `refresh` (an ACR refresh token for `service`) or
/// `access` (an ACR access token for `service` with the user's grants for `scope`).
pub fn cli_token(
    issuer: &TokenIssuer,
    user: &User,
    kind: &str,
    service: &str,
    scope: &str,
) -> Result<String, String> {
    let token = match kind {
        "" | "entra" => {
            let authority = format!("http://{service}/demo/v2.0");
            let ctx = EntraContext {
                issuer: &authority,
                tenant_id: DEMO_TENANT_ID,
                client_id: "acr-emulator-cli",
            };
            issuer.entra_access_token(&ctx, user, "user_impersonation")
        }
        "refresh" => {
            issuer.refresh_token(&Grantee::new(&user.upn), service, &user.permission_actions())
        }
        "access" => {
            let requested = AccessEntry::parse_scopes(scope).map_err(|e| e.to_string())?;
            issuer.access_token(&Grantee::new(&user.upn), service, user.grant_all(&requested))
        }
        other => {
            return Err(format!("unknown token kind '{other}' (expected entra, refresh or access)"))
        }
    };
    Ok(token.expose().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{claims::EMULATOR_APP_ID, jwt::is_plain_base64};
    use crate::users::{Grant, UserKind};
    use base64::engine::general_purpose;
    use serde::Deserialize;
    use std::time::Duration;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(None, TokenLifetimes::default()).unwrap()
    }

    fn user() -> User {
        User {
            id: "viewer".into(),
            display_name: "Vïewer <b>".into(),
            upn: "viewer@contoso.example".into(),
            object_id: "11111111-2222-3333-4444-555555555555".into(),
            kind: UserKind::Entra,
            password: None,
            catalog: true,
            grants: vec![Grant { repositories: "*".into(), actions: vec!["pull".into()] }],
            description: String::new(),
        }
    }

    fn payload(token: &str) -> Value {
        let p = token.split('.').nth(1).unwrap();
        assert!(is_plain_base64(p), "{p}");
        serde_json::from_slice(&general_purpose::STANDARD.decode(p).unwrap()).unwrap()
    }

    #[test]
    fn demo_key_loads_with_a_stable_kid() {
        let a = issuer();
        let b = issuer();
        assert_eq!(a.kid(), b.kid());
        assert_eq!(a.kid().len(), 16);
        let jwks = a.jwks();
        assert_eq!(jwks["keys"][0]["kid"], a.kid());
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
        assert!(format!("{a:?}").contains("kid"));
    }

    #[test]
    fn bad_key_files_are_reported() {
        let dir = std::env::temp_dir().join(format!("acr-emulator-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bad.pem");
        std::fs::write(&f, "nothing here").unwrap();
        assert!(TokenIssuer::new(Some(&f), TokenLifetimes::default()).unwrap_err().contains("PEM"));
        assert!(TokenIssuer::new(Some(&dir.join("missing.pem")), TokenLifetimes::default())
            .unwrap_err()
            .contains("cannot read"));
        std::fs::write(&f, DEMO_KEY_PEM).unwrap();
        assert!(TokenIssuer::new(Some(&f), TokenLifetimes::default()).is_ok());
    }

    /// The JSON text of a token's part `n` (0: header, 1: payload).
    fn part_text(token: &str, n: usize) -> String {
        let p = token.split('.').nth(n).unwrap();
        String::from_utf8(general_purpose::URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    }

    /// The top-level keys of a JSON object text, in order.
    fn keys(text: &str) -> Vec<String> {
        struct Keys(Vec<String>);
        impl<'de> Deserialize<'de> for Keys {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Keys;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut m: A,
                    ) -> Result<Keys, A::Error> {
                        let mut keys = Vec::new();
                        while let Some(k) = m.next_key::<String>()? {
                            m.next_value::<serde::de::IgnoredAny>()?;
                            keys.push(k);
                        }
                        Ok(Keys(keys))
                    }
                }
                d.deserialize_map(V)
            }
        }
        serde_json::from_str::<Keys>(text).unwrap().0
    }

    fn life(p: &Value) -> u64 {
        p["exp"].as_u64().unwrap() - p["iat"].as_u64().unwrap()
    }

    const HEAD: [&str; 8] = ["jti", "sub", "nbf", "exp", "iat", "iss", "aud", "version"];

    fn claim_keys(rest: &[&str]) -> Vec<String> {
        HEAD.iter().chain(rest).map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn tokens_are_written_as_acr_writes_them_today() {
        let i = issuer();
        assert_eq!(i.format(), TokenFormat::V2);
        let who = Grantee { subject: "viewer@contoso.example", app_id: "app-1", tenant: "t-1" };
        let r = i.refresh_token(&who, "r.test", &["read".to_owned(), "delete".to_owned()]);
        assert_eq!(
            part_text(r.expose(), 0),
            format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, i.kid())
        );
        let text = part_text(r.expose(), 1);
        let rest = ["rid", "grant_type", "appid", "permissions", "roles"];
        assert_eq!(keys(&text), claim_keys(&rest));
        assert!(text.contains(r#""permissions":{"Actions":["read","delete"],"NotActions":null}"#));
        let p = payload(r.expose());
        assert_eq!((p["version"].as_str(), p["appid"].as_str()), (Some("1.0"), Some("app-1")));
        assert_eq!(p["rid"], registry_id("r.test"));
        assert_eq!(life(&p), 11_700);

        let a = i.access_token(&who, "r.test", vec![AccessEntry::catalog()]);
        let text = part_text(a.expose(), 1);
        let rest = ["rid", "access", "roles", "grant_type", "appid"];
        assert_eq!(keys(&text), claim_keys(&rest));
        assert!(text.contains(r#""access":[{"Type":"registry","Name":"catalog","Actions":["*"]}]"#));
        let p = payload(a.expose());
        assert_eq!((p["version"].as_str(), p["iss"].as_str()), (Some("2.0"), Some(ACR_ISSUER)));
        assert_eq!(p["roles"], json!([]));
        assert_eq!(life(&p), 4500);
    }

    #[test]
    fn tokens_can_be_written_in_the_older_form() {
        let i = issuer().with_format(TokenFormat::V1);
        let who = Grantee { subject: "x", app_id: "app-1", tenant: "t-1" };
        let r = i.refresh_token(&who, "r.test", &["read".to_owned()]);
        let text = part_text(r.expose(), 1);
        assert_eq!(keys(&text), claim_keys(&["grant_type", "tenant", "permissions", "roles"]));
        assert!(text.contains(r#""version":"1.0""#));
        assert!(text.contains(r#""permissions":{"actions":["*"],"notActions":[]}"#));
        let a = i.access_token(&who, "r.test", vec![AccessEntry::repository("a/b", &["pull"])]);
        let text = part_text(a.expose(), 1);
        assert_eq!(keys(&text), claim_keys(&["grant_type", "access", "roles"]));
        assert!(text.contains(r#""version":"1.0""#));
        assert!(
            text.contains(r#""access":[{"type":"repository","name":"a/b","actions":["pull"]}]"#)
        );
    }

    #[test]
    fn acr_tokens_of_both_forms_round_trip_and_keep_their_kind() {
        let v2 = issuer();
        let v1 = issuer().with_format(TokenFormat::V1);
        let who = Grantee::new("viewer@contoso.example");
        let grant = vec![AccessEntry::repository("a", &["pull"]), AccessEntry::catalog()];
        for (writer, reader) in [(&v2, &v1), (&v1, &v2), (&v2, &v2), (&v1, &v1)] {
            let r = writer.refresh_token(&who, "r.test", &[]);
            let c = reader.verify_acr(r.expose(), "r.test", AcrTokenKind::Refresh).unwrap();
            assert_eq!(c.sub, "viewer@contoso.example");
            assert!(reader.verify_acr(r.expose(), "r.test", AcrTokenKind::Access).is_err());
            assert!(reader.verify_acr(r.expose(), "other.test", AcrTokenKind::Refresh).is_err());
            let a = writer.access_token(&who, "r.test", grant.clone());
            let c = reader.verify_acr(a.expose(), "r.test", AcrTokenKind::Access).unwrap();
            assert_eq!(c.access.as_deref(), Some(grant.as_slice()));
            assert_eq!(c.version, writer.format().version());
        }
        let c = v2.verify_acr(
            v2.refresh_token(&who, "r.test", &[]).expose(),
            "r.test",
            AcrTokenKind::Refresh,
        );
        let c = c.unwrap();
        assert_eq!((c.appid.as_deref(), c.tenant), (Some(EMULATOR_APP_ID), None));
        assert_eq!(c.rid.unwrap(), registry_id("r.test"));
        assert_eq!(registry_id("R.test"), registry_id("r.test"));
        assert_ne!(registry_id("s.test"), registry_id("r.test"));
    }

    #[test]
    fn tampering_and_garbage_are_refused() {
        let i = issuer();
        let a = i.access_token(&Grantee::new("x"), "r.test", vec![]);
        let t = a.expose();
        let (head, rest) = t.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let forged = general_purpose::URL_SAFE_NO_PAD
            .encode(json!({"sub":"admin","aud":"r.test"}).to_string());
        let e = i.verify_signature(&format!("{head}.{forged}.{sig}")).unwrap_err();
        assert!(e.0.contains("signature"), "{e}");
        for bad in ["", "abc", "a.b.c", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30."] {
            assert!(i.verify_acr(bad, "r.test", AcrTokenKind::Access).is_err(), "{bad}");
        }
    }

    #[test]
    fn expired_tokens_are_refused() {
        let lifetimes = TokenLifetimes {
            access: Duration::ZERO,
            refresh: Duration::ZERO,
            entra_access: Duration::ZERO,
        };
        let i = TokenIssuer::new(None, lifetimes).unwrap();
        let a = i.access_token(&Grantee::new("x"), "r.test", vec![]);
        let e = i.verify_acr(a.expose(), "r.test", AcrTokenKind::Access).unwrap_err();
        assert!(e.0.contains("expired"));
        let ctx = EntraContext { issuer: "http://h/t/v2.0", tenant_id: "t", client_id: "c" };
        let t = i.entra_access_token(&ctx, &user(), "user_impersonation");
        assert!(i.verify_entra_access(t.expose()).unwrap_err().0.contains("expired"));
    }

    #[test]
    fn entra_tokens_carry_the_user() {
        let i = issuer();
        let ctx = EntraContext { issuer: "http://h/demo/v2.0", tenant_id: "tid", client_id: "app" };
        let u = user();
        let t = i.entra_access_token(&ctx, &u, "user_impersonation");
        let c = i.verify_entra_access(t.expose()).unwrap();
        assert_eq!(
            (c.oid.as_str(), c.tid.as_str(), c.azp.as_str()),
            (u.object_id.as_str(), "tid", "app")
        );
        assert_eq!(c.name, "Vïewer <b>");
        assert_eq!(c.ver, "2.0");
        let id = i.entra_id_token(&ctx, &u, Some("n~1?"));
        let p = payload(id.expose());
        assert_eq!(p["aud"], "app");
        assert_eq!(p["nonce"], "n~1?");
        // An ID token is not an access token for the registry.
        assert!(i.verify_entra_access(id.expose()).is_err());
        // An ACR token is not an Entra token.
        assert!(i
            .verify_entra_access(i.access_token(&Grantee::new("x"), "r", vec![]).expose())
            .is_err());
    }

    #[test]
    fn payloads_are_plain_base64_whatever_the_content() {
        let i = issuer();
        for n in 0..60 {
            let sub = format!("{}é>?~\u{7f}😀{}", "x".repeat(n), "~".repeat(n % 7));
            let access = vec![AccessEntry::repository(&sub, &["pull"])];
            let t = i.access_token(&Grantee::new(&sub), "r.test", access);
            assert_eq!(payload(t.expose())["sub"], sub);
        }
    }

    #[test]
    fn opaque_access_tokens_stand_for_their_jwt() {
        let i = issuer();
        let who = Grantee::new("viewer@contoso.example");
        let grant = vec![AccessEntry::repository("a", &["pull"])];
        let opaque = i.opaque_access_token(&who, "r.test", grant.clone());
        let t = opaque.expose();
        assert_eq!(t.len(), 43);
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
        assert!(i.verify_signature(t).is_err(), "not a JWT");
        let c = i.verify_acr(t, "r.test", AcrTokenKind::Access).unwrap();
        assert_eq!(c.sub, "viewer@contoso.example");
        assert_eq!(c.access.as_deref(), Some(grant.as_slice()));
        assert_eq!(c.exp - c.iat, 4500);
        assert!(i.verify_acr(t, "other.test", AcrTokenKind::Access).is_err());
        assert!(i.verify_acr(t, "r.test", AcrTokenKind::Refresh).is_err());
        assert!(i.verify_acr(&random_text(32), "r.test", AcrTokenKind::Access).is_err());
        assert_eq!(i.opaque_tokens(), 1);
        assert_ne!(i.opaque_access_token(&who, "r.test", vec![]).expose(), t);

        // An expired one is refused as its JWT would be, and dropped when the next is issued.
        let lifetimes = TokenLifetimes { access: Duration::ZERO, ..TokenLifetimes::default() };
        let zero = TokenIssuer::new(None, lifetimes).unwrap();
        let old = zero.opaque_access_token(&who, "r.test", vec![]);
        let e = zero.verify_acr(old.expose(), "r.test", AcrTokenKind::Access).unwrap_err();
        assert!(e.0.contains("expired"), "{e}");
        zero.opaque_access_token(&who, "r.test", vec![]);
        assert_eq!(zero.opaque_tokens(), 1);
    }

    #[test]
    fn cli_tokens() {
        let i = issuer();
        let u = user();
        let e = cli_token(&i, &u, "entra", "r.test", "").unwrap();
        assert_eq!(i.verify_entra_access(&e).unwrap().oid, u.object_id);
        let r = cli_token(&i, &u, "refresh", "r.test", "").unwrap();
        assert!(i.verify_acr(&r, "r.test", AcrTokenKind::Refresh).is_ok());
        let a = cli_token(&i, &u, "access", "r.test", "repository:x:pull,push registry:catalog:*")
            .unwrap();
        let c = i.verify_acr(&a, "r.test", AcrTokenKind::Access).unwrap();
        assert_eq!(
            c.access.unwrap(),
            vec![AccessEntry::repository("x", &["pull"]), AccessEntry::catalog()]
        );
        assert!(cli_token(&i, &u, "bogus", "r.test", "").is_err());
        assert!(cli_token(&i, &u, "access", "r.test", "nonsense").is_err());
    }
}
