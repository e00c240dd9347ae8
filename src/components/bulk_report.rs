//! The bulk page's report of a preview or a run: counts per group (what will change, what is
//! skipped and why), counts per repository, the run's progress (done, failed, remaining, rate,
//! time left, the registry's throttling), and every item as a virtual table with its flags now,
//! what they will be, its group and its result. It reads a [`RunRecord`] signal; only the rows
//! in view follow each result as it arrives.

use super::{
    format::{count_of, thousands},
    virtual_list::{column_headers, Row, VirtualList},
};
use crate::{routes::Route, state::bulk_run::RunStatus};
use acr_bulk::{
    plan::Group,
    record::{ItemState, Progress, RunItem},
    Flags, RunRecord,
};
use acr_types::ArtifactRef;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Which items the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFilter {
    /// Every item.
    All,
    /// One preview group.
    Group(Group),
    /// Items whose change failed.
    Failed,
    /// Items undo left alone because someone else changed them.
    Conflict,
}

impl ItemFilter {
    fn as_value(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Group(g) => g.as_str(),
            Self::Failed => "failed",
            Self::Conflict => "conflict",
        }
    }

    fn from_value(s: &str) -> Self {
        Group::ALL.into_iter().find(|g| g.as_str() == s).map(Self::Group).unwrap_or(match s {
            "failed" => Self::Failed,
            "conflict" => Self::Conflict,
            _ => Self::All,
        })
    }

    fn keeps(self, item: &RunItem) -> bool {
        match self {
            Self::All => true,
            Self::Group(g) => item.group == g,
            Self::Failed => matches!(item.state, ItemState::Failed { .. }),
            Self::Conflict => matches!(item.state, ItemState::Conflict { .. }),
        }
    }
}

/// Counts of a record's items per group.
pub fn group_counts(record: &RunRecord) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for i in &record.items {
        *out.entry(i.group.as_str()).or_insert(0) += 1;
    }
    out
}

/// Per repository, the count of each group, in the items' order.
pub fn repository_counts(record: &RunRecord) -> Vec<(String, [usize; 5])> {
    let mut out: Vec<(String, [usize; 5])> = Vec::new();
    for i in &record.items {
        let repo = i.artifact().map(|a| a.repository().to_string()).unwrap_or_default();
        let g = Group::ALL.iter().position(|g| *g == i.group).unwrap_or(0);
        match out.last_mut() {
            Some((r, c)) if *r == repo => c[g] += 1,
            _ => {
                let mut c = [0; 5];
                c[g] += 1;
                out.push((repo, c));
            }
        }
    }
    out
}

/// "about 2 min left" from a rate and what remains.
pub fn time_left(remaining: usize, rate: Option<f64>) -> Option<String> {
    let rate = rate.filter(|r| *r > 0.0)?;
    let secs = (remaining as f64 / rate).ceil() as u64;
    Some(if secs < 60 {
        ["about ", &secs.max(1).to_string(), " s left"].concat()
    } else {
        ["about ", &secs.div_ceil(60).to_string(), " min left"].concat()
    })
}

/// The progress line of a run: "412 done · 3 failed · 585 remaining · 9.8 a second · about 1 min
/// left".
pub fn progress_line(p: Progress, status: RunStatus) -> String {
    let mut parts = vec![
        [thousands(p.done).as_str(), " done"].concat(),
        [thousands(p.failed).as_str(), " failed"].concat(),
        [thousands(p.remaining).as_str(), " remaining"].concat(),
    ];
    if p.cancelled > 0 {
        parts.push([thousands(p.cancelled).as_str(), " not sent (cancelled)"].concat());
    }
    if status.running {
        if let Some(rate) = status.rate() {
            parts.push(format!("{rate:.1} a second"));
        }
        if let Some(left) = time_left(p.remaining, status.rate()) {
            parts.push(left);
        }
    }
    parts.join(" · ")
}

/// The summary and the per-repository counts of a preview.
#[component]
pub fn PlanCounts(
    /// The preview or run.
    record: Signal<Option<RunRecord>>,
) -> impl IntoView {
    let counts = Memo::new(move |_| record.with(|r| r.as_ref().map(group_counts)));
    let repos = Memo::new(move |_| record.with(|r| r.as_ref().map(repository_counts)));
    let groups = move || {
        counts.get().map(|c| {
            Group::ALL
                .into_iter()
                .map(|g| {
                    let n = c.get(g.as_str()).copied().unwrap_or(0);
                    view! {
                        <div class="bulk-count" data-group=g.as_str() data-testid=["group-", g.as_str()].concat()>
                            <dt>{g.label()}</dt>
                            <dd class="bulk-count__n">{thousands(n)}</dd>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let repo_rows =
        move || {
            repos.get().unwrap_or_default().into_iter().map(|(repo, c)| {
            view! {
                <tr data-repository=repo.clone()>
                    <th scope="row" class="bulk-repos__name">{repo.clone()}</th>
                    {c.into_iter().map(|n| view! { <td>{thousands(n)}</td> }).collect_view()}
                </tr>
            }
        }).collect_view()
        };
    view! {
        <dl class="bulk-counts" aria-label="Items by group">{groups}</dl>
        <div class="bulk-repos-wrap">
            <table class="bulk-repos" data-testid="repository-counts">
                <caption class="visually-hidden">"Items per repository and group"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Repository"</th>
                        <th scope="col">"Will change"</th>
                        <th scope="col">"Repository lock applies"</th>
                        <th scope="col">"Already"</th>
                        <th scope="col">"Not allowed"</th>
                        <th scope="col">"Gone"</th>
                    </tr>
                </thead>
                <tbody>{repo_rows}</tbody>
            </table>
        </div>
    }
}

/// The result of one item, in words.
pub fn result_text(item: &RunItem) -> String {
    match &item.state {
        ItemState::Planned if item.group.is_sent() => "To send".into(),
        ItemState::Planned | ItemState::Skipped => "Nothing sent".into(),
        ItemState::Done { after } => ["Done: ", &after.summary()].concat(),
        ItemState::Failed { message } => ["Failed: ", message].concat(),
        ItemState::Cancelled => "Not sent (cancelled)".into(),
        ItemState::Conflict { now } => {
            ["Changed by someone else since (now ", &now.summary(), "); left as it is"].concat()
        }
    }
}

fn short_group(g: Group) -> &'static str {
    match g {
        Group::Change => "Will change",
        Group::Inherits => "Will change (repository lock applies)",
        Group::Already => "Already",
        Group::Forbidden => "Not allowed",
        Group::Missing => "Gone",
    }
}

const ITEM_COLUMNS: [&str; 5] = ["Item", "Now", "Will be", "Group", "Result"];

/// Every item of the preview or run, filterable by group, as a virtual table.
#[component]
pub fn PlanItems(
    /// The registry's configured name (for links).
    #[prop(into)]
    registry: String,
    /// The preview or run.
    record: Signal<Option<RunRecord>>,
) -> impl IntoView {
    let filter = RwSignal::new(ItemFilter::All);
    // The table lists positions; each visible row reads its item, so a result re-renders only
    // the rows in view, not the whole list.
    let shown = Memo::new(move |_| {
        let f = filter.get();
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.items
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| f.keeps(i))
                        .map(|(n, _)| n)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let row = move |row: Row<usize>| {
        let i = row.item;
        let item = move || record.with(|r| r.as_ref().and_then(|r| r.items.get(i).cloned()));
        let Some(first) = item() else {
            return view! { <span role="cell" class="cell">"—"</span> }.into_any();
        };
        let href = match first.artifact() {
            Some(ArtifactRef::Tag(repo, tag)) => {
                Some(Route::Tag { registry: registry.clone(), repo, tag }.href())
            }
            Some(ArtifactRef::Manifest(repo, digest)) => {
                Some(Route::Manifest { registry: registry.clone(), repo, digest }.href())
            }
            _ => None,
        };
        let tab = row.tab_index();
        let before: Flags = first.before;
        let after = before.apply(&first.patch);
        let will_be = if first.group.is_sent() { after.summary() } else { "unchanged".into() };
        let (now, now_title, will_be_title) = (before.summary(), before.summary(), will_be.clone());
        let result = move || item().map(|i| result_text(&i)).unwrap_or_default();
        let state = move || {
            item().map(|i| match i.state {
                ItemState::Done { .. } => "done",
                ItemState::Failed { .. } => "failed",
                ItemState::Conflict { .. } => "conflict",
                _ => "",
            })
        };
        view! {
            <span role="cell" class="cell cell--name">
                <a href=href tabindex=tab>{first.target.clone()}</a>
            </span>
            // The whole text on hover where a narrow column cuts it.
            <span role="cell" class="cell" title=now_title>{now}</span>
            <span role="cell" class="cell" title=will_be_title>{will_be}</span>
            <span role="cell" class="cell" data-group=first.group.as_str()>{short_group(first.group)}</span>
            <span role="cell" class="cell cell--result" data-state=state title=result>{result}</span>
        }
        .into_any()
    };
    let options = move || {
        let mut v: Vec<(ItemFilter, String)> = vec![(ItemFilter::All, "Every item".into())];
        v.extend(Group::ALL.into_iter().map(|g| (ItemFilter::Group(g), g.label().to_owned())));
        v.push((ItemFilter::Failed, "Failed".into()));
        v.push((ItemFilter::Conflict, "Changed by someone else".into()));
        v.into_iter()
            .map(|(f, label)| {
                view! { <option value=f.as_value() selected=move || filter.get() == f>{label}</option> }
            })
            .collect_view()
    };
    let shown_text = move || count_of(shown.with(Vec::len), "item", "items");
    view! {
        <div class="bulk-items__head">
            <div class="field">
                <label for="bulk-item-filter">"Show"</label>
                <select
                    id="bulk-item-filter"
                    on:change=move |ev| filter.set(ItemFilter::from_value(&event_target_value(&ev)))
                >
                    {options}
                </select>
            </div>
            <p class="bulk-items__count" data-testid="items-shown">{shown_text}</p>
        </div>
        <Show when=move || shown.with(|s| !s.is_empty())>
            <VirtualList
                items=shown
                row=row.clone()
                label="Items of the change"
                header=column_headers(&ITEM_COLUMNS)
                class="bulk-table"
                focus_rows=true
                row_height=48.0
            />
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_and_progress_read_naturally() {
        assert_eq!(time_left(100, Some(10.0)).as_deref(), Some("about 10 s left"));
        assert_eq!(time_left(1000, Some(10.0)).as_deref(), Some("about 2 min left"));
        assert_eq!(time_left(5, None), None);
        let p = Progress { total: 10, done: 4, failed: 1, cancelled: 0, remaining: 5 };
        let s = RunStatus {
            running: true,
            started_ms: 0,
            now_ms: 2_000,
            answered: 5,
            ..Default::default()
        };
        assert_eq!(
            progress_line(p, s),
            "4 done · 1 failed · 5 remaining · 2.5 a second · about 2 s left"
        );
    }
}
