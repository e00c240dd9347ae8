//! The console's configuration: `config.json`, served beside the app and shaped like MSAL.js's
//! (`auth.clientId`, `auth.authority`, `auth.redirectUri`, `scopes`) plus the registries the
//! console manages. Parsing and validation are pure (tested natively); every refusal names the
//! field and says what a valid value looks like.

use serde::Deserialize;
use std::sync::Arc;

/// Where the configuration is fetched from, relative to the app.
pub const CONFIG_PATH: &str = "/config.json";
/// The scope the console asks Entra for when `scopes` is absent.
pub const DEFAULT_SCOPE: &str = "https://containerregistry.azure.net/.default";

/// How the console signs in to a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInKind {
    /// Microsoft Entra ID (authorization code + PKCE), exchanged for ACR tokens.
    #[default]
    Entra,
    /// A repository-scoped ACR token or admin user: username and password.
    Token,
}

/// One registry the console manages.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryConfig {
    /// Short name used in console URLs (`prod`).
    pub name: String,
    /// The registry's login server (`prod.azurecr.io`).
    pub login_server: String,
    /// Same-origin path the proxy serves the registry under (`/registry/prod`).
    pub endpoint: String,
    /// How to sign in.
    pub sign_in: SignInKind,
    /// The lock rules declared for it (write-once policies the status page checks).
    pub lock_rules: Vec<acr_bulk::coverage::LockRule>,
}

/// The Entra application the console signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraConfig {
    /// Application (client) id.
    pub client_id: String,
    /// Authority, e.g. `https://login.microsoftonline.com/<tenant-id>`.
    pub authority: String,
    /// Where Entra sends the browser back (registered as a single-page-application URI).
    pub redirect_uri: String,
    /// Where the authority sends the browser after sign-out.
    pub post_logout_redirect_uri: String,
    /// Scopes requested at sign-in.
    pub scopes: Vec<String>,
}

/// The whole configuration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Entra sign-in; `None` when every registry uses token sign-in.
    pub entra: Option<EntraConfig>,
    /// The registries, in the order the file lists them.
    pub registries: Vec<RegistryConfig>,
}

/// The configuration as shared through the app.
pub type SharedConfig = Arc<Config>;

impl Config {
    /// The registry named `name`.
    pub fn registry(&self, name: &str) -> Option<&RegistryConfig> {
        self.registries.iter().find(|r| r.name == name)
    }
}

/// Why the configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The field at fault (`registries[1].endpoint`), or empty for the file as a whole.
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawAuth {
    client_id: Option<String>,
    authority: Option<String>,
    redirect_uri: Option<String>,
    post_logout_redirect_uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawRegistry {
    name: Option<String>,
    login_server: Option<String>,
    endpoint: Option<String>,
    #[serde(default)]
    sign_in: Option<SignInKind>,
    #[serde(default)]
    lock_rules: Option<Vec<RawLockRule>>,
}

/// A lock rule as `config.json` writes it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawLockRule {
    name: Option<String>,
    repositories: Option<String>,
    tags: Option<String>,
    #[serde(default)]
    regex: bool,
    #[serde(default)]
    exclude: Vec<String>,
    require: Option<String>,
    target: Option<String>,
}

/// Reads the lock rules of registry `i`, naming the first field that cannot be used.
fn lock_rules(
    i: usize,
    raw: Vec<RawLockRule>,
) -> Result<Vec<acr_bulk::coverage::LockRule>, ConfigError> {
    use acr_bulk::{coverage::Required, rule::RuleFields, Target};
    let mut out: Vec<acr_bulk::coverage::LockRule> = Vec::new();
    for (j, r) in raw.into_iter().enumerate() {
        let f = |name: &str| format!("registries[{i}].lockRules[{j}].{name}");
        let name = required(r.name, &f("name"), "a name such as \"releases are immutable\"")?;
        if out.iter().any(|x| x.name == name) {
            return Err(err(f("name"), format!("\"{name}\" is used twice")));
        }
        let repos =
            required(r.repositories, &f("repositories"), "a repository glob such as \"prod/**\"")?;
        let require_text = required(
            r.require,
            &f("require"),
            "\"locked\", \"protected-from-deletion\" or \"updates-prevented\"",
        )?;
        let require = Required::parse(&require_text).ok_or_else(|| {
            err(f("require"), format!("\"{require_text}\" is not a state: use \"locked\", \"protected-from-deletion\" or \"updates-prevented\""))
        })?;
        let target = match r.target.as_deref() {
            None | Some("tags") => Target::Tags,
            Some("manifests") => Target::Manifests,
            Some("both") => Target::Both,
            Some(other) => {
                return Err(err(
                    f("target"),
                    format!("\"{other}\" is not a target: use \"tags\", \"manifests\" or \"both\""),
                ))
            }
        };
        let fields = RuleFields {
            repos,
            tags: r.tags.unwrap_or_default(),
            regex: r.regex,
            exclude: r.exclude.join(","),
            target,
            ..RuleFields::default()
        };
        let rule = fields.check().map_err(|errors| {
            let first = &errors[0];
            let field = match first.field {
                "repos" => "repositories",
                other => other,
            };
            err(f(field), first.message.trim_end_matches('.').to_owned())
        })?;
        out.push(acr_bulk::coverage::LockRule { name, rule, require });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawConfig {
    auth: Option<RawAuth>,
    scopes: Option<Vec<String>>,
    registries: Option<Vec<RawRegistry>>,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), message: message.into() }
}

/// True for `http(s)://host[:port][/path]`; plain `http` only for this machine.
fn is_web_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let bare = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let local = matches!(bare, "localhost" | "127.0.0.1" | "[::1]");
    !host.is_empty()
        && !host.contains('@')
        && !s.contains(char::is_whitespace)
        && (scheme == "https" || (scheme == "http" && local))
}

fn required(v: Option<String>, field: &str, what: &str) -> Result<String, ConfigError> {
    match v.map(|s| s.trim().to_owned()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(err(field, format!("is missing: give {what}"))),
    }
}

/// Parses and validates `config.json`. `origin` is the console's own origin
/// (`https://console.example`), used to check the redirect URI.
pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = serde_json::from_str(text).map_err(|e| {
        let m = e.to_string();
        // serde names unknown and mistyped fields in its message.
        err("", format!("config.json is not valid: {m}"))
    })?;
    let regs = raw.registries.unwrap_or_default();
    if regs.is_empty() {
        return Err(err("registries", "is missing or empty: list at least one registry"));
    }
    let mut registries = Vec::new();
    for (i, r) in regs.into_iter().enumerate() {
        let f = |name: &str| format!("registries[{i}].{name}");
        let name = required(r.name, &f("name"), "a short name such as \"prod\"")?;
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || name.len() > 50
        {
            return Err(err(f("name"), "use lowercase letters, digits and '-' (at most 50)"));
        }
        if registries.iter().any(|x: &RegistryConfig| x.name == name) {
            return Err(err(f("name"), format!("\"{name}\" is used twice")));
        }
        let login_server = required(
            r.login_server,
            &f("loginServer"),
            "the registry's login server such as \"prod.azurecr.io\"",
        )?
        .to_ascii_lowercase();
        if login_server.contains(['/', ' ', '@']) || login_server.contains("://") {
            return Err(err(
                f("loginServer"),
                "give the host name only, such as \"prod.azurecr.io\"",
            ));
        }
        let endpoint =
            required(r.endpoint, &f("endpoint"), "the proxy path such as \"/registry/prod\"")?;
        if !endpoint.starts_with('/')
            || endpoint.starts_with("//")
            || endpoint.contains(['?', '#', ' ', '\\'])
        {
            return Err(err(
                f("endpoint"),
                "must be a path on this site such as \"/registry/prod\" (the registry is reached through the same-origin proxy)",
            ));
        }
        registries.push(RegistryConfig {
            name,
            login_server,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            sign_in: r.sign_in.unwrap_or_default(),
            lock_rules: lock_rules(i, r.lock_rules.unwrap_or_default())?,
        });
    }
    let needs_entra = registries.iter().any(|r| r.sign_in == SignInKind::Entra);
    let entra = match (raw.auth, needs_entra) {
        (None, false) => None,
        (None, true) => {
            return Err(err(
                "auth",
                "is missing: Entra sign-in needs clientId, authority and redirectUri",
            ))
        }
        (Some(a), _) => {
            let client_id = required(
                a.client_id,
                "auth.clientId",
                "the application (client) id of the Entra app registration",
            )?;
            let authority = required(
                a.authority,
                "auth.authority",
                "https://login.microsoftonline.com/<tenant-id>",
            )?;
            if !is_web_url(&authority) || authority.contains(['?', '#']) {
                return Err(err(
                    "auth.authority",
                    "must be an https URL such as https://login.microsoftonline.com/<tenant-id>",
                ));
            }
            let redirect_uri = required(
                a.redirect_uri,
                "auth.redirectUri",
                "this console's URL, such as https://console.example/",
            )?;
            if !is_web_url(&redirect_uri) || !redirect_uri.starts_with(origin) {
                return Err(err(
                    "auth.redirectUri",
                    format!("must be a URL of this console (it starts with {origin}), registered in Entra as a single-page-application redirect URI"),
                ));
            }
            let post_logout_redirect_uri =
                a.post_logout_redirect_uri.unwrap_or_else(|| redirect_uri.clone());
            if !is_web_url(&post_logout_redirect_uri) {
                return Err(err("auth.postLogoutRedirectUri", "must be an https URL"));
            }
            let scopes = raw.scopes.unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]);
            if scopes.is_empty()
                || scopes.iter().any(|s| s.trim().is_empty() || s.contains(char::is_whitespace))
            {
                return Err(err(
                    "scopes",
                    format!("must list scopes without spaces, such as \"{DEFAULT_SCOPE}\""),
                ));
            }
            Some(EntraConfig {
                client_id,
                authority: authority_base(&authority).to_owned(),
                redirect_uri,
                post_logout_redirect_uri,
                scopes,
            })
        }
    };
    Ok(Config { entra, registries })
}

/// Largest `config.json` read: a real one is a few hundred bytes per registry.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Refuses a `config.json` of `len` bytes when it is larger than [`MAX_CONFIG_BYTES`] (the
/// transport stops reading just past the limit).
pub fn check_size(len: usize) -> Result<(), ConfigError> {
    if len > MAX_CONFIG_BYTES {
        return Err(err(
            "",
            format!(
                "{CONFIG_PATH} is larger than {} KB and was not read: is the right file served?",
                MAX_CONFIG_BYTES / 1024
            ),
        ));
    }
    Ok(())
}

/// Fetches and validates `config.json` (browser only).
pub async fn load() -> Result<Config, ConfigError> {
    #[cfg(target_arch = "wasm32")]
    {
        use acr_client::transport::{fetch::FetchTransport, BodyLimit, Transport};
        let origin = web_origin();
        let req = http::Request::get(format!("{origin}{CONFIG_PATH}"))
            .header(http::header::CACHE_CONTROL, "no-cache")
            .extension(BodyLimit(MAX_CONFIG_BYTES))
            .body(Vec::new())
            .map_err(|e| err("", e.to_string()))?;
        let res = FetchTransport
            .send(req)
            .await
            .map_err(|e| err("", format!("{CONFIG_PATH} could not be loaded: {}", e.message)))?;
        if !res.status().is_success() {
            return Err(err(
                "",
                format!(
                    "{CONFIG_PATH} could not be loaded (HTTP {}): put a config.json beside the app",
                    res.status().as_u16()
                ),
            ));
        }
        check_size(res.body().len())?;
        let text = String::from_utf8_lossy(res.body());
        parse(&text, &origin)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Err(err("", "the configuration is only loaded in a browser"))
    }
}

/// The page's origin (`https://console.example`).
#[cfg(target_arch = "wasm32")]
pub fn web_origin() -> String {
    leptos::prelude::window().location().origin().unwrap_or_default()
}

/// The authority as the endpoints are built from it: without a trailing `/`, and without the
/// `/v2.0` of the issuer form (`https://login.microsoftonline.com/{tenant}/v2.0`, the `issuer`
/// of Entra's discovery document, often copied in its place): the console appends
/// `/oauth2/v2.0/…` itself.
fn authority_base(authority: &str) -> &str {
    let trimmed = authority.trim_end_matches('/');
    trimmed.strip_suffix("/v2.0").unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_config_json_is_refused_as_a_whole() {
        assert!(check_size(MAX_CONFIG_BYTES).is_ok());
        let e = check_size(MAX_CONFIG_BYTES + 1).unwrap_err();
        assert_eq!(e.field, "");
        assert!(e.message.contains("config.json is larger than 256 KB"), "{e}");
    }

    const ORIGIN: &str = "https://console.example";

    fn good() -> serde_json::Value {
        serde_json::json!({
            "auth": {"clientId": "c0de", "authority": "https://login.microsoftonline.com/t1",
                     "redirectUri": "https://console.example/"},
            "registries": [{"name": "prod", "loginServer": "Prod.azurecr.io", "endpoint": "/registry/prod/"}]
        })
    }

    #[test]
    fn accepts_a_valid_file_with_defaults() {
        let c = parse(&good().to_string(), ORIGIN).unwrap();
        let e = c.entra.unwrap();
        assert_eq!(e.scopes, [DEFAULT_SCOPE]);
        assert_eq!(e.post_logout_redirect_uri, "https://console.example/");
        assert_eq!(c.registries[0].login_server, "prod.azurecr.io");
        assert_eq!(c.registries[0].endpoint, "/registry/prod");
        assert_eq!(c.registries[0].sign_in, SignInKind::Entra);
    }

    #[test]
    fn lock_rules_are_read_and_every_unusable_one_is_named() {
        let mut v = good();
        v["registries"][0]["lockRules"] = serde_json::json!([
            {"name": "releases are immutable", "repositories": "prod/**", "tags": "v*.*.*",
             "exclude": ["*-rc*"], "require": "locked", "target": "both"},
            {"name": "base images stay", "repositories": "base/**", "require": "protected-from-deletion"}
        ]);
        let c = parse(&v.to_string(), ORIGIN).unwrap();
        let rules = &c.registries[0].lock_rules;
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].name, "releases are immutable");
        assert!(rules[0].rule.matches_repository("prod/payments/api"));
        assert_eq!(rules[1].require, acr_bulk::coverage::Required::DeleteProtected);
        let bad = |rule: serde_json::Value, field: &str| {
            let mut v = good();
            v["registries"][0]["lockRules"] = serde_json::json!([rule]);
            let e = parse(&v.to_string(), ORIGIN).unwrap_err();
            assert_eq!(e.field, format!("registries[0].lockRules[0].{field}"), "{e:?}");
            e.message
        };
        bad(serde_json::json!({"repositories": "a", "require": "locked"}), "name");
        bad(serde_json::json!({"name": "n", "require": "locked"}), "repositories");
        let m = bad(
            serde_json::json!({"name": "n", "repositories": "a", "require": "frozen"}),
            "require",
        );
        assert!(m.contains("frozen"), "{m}");
        let m = bad(
            serde_json::json!({"name": "n", "repositories": "a", "tags": "v(", "regex": true, "require": "locked"}),
            "tags",
        );
        assert!(m.contains("regular expression"), "{m}");
        bad(
            serde_json::json!({"name": "n", "repositories": "a", "require": "locked", "target": "images"}),
            "target",
        );
    }

    #[test]
    fn token_only_registries_need_no_auth_section() {
        let text = r#"{"registries":[{"name":"edge","loginServer":"edge.azurecr.io","endpoint":"/registry/edge","signIn":"token"}]}"#;
        assert!(parse(text, ORIGIN).unwrap().entra.is_none());
    }

    #[test]
    fn refusals_name_the_field() {
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("registries", serde_json::json!({"auth": good()["auth"], "registries": []})),
            ("auth.clientId", {
                let mut v = good();
                v["auth"]["clientId"] = "".into();
                v
            }),
            ("auth.authority", {
                let mut v = good();
                v["auth"]["authority"] = "login.microsoftonline.com".into();
                v
            }),
            ("auth.authority", {
                let mut v = good();
                v["auth"]["authority"] = "http://evil.example/t".into();
                v
            }),
            ("auth.redirectUri", {
                let mut v = good();
                v["auth"]["redirectUri"] = "https://elsewhere.example/".into();
                v
            }),
            ("registries[0].endpoint", {
                let mut v = good();
                v["registries"][0]["endpoint"] = "https://prod.azurecr.io".into();
                v
            }),
            ("registries[0].endpoint", {
                let mut v = good();
                v["registries"][0]["endpoint"] = "//evil.example/x".into();
                v
            }),
            ("registries[0].loginServer", {
                let mut v = good();
                v["registries"][0]["loginServer"] = "https://prod.azurecr.io".into();
                v
            }),
            ("registries[0].name", {
                let mut v = good();
                v["registries"][0]["name"] = "Prod Registry".into();
                v
            }),
            ("scopes", {
                let mut v = good();
                v["scopes"] = serde_json::json!(["a b"]);
                v
            }),
            ("auth", serde_json::json!({"registries": good()["registries"]})),
        ];
        for (field, v) in cases {
            let e = parse(&v.to_string(), ORIGIN).unwrap_err();
            assert_eq!(e.field, field, "{e}");
            assert!(!e.message.is_empty());
        }
        let e = parse(r#"{"registries": 3}"#, ORIGIN).unwrap_err();
        assert!(e.message.contains("invalid type"), "{e}");
        let e = parse(r#"{"registrys": []}"#, ORIGIN).unwrap_err();
        assert!(e.message.contains("registrys"), "{e}");
        assert!(parse("not json", ORIGIN).is_err());
        let mut twice = good();
        twice["registries"] = serde_json::json!([good()["registries"][0], good()["registries"][0]]);
        assert_eq!(parse(&twice.to_string(), ORIGIN).unwrap_err().field, "registries[1].name");
    }

    #[test]
    fn an_authority_copied_in_its_issuer_form_is_used_as_the_authority() {
        for written in [
            "https://login.microsoftonline.com/t1",
            "https://login.microsoftonline.com/t1/",
            "https://login.microsoftonline.com/t1/v2.0",
            "https://login.microsoftonline.com/t1/v2.0/",
        ] {
            let mut v = good();
            v["auth"]["authority"] = written.into();
            let c = parse(&v.to_string(), "https://console.example").unwrap();
            let authority = c.entra.map(|e| e.authority).unwrap_or_default();
            assert_eq!(authority, "https://login.microsoftonline.com/t1", "{written}");
        }
    }

    #[test]
    fn local_http_is_allowed_for_the_demo() {
        let mut v = good();
        v["auth"]["authority"] = "http://127.0.0.1:8080/demo".into();
        v["auth"]["redirectUri"] = "http://127.0.0.1:8080/".into();
        assert!(parse(&v.to_string(), "http://127.0.0.1:8080").is_ok());
    }
}
