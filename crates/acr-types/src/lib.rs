//! Wire types of the Azure Container Registry data-plane API, shared by `acr-client` and the
//! emulator: no I/O, no async, only serde shapes and validated names.
//!
//! Type names follow the swagger definitions in `spec/acr/` (`TagAttributes`, `AcrManifests`, …).
//! Decoding is tolerant of unknown keys and strict about the values it relies on: names, digests
//! and times are validated, so a malformed answer fails with a message that says what was wrong.

mod attributes;
mod error;
mod manifest;
mod names;
pub mod refusal;
mod repository;
mod tag;
mod time;
mod token;

pub use attributes::{
    AttributesPatch, ChangeableAttributes, ManifestChangeableAttributes,
    RepositoryChangeableAttributes, TagChangeableAttributes,
};
pub use error::{code, AcrErrorInfo, AcrErrors, DISALLOWED_MESSAGE};
pub use manifest::{
    media_type, AcrManifests, ManifestAttributes, ManifestAttributesBase, ManifestReference,
};
pub use names::{
    ArtifactRef, Digest, NameError, RepositoryName, TagName, MAX_REPOSITORY_NAME_LEN, MAX_TAG_LEN,
};
pub use repository::{DeletedRepository, Repositories, RepositoryAttributes};
pub use tag::{
    ManifestOrderBy, OrderBy, RepositoryTags, TagAttributes, TagAttributesBase, TagList, TagOrderBy,
};
pub use time::{Timestamp, TimestampError};
pub use token::{
    action, AccessClaim, AccessEntry, AccessToken, ExchangeForm, RefreshToken, ScopeError, Secret,
    TokenForm, TokenFormat,
};
