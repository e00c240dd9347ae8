//! A selection rule across repositories: which repositories (glob), which tags (glob or regular
//! expression), which tags to leave out, optionally only the newest N per repository and only
//! those updated before or after a date, and whether the tags, the manifests they point to, or
//! both are the target. [`RuleFields`] is the rule as typed (what a URL or a form carries);
//! [`Rule`] is it read and checked.

use crate::pattern::{split_list, Glob, NamePattern, PatternError};
use acr_types::{TagAttributesBase, Timestamp};
use serde::{Deserialize, Serialize};

/// What a rule changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The matching tags: a tag lock keeps the tag from moving to another image or being deleted.
    #[default]
    Tags,
    /// The manifests the matching tags point to: a manifest lock keeps the image itself from
    /// deletion by digest or purge, whichever tags point to it.
    Manifests,
    /// Both.
    Both,
}

impl Target {
    /// Every target, in the order a form offers them.
    pub const ALL: [Target; 3] = [Target::Tags, Target::Manifests, Target::Both];

    /// The query value.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::Tags => "tags",
            Self::Manifests => "manifests",
            Self::Both => "both",
        }
    }

    /// Reads a query value (unknown values fall back to tags).
    pub fn from_query(s: &str) -> Self {
        match s {
            "manifests" => Self::Manifests,
            "both" => Self::Both,
            _ => Self::Tags,
        }
    }

    /// A label for a form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Tags => "The tags",
            Self::Manifests => "The images (manifests) they point to",
            Self::Both => "Both",
        }
    }

    /// What a lock on this target protects, in one sentence.
    pub fn protects(self) -> &'static str {
        match self {
            Self::Tags => {
                "A tag lock keeps the tag from being moved to another image or deleted; the image \
                 itself can still be deleted by digest or purged."
            }
            Self::Manifests => {
                "A manifest lock keeps the image itself from deletion by digest or purge; its tags \
                 can still be moved or deleted unless they are locked too."
            }
            Self::Both => {
                "Locking both keeps the tags from moving and the images from deletion; ACR keeps \
                 the two locks apart."
            }
        }
    }

    /// True when tags are changed.
    pub fn tags(self) -> bool {
        matches!(self, Self::Tags | Self::Both)
    }

    /// True when manifests are changed.
    pub fn manifests(self) -> bool {
        matches!(self, Self::Manifests | Self::Both)
    }
}

/// A rule as typed: every field a plain string, as a URL query or a form carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFields {
    /// Repository glob (`prod/**`).
    pub repos: String,
    /// Tag glob, or regular expression when `regex` is set; empty means every tag.
    pub tags: String,
    /// The tag pattern is a regular expression.
    pub regex: bool,
    /// Tag globs to leave out, separated by commas or spaces (`latest, *-dev`).
    pub exclude: String,
    /// Only the newest N tags per repository (by update time); empty means all.
    pub newest: String,
    /// Only tags last updated before this day (`YYYY-MM-DD`, UTC); empty means no limit.
    pub before: String,
    /// Only tags last updated on or after this day (`YYYY-MM-DD`, UTC); empty means no limit.
    pub after: String,
    /// What is changed.
    pub target: Target,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Which repositories.
    pub repos: Glob,
    /// Which tags; `None` means every tag.
    pub tags: Option<NamePattern>,
    /// Tags left out.
    pub exclude: Vec<Glob>,
    /// Only the newest N tags per repository.
    pub newest: Option<usize>,
    /// Only tags updated before this time (Unix seconds).
    pub before: Option<i64>,
    /// Only tags updated at or after this time (Unix seconds).
    pub after: Option<i64>,
    /// What is changed.
    pub target: Target,
}

/// One field of a rule that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field (`repos`, `tags`, `exclude`, `newest`, `before`, `after`).
    pub field: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
}

fn day(field: &'static str, text: &str) -> Result<Option<i64>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Timestamp::parse(&format!("{text}T00:00:00Z")).map(|t| Some(t.unix_seconds())).map_err(|_| {
        FieldError { field, message: format!("'{text}' is not a date; write it as YYYY-MM-DD.") }
    })
}

impl RuleFields {
    /// Reads and checks the rule; every field that cannot be used is named.
    pub fn check(&self) -> Result<Rule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let pattern_error = |field, e: PatternError| FieldError { field, message: e.to_string() };
        let repos = if self.repos.trim().is_empty() {
            errors.push(FieldError {
                field: "repos",
                message: "Name the repositories: a glob such as prod/** (every repository: **)."
                    .into(),
            });
            None
        } else {
            Glob::new(&self.repos).map_err(|e| errors.push(pattern_error("repos", e))).ok()
        };
        let tags = match self.tags.trim() {
            "" => None,
            t if self.regex => {
                NamePattern::regex(t).map_err(|e| errors.push(pattern_error("tags", e))).ok()
            }
            t => NamePattern::glob(t).map_err(|e| errors.push(pattern_error("tags", e))).ok(),
        };
        let exclude = split_list(&self.exclude)
            .into_iter()
            .filter_map(|p| Glob::new(p).map_err(|e| errors.push(pattern_error("exclude", e))).ok())
            .collect();
        let newest = match self.newest.trim() {
            "" => None,
            n => match n.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: "newest",
                        message: format!("'{n}' is not a number of tags (1 or more)."),
                    });
                    None
                }
            },
        };
        let before = day("before", &self.before).map_err(|e| errors.push(e)).ok().flatten();
        let after = day("after", &self.after).map_err(|e| errors.push(e)).ok().flatten();
        if let (Some(b), Some(a)) = (before, after) {
            if a >= b {
                errors.push(FieldError {
                    field: "after",
                    message: "'Updated after' must be earlier than 'updated before'.".into(),
                });
            }
        }
        match repos {
            Some(repos) if errors.is_empty() => {
                Ok(Rule { repos, tags, exclude, newest, before, after, target: self.target })
            }
            _ => Err(errors),
        }
    }
}

impl Rule {
    /// True when the rule may match `repo`.
    pub fn matches_repository(&self, repo: &str) -> bool {
        self.repos.matches(repo)
    }

    /// True when `tag` passes the tag pattern, the exclusions and the dates (not "newest N").
    pub fn matches_tag(&self, tag: &TagAttributesBase) -> bool {
        let name = tag.name.as_str();
        if self.tags.as_ref().is_some_and(|p| !p.matches(name)) {
            return false;
        }
        if self.exclude.iter().any(|g| g.matches(name)) {
            return false;
        }
        let updated = tag.last_update_time.unix_seconds();
        if self.before.is_some_and(|b| updated >= b) || self.after.is_some_and(|a| updated < a) {
            return false;
        }
        true
    }

    /// The tags of one repository the rule selects: those [`Rule::matches_tag`] accepts, and of
    /// them only the newest N (by update time, then name) when "newest" is set. In the order
    /// given.
    pub fn select_tags<'a>(&self, tags: &'a [TagAttributesBase]) -> Vec<&'a TagAttributesBase> {
        let mut chosen: Vec<&TagAttributesBase> =
            tags.iter().filter(|t| self.matches_tag(t)).collect();
        if let Some(n) = self.newest {
            if chosen.len() > n {
                let mut by_age: Vec<usize> = (0..chosen.len()).collect();
                by_age.sort_by(|&a, &b| {
                    let (ta, tb) = (chosen[a], chosen[b]);
                    tb.last_update_time
                        .unix_nanos()
                        .cmp(&ta.last_update_time.unix_nanos())
                        .then_with(|| ta.name.as_str().cmp(tb.name.as_str()))
                });
                let mut keep = vec![false; chosen.len()];
                for &i in by_age.iter().take(n) {
                    keep[i] = true;
                }
                let mut i = 0;
                chosen.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{ChangeableAttributes, Digest, TagName};

    pub(crate) fn tag(name: &str, updated: &str) -> TagAttributesBase {
        let t = Timestamp::parse(updated).unwrap();
        TagAttributesBase {
            name: TagName::new(name).unwrap(),
            digest: Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap(),
            created_time: t.clone(),
            last_update_time: t,
            signed: None,
            changeable_attributes: ChangeableAttributes::default(),
        }
    }

    fn fields(repos: &str, tags: &str, exclude: &str) -> RuleFields {
        RuleFields {
            repos: repos.into(),
            tags: tags.into(),
            exclude: exclude.into(),
            ..Default::default()
        }
    }

    #[test]
    fn tags_exclusions_and_dates_narrow_the_selection() {
        let rule = fields("prod/**", "1.*", "latest, *-dev").check().unwrap();
        assert!(rule.matches_repository("prod/payments/api"));
        assert!(!rule.matches_repository("staging/api"));
        assert!(rule.matches_tag(&tag("1.4.2", "2026-01-01T00:00:00Z")));
        assert!(!rule.matches_tag(&tag("1.4-dev", "2026-01-01T00:00:00Z")));
        assert!(!rule.matches_tag(&tag("2.0", "2026-01-01T00:00:00Z")));
        let every = fields("**", "", "latest").check().unwrap();
        assert!(every.matches_tag(&tag("anything", "2026-01-01T00:00:00Z")));
        assert!(!every.matches_tag(&tag("latest", "2026-01-01T00:00:00Z")));

        let dated = RuleFields {
            before: "2026-02-01".into(),
            after: "2026-01-01".into(),
            ..fields("**", "", "")
        }
        .check()
        .unwrap();
        assert!(dated.matches_tag(&tag("a", "2026-01-15T00:00:00Z")));
        assert!(dated.matches_tag(&tag("a", "2026-01-01T00:00:00Z")), "after is inclusive");
        assert!(!dated.matches_tag(&tag("a", "2026-02-01T00:00:00Z")), "before is exclusive");
        assert!(!dated.matches_tag(&tag("a", "2025-12-31T23:59:59Z")));
    }

    #[test]
    fn newest_n_keeps_the_most_recently_updated_in_the_given_order() {
        let tags = [
            tag("a", "2026-01-01T00:00:00Z"),
            tag("b", "2026-03-01T00:00:00Z"),
            tag("c", "2026-02-01T00:00:00Z"),
            tag("latest", "2026-04-01T00:00:00Z"),
        ];
        let rule = RuleFields { newest: "2".into(), ..fields("**", "", "latest") }.check().unwrap();
        let names: Vec<_> = rule.select_tags(&tags).iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "c"], "newest two after the exclusion, in list order");
    }

    #[test]
    fn every_unusable_field_is_named() {
        let bad = RuleFields {
            repos: String::new(),
            tags: "v(".into(),
            regex: true,
            newest: "zero".into(),
            before: "yesterday".into(),
            ..Default::default()
        };
        let errors = bad.check().unwrap_err();
        let named: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(named, ["repos", "tags", "newest", "before"]);
        assert!(errors[3].message.contains("YYYY-MM-DD"));
        let order = RuleFields {
            before: "2026-01-01".into(),
            after: "2026-02-01".into(),
            ..fields("**", "", "")
        };
        assert_eq!(order.check().unwrap_err()[0].field, "after");
    }

    #[test]
    fn targets_say_what_they_protect() {
        for t in Target::ALL {
            assert_eq!(Target::from_query(t.as_query()), t);
            assert!(!t.protects().is_empty());
        }
        assert!(Target::Tags.protects().contains("moved"));
        assert!(Target::Manifests.protects().contains("digest"));
    }
}
