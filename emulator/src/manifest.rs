//! Manifest bodies: the digest of a manifest's bytes, and the validation of a pushed manifest
//! (schema 2 image manifest or manifest list / OCI index) that says what the body declares about
//! itself. Pure functions; the store decides what to do with the result.

use acr_types::{media_type, Digest, ManifestReference};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The sha256 digest of `bytes` (the digest of a manifest is that of its exact bytes).
pub fn digest_of(bytes: &[u8]) -> Digest {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    let mut text = String::with_capacity(71);
    text.push_str("sha256:");
    for b in hash {
        text.push(char::from(HEX[usize::from(b >> 4)]));
        text.push(char::from(HEX[usize::from(b & 15)]));
    }
    Digest::new(text).unwrap_or_else(|_| Digest::sha256_from_bytes(&hash))
}

/// What a pushed manifest body says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedManifest {
    /// Its media type (the request's `Content-Type`, else the body's `mediaType`).
    pub media_type: String,
    /// Media type of its config blob (images only).
    pub config_media_type: Option<String>,
    /// Config + layer sizes (images); 0 for indexes.
    pub blob_size: u64,
    /// Platforms (indexes only).
    pub references: Vec<ManifestReference>,
}

/// Why a body is not a valid manifest; the message names the bad field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidManifest(pub String);

fn invalid(message: impl Into<String>) -> InvalidManifest {
    InvalidManifest(message.into())
}

/// Reads a descriptor `{mediaType, size, digest}`; `what` names it in error messages.
fn descriptor(v: &Value, what: &str) -> Result<(String, u64, Digest), InvalidManifest> {
    let obj = v.as_object().ok_or_else(|| invalid(format!("{what} must be an object")))?;
    let media_type = obj
        .get("mediaType")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{what}.mediaType must be a string")))?;
    let size = obj
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid(format!("{what}.size must be a non-negative integer")))?;
    let digest = obj
        .get("digest")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{what}.digest must be a string")))?;
    let digest = Digest::new(digest).map_err(|e| invalid(format!("{what}.digest: {e}")))?;
    Ok((media_type.to_owned(), size, digest))
}

/// Validates a pushed manifest: schema 2, an image (`config` + `layers`) or an index
/// (`manifests` with platforms), matching `media_type` (the request's `Content-Type`; when empty,
/// the body's own `mediaType`).
pub fn parse_manifest(media_type: &str, body: &[u8]) -> Result<ParsedManifest, InvalidManifest> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("the manifest is not valid JSON: {e}")))?;
    let obj = v.as_object().ok_or_else(|| invalid("the manifest must be a JSON object"))?;
    if obj.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err(invalid("schemaVersion must be 2"));
    }
    let declared = obj.get("mediaType").and_then(Value::as_str);
    let header = media_type.split(';').next().unwrap_or("").trim();
    let media_type = match (header, declared) {
        ("", None) => {
            return Err(invalid("no media type: send a Content-Type or a mediaType field"))
        }
        ("", Some(d)) => d,
        (h, Some(d)) if h != d => {
            return Err(invalid(format!(
                "the manifest's mediaType {d} does not match the Content-Type {h}"
            )))
        }
        (h, _) => h,
    };
    if media_type::is_index(media_type) {
        let list = obj
            .get("manifests")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("a manifest list / index must have a manifests array"))?;
        let mut references = Vec::with_capacity(list.len());
        for (i, m) in list.iter().enumerate() {
            let what = format!("manifests[{i}]");
            let (_, _, digest) = descriptor(m, &what)?;
            let platform = m
                .get("platform")
                .and_then(Value::as_object)
                .ok_or_else(|| invalid(format!("{what}.platform must be an object")))?;
            let field = |key: &str| {
                platform
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("{what}.platform.{key} must be a string")))
            };
            references.push(ManifestReference {
                digest,
                architecture: Some(field("architecture")?),
                os: Some(field("os")?),
            });
        }
        return Ok(ParsedManifest {
            media_type: media_type.to_owned(),
            config_media_type: None,
            blob_size: 0,
            references,
        });
    }
    if media_type != media_type::DOCKER_MANIFEST && media_type != media_type::OCI_MANIFEST {
        return Err(invalid(format!("unsupported manifest media type {media_type}")));
    }
    let config =
        obj.get("config").ok_or_else(|| invalid("an image manifest must have a config"))?;
    let (config_media_type, mut blob_size, _) = descriptor(config, "config")?;
    let layers = obj
        .get("layers")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("an image manifest must have a layers array"))?;
    for (i, layer) in layers.iter().enumerate() {
        let (_, size, _) = descriptor(layer, &format!("layers[{i}]"))?;
        blob_size = blob_size.saturating_add(size);
    }
    Ok(ParsedManifest {
        media_type: media_type.to_owned(),
        config_media_type: Some(config_media_type),
        blob_size,
        references: Vec::new(),
    })
}
