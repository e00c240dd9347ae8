//! The lock flags ACR keeps on every repository, tag and manifest ("changeable attributes"), and
//! the partial update that changes some of them.

use serde::{Deserialize, Serialize};

/// The changeable attributes of a repository, tag or manifest, as ACR returns them.
///
/// The four flags are always present on the wire; ACR adds a few extras on some objects
/// (`teleportEnabled` on repositories, `quarantineState`/`quarantineDetails` on manifests), which
/// are kept so that re-encoding is lossless. Unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeableAttributes {
    /// `false`: the item cannot be deleted.
    pub delete_enabled: bool,
    /// `false`: the item cannot be overwritten or deleted.
    pub write_enabled: bool,
    /// `false`: the item cannot be pulled.
    pub read_enabled: bool,
    /// `false`: the item is hidden from list operations.
    pub list_enabled: bool,
    /// Repository only: artifact streaming ("teleport"); not a lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teleport_enabled: Option<bool>,
    /// Manifest only: free-form quarantine details (a JSON string); ACR writes it before
    /// `quarantineState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_details: Option<String>,
    /// Manifest only: the quarantine state (`Passed`, `Quarantined`, …); not a lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_state: Option<String>,
}

/// The attributes of a repository (swagger `RepositoryChangeableAttributes`).
pub type RepositoryChangeableAttributes = ChangeableAttributes;
/// The attributes of a tag (swagger `TagChangeableAttributes`).
pub type TagChangeableAttributes = ChangeableAttributes;
/// The attributes of a manifest (swagger `ManifestChangeableAttributes`).
pub type ManifestChangeableAttributes = ChangeableAttributes;

impl Default for ChangeableAttributes {
    /// Everything enabled: a new, unlocked item.
    fn default() -> Self {
        Self {
            delete_enabled: true,
            write_enabled: true,
            read_enabled: true,
            list_enabled: true,
            teleport_enabled: None,
            quarantine_state: None,
            quarantine_details: None,
        }
    }
}

impl ChangeableAttributes {
    /// True when writes or deletes are blocked, i.e. the item is locked in some way.
    pub fn is_locked(&self) -> bool {
        !self.write_enabled || !self.delete_enabled
    }

    /// Applies the flags set in `patch`, leaving the others as they are.
    pub fn apply(&mut self, patch: &AttributesPatch) {
        if let Some(v) = patch.delete_enabled {
            self.delete_enabled = v;
        }
        if let Some(v) = patch.write_enabled {
            self.write_enabled = v;
        }
        if let Some(v) = patch.read_enabled {
            self.read_enabled = v;
        }
        if let Some(v) = patch.list_enabled {
            self.list_enabled = v;
        }
    }
}

/// A partial update of the four lock flags: only the fields set are serialised, so a PATCH changes
/// exactly what the user changed. Unknown keys are refused when decoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributesPatch {
    /// New `deleteEnabled`, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_enabled: Option<bool>,
    /// New `writeEnabled`, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_enabled: Option<bool>,
    /// New `readEnabled`, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_enabled: Option<bool>,
    /// New `listEnabled`, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_enabled: Option<bool>,
}

impl AttributesPatch {
    /// True when no flag is set (the request would change nothing).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Only the flags of `self` whose value differs from `current`.
    pub fn changes_from(&self, current: &ChangeableAttributes) -> Self {
        let diff = |new: Option<bool>, old: bool| new.filter(|&v| v != old);
        Self {
            delete_enabled: diff(self.delete_enabled, current.delete_enabled),
            write_enabled: diff(self.write_enabled, current.write_enabled),
            read_enabled: diff(self.read_enabled, current.read_enabled),
            list_enabled: diff(self.list_enabled, current.list_enabled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_serialises_only_what_is_set() {
        let p = AttributesPatch { write_enabled: Some(false), ..Default::default() };
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"writeEnabled":false}"#);
        assert_eq!(serde_json::to_string(&AttributesPatch::default()).unwrap(), "{}");
    }

    #[test]
    fn patch_refuses_unknown_keys_and_applies_partially() {
        assert!(serde_json::from_str::<AttributesPatch>(r#"{"writeEnable":false}"#).is_err());
        let mut a = ChangeableAttributes::default();
        a.apply(&AttributesPatch { delete_enabled: Some(false), ..Default::default() });
        assert!(!a.delete_enabled && a.write_enabled && a.is_locked());
    }

    #[test]
    fn changes_from_drops_no_op_flags() {
        let cur = ChangeableAttributes { write_enabled: false, ..Default::default() };
        let want = AttributesPatch {
            write_enabled: Some(false),
            delete_enabled: Some(false),
            ..Default::default()
        };
        let got = want.changes_from(&cur);
        assert_eq!(got, AttributesPatch { delete_enabled: Some(false), ..Default::default() });
    }
}
