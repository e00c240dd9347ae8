//! ACR's token endpoints on the wire: the secret wrapper that keeps tokens out of logs, the
//! `/oauth2/exchange` and `/oauth2/token` forms and answers, and the `scope` / `access` grammar.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A token or password. `Debug` prints `<redacted>` and there is no `Display`, so a secret cannot
/// reach a log line or an error message by accident; [`Secret::expose`] is the one way out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True for the empty secret (anonymous access).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `POST /oauth2/exchange` answer (swagger `RefreshToken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// The ACR refresh token (a JWT).
    pub refresh_token: Secret,
}

/// `POST /oauth2/token` answer (swagger `AccessToken`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    /// The ACR access token (a JWT).
    pub access_token: Secret,
}

/// The form of `POST /oauth2/exchange` with `grant_type=access_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeForm {
    /// Always `access_token` for this flow.
    pub grant_type: String,
    /// The registry login server, e.g. `myregistry.azurecr.io`.
    pub service: String,
    /// The Entra tenant (optional; az CLI sends it, the SDKs do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The Entra access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    /// Entra refresh token (deprecated grants only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
}

/// The form of `POST /oauth2/token`: `refresh_token` or `password` grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    /// `refresh_token` or `password`.
    pub grant_type: String,
    /// The registry login server.
    pub service: String,
    /// Space-separated scopes, e.g. `repository:prod/api:metadata_read`.
    #[serde(default)]
    pub scope: String,
    /// The ACR refresh token (`refresh_token` grant; empty for anonymous `password` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// User or token name (`password` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password (`password` grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
}

/// Data-plane actions as they appear in scopes and `access` claims.
pub mod action {
    /// Pull manifests and blobs.
    pub const PULL: &str = "pull";
    /// Push manifests and blobs.
    pub const PUSH: &str = "push";
    /// Delete repositories, tags and manifests.
    pub const DELETE: &str = "delete";
    /// Read repository, tag and manifest attributes and lists.
    pub const METADATA_READ: &str = "metadata_read";
    /// Change attributes (lock and unlock).
    pub const METADATA_WRITE: &str = "metadata_write";
    /// All actions (`registry:catalog:*`, `repository:*:*`).
    pub const ALL: &str = "*";
}

/// One `access` entry of an ACR token, also the parsed form of one scope.
///
/// ACR writes it two ways, and both are read: today's `"version": "2.0"` access tokens capitalise
/// the keys (`{"Type":"repository","Name":"prod/api","Actions":["pull"]}`, recorded in
/// `spec/acr/recordings/auth_exchange_and_token.json`), older `"version": "1.0"` tokens and the
/// Docker token spec write them in lowercase. It serializes in lowercase; [`AccessClaim`] writes
/// either form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccessEntry {
    /// `repository` or `registry`.
    #[serde(rename = "type", alias = "Type")]
    pub kind: String,
    /// A repository name, `catalog`, or `*`.
    #[serde(alias = "Name")]
    pub name: String,
    /// The granted (or requested) actions; `null` reads as none.
    #[serde(default, alias = "Actions", deserialize_with = "null_as_empty")]
    pub actions: Vec<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// How an ACR token spells its claims: the `version` claim and the keys of its `access` entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TokenFormat {
    /// `"version": "2.0"`, `Type`/`Name`/`Actions`: what ACR issues today.
    #[default]
    V2,
    /// `"version": "1.0"`, `type`/`name`/`actions`: older tokens and the Docker token spec.
    V1,
}

impl TokenFormat {
    /// The `version` claim of an access token in this format.
    pub fn version(self) -> &'static str {
        match self {
            Self::V2 => "2.0",
            Self::V1 => "1.0",
        }
    }
}

/// An [`AccessEntry`] written in one [`TokenFormat`] (the emulator's tokens, test fixtures).
#[derive(Debug, Clone, Copy)]
pub struct AccessClaim<'a>(pub &'a AccessEntry, pub TokenFormat);

impl Serialize for AccessClaim<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (kind, name, actions) = match self.1 {
            TokenFormat::V2 => ("Type", "Name", "Actions"),
            TokenFormat::V1 => ("type", "name", "actions"),
        };
        let mut st = s.serialize_struct("AccessEntry", 3)?;
        st.serialize_field(kind, &self.0.kind)?;
        st.serialize_field(name, &self.0.name)?;
        st.serialize_field(actions, &self.0.actions)?;
        st.end()
    }
}

/// A scope string that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid scope (expected type:name:actions)")]
pub struct ScopeError(pub String);

impl AccessEntry {
    /// The entry for `repository:<name>:<actions>`.
    pub fn repository(name: &str, actions: &[&str]) -> Self {
        Self {
            kind: "repository".into(),
            name: name.into(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The entry for `registry:catalog:*`.
    pub fn catalog() -> Self {
        Self { kind: "registry".into(), name: "catalog".into(), actions: vec![action::ALL.into()] }
    }

    /// Parses one scope, `type:name:action[,action…]`. The name may contain `:`-free slashes; the
    /// type is the text before the first `:` and the actions follow the last `:`.
    pub fn parse_scope(s: &str) -> Result<Self, ScopeError> {
        let err = || ScopeError(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(err)?;
        let (name, actions) = rest.rsplit_once(':').ok_or_else(err)?;
        if kind.is_empty() || name.is_empty() || actions.is_empty() {
            return Err(err());
        }
        let actions: Vec<String> = actions.split(',').map(str::to_owned).collect();
        if actions.iter().any(|a| a.is_empty()) {
            return Err(err());
        }
        Ok(Self { kind: kind.into(), name: name.into(), actions })
    }

    /// Parses a space-separated list of scopes.
    pub fn parse_scopes(s: &str) -> Result<Vec<Self>, ScopeError> {
        s.split_whitespace().map(Self::parse_scope).collect()
    }

    /// True when this entry grants `action` (or `*`). Actions compare without regard to case
    /// or the underscore (`metadata_write`, `metadataWrite`): the docs show both spellings.
    pub fn allows(&self, action: &str) -> bool {
        // ASCII only: action names are ASCII, and Unicode case tables would grow the bundle.
        fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
            s.chars().filter(|c| *c != '_').map(|c| c.to_ascii_lowercase())
        }
        self.actions.iter().any(|a| a == action::ALL || fold(a).eq(fold(action)))
    }

    /// True when this entry is of `kind` (`repository`, `registry`), whatever its case.
    pub fn is_kind(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }
}

impl fmt::Display for AccessEntry {
    /// The scope form: `repository:prod/api:pull,metadata_read`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.kind, self.name, self.actions.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let t = AccessToken { access_token: Secret::new("eyJsecret") };
        assert!(!format!("{t:?}").contains("eyJsecret"));
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"access_token":"eyJsecret"}"#);
    }

    #[test]
    fn access_entries_read_both_spellings_and_write_either() {
        let recorded: AccessEntry = serde_json::from_str(
            r#"{"Type":"repository","Name":"repoa4a73b86","Actions":["metadata_read"]}"#,
        )
        .unwrap();
        let older: AccessEntry = serde_json::from_str(
            r#"{"type":"repository","name":"repoa4a73b86","actions":["metadata_read"]}"#,
        )
        .unwrap();
        assert_eq!(recorded, older);
        assert_eq!(recorded, AccessEntry::repository("repoa4a73b86", &["metadata_read"]));
        let none: AccessEntry =
            serde_json::from_str(r#"{"Type":"registry","Name":"catalog","Actions":null}"#).unwrap();
        assert!(none.actions.is_empty());
        assert_eq!(
            serde_json::to_string(&AccessClaim(&older, TokenFormat::V2)).unwrap(),
            r#"{"Type":"repository","Name":"repoa4a73b86","Actions":["metadata_read"]}"#
        );
        assert_eq!(
            serde_json::to_string(&AccessClaim(&older, TokenFormat::V1)).unwrap(),
            r#"{"type":"repository","name":"repoa4a73b86","actions":["metadata_read"]}"#
        );
        assert_eq!((TokenFormat::default().version(), TokenFormat::V1.version()), ("2.0", "1.0"));
    }

    #[test]
    fn scopes_round_trip() {
        let e = AccessEntry::parse_scope("repository:prod/api:pull,metadata_read").unwrap();
        assert_eq!(e, AccessEntry::repository("prod/api", &["pull", "metadata_read"]));
        assert_eq!(e.to_string(), "repository:prod/api:pull,metadata_read");
        assert!(e.allows("pull") && !e.allows("delete"));
        let camel = AccessEntry::repository("prod/api", &["metadataWrite", "PULL"]);
        assert!(camel.allows("metadata_write") && camel.allows("pull") && !camel.allows("delete"));
        assert!(AccessEntry { kind: "Repository".into(), ..camel }.is_kind("repository"));
        assert!(AccessEntry::parse_scope("registry:catalog:*").unwrap().allows("anything"));
        for bad in
            ["", "repository", "repository:x", "repository::pull", "repository:x:", "a:b:c,,d"]
        {
            assert!(AccessEntry::parse_scope(bad).is_err(), "{bad}");
        }
        assert_eq!(
            AccessEntry::parse_scopes("registry:catalog:* repository:*:*").unwrap().len(),
            2
        );
    }
}
