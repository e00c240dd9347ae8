//! Lock coverage: how protected each tag and manifest is once its repository's own lock is taken
//! into account ([`Protection`]), the counts per repository a status page draws, the lock rules
//! an organisation declares (write-once policies ACR does not have) with their matches and gaps,
//! and the inventory rows an auditor exports. Pure: fed the same lists a preview reads.

use crate::{export::csv_field, plan::RepoSnapshot, record::Flags, rule::Rule};
use acr_types::{ArtifactRef, ChangeableAttributes, Digest};
use serde::Serialize;
use std::collections::HashMap;

/// How protected an item is, from its own flags and its repository's.
///
/// A repository with writes off refuses every push, tag change and delete in it, so its items
/// count as locked whatever their own flags; a repository's delete flag only guards the
/// repository itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// Neither overwritten nor deleted.
    Locked,
    /// Cannot be deleted; can still be overwritten.
    DeleteProtected,
    /// Cannot be overwritten (nor, as ACR refuses deletes while writes are off, deleted through
    /// the item itself); its delete flag is on.
    UpdatesPrevented,
    /// Can be overwritten and deleted.
    Unlocked,
}

impl Protection {
    /// Every state, most protected first.
    pub const ALL: [Protection; 4] =
        [Self::Locked, Self::DeleteProtected, Self::UpdatesPrevented, Self::Unlocked];

    /// The state of an item with `own` flags in a repository with `repository` flags.
    pub fn of(own: Flags, repository: Flags) -> Self {
        let write = own.write && repository.write;
        let delete = own.delete && repository.write;
        match (write, delete) {
            (false, false) => Self::Locked,
            (true, false) => Self::DeleteProtected,
            (false, true) => Self::UpdatesPrevented,
            (true, true) => Self::Unlocked,
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Locked => "Locked",
            Self::DeleteProtected => "Protected from deletion only",
            Self::UpdatesPrevented => "Updates prevented only",
            Self::Unlocked => "Unlocked",
        }
    }

    /// What the state lets ACR do, for a legend.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Locked => "ACR refuses overwriting and deleting it.",
            Self::DeleteProtected => "ACR refuses deleting it, but a push can still overwrite it.",
            Self::UpdatesPrevented => {
                "ACR refuses overwriting it (and deleting it while writes are off); turning the delete flag off as well would lock it fully."
            }
            Self::Unlocked => "ACR lets anyone with push rights overwrite or delete it.",
        }
    }

    /// The name in exports and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Locked => "locked",
            Self::DeleteProtected => "delete-protected",
            Self::UpdatesPrevented => "updates-prevented",
            Self::Unlocked => "unlocked",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(3)
    }
}

/// Items per [`Protection`] state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts(pub [usize; 4]);

impl StateCounts {
    /// Items in `state`.
    pub fn get(&self, state: Protection) -> usize {
        self.0[state.index()]
    }
    /// Every item.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
    /// Items not fully locked.
    pub fn not_locked(&self) -> usize {
        self.total() - self.get(Protection::Locked)
    }
    /// Adds one item.
    pub fn add(&mut self, state: Protection) {
        self.0[state.index()] += 1;
    }
    /// Adds another count.
    pub fn merge(&mut self, other: &StateCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

/// The coverage of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoCoverage {
    /// The repository.
    pub name: String,
    /// Its own flags.
    pub flags: Flags,
    /// Tags per state.
    pub tags: StateCounts,
    /// Manifests per state.
    pub manifests: StateCounts,
    /// The tags and manifests that are not locked, with their state.
    pub unprotected: Vec<(ArtifactRef, Protection)>,
}

impl RepoCoverage {
    /// Its figures, without the list of items not locked (what a bar or a table row needs).
    pub fn clone_figures(&self) -> Self {
        Self {
            name: self.name.clone(),
            flags: self.flags,
            tags: self.tags,
            manifests: self.manifests,
            unprotected: Vec::new(),
        }
    }

    /// True when the repository's own flags lock it (writes or deletes off).
    pub fn repository_locked(&self) -> bool {
        !self.flags.write || !self.flags.delete
    }
}

/// One line of the inventory: a tag (with its manifest), or an untagged manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryRow {
    /// The repository.
    pub repository: String,
    /// The tag; `None` for an untagged manifest.
    pub tag: Option<String>,
    /// The manifest digest.
    pub digest: String,
    /// The manifest's media type, when listed.
    pub media_type: Option<String>,
    /// The tag's own flags.
    pub tag_flags: Option<Flags>,
    /// The manifest's own flags, when listed.
    pub manifest_flags: Option<Flags>,
    /// The repository's flags.
    pub repository_flags: Flags,
    /// The effective state of the tag (or the untagged manifest).
    pub effective: Protection,
    /// Created (the tag's, or the manifest's).
    pub created: String,
    /// Last updated (the tag's, or the manifest's).
    pub updated: String,
}

/// The coverage and inventory of one repository read in full. Takes the snapshot: its names,
/// digests and times move into the inventory rather than being copied (a scan of 100,000 tags
/// holds one copy of them, not two).
pub fn repo_coverage(snapshot: RepoSnapshot) -> (RepoCoverage, Vec<InventoryRow>) {
    let RepoSnapshot { name, flags, tags, manifests, .. } = snapshot;
    let repo_flags = flags.as_ref().map(Flags::from).unwrap_or_default();
    let repository = name.to_string();
    let mut cov = RepoCoverage {
        name: repository.clone(),
        flags: repo_flags,
        tags: StateCounts::default(),
        manifests: StateCounts::default(),
        unprotected: Vec::new(),
    };
    // What a tag's row needs of its manifest.
    let of_manifest: HashMap<&Digest, (Option<&str>, Flags)> = manifests
        .iter()
        .map(|m| (&m.digest, (m.media_type.as_deref(), Flags::from(&m.changeable_attributes))))
        .collect();
    let mut rows = Vec::with_capacity(tags.len());
    for t in tags {
        let own = Flags::from(&t.changeable_attributes);
        let state = Protection::of(own, repo_flags);
        cov.tags.add(state);
        if state != Protection::Locked {
            cov.unprotected.push((ArtifactRef::Tag(name.clone(), t.name.clone()), state));
        }
        let m = of_manifest.get(&t.digest);
        rows.push(InventoryRow {
            repository: repository.clone(),
            tag: Some(t.name.into_string()),
            digest: t.digest.into_string(),
            media_type: m.and_then(|m| m.0).map(str::to_owned),
            tag_flags: Some(own),
            manifest_flags: m.map(|m| m.1),
            repository_flags: repo_flags,
            effective: state,
            created: t.created_time.into_string(),
            updated: t.last_update_time.into_string(),
        });
    }
    drop(of_manifest);
    for m in manifests {
        let own = Flags::from(&m.changeable_attributes);
        let state = Protection::of(own, repo_flags);
        cov.manifests.add(state);
        if state != Protection::Locked {
            cov.unprotected.push((ArtifactRef::Manifest(name.clone(), m.digest.clone()), state));
        }
        if m.tags.as_ref().is_none_or(Vec::is_empty) {
            rows.push(InventoryRow {
                repository: repository.clone(),
                tag: None,
                digest: m.digest.into_string(),
                media_type: m.media_type,
                tag_flags: None,
                manifest_flags: Some(own),
                repository_flags: repo_flags,
                effective: state,
                created: m.created_time.into_string(),
                updated: m.last_update_time.into_string(),
            });
        }
    }
    (cov, rows)
}

/// The state a lock rule requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Required {
    /// Writes and deletes off.
    Locked,
    /// Deletes off.
    DeleteProtected,
    /// Writes off.
    UpdatesPrevented,
}

impl Required {
    /// Reads `locked`, `protected-from-deletion` or `updates-prevented`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "locked" => Some(Self::Locked),
            "protected-from-deletion" | "delete-protected" => Some(Self::DeleteProtected),
            "updates-prevented" => Some(Self::UpdatesPrevented),
            _ => None,
        }
    }

    /// True when an item with `own` flags in a repository with `repository` flags meets it.
    pub fn met(self, own: Flags, repository: Flags) -> bool {
        use Protection::{DeleteProtected, Locked, UpdatesPrevented};
        let state = Protection::of(own, repository);
        match self {
            Self::Locked => state == Locked,
            Self::DeleteProtected => matches!(state, Locked | DeleteProtected),
            Self::UpdatesPrevented => matches!(state, Locked | UpdatesPrevented),
        }
    }

    /// The bulk change that closes a gap (`lock`, `protect`, `write-off`).
    pub fn change(self) -> &'static str {
        match self {
            Self::Locked => "lock",
            Self::DeleteProtected => "delete-off",
            Self::UpdatesPrevented => "write-off",
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Locked => "locked",
            Self::DeleteProtected => "protected from deletion",
            Self::UpdatesPrevented => "updates prevented",
        }
    }
}

/// A declared lock rule: a name, what it covers, and the state it requires.
#[derive(Debug, Clone, PartialEq)]
pub struct LockRule {
    /// Its name.
    pub name: String,
    /// What it covers (repositories, tags, exclusions, target).
    pub rule: Rule,
    /// The state required.
    pub require: Required,
}

/// A rule's standing over what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleStanding {
    /// Repositories read that the rule's repository pattern covers: none means the rule lies
    /// outside what was read, which is not the same as a rule with nothing to lock.
    pub repositories: usize,
    /// Items the rule covers.
    pub matched: usize,
    /// Of them, those in the required state.
    pub compliant: usize,
    /// The others: the gap.
    pub gap: Vec<ArtifactRef>,
}

impl LockRule {
    /// Adds what `snapshot` holds to `standing`.
    pub fn check(&self, snapshot: &RepoSnapshot, standing: &mut RuleStanding) {
        if !self.rule.matches_repository(snapshot.name.as_str()) {
            return;
        }
        standing.repositories += 1;
        let repo_flags = snapshot.flags.as_ref().map(Flags::from).unwrap_or_default();
        let tags: Vec<_> = snapshot.tags.iter().filter(|t| self.rule.matches_tag(t)).collect();
        let mut judge = |target: ArtifactRef, own: &ChangeableAttributes| {
            standing.matched += 1;
            if self.require.met(Flags::from(own), repo_flags) {
                standing.compliant += 1;
            } else {
                standing.gap.push(target);
            }
        };
        if self.rule.target.tags() {
            for t in &tags {
                judge(
                    ArtifactRef::Tag(snapshot.name.clone(), t.name.clone()),
                    &t.changeable_attributes,
                );
            }
        }
        if self.rule.target.manifests() {
            let mut seen = std::collections::HashSet::new();
            for t in &tags {
                if !seen.insert(&t.digest) {
                    continue;
                }
                if let Some(m) = snapshot.manifests.iter().find(|m| m.digest == t.digest) {
                    judge(
                        ArtifactRef::Manifest(snapshot.name.clone(), m.digest.clone()),
                        &m.changeable_attributes,
                    );
                }
            }
        }
    }
}

fn flag_cells(f: Option<Flags>) -> [&'static str; 4] {
    let b = |v: bool| if v { "true" } else { "false" };
    match f {
        Some(f) => [b(f.write), b(f.delete), b(f.read), b(f.list)],
        None => ["", "", "", ""],
    }
}

/// The inventory as CSV: a comment line saying what was read, when and by whom, then one line
/// per tag or untagged manifest.
pub fn inventory_csv(
    login_server: &str,
    scope: &str,
    taken: &str,
    account: Option<&str>,
    rows: &[InventoryRow],
) -> String {
    let mut out = format!(
        "# Inventory of {login_server}, scope {scope}, taken {taken}{}\n",
        account.map(|a| format!(" by {a}")).unwrap_or_default()
    );
    out.push_str(
        "registry,repository,tag,digest,media_type,tag_write,tag_delete,tag_read,tag_list,\
         manifest_write,manifest_delete,manifest_read,manifest_list,repository_write,\
         repository_delete,repository_read,repository_list,effective,created,updated\n",
    );
    for r in rows {
        let mut f: Vec<String> = vec![
            login_server.to_owned(),
            r.repository.clone(),
            r.tag.clone().unwrap_or_default(),
            r.digest.clone(),
            r.media_type.clone().unwrap_or_default(),
        ];
        for cells in [
            flag_cells(r.tag_flags),
            flag_cells(r.manifest_flags),
            flag_cells(Some(r.repository_flags)),
        ] {
            f.extend(cells.iter().map(|c| (*c).to_owned()));
        }
        f.push(r.effective.as_str().to_owned());
        f.push(r.created.clone());
        f.push(r.updated.clone());
        out.push_str(&f.iter().map(|x| csv_field(x)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// The inventory as JSON: what was read, when and by whom, and the rows.
pub fn inventory_json(
    login_server: &str,
    scope: &str,
    taken: &str,
    account: Option<&str>,
    rows: &[InventoryRow],
) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "registry": login_server,
        "scope": scope,
        "taken": taken,
        "account": account,
        "items": rows,
    }))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        plan::WriteRight,
        rule::{RuleFields, Target},
    };
    use acr_types::{
        ManifestAttributesBase, RepositoryName, TagAttributesBase, TagName, Timestamp,
    };

    fn f(write: bool, delete: bool) -> Flags {
        Flags { write, delete, ..Flags::default() }
    }

    fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    fn digest(n: u8) -> Digest {
        Digest::new(format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap()
    }

    fn tag(name: &str, d: u8, a: ChangeableAttributes) -> TagAttributesBase {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        TagAttributesBase {
            name: TagName::new(name).unwrap(),
            digest: digest(d),
            created_time: t.clone(),
            last_update_time: t,
            signed: None,
            changeable_attributes: a,
        }
    }

    fn manifest(d: u8, a: ChangeableAttributes, tags: &[&str]) -> ManifestAttributesBase {
        serde_json::from_value(serde_json::json!({
            "digest": digest(d).as_str(),
            "createdTime": "2026-01-01T00:00:00Z",
            "lastUpdateTime": "2026-01-01T00:00:00Z",
            "tags": tags,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "changeableAttributes": serde_json::to_value(a).unwrap(),
        }))
        .unwrap()
    }

    fn snapshot(repo_write: bool) -> RepoSnapshot {
        RepoSnapshot {
            name: RepositoryName::new("prod/api").unwrap(),
            flags: Some(attrs(repo_write, true)),
            write: WriteRight::Yes,
            tags: vec![
                tag("v1.0.0", 1, attrs(false, false)),
                tag("v1.1.0", 2, attrs(true, false)),
                tag("latest", 2, attrs(true, true)),
            ],
            manifests: vec![
                manifest(1, attrs(false, false), &["v1.0.0"]),
                manifest(2, attrs(true, true), &["v1.1.0", "latest"]),
                manifest(3, attrs(true, true), &[]),
            ],
        }
    }

    #[test]
    fn protection_takes_the_repository_write_lock_into_account() {
        let open = Flags::default();
        assert_eq!(Protection::of(f(false, false), open), Protection::Locked);
        assert_eq!(Protection::of(f(true, false), open), Protection::DeleteProtected);
        assert_eq!(Protection::of(f(false, true), open), Protection::UpdatesPrevented);
        assert_eq!(Protection::of(f(true, true), open), Protection::Unlocked);
        assert_eq!(
            Protection::of(f(true, true), f(false, true)),
            Protection::Locked,
            "repository writes off"
        );
        assert_eq!(
            Protection::of(f(true, true), f(true, false)),
            Protection::Unlocked,
            "repository delete guards only itself"
        );
    }

    #[test]
    fn a_repository_is_counted_and_inventoried_item_by_item() {
        let (cov, rows) = repo_coverage(snapshot(true));
        assert_eq!(cov.tags.0, [1, 1, 0, 1]);
        assert_eq!(cov.manifests.0, [1, 0, 0, 2]);
        assert_eq!(cov.unprotected.len(), 4);
        assert_eq!(rows.len(), 4, "three tags and one untagged manifest");
        assert_eq!(rows[3].tag, None);
        let (locked, _) = repo_coverage(snapshot(false));
        assert_eq!(
            locked.tags.get(Protection::Locked),
            3,
            "the repository's write lock covers them"
        );
        let csv =
            inventory_csv("r.azurecr.io", "prod/**", "2026-12-04T00:00:00Z", Some("a@b"), &rows);
        let lines: Vec<_> = csv.lines().collect();
        assert!(lines[0].starts_with(
            "# Inventory of r.azurecr.io, scope prod/**, taken 2026-12-04T00:00:00Z by a@b"
        ));
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[1].split(',').count(), 20);
        assert!(lines[2].starts_with("r.azurecr.io,prod/api,v1.0.0,sha256:01"));
        assert!(lines[2].contains(",locked,"));
        let json: serde_json::Value =
            serde_json::from_str(&inventory_json("r", "s", "t", None, &rows)).unwrap();
        assert_eq!(json["items"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn a_rule_counts_its_matches_and_lists_its_gap() {
        let rule = RuleFields {
            repos: "prod/**".into(),
            tags: "v*.*.*".into(),
            target: Target::Both,
            ..Default::default()
        }
        .check()
        .unwrap();
        let lock = LockRule { name: "releases".into(), rule, require: Required::Locked };
        let mut standing = RuleStanding::default();
        lock.check(&snapshot(true), &mut standing);
        assert_eq!(standing.repositories, 1);
        assert_eq!(standing.matched, 4, "two tags and their two manifests");
        assert_eq!(standing.compliant, 2);
        let gap: Vec<String> = standing.gap.iter().map(ToString::to_string).collect();
        assert_eq!(gap[0], "prod/api:v1.1.0");
        assert!(gap[1].starts_with("prod/api@sha256:02"));
        let delete = LockRule { require: Required::DeleteProtected, ..lock };
        let mut s = RuleStanding::default();
        delete.check(&snapshot(true), &mut s);
        assert_eq!(s.compliant, 3, "v1.1.0 is protected from deletion");
        assert_eq!(Required::parse("protected-from-deletion"), Some(Required::DeleteProtected));
        assert_eq!(Required::Locked.change(), "lock");
    }

    #[test]
    fn a_rule_outside_what_was_read_counts_no_repository() {
        let rule = RuleFields { repos: "base/**".into(), ..Default::default() }.check().unwrap();
        let lock = LockRule { name: "base".into(), rule, require: Required::DeleteProtected };
        let mut standing = RuleStanding::default();
        lock.check(&snapshot(true), &mut standing);
        assert_eq!(standing, RuleStanding::default(), "prod/api is not base/**");
    }
}
