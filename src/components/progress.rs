//! LoadProgress: how far a paged list has loaded, in words and as a `<progress>` bar:
//! "Loaded 3,000 repositories — loading more…" while pages arrive (a determinate bar when the
//! total is known, "1,000 of 5,000 tags"), then the total ("10,001 repositories"). The wording
//! is pure and tested natively.

use super::format::{count_of, thousands};
use crate::state::paged::Progress;
use leptos::prelude::*;

/// The status line for `p`, with the item nouns: `"Loaded 3,000 repositories — loading more…"`,
/// `"Loaded 1,000 of 5,000 tags — loading more…"`, `"10,001 repositories"`, or `"Loading
/// tags…"` before the first page.
pub fn progress_text(p: Progress, singular: &str, plural: &str) -> String {
    if p.done {
        return count_of(p.loaded, singular, plural);
    }
    if p.loaded == 0 {
        return ["Loading ", plural, "…"].concat();
    }
    match p.total.filter(|t| *t >= p.loaded) {
        Some(total) => [
            "Loaded ",
            thousands(p.loaded).as_str(),
            " of ",
            count_of(total, singular, plural).as_str(),
            " — loading more…",
        ]
        .concat(),
        None => {
            ["Loaded ", count_of(p.loaded, singular, plural).as_str(), " — loading more…"].concat()
        }
    }
}

/// The loading status of a paged list: a polite live region with [`progress_text`] and, while
/// loading, a `<progress>` bar (indeterminate when the total is unknown).
#[component]
pub fn LoadProgress(
    /// How far loading has got.
    #[prop(into)]
    progress: Signal<Progress>,
    /// The item noun, singular (`"repository"`).
    singular: &'static str,
    /// The item noun, plural (`"repositories"`).
    plural: &'static str,
    /// Text after the count when everything has loaded (e.g. `", 12 match 'api'"`).
    #[prop(optional, into)]
    suffix: Signal<String>,
) -> impl IntoView {
    let text = move || {
        let p = progress.get();
        let mut t = progress_text(p, singular, plural);
        if p.done {
            t.push_str(&suffix.get());
        }
        t
    };
    let bar = move || {
        let p = progress.get();
        (!p.done).then(|| {
            let label = ["Loading ", plural].concat();
            match p.total.filter(|t| *t > 0) {
                Some(total) => view! {
                    <progress class="load-progress__bar" aria-label=label max=total value=p.loaded.min(total)></progress>
                }
                .into_any(),
                None => view! { <progress class="load-progress__bar" aria-label=label></progress> }
                    .into_any(),
            }
        })
    };
    view! {
        <div class="load-progress" data-testid="load-progress">
            <p
                class="load-progress__text"
                role="status"
                aria-live="polite"
                data-done=move || progress.get().done.to_string()
            >
                {text}
            </p>
            {bar}
        </div>
    }
}

/// The note under a list whose registry sent entries that could not be read: how many, and
/// each named as plain text (never markup), so one bad entry neither hides the list nor hides
/// itself.
#[component]
pub fn SkippedNote(
    /// The entries left out, as text.
    #[prop(into)]
    skipped: Signal<Vec<String>>,
) -> impl IntoView {
    move || {
        skipped.with(|s| {
            (!s.is_empty()).then(|| {
                let head = [
                    crate::components::format::count_of(s.len(), "entry", "entries").as_str(),
                    " could not be read and ",
                    if s.len() == 1 { "is" } else { "are" },
                    " left out: ",
                ]
                .concat();
                let names = s.iter().take(20).cloned().collect::<Vec<_>>().join("; ");
                let more = (s.len() > 20).then(|| format!("; and {} more", s.len() - 20));
                view! {
                    <p class="bulk-note skipped-note" role="note" data-testid="skipped-note">
                        {head}{names}{more}
                    </p>
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_sentence() {
        let p = |loaded, total, done| Progress { loaded, total, done };
        assert_eq!(
            progress_text(p(0, None, false), "repository", "repositories"),
            "Loading repositories…"
        );
        assert_eq!(
            progress_text(p(3000, None, false), "repository", "repositories"),
            "Loaded 3,000 repositories — loading more…"
        );
        assert_eq!(
            progress_text(p(1000, Some(5000), false), "tag", "tags"),
            "Loaded 1,000 of 5,000 tags — loading more…"
        );
        // A total smaller than what arrived (the registry changed meanwhile) is not shown.
        assert_eq!(
            progress_text(p(1200, Some(1000), false), "tag", "tags"),
            "Loaded 1,200 tags — loading more…"
        );
        assert_eq!(
            progress_text(p(10_001, None, true), "repository", "repositories"),
            "10,001 repositories"
        );
        assert_eq!(progress_text(p(1, Some(1), true), "tag", "tags"), "1 tag");
        assert_eq!(progress_text(p(0, Some(0), true), "tag", "tags"), "0 tags");
    }
}
