//! Validated names: repository names, tags, digests, and the artifact references built from them.
//!
//! Every name that crosses the wire is one of these types, so a tag can never be sent where a
//! repository was meant, and ambiguous input (`repo:`) is refused instead of silently widening the
//! target to a whole repository, as `az acr repository update --image repo:` does.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// Why a name was refused. The message names the offending input and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The repository name does not follow the OCI distribution grammar.
    #[error("'{input}' is not a valid repository name: {reason}")]
    Repository {
        /// The refused input.
        input: String,
        /// Which rule it broke.
        reason: &'static str,
    },
    /// The tag does not follow `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    #[error("'{input}' is not a valid tag: {reason}")]
    Tag {
        /// The refused input.
        input: String,
        /// Which rule it broke.
        reason: &'static str,
    },
    /// The digest is not `sha256:` + 64 hex digits (or `sha512:` + 128).
    #[error("'{input}' is not a valid digest: {reason}")]
    Digest {
        /// The refused input.
        input: String,
        /// Which rule it broke.
        reason: &'static str,
    },
    /// The reference is ambiguous or incomplete (`repo:`, `repo@`, `repo:tag@digest`).
    #[error("'{input}' is not a valid image reference: {reason}")]
    Reference {
        /// The refused input.
        input: String,
        /// Which rule it broke.
        reason: &'static str,
    },
}

/// Longest repository name accepted (ACR's documented limit for a repository name).
pub const MAX_REPOSITORY_NAME_LEN: usize = 256;
/// Longest tag accepted (OCI distribution spec).
pub const MAX_TAG_LEN: usize = 128;

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Checks one path component against `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn check_component(c: &str) -> Result<(), &'static str> {
    let b = c.as_bytes();
    if b.is_empty() {
        return Err("it has an empty path component");
    }
    if !is_lower_alnum(b[0]) || !is_lower_alnum(b[b.len() - 1]) {
        return Err("each path component must start and end with a lowercase letter or digit");
    }
    let mut i = 0;
    while i < b.len() {
        if is_lower_alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-".
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return Err("only lowercase letters, digits, '.', '_', '-' and '/' are allowed"),
        }
        if i < b.len() && !is_lower_alnum(b[i]) {
            return Err("separators ('.', '_', '__', '-') must sit between letters or digits");
        }
    }
    Ok(())
}

/// A repository name such as `prod/payments/api`: lowercase path components joined by `/`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepositoryName(String);

impl RepositoryName {
    /// Validates `s` against the OCI distribution name grammar.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        let err = |reason| NameError::Repository { input: s.clone(), reason };
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        if s.len() > MAX_REPOSITORY_NAME_LEN {
            return Err(err("it is longer than 256 characters"));
        }
        for c in s.split('/') {
            check_component(c).map_err(err)?;
        }
        Ok(Self(s))
    }

    /// The name as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag such as `1.4.2` or `latest`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagName(String);

impl TagName {
    /// Validates `s` as `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        let err = |reason| NameError::Tag { input: s.clone(), reason };
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(err("it is empty"));
        }
        if b.len() > MAX_TAG_LEN {
            return Err(err("it is longer than 128 characters"));
        }
        if !(b[0].is_ascii_alphanumeric() || b[0] == b'_') {
            return Err(err("it must start with a letter, a digit or '_'"));
        }
        if !b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')) {
            return Err(err("only letters, digits, '_', '.' and '-' are allowed"));
        }
        Ok(Self(s))
    }

    /// The tag as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned (no copy).
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A content digest such as `sha256:` followed by 64 lowercase hex digits.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    /// Validates `s` as `sha256:<64 hex>` or `sha512:<128 hex>` (lowercase hex).
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        let err = |reason| NameError::Digest { input: s.clone(), reason };
        let Some((alg, hex)) = s.split_once(':') else {
            return Err(err("it must look like sha256:<64 hex digits>"));
        };
        let want = match alg {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(err("only sha256 and sha512 digests are supported")),
        };
        if hex.len() != want {
            return Err(err("the hex part has the wrong length"));
        }
        if !hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
            return Err(err("the hex part must be lowercase hexadecimal"));
        }
        Ok(Self(s))
    }

    /// Builds a sha256 digest from 32 raw hash bytes.
    pub fn sha256_from_bytes(hash: &[u8; 32]) -> Self {
        let mut s = String::with_capacity(71);
        s.push_str("sha256:");
        for b in hash {
            s.push_str(&format!("{b:02x}"));
        }
        Self(s)
    }

    /// The digest as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned (no copy).
    pub fn into_string(self) -> String {
        self.0
    }

    /// The hex part, without the algorithm.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, h)| h)
    }

    /// A short form for tables: `sha256:` and the first 12 hex digits.
    pub fn short(&self) -> &str {
        let end = self.0.find(':').map_or(0, |i| i + 1) + 12;
        &self.0[..end.min(self.0.len())]
    }
}

macro_rules! name_impls {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
        impl FromStr for $t {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, NameError> {
                Self::new(s)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}
name_impls!(RepositoryName);
name_impls!(TagName);
name_impls!(Digest);

/// What an attribute operation targets: a repository, a tag in it, or a manifest in it.
///
/// Parsed the way `az acr repository update` reads `--image`/`--repository`, except that
/// ambiguous input is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArtifactRef {
    /// The repository itself (`--repository prod/api`).
    Repository(RepositoryName),
    /// A tag (`prod/api:1.4.2`).
    Tag(RepositoryName, TagName),
    /// A manifest by digest (`prod/api@sha256:…`).
    Manifest(RepositoryName, Digest),
}

impl ArtifactRef {
    /// Parses `repo`, `repo:tag` or `repo@digest`.
    ///
    /// Refuses `repo:` and `repo@` (empty tag or digest) and `repo:tag@digest` (two targets), where
    /// the CLI would silently change the whole repository or pick one of them.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let err = |reason| NameError::Reference { input: s.to_owned(), reason };
        if let Some((repo, digest)) = s.split_once('@') {
            if digest.is_empty() {
                return Err(err("the digest after '@' is empty"));
            }
            if repo.contains(':') {
                return Err(err("give either a tag or a digest, not both"));
            }
            return Ok(Self::Manifest(RepositoryName::new(repo)?, Digest::new(digest)?));
        }
        // A tag follows the last ':' (repository names never contain ':').
        if let Some((repo, tag)) = s.rsplit_once(':') {
            if tag.is_empty() {
                return Err(err(
                    "the tag after ':' is empty; to address the whole repository, give its name alone",
                ));
            }
            return Ok(Self::Tag(RepositoryName::new(repo)?, TagName::new(tag)?));
        }
        Ok(Self::Repository(RepositoryName::new(s)?))
    }

    /// The repository this reference lives in.
    pub fn repository(&self) -> &RepositoryName {
        match self {
            Self::Repository(r) | Self::Tag(r, _) | Self::Manifest(r, _) => r,
        }
    }
}

impl fmt::Display for ArtifactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Repository(r) => write!(f, "{r}"),
            Self::Tag(r, t) => write!(f, "{r}:{t}"),
            Self::Manifest(r, d) => write!(f, "{r}@{d}"),
        }
    }
}

impl FromStr for ArtifactRef {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn repository_names() {
        for ok in ["a", "prod/payments/api", "a.b_c__d---e/f0", "library/hello-world"] {
            assert!(RepositoryName::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A", "a/", "/a", "a//b", "_a", "a_", "a___b", "a..b", "a:b", "a b", "<x>"] {
            assert!(RepositoryName::new(bad).is_err(), "{bad}");
        }
        assert!(RepositoryName::new("a".repeat(257)).is_err());
    }

    #[test]
    fn tags_and_digests() {
        assert!(TagName::new("1.4.2").is_ok());
        assert!(TagName::new("_x-Y.z").is_ok());
        assert!(TagName::new(".x").is_err());
        assert!(TagName::new("a".repeat(129)).is_err());
        assert!(Digest::new(D).is_ok());
        assert!(Digest::new(D.to_uppercase()).is_err());
        assert!(Digest::new("sha256:abc").is_err());
        assert!(Digest::new("md5:0123").is_err());
        assert_eq!(Digest::new(D).unwrap().short(), "sha256:0123456789ab");
    }

    #[test]
    fn references_parse_like_the_cli_but_refuse_ambiguity() {
        let r = |s: &str| ArtifactRef::parse(s);
        assert!(matches!(r("prod/api").unwrap(), ArtifactRef::Repository(_)));
        assert!(matches!(r("prod/api:1.0").unwrap(), ArtifactRef::Tag(..)));
        assert!(matches!(r(&format!("prod/api@{D}")).unwrap(), ArtifactRef::Manifest(..)));
        let e = r("prod/api:").unwrap_err().to_string();
        assert!(e.contains("whole repository"), "{e}");
        assert!(r("prod/api@").is_err());
        assert!(r(&format!("prod/api:1@{D}")).is_err());
        assert_eq!(r("prod/api:1.0").unwrap().to_string(), "prod/api:1.0");
    }
}
