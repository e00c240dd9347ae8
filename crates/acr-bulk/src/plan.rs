//! The exact preview: for every item a rule or a hand selection names, its flags now and what the
//! action would make them, sorted into groups (will change; will change but a repository lock
//! also applies; already in that state; you may not change it; no longer there), with counts per
//! group and per repository. Built from the lists the console reads (one paged list per
//! repository and kind), never from a request per item.

use crate::{record::Flags, rule::Rule};
use acr_types::{
    ArtifactRef, AttributesPatch, ChangeableAttributes, Digest, ManifestAttributesBase,
    RepositoryName, TagAttributesBase, TagName,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The change to make: the flags to set (the others are left alone), and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// What a person calls it ("Lock", "Turn deletes off").
    pub label: String,
    /// The flags to set.
    pub patch: AttributesPatch,
}

/// Whether the signed-in account may change an item's flags (from the token's granted actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRight {
    /// Granted `metadata_write`.
    Yes,
    /// Not granted: nothing is sent.
    No,
    /// The token's grants could not be read: the change is sent and the registry decides.
    Unknown,
}

/// Where an item stands in the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// It will change.
    Change,
    /// It will change, and its repository's own lock also applies to it (unlocking it leaves it
    /// locked by the repository).
    Inherits,
    /// Already in that state: skipped, nothing sent.
    Already,
    /// You may not change it (the token does not grant `metadata_write` on its repository):
    /// nothing sent.
    Forbidden,
    /// Selected, but no longer in the registry: nothing sent.
    Missing,
}

impl Group {
    /// Every group, in the order the preview shows them.
    pub const ALL: [Group; 5] =
        [Group::Change, Group::Inherits, Group::Already, Group::Forbidden, Group::Missing];

    /// True when a PATCH is sent for items of this group.
    pub fn is_sent(self) -> bool {
        matches!(self, Self::Change | Self::Inherits)
    }

    /// The group's heading.
    pub fn label(self) -> &'static str {
        match self {
            Self::Change => "Will change",
            Self::Inherits => "Will change; the repository's own lock also applies",
            Self::Already => "Already in that state (skipped, nothing sent)",
            Self::Forbidden => "You may not change these (nothing sent)",
            Self::Missing => "No longer in the registry (nothing sent)",
        }
    }

    /// The group's name in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Change => "change",
            Self::Inherits => "inherits",
            Self::Already => "already",
            Self::Forbidden => "forbidden",
            Self::Missing => "missing",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|g| *g == self).unwrap_or(0)
    }
}

/// What was read of one repository for a preview.
#[derive(Debug, Clone)]
pub struct RepoSnapshot {
    /// The repository.
    pub name: RepositoryName,
    /// Its own flags, when read.
    pub flags: Option<ChangeableAttributes>,
    /// May the account change flags in it.
    pub write: WriteRight,
    /// Its tags (all pages), when the scope needs them.
    pub tags: Vec<TagAttributesBase>,
    /// Its manifests (all pages), when the scope needs them.
    pub manifests: Vec<ManifestAttributesBase>,
}

/// What a preview covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Everything a rule selects.
    Rule(Rule),
    /// Items chosen by hand.
    Items(Vec<ArtifactRef>),
}

impl Scope {
    /// True when the preview needs `repo`'s tag list.
    pub fn needs_tags(&self, repo: &RepositoryName) -> bool {
        match self {
            // Manifest targets are found through their tags.
            Self::Rule(_) => true,
            Self::Items(items) => {
                items.iter().any(|i| matches!(i, ArtifactRef::Tag(r, _) if r == repo))
            }
        }
    }

    /// True when the preview needs `repo`'s manifest list.
    pub fn needs_manifests(&self, repo: &RepositoryName) -> bool {
        match self {
            Self::Rule(rule) => rule.target.manifests(),
            Self::Items(items) => {
                items.iter().any(|i| matches!(i, ArtifactRef::Manifest(r, _) if r == repo))
            }
        }
    }

    /// The repositories a hand selection touches, in first-seen order (a rule's come from the
    /// catalog).
    pub fn repositories(&self) -> Vec<RepositoryName> {
        match self {
            Self::Rule(_) => Vec::new(),
            Self::Items(items) => {
                let mut seen = HashSet::new();
                items
                    .iter()
                    .map(ArtifactRef::repository)
                    .filter(|r| seen.insert((*r).clone()))
                    .cloned()
                    .collect()
            }
        }
    }
}

/// One item of the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    /// The tag or manifest.
    pub target: ArtifactRef,
    /// Its flags now.
    pub before: Flags,
    /// Only the flags that change (empty unless the group is sent).
    pub patch: AttributesPatch,
    /// Where it stands.
    pub group: Group,
}

impl PlanItem {
    /// The flags it will have.
    pub fn after(&self) -> Flags {
        self.before.apply(&self.patch)
    }
}

/// Counts of one repository (or of the whole preview), by group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([usize; 5]);

impl Counts {
    /// Items in `group`.
    pub fn get(&self, group: Group) -> usize {
        self.0[group.index()]
    }
    /// Items that will be sent.
    pub fn sent(&self) -> usize {
        self.get(Group::Change) + self.get(Group::Inherits)
    }
    /// Every item.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
    fn add(&mut self, group: Group) {
        self.0[group.index()] += 1;
    }
}

/// The preview of one action over one scope.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every item, by repository (in the order read), tags before manifests.
    pub items: Vec<PlanItem>,
    /// Repositories that could not be read, with the reason: nothing is planned for them.
    pub unread: Vec<(RepositoryName, String)>,
}

impl Plan {
    /// Builds the preview of `action` over `scope` from what was read of each repository.
    pub fn build(scope: &Scope, action: &AttributesPatch, repos: &[RepoSnapshot]) -> Self {
        let mut items = Vec::new();
        for repo in repos {
            // Writes off lock everything in the repository; its delete flag guards only the
            // repository itself, so items under it change as they would anywhere else.
            let locked = repo.flags.as_ref().is_some_and(|f| !f.write_enabled);
            let mut push = |target: ArtifactRef, before: Option<Flags>| {
                let Some(before) = before else {
                    items.push(PlanItem {
                        target,
                        before: Flags::default(),
                        patch: AttributesPatch::default(),
                        group: Group::Missing,
                    });
                    return;
                };
                let patch = before.changes(action);
                let group = if patch.is_empty() {
                    Group::Already
                } else if repo.write == WriteRight::No {
                    Group::Forbidden
                } else if locked {
                    Group::Inherits
                } else {
                    Group::Change
                };
                let patch = if group.is_sent() { patch } else { AttributesPatch::default() };
                items.push(PlanItem { target, before, patch, group });
            };
            let manifest_flags: HashMap<&Digest, Flags> = repo
                .manifests
                .iter()
                .map(|m| (&m.digest, Flags::from(&m.changeable_attributes)))
                .collect();
            match scope {
                Scope::Rule(rule) => {
                    if !rule.matches_repository(repo.name.as_str()) {
                        continue;
                    }
                    let tags = rule.select_tags(&repo.tags);
                    if rule.target.tags() {
                        for t in &tags {
                            push(
                                ArtifactRef::Tag(repo.name.clone(), t.name.clone()),
                                Some(Flags::from(&t.changeable_attributes)),
                            );
                        }
                    }
                    if rule.target.manifests() {
                        let mut seen = HashSet::new();
                        for t in &tags {
                            if seen.insert(&t.digest) {
                                push(
                                    ArtifactRef::Manifest(repo.name.clone(), t.digest.clone()),
                                    manifest_flags.get(&t.digest).copied(),
                                );
                            }
                        }
                    }
                }
                Scope::Items(chosen) => {
                    let tag_flags: HashMap<&TagName, Flags> = repo
                        .tags
                        .iter()
                        .map(|t| (&t.name, Flags::from(&t.changeable_attributes)))
                        .collect();
                    let mut seen = HashSet::new();
                    for item in chosen.iter().filter(|i| i.repository() == &repo.name) {
                        if !seen.insert(item) {
                            continue;
                        }
                        let before = match item {
                            ArtifactRef::Tag(_, t) => tag_flags.get(t).copied(),
                            ArtifactRef::Manifest(_, d) => manifest_flags.get(d).copied(),
                            ArtifactRef::Repository(_) => repo.flags.as_ref().map(Flags::from),
                        };
                        push(item.clone(), before);
                    }
                }
            }
        }
        Self { items, unread: Vec::new() }
    }

    /// Counts of the whole preview.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for i in &self.items {
            c.add(i.group);
        }
        c
    }

    /// Counts per repository, in the order of the items.
    pub fn by_repository(&self) -> Vec<(RepositoryName, Counts)> {
        let mut out: Vec<(RepositoryName, Counts)> = Vec::new();
        for i in &self.items {
            let repo = i.target.repository();
            match out.last_mut() {
                Some((r, c)) if r == repo => c.add(i.group),
                _ => {
                    let mut c = Counts::default();
                    c.add(i.group);
                    out.push((repo.clone(), c));
                }
            }
        }
        out
    }

    /// True when the action turns a flag back on for any item that will be sent (an unlock,
    /// which asks for a confirmation naming the count).
    pub fn unlocks(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.group.is_sent())
            .filter(|i| {
                let p = &i.patch;
                [p.write_enabled, p.delete_enabled, p.read_enabled, p.list_enabled]
                    .contains(&Some(true))
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{RuleFields, Target};
    use acr_types::Timestamp;

    fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    fn digest(n: u8) -> Digest {
        Digest::new(format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap()
    }

    fn tag(name: &str, d: u8, flags: ChangeableAttributes) -> TagAttributesBase {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        TagAttributesBase {
            name: TagName::new(name).unwrap(),
            digest: digest(d),
            created_time: t.clone(),
            last_update_time: t,
            signed: None,
            changeable_attributes: flags,
        }
    }

    fn manifest(d: u8, flags: ChangeableAttributes) -> ManifestAttributesBase {
        serde_json::from_value(serde_json::json!({
            "digest": digest(d).as_str(),
            "createdTime": "2026-01-01T00:00:00Z",
            "lastUpdateTime": "2026-01-01T00:00:00Z",
            "changeableAttributes": serde_json::to_value(flags).unwrap(),
        }))
        .unwrap()
    }

    fn snapshot(name: &str, write: WriteRight, repo_locked: bool) -> RepoSnapshot {
        RepoSnapshot {
            name: RepositoryName::new(name).unwrap(),
            flags: Some(attrs(!repo_locked, true)),
            write,
            tags: vec![
                tag("1.0", 1, attrs(true, true)),
                tag("1.1", 2, attrs(false, false)),
                tag("1.1-dev", 2, attrs(true, true)),
                tag("latest", 2, attrs(true, true)),
            ],
            manifests: vec![manifest(1, attrs(true, true)), manifest(2, attrs(false, false))],
        }
    }

    const LOCK: AttributesPatch = AttributesPatch {
        write_enabled: Some(false),
        delete_enabled: Some(false),
        read_enabled: None,
        list_enabled: None,
    };

    #[test]
    fn a_repository_protected_from_deletion_only_does_not_lock_what_is_in_it() {
        let rule = RuleFields { repos: "base/**".into(), ..Default::default() }.check().unwrap();
        let mut repo = snapshot("base/debian", WriteRight::Yes, false);
        repo.flags = Some(attrs(true, false));
        let plan = Plan::build(&Scope::Rule(rule), &LOCK, &[repo]);
        let c = plan.counts();
        assert_eq!(c.get(Group::Inherits), 0, "{:?}", plan.items);
        assert_eq!(c.get(Group::Change), 3, "1.0, 1.1-dev and latest change like anywhere else");
    }

    #[test]
    fn a_rule_across_repositories_groups_every_item() {
        let rule = RuleFields {
            repos: "prod/**".into(),
            tags: "1.*".into(),
            exclude: "latest, *-dev".into(),
            target: Target::Both,
            ..Default::default()
        }
        .check()
        .unwrap();
        let repos = [
            snapshot("prod/api", WriteRight::Yes, false),
            snapshot("prod/payments/api", WriteRight::No, false),
            snapshot("prod/web", WriteRight::Unknown, true),
            snapshot("staging/api", WriteRight::Yes, false),
        ];
        let plan = Plan::build(&Scope::Rule(rule), &LOCK, &repos);
        let c = plan.counts();
        // 3 repos × (2 tags + 2 manifests).
        assert_eq!(c.total(), 12);
        assert_eq!(c.get(Group::Already), 6, "1.1 and its manifest are locked in each");
        assert_eq!(c.get(Group::Change), 2, "prod/api 1.0 and its manifest");
        assert_eq!(c.get(Group::Forbidden), 2, "prod/payments/api: no metadata_write");
        assert_eq!(c.get(Group::Inherits), 2, "prod/web is locked itself; unknown rights send");
        assert_eq!(c.sent(), 4);
        let change = &plan.items[0];
        assert_eq!(change.target.to_string(), "prod/api:1.0");
        assert_eq!(change.patch, LOCK, "both flags change");
        assert!(plan.items.iter().filter(|i| !i.group.is_sent()).all(|i| i.patch.is_empty()));
        let per_repo = plan.by_repository();
        assert_eq!(per_repo.len(), 3);
        assert_eq!(per_repo[1].0.as_str(), "prod/payments/api");
        assert_eq!(per_repo[1].1.get(Group::Forbidden), 2);
        assert_eq!(plan.unlocks(), 0);
    }

    #[test]
    fn only_the_flags_that_change_are_sent() {
        let half = ChangeableAttributes { write_enabled: false, ..Default::default() };
        let repo = RepoSnapshot {
            name: RepositoryName::new("a").unwrap(),
            flags: Some(attrs(true, true)),
            write: WriteRight::Yes,
            tags: vec![tag("t", 1, half)],
            manifests: vec![],
        };
        let rule = RuleFields { repos: "a".into(), ..Default::default() }.check().unwrap();
        let plan = Plan::build(&Scope::Rule(rule), &LOCK, &[repo]);
        assert_eq!(
            plan.items[0].patch,
            AttributesPatch { delete_enabled: Some(false), ..Default::default() }
        );
        assert!(!plan.items[0].after().write && !plan.items[0].after().delete);
    }

    #[test]
    fn a_hand_selection_finds_its_items_and_names_those_gone() {
        let repo = snapshot("prod/api", WriteRight::Yes, false);
        let r = repo.name.clone();
        let chosen = vec![
            ArtifactRef::Tag(r.clone(), TagName::new("1.0").unwrap()),
            ArtifactRef::Tag(r.clone(), TagName::new("1.0").unwrap()),
            ArtifactRef::Tag(r.clone(), TagName::new("gone").unwrap()),
            ArtifactRef::Manifest(r.clone(), digest(2)),
        ];
        let scope = Scope::Items(chosen);
        assert!(scope.needs_tags(&r) && scope.needs_manifests(&r));
        assert_eq!(scope.repositories(), std::slice::from_ref(&r));
        let unlock = AttributesPatch {
            write_enabled: Some(true),
            delete_enabled: Some(true),
            ..Default::default()
        };
        let plan = Plan::build(&scope, &unlock, &[repo]);
        let groups: Vec<_> = plan.items.iter().map(|i| i.group).collect();
        assert_eq!(groups, [Group::Already, Group::Missing, Group::Change], "duplicates once");
        assert_eq!(plan.unlocks(), 1);
    }
}
