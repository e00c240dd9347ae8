//! LockBadges: the compact, read-only lock state shown in every list and on item pages. Each
//! badge is a word ("Write locked", "Delete locked", "Read off", "List off", "Unlocked",
//! "Locked by repository"), never colour alone, and the group carries one accessible summary
//! such as "Tag: write and delete locked; manifest: delete locked". The wording is pure and
//! tested natively.

use acr_types::ChangeableAttributes;
use leptos::prelude::*;

/// How a badge looks: what kind of state it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeKind {
    /// Write or delete is off.
    Locked,
    /// Read or list is off.
    Off,
    /// Everything is enabled.
    Unlocked,
    /// The repository's lock applies.
    Inherited,
}

impl BadgeKind {
    fn class(self) -> &'static str {
        match self {
            Self::Locked => "badge badge--locked",
            Self::Off => "badge badge--off",
            Self::Unlocked => "badge badge--unlocked",
            Self::Inherited => "badge badge--inherited",
        }
    }
}

/// The text of the inherited-lock badge.
pub const LOCKED_BY_REPOSITORY: &str = "Locked by repository";

/// The badges for one set of flags: "Locked" when both write and delete are off (the state an
/// admin sets), else one per lock flag that is off; one per read or list flag that is off; or
/// "Unlocked". Few words, so a phone's card holds them on one line.
pub fn badges(a: &ChangeableAttributes) -> Vec<(&'static str, BadgeKind)> {
    let mut out = Vec::with_capacity(3);
    match (a.write_enabled, a.delete_enabled) {
        (false, false) => out.push(("Locked", BadgeKind::Locked)),
        (false, true) => out.push(("Write locked", BadgeKind::Locked)),
        (true, false) => out.push(("Delete locked", BadgeKind::Locked)),
        (true, true) => {}
    }
    if !a.read_enabled {
        out.push(("Read off", BadgeKind::Off));
    }
    if !a.list_enabled {
        out.push(("List off", BadgeKind::Off));
    }
    if out.is_empty() {
        out.push(("Unlocked", BadgeKind::Unlocked));
    }
    out
}

/// True when any of the four flags is off.
pub fn any_off(a: &ChangeableAttributes) -> bool {
    !(a.write_enabled && a.delete_enabled && a.read_enabled && a.list_enabled)
}

/// The part of a repository's flags that reaches the tags and manifests in it: writes off
/// (nothing in it can be pushed, overwritten or deleted) and reads off (nothing in it can be
/// pulled). A repository's delete flag guards only the repository itself ("individual images
/// can still be updated or deleted"), so it and the list flag are left on here; `None` when
/// nothing reaches the items.
pub fn reaching_items(repository: &ChangeableAttributes) -> Option<ChangeableAttributes> {
    (!repository.write_enabled || !repository.read_enabled).then(|| ChangeableAttributes {
        delete_enabled: true,
        list_enabled: true,
        ..repository.clone()
    })
}

/// The flags in words: `"write and delete locked"`, `"delete locked, read off"`,
/// `"unlocked"`.
pub fn flags_phrase(a: &ChangeableAttributes) -> String {
    let join = |words: &[&str]| match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => [a, " and ", b].concat(),
        [rest @ .., last] => [rest.join(", ").as_str(), " and ", last].concat(),
    };
    let locked: Vec<&str> = [(!a.write_enabled, "write"), (!a.delete_enabled, "delete")]
        .into_iter()
        .filter_map(|(off, w)| off.then_some(w))
        .collect();
    let off: Vec<&str> = [(!a.read_enabled, "read"), (!a.list_enabled, "list")]
        .into_iter()
        .filter_map(|(off, w)| off.then_some(w))
        .collect();
    let mut parts = Vec::new();
    if !locked.is_empty() {
        parts.push([join(&locked).as_str(), " locked"].concat());
    }
    if !off.is_empty() {
        parts.push([join(&off).as_str(), " off"].concat());
    }
    if parts.is_empty() {
        "unlocked".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The accessible summary of a badge group: `"Tag: write and delete locked; manifest: delete
/// locked; locked by repository: write locked"`.
pub fn summary(
    subject: &str,
    own: &ChangeableAttributes,
    manifest: Option<&ChangeableAttributes>,
    repository: Option<&ChangeableAttributes>,
) -> String {
    let mut parts = vec![[subject, ": ", flags_phrase(own).as_str()].concat()];
    if let Some(m) = manifest {
        parts.push(["manifest: ", flags_phrase(m).as_str()].concat());
    }
    if let Some(r) = repository.and_then(reaching_items) {
        parts.push(["locked by repository: ", flags_phrase(&r).as_str()].concat());
    }
    parts.join("; ")
}

/// The visible label of one group standing for an item and its manifest.
fn both_label(subject: &str) -> &'static str {
    match subject {
        "Tag" => "Tag & manifest",
        _ => "Both",
    }
}

/// One labelled group of badges.
fn group(who: Option<&'static str>, a: &ChangeableAttributes) -> impl IntoView {
    let items = badges(a)
        .into_iter()
        .map(|(text, kind)| view! { <span class=kind.class()>{text}</span> })
        .collect_view();
    view! {
        <span class="lock-badges__group">
            {who.map(|w| view! { <span class="lock-badges__who">{w}</span> })}
            {items}
        </span>
    }
}

/// Compact lock badges for one item, optionally with the manifest a tag points to and the
/// repository's inherited lock. Exposed to assistive technology as one image whose name is the
/// summary (the badges themselves are its visible form).
#[component]
pub fn LockBadges(
    /// What the own flags belong to, capitalised: `"Tag"`, `"Manifest"` or `"Repository"`.
    subject: &'static str,
    /// The item's own flags.
    own: ChangeableAttributes,
    /// For a tag: the flags of the manifest it points to (ACR keeps them separately).
    #[prop(optional_no_strip)]
    manifest: Option<ChangeableAttributes>,
    /// The repository's flags: any flag off adds "Locked by repository".
    #[prop(optional_no_strip)]
    repository: Option<ChangeableAttributes>,
    /// Shows the subject as the visible label of a single group too: where a bare "Unlocked"
    /// could be read as the state of everything inside (a repository's row).
    #[prop(optional)]
    named: bool,
) -> impl IntoView {
    let label = summary(subject, &own, manifest.as_ref(), repository.as_ref());
    // Name the groups only when there are two of them; one group when both say the same.
    let same = manifest.as_ref().is_some_and(|m| badges(m) == badges(&own));
    let own_who = match (&manifest, same) {
        (Some(_), true) => Some(both_label(subject)),
        (Some(_), false) => Some(subject),
        (None, _) => named.then_some(subject),
    };
    let own_group = group(own_who, &own);
    let manifest_group = manifest.filter(|_| !same).map(|m| group(Some("Manifest"), &m));
    let inherited = repository.as_ref().and_then(reaching_items).map(|r| {
        let title = ["The repository is ", flags_phrase(&r).as_str()].concat();
        view! { <span class=BadgeKind::Inherited.class() title=title>{LOCKED_BY_REPOSITORY}</span> }
    });
    view! {
        <span class="lock-badges" role="img" aria-label=label.clone() title=label>
            {own_group}
            {manifest_group}
            {inherited}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(write: bool, delete: bool, read: bool, list: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: write,
            delete_enabled: delete,
            read_enabled: read,
            list_enabled: list,
            ..Default::default()
        }
    }

    #[test]
    fn badges_name_each_flag_that_is_off() {
        let text = |a| badges(&a).into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        assert_eq!(text(flags(true, true, true, true)), ["Unlocked"]);
        assert_eq!(text(flags(false, false, true, true)), ["Locked"]);
        assert_eq!(text(flags(false, false, false, true)), ["Locked", "Read off"]);
        assert_eq!(text(flags(false, true, true, true)), ["Write locked"]);
        assert_eq!(text(flags(true, false, true, true)), ["Delete locked"]);
        assert_eq!(text(flags(true, true, false, false)), ["Read off", "List off"]);
        assert_eq!(badges(&flags(false, true, true, true))[0].1, BadgeKind::Locked);
        assert_eq!(badges(&flags(true, true, true, false))[0].1, BadgeKind::Off);
    }

    #[test]
    fn phrases_and_summaries_read_as_sentences() {
        assert_eq!(flags_phrase(&flags(true, true, true, true)), "unlocked");
        assert_eq!(flags_phrase(&flags(false, false, true, true)), "write and delete locked");
        assert_eq!(flags_phrase(&flags(true, false, false, true)), "delete locked, read off");
        assert_eq!(
            flags_phrase(&flags(false, false, false, false)),
            "write and delete locked, read and list off"
        );
        assert_eq!(
            summary(
                "Tag",
                &flags(false, false, true, true),
                Some(&flags(true, false, true, true)),
                None
            ),
            "Tag: write and delete locked; manifest: delete locked"
        );
        // An unlocked repository adds nothing; a locked one says so.
        let open = flags(true, true, true, true);
        assert_eq!(summary("Manifest", &open, None, Some(&open)), "Manifest: unlocked");
        assert_eq!(
            summary("Tag", &open, Some(&open), Some(&flags(false, true, true, true))),
            "Tag: unlocked; manifest: unlocked; locked by repository: write locked"
        );
        // A repository's delete flag guards the repository only: nothing inherits it.
        assert_eq!(
            summary("Tag", &open, None, Some(&flags(true, false, true, true))),
            "Tag: unlocked"
        );
        assert_eq!(reaching_items(&flags(true, false, true, false)), None);
        assert_eq!(
            summary("Tag", &open, None, Some(&flags(false, false, true, true))),
            "Tag: unlocked; locked by repository: write locked"
        );
        assert_eq!(
            summary("Manifest", &open, None, Some(&flags(true, false, false, true))),
            "Manifest: unlocked; locked by repository: read off"
        );
    }
}
