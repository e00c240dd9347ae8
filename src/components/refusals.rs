//! Refusals: what ACR would allow or refuse now for a tag or a manifest ("Push a new image to
//! this tag: refused: tag write disabled"), decided by `acr_types::refusal::decide` — the very
//! function the emulator enforces with — from the flags in the registry's lock store, so a lock
//! changed anywhere changes the explanation at once. The card for the tag and manifest pages
//! ([`Refusals`]), and the lighter pieces the tag and manifest lists put on each row's lock cell
//! ([`RefusalNote`] for assistive technology, [`RefusalTip`] shown on hover and focus). What is
//! not known yet is said, never guessed: a refusal found among the known flags is certain (the
//! rules are monotone), an "allowed" needs every flag that decides. The wording and the
//! verdicts are pure and tested natively. It does not read the registry or the router.

use crate::state::{contents::Listed, lock_store::LockStore};
use acr_types::{
    refusal::{decide, Decision, Item, Lock, Operation, Other},
    ArtifactRef, ChangeableAttributes, Digest, RepositoryName, TagName,
};
use leptos::prelude::*;

/// One operation a person may ask about, as the console words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The operation ACR decides on.
    pub op: Operation,
    /// What a person would do: "Delete this tag".
    pub label: &'static str,
    /// A stable key (`data-operation`): `"push-to-tag"`, `"delete-tag"`, …
    pub key: &'static str,
    /// For [`Operation::PushToTag`]: whether the pushed content is the manifest in question
    /// (tagging this image) rather than a new image.
    pub this_content: bool,
}

const fn question(op: Operation, label: &'static str, key: &'static str) -> Question {
    Question { op, label, key, this_content: false }
}

const PUSH_NEW_IMAGE: Question =
    question(Operation::PushToTag, "Push a new image to this tag", "push-to-tag");
const UNTAG: Question = question(Operation::DeleteTag, "Delete this tag", "delete-tag");
const DELETE_IMAGE: Question =
    question(Operation::DeleteManifest, "Delete this image by digest", "delete-manifest");
const DELETE_REPOSITORY: Question =
    question(Operation::DeleteRepository, "Delete the repository", "delete-repository");
const PULL_TAG: Question = question(Operation::PullByTag, "Pull this tag", "pull-by-tag");
const TAG_THIS_IMAGE: Question = Question {
    op: Operation::PushToTag,
    label: "Push this image to a new tag",
    key: "push-to-new-tag",
    this_content: true,
};
const PULL_DIGEST: Question =
    question(Operation::PullByDigest, "Pull this image by digest", "pull-by-digest");

/// The questions of a tag page.
pub const TAG_PAGE: [Question; 5] =
    [PUSH_NEW_IMAGE, UNTAG, DELETE_IMAGE, DELETE_REPOSITORY, PULL_TAG];
/// The questions of a manifest page.
pub const MANIFEST_PAGE: [Question; 4] =
    [TAG_THIS_IMAGE, DELETE_IMAGE, DELETE_REPOSITORY, PULL_DIGEST];
/// The questions of a row of the tag list.
pub const TAG_ROW: [Question; 3] = [PUSH_NEW_IMAGE, UNTAG, DELETE_IMAGE];
/// The questions of a row of the manifest list.
pub const MANIFEST_ROW: [Question; 2] = [TAG_THIS_IMAGE, DELETE_IMAGE];

/// A set of items and whether it is all there is.
#[derive(Debug, Clone, PartialEq)]
pub struct Known<T> {
    /// The items known.
    pub items: Vec<T>,
    /// True when no item is missing (every one was read, flags included).
    pub complete: bool,
}

impl<T> Default for Known<T> {
    /// Nothing known, and not all there is.
    fn default() -> Self {
        Self { items: Vec::new(), complete: false }
    }
}

/// What is known of the flags that decide, for one tag or manifest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    /// The repository's own flags (`None`: not read).
    pub repository: Option<ChangeableAttributes>,
    /// For a tag: its name and flags (`None`: not read). `None` for a manifest.
    pub tag: Option<(TagName, Option<ChangeableAttributes>)>,
    /// The manifest's flags (for a tag: the manifest it points to; `None`: not read).
    pub manifest: Option<ChangeableAttributes>,
    /// The (other) tags pointing at the manifest, with their flags.
    pub manifest_tags: Known<(TagName, ChangeableAttributes)>,
    /// Every other tag in the repository, with its flags.
    pub other_tags: Known<(TagName, ChangeableAttributes)>,
    /// Every other manifest in the repository, with its flags.
    pub other_manifests: Known<(Digest, ChangeableAttributes)>,
}

/// What the console says of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// ACR allows it: every flag that decides is known and none refuses.
    Allowed,
    /// ACR refuses it: `lock` is the one to change first; `more` others refuse it too.
    Refused {
        /// The lock to change first.
        lock: Lock,
        /// How many more locks refuse it.
        more: usize,
    },
    /// No known lock refuses it, but a flag that decides is not known: why.
    Unknown(&'static str),
}

impl Verdict {
    /// `"allowed"`, `"refused"` or `"unknown"` (`data-verdict`).
    pub fn key(&self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Refused { .. } => "refused",
            Verdict::Unknown(_) => "unknown",
        }
    }
}

/// What an operation needs known besides the repository's flags (and a tag's own).
struct Needs {
    manifest: bool,
    manifest_tags: bool,
    rest: bool,
}

fn needs(q: &Question) -> Needs {
    let (manifest, manifest_tags, rest) = match q.op {
        Operation::PushToTag => (q.this_content, false, false),
        Operation::DeleteTag => (false, false, false),
        Operation::PushByDigest | Operation::PullByTag | Operation::PullByDigest => {
            (true, false, false)
        }
        Operation::DeleteManifest => (true, true, false),
        Operation::DeleteRepository => (true, true, true),
    };
    Needs { manifest, manifest_tags, rest }
}

/// The verdict on `q` from `facts`: what [`decide`] says with the flags known (an unknown flag
/// counted as on), which is certain when it refuses; when it allows, [`Verdict::Unknown`]
/// unless every flag that decides is known.
pub fn verdict(q: &Question, facts: &Facts) -> Verdict {
    let needs = needs(q);
    let open = ChangeableAttributes::default();
    let repository = facts.repository.as_ref().unwrap_or(&open);
    let tag = facts.tag.as_ref().map(|(_, flags)| flags.as_ref().unwrap_or(&open));
    let manifest = needs.manifest.then(|| facts.manifest.as_ref().unwrap_or(&open));
    let mut along: Vec<Item<'_>> = Vec::new();
    if needs.manifest_tags {
        along.extend(facts.manifest_tags.items.iter().map(|(n, f)| Item::Tag(n, f)));
    }
    if needs.rest {
        along.extend(facts.other_tags.items.iter().map(|(n, f)| Item::Tag(n, f)));
        along.extend(facts.other_manifests.items.iter().map(|(d, f)| Item::Manifest(d, f)));
    }
    if let Decision::Refused { lock, more } = decide(q.op, repository, tag, manifest, along) {
        return Verdict::Refused { lock, more };
    }
    let unknown = if facts.repository.is_none() {
        Some("the repository's own flags are not read yet")
    } else if facts.tag.as_ref().is_some_and(|(_, f)| f.is_none()) {
        Some("this tag's flags are not read yet")
    } else if needs.manifest && facts.manifest.is_none() {
        Some("the image's own flags are not read")
    } else if needs.manifest_tags && !facts.manifest_tags.complete {
        Some("not every tag of this image was read, and a locked one refuses it")
    } else if needs.rest && !(facts.other_tags.complete && facts.other_manifests.complete) {
        Some("any locked tag or manifest in the repository refuses it, and not all were read")
    } else {
        None
    };
    unknown.map_or(Verdict::Allowed, Verdict::Unknown)
}

/// A lock in words: `"tag write disabled"`, `"tag latest: delete disabled"`,
/// `"manifest sha256:0123456789ab: write disabled"`.
pub fn lock_phrase(lock: &Lock) -> String {
    let (level, flag) = (lock.level.noun(), lock.flag.word());
    match &lock.other {
        None => [level, " ", flag, " disabled"].concat(),
        Some(Other::Tag(t)) => [level, " ", t.as_str(), ": ", flag, " disabled"].concat(),
        Some(Other::Manifest(d)) => [level, " ", d.short(), ": ", flag, " disabled"].concat(),
    }
}

/// A verdict in words: `"allowed"`, `"refused: tag write disabled"`, `"refused: repository
/// write disabled, and 2 more locks"`, `"not known: …"`.
pub fn verdict_phrase(v: &Verdict) -> String {
    match v {
        Verdict::Allowed => "allowed".to_owned(),
        Verdict::Refused { lock, more: 0 } => ["refused: ", lock_phrase(lock).as_str()].concat(),
        Verdict::Refused { lock, more } => {
            let locks = if *more == 1 { " more lock" } else { " more locks" };
            ["refused: ", lock_phrase(lock).as_str(), ", and ", more.to_string().as_str(), locks]
                .concat()
        }
        Verdict::Unknown(why) => ["not known: ", why].concat(),
    }
}

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The question.
    pub question: Question,
    /// Its verdict.
    pub verdict: Verdict,
}

impl Line {
    /// `"Delete this tag: refused: tag write disabled"`.
    pub fn sentence(&self) -> String {
        [self.question.label, ": ", verdict_phrase(&self.verdict).as_str()].concat()
    }
}

/// The verdict on each of `questions`.
pub fn lines(questions: &[Question], facts: &Facts) -> Vec<Line> {
    questions.iter().map(|q| Line { question: *q, verdict: verdict(q, facts) }).collect()
}

/// Every line as one text: `"Push a new image to this tag: allowed. Delete this tag: …."`.
pub fn summary(lines: &[Line]) -> String {
    lines.iter().map(|l| [l.sentence().as_str(), "."].concat()).collect::<Vec<_>>().join(" ")
}

/// What an explanation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A tag and the digest it points at.
    Tag(TagName, Digest),
    /// A manifest.
    Manifest(Digest),
}

/// The facts about `subject` in `repo` from the lock store (tracked: a lock changed anywhere
/// re-runs the caller): `manifest_tags` are the tags pointing at its manifest (`None`: not
/// known), `contents` what was read of the rest of the repository.
pub fn facts_from_store(
    store: &LockStore,
    repo: &RepositoryName,
    subject: &Subject,
    manifest_tags: Option<&[TagName]>,
    contents: Option<&Listed>,
) -> Facts {
    let tag_flags = |t: &TagName| store.flags(&ArtifactRef::Tag(repo.clone(), t.clone()));
    let (tag, digest) = match subject {
        Subject::Tag(t, d) => (Some((t.clone(), tag_flags(t))), d),
        Subject::Manifest(d) => (None, d),
    };
    let this_tag = tag.as_ref().map(|(t, _)| t);
    let known_tags = |names: &mut dyn Iterator<Item = &TagName>, complete: bool| {
        let mut out = Known { items: Vec::new(), complete };
        for t in names.filter(|t| Some(*t) != this_tag) {
            match tag_flags(t) {
                Some(f) => out.items.push((t.clone(), f)),
                None => out.complete = false,
            }
        }
        out
    };
    let manifest_tags = match manifest_tags {
        Some(names) => known_tags(&mut names.iter(), true),
        None => Known::default(),
    };
    let (other_tags, other_manifests) = match contents {
        None => (Known::default(), Known::default()),
        Some(c) => {
            let mut names =
                c.tags.iter().filter(|t| !manifest_tags.items.iter().any(|(m, _)| m == *t));
            let tags = known_tags(&mut names, c.tags_whole);
            let mut manifests = Known { items: Vec::new(), complete: c.manifests_whole };
            for d in c.manifests.iter().filter(|d| *d != digest) {
                match store.flags(&ArtifactRef::Manifest(repo.clone(), d.clone())) {
                    Some(f) => manifests.items.push((d.clone(), f)),
                    None => manifests.complete = false,
                }
            }
            (tags, manifests)
        }
    };
    Facts {
        repository: store.flags(&ArtifactRef::Repository(repo.clone())),
        tag,
        manifest: store.flags(&ArtifactRef::Manifest(repo.clone(), digest.clone())),
        manifest_tags,
        other_tags,
        other_manifests,
    }
}

/// The most tags of a row's manifest whose flags a row looks up (a list row stays light however
/// many tags share one image; past this the row says "not known" unless a lock already refuses).
pub const ROW_TAGS_READ: usize = 100;

/// The facts of a list row, from the flags the row shows: the repository's, the tag's (a tag
/// row), its manifest's (`None`: not listed) and, from `store`, those of the tags pointing at
/// the manifest (`manifest_tags`: their names, `None` while the manifest is not listed; at most
/// [`ROW_TAGS_READ`] of them).
pub fn row_facts(
    store: Option<&LockStore>,
    repo: &RepositoryName,
    repository: Option<ChangeableAttributes>,
    tag: Option<(TagName, ChangeableAttributes)>,
    manifest: Option<ChangeableAttributes>,
    manifest_tags: Option<&[TagName]>,
) -> Facts {
    let this_tag = tag.as_ref().map(|(t, _)| t.clone());
    let names = manifest_tags.unwrap_or_default();
    let mut known = Known {
        items: Vec::new(),
        complete: manifest_tags.is_some() && names.len() <= ROW_TAGS_READ,
    };
    for t in names.iter().take(ROW_TAGS_READ).filter(|t| Some(*t) != this_tag.as_ref()) {
        let key = ArtifactRef::Tag(repo.clone(), t.clone());
        match store.and_then(|s| s.flags(&key)) {
            Some(f) => known.items.push((t.clone(), f)),
            None => known.complete = false,
        }
    }
    Facts {
        repository,
        tag: tag.map(|(t, f)| (t, Some(f))),
        manifest,
        manifest_tags: known,
        ..Facts::default()
    }
}

/// The mark beside a verdict (the word beside it carries the meaning; the mark is hidden from
/// assistive technology).
fn mark(v: &Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "✓",
        Verdict::Refused { .. } => "✕",
        Verdict::Unknown(_) => "?",
    }
}

/// The verdict's visible form: a word ("Allowed", "Refused", "Not known") and the reason.
fn verdict_view(v: &Verdict) -> impl IntoView {
    let (word, reason) = match v {
        Verdict::Allowed => ("Allowed", None),
        Verdict::Refused { .. } => {
            ("Refused", verdict_phrase(v).strip_prefix("refused: ").map(str::to_owned))
        }
        Verdict::Unknown(why) => ("Not known", Some((*why).to_owned())),
    };
    view! {
        <span class="refusal__mark" aria-hidden="true">{mark(v)}</span>
        <strong class="refusal__word">{word}</strong>
        {reason.map(|r| view! { <span class="refusal__reason">{r}</span> })}
    }
}

/// The card of a tag or manifest page: every operation with ACR's verdict and the lock that
/// decides, from the lock store (a lock changed on the page shows at once).
#[component]
pub fn Refusals(
    /// The registry's lock store.
    store: LockStore,
    /// The repository.
    repo: RepositoryName,
    /// The tag or manifest the page is about.
    subject: Subject,
    /// The tags pointing at the manifest (`None` while not known).
    #[prop(into)]
    manifest_tags: Signal<Option<Vec<TagName>>>,
    /// What was read of the rest of the repository (`None` while not read).
    #[prop(into)]
    contents: Signal<Option<Listed>>,
) -> impl IntoView {
    let questions: &'static [Question] = match subject {
        Subject::Tag(..) => &TAG_PAGE,
        Subject::Manifest(_) => &MANIFEST_PAGE,
    };
    let answered = Memo::new(move |_| {
        let tags = manifest_tags.get();
        let contents = contents.get();
        let facts = facts_from_store(&store, &repo, &subject, tags.as_deref(), contents.as_ref());
        lines(questions, &facts)
    });
    let items = move || {
        answered
            .get()
            .into_iter()
            .map(|line| {
                let Line { question, verdict } = line;
                let class = ["refusal refusal--", verdict.key()].concat();
                view! {
                    <div class=class data-operation=question.key data-verdict=verdict.key()>
                        <dt class="refusal__op">{question.label}</dt>
                        <dd class="refusal__verdict">{verdict_view(&verdict)}</dd>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card refusals" aria-labelledby="refusals-title" data-testid="refusals">
            <h2 class="card__title" id="refusals-title">"What ACR allows now"</h2>
            <p class="refusals__note">
                "Decided from the lock flags the registry last returned for this item, its repository and what is in it, by the same rules the registry enforces. A refused operation answers 405 (disallowed operation)."
            </p>
            <dl class="refusals__list">{items}</dl>
        </section>
    }
}

/// The explanation of a list row for assistive technology: visually hidden text inside the
/// row's lock cell, read with the row when it gets focus.
#[component]
pub fn RefusalNote(
    /// The row's answered questions.
    #[prop(into)]
    lines: Signal<Vec<Line>>,
) -> impl IntoView {
    view! { <span class="visually-hidden">{move || lines.with(|l| summary(l))}</span> }
}

/// The explanation of a list row for the eye: shown over the row while the row has keyboard
/// focus or the pointer is on its lock cell (CSS in `style/locks.css`); hidden from assistive
/// technology, which reads [`RefusalNote`] instead. Put it as the row's last child.
#[component]
pub fn RefusalTip(
    /// The row's answered questions.
    #[prop(into)]
    lines: Signal<Vec<Line>>,
) -> impl IntoView {
    let items = move || {
        lines
            .get()
            .into_iter()
            .map(|Line { question, verdict }| {
                let class = ["refusal refusal--", verdict.key()].concat();
                view! {
                    <span class=class data-operation=question.key data-verdict=verdict.key()>
                        <span class="refusal__op">{question.label}</span>
                        {verdict_view(&verdict)}
                    </span>
                }
            })
            .collect_view()
    };
    view! {
        <span class="refusal-tip" aria-hidden="true">
            {items}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::refusal::{Flag, Level};

    fn flags(write: bool, delete: bool, read: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: write,
            delete_enabled: delete,
            read_enabled: read,
            ..ChangeableAttributes::default()
        }
    }

    fn open() -> ChangeableAttributes {
        ChangeableAttributes::default()
    }

    fn tag(s: &str) -> TagName {
        TagName::new(s).unwrap()
    }

    fn digest(c: char) -> Digest {
        Digest::new(format!("sha256:{}", c.to_string().repeat(64))).unwrap()
    }

    /// A tag page's facts with everything read and unlocked.
    fn tag_facts() -> Facts {
        Facts {
            repository: Some(open()),
            tag: Some((tag("1.0"), Some(open()))),
            manifest: Some(open()),
            manifest_tags: Known { items: vec![(tag("stable"), open())], complete: true },
            other_tags: Known { items: vec![(tag("2.0"), open())], complete: true },
            other_manifests: Known { items: vec![(digest('b'), open())], complete: true },
        }
    }

    fn said(questions: &[Question], facts: &Facts) -> Vec<String> {
        lines(questions, facts).iter().map(Line::sentence).collect()
    }

    #[test]
    fn a_tag_page_says_each_verdict_with_the_lock_that_decides() {
        let mut f = tag_facts();
        assert_eq!(
            said(&TAG_PAGE, &f),
            [
                "Push a new image to this tag: allowed",
                "Delete this tag: allowed",
                "Delete this image by digest: allowed",
                "Delete the repository: allowed",
                "Pull this tag: allowed",
            ]
        );
        f.tag = Some((tag("1.0"), Some(flags(false, true, true))));
        f.manifest_tags.items[0].1 = flags(true, false, true);
        assert_eq!(
            said(&TAG_PAGE, &f),
            [
                "Push a new image to this tag: refused: tag write disabled",
                "Delete this tag: refused: tag write disabled",
                // The manifest is named first, then this tag, then the other tags.
                "Delete this image by digest: refused: tag write disabled, and 1 more lock",
                "Delete the repository: refused: tag write disabled, and 1 more lock",
                "Pull this tag: allowed",
            ]
        );
        // The repository's lock is the one to change first.
        f.repository = Some(flags(false, false, true));
        let l = lines(&TAG_PAGE, &f);
        assert_eq!(
            l[3].verdict,
            Verdict::Refused {
                lock: Lock { level: Level::Repository, flag: Flag::Write, other: None },
                more: 3
            }
        );
        assert_eq!(
            l[1].sentence(),
            "Delete this tag: refused: repository write disabled, and 1 more lock"
        );
    }

    #[test]
    fn other_items_are_named_and_what_is_not_read_is_not_guessed() {
        let mut f = tag_facts();
        f.other_manifests.items[0].1 = flags(false, true, true);
        let l = lines(&TAG_PAGE, &f);
        assert_eq!(
            l[3].sentence(),
            "Delete the repository: refused: manifest sha256:bbbbbbbbbbbb: write disabled"
        );
        // Not everything in the repository read: deleting it is not known, but a known lock
        // still refuses it for certain.
        let mut f = tag_facts();
        f.other_tags.complete = false;
        let l = lines(&TAG_PAGE, &f);
        assert!(matches!(l[3].verdict, Verdict::Unknown(_)), "{:?}", l[3]);
        assert_eq!(l[2].verdict, Verdict::Allowed, "deleting the image does not need the rest");
        f.tag = Some((tag("1.0"), Some(flags(true, false, true))));
        assert_eq!(lines(&TAG_PAGE, &f)[3].verdict.key(), "refused");
        // The repository's flags not read: nothing is allowed yet, a known lock still refuses.
        let mut f = tag_facts();
        f.repository = None;
        assert!(lines(&TAG_PAGE, &f).iter().all(|l| l.verdict.key() == "unknown"));
        f.tag = Some((tag("1.0"), Some(flags(false, true, true))));
        assert_eq!(lines(&TAG_PAGE, &f)[1].verdict.key(), "refused");
        // The manifest not read: untagging and pushing a new image are still known.
        let mut f = tag_facts();
        f.manifest = None;
        let keys: Vec<_> = lines(&TAG_PAGE, &f).iter().map(|l| l.verdict.key()).collect();
        assert_eq!(keys, ["allowed", "allowed", "unknown", "unknown", "unknown"]);
        // A tag of the image whose flags are not known.
        let mut f = tag_facts();
        f.manifest_tags.complete = false;
        assert_eq!(lines(&TAG_PAGE, &f)[2].verdict.key(), "unknown");
    }

    #[test]
    fn a_manifest_page_asks_about_tagging_it_and_its_tags_decide_its_deletion() {
        let f = Facts {
            repository: Some(open()),
            tag: None,
            manifest: Some(flags(true, false, false)),
            manifest_tags: Known {
                items: vec![(tag("1.0"), flags(false, true, true))],
                complete: true,
            },
            other_tags: Known { items: vec![], complete: true },
            other_manifests: Known { items: vec![], complete: true },
        };
        assert_eq!(
            said(&MANIFEST_PAGE, &f),
            [
                "Push this image to a new tag: allowed",
                "Delete this image by digest: refused: manifest delete disabled, and 1 more lock",
                "Delete the repository: refused: manifest delete disabled, and 1 more lock",
                "Pull this image by digest: refused: manifest read disabled",
            ]
        );
        let mut f = f;
        f.manifest = Some(flags(true, true, true));
        assert_eq!(
            said(&MANIFEST_ROW, &f)[1],
            "Delete this image by digest: refused: tag 1.0: write disabled"
        );
        assert_eq!(
            summary(&lines(&MANIFEST_ROW, &f)),
            "Push this image to a new tag: allowed. Delete this image by digest: refused: tag 1.0: write disabled."
        );
    }

    #[test]
    fn a_row_reads_a_bounded_number_of_its_images_tags() {
        let owner = Owner::new();
        owner.with(|| {
            let store = LockStore::new();
            let repo = RepositoryName::new("prod/api").unwrap();
            let names: Vec<TagName> = (0..=ROW_TAGS_READ).map(|i| tag(&format!("t{i}"))).collect();
            for t in &names {
                store.record(&ArtifactRef::Tag(repo.clone(), t.clone()), &open(), store.ticket());
            }
            let row = |names: &[TagName]| {
                row_facts(Some(&store), &repo, Some(open()), None, Some(open()), Some(names))
            };
            let f = row(&names[..ROW_TAGS_READ]);
            assert!(f.manifest_tags.complete && f.manifest_tags.items.len() == ROW_TAGS_READ);
            assert_eq!(lines(&MANIFEST_ROW, &f)[1].verdict, Verdict::Allowed);
            let f = row(&names);
            assert_eq!(f.manifest_tags.items.len(), ROW_TAGS_READ, "no more than that is read");
            assert_eq!(lines(&MANIFEST_ROW, &f)[1].verdict.key(), "unknown");
            // The manifest not listed yet: its tags are not known either.
            let f = row_facts(Some(&store), &repo, Some(open()), None, None, None);
            assert_eq!(lines(&MANIFEST_ROW, &f)[1].verdict.key(), "unknown");
        });
    }

    #[test]
    fn facts_come_from_the_lock_store() {
        let owner = Owner::new();
        owner.with(|| {
            let store = LockStore::new();
            let repo = RepositoryName::new("prod/api").unwrap();
            let (t, d) = (tag("1.0"), digest('a'));
            let ticket = store.ticket();
            store.record(&ArtifactRef::Repository(repo.clone()), &open(), ticket);
            store.record(
                &ArtifactRef::Tag(repo.clone(), t.clone()),
                &flags(false, true, true),
                ticket,
            );
            store.record(&ArtifactRef::Manifest(repo.clone(), d.clone()), &open(), ticket);
            store.record(&ArtifactRef::Tag(repo.clone(), tag("stable")), &open(), ticket);
            store.record(&ArtifactRef::Manifest(repo.clone(), digest('b')), &open(), ticket);
            let subject = Subject::Tag(t.clone(), d.clone());
            let its_tags = [t.clone(), tag("stable")];
            let contents = Listed {
                tags: vec![t.clone(), tag("stable"), tag("unread")],
                tags_whole: true,
                manifests: vec![d.clone(), digest('b')],
                manifests_whole: true,
            };
            let f = facts_from_store(&store, &repo, &subject, Some(&its_tags), Some(&contents));
            assert_eq!(f.tag, Some((t.clone(), Some(flags(false, true, true)))));
            assert_eq!(
                f.manifest_tags,
                Known { items: vec![(tag("stable"), open())], complete: true }
            );
            // "unread" has no flags in the store: the rest is not complete.
            assert_eq!(f.other_tags, Known { items: vec![], complete: false });
            assert_eq!(
                f.other_manifests,
                Known { items: vec![(digest('b'), open())], complete: true }
            );
            let l = lines(&TAG_PAGE, &f);
            assert_eq!(l[1].sentence(), "Delete this tag: refused: tag write disabled");
            // Unlocked in the store: the explanation follows.
            store.record(&ArtifactRef::Tag(repo.clone(), t.clone()), &open(), store.ticket());
            let f = facts_from_store(&store, &repo, &subject, Some(&its_tags), None);
            assert_eq!(lines(&TAG_PAGE, &f)[1].verdict, Verdict::Allowed);
            assert_eq!(lines(&TAG_PAGE, &f)[3].verdict.key(), "unknown");
        });
    }
}
