//! VirtualList: a long list or table that renders only the rows in view. Every row has the same
//! height (set in CSS and measured once rendered); a spacer as tall as all rows keeps the page's
//! scrollbar honest, and the rows in the window plus a few rows of overscan are absolutely
//! positioned inside it. The list scrolls with the page (no scroll box inside the scrolling
//! page): the rows in view follow the window's scroll and size. List semantics
//! (`aria-setsize`/`aria-posinset`) or table semantics (`aria-rowcount`/`aria-rowindex`) tell
//! assistive technology how many rows there are. Keyboard: arrow keys, Page Up/Down, Home and End
//! move focus through the rows (one tab stop, a roving `tabindex`), and the page scrolls to
//! follow, instantly whatever the page's CSS `scroll-behavior` (a smooth scroll would leave the
//! target row unrendered when focus moves). A page that loads per-row data can follow the rows
//! in view (`on_visible`). The windowing math is pure and tested natively.

use leptos::{
    ev, html,
    prelude::*,
    wasm_bindgen::{JsCast, JsValue},
    web_sys::{js_sys, Element, HtmlElement},
};
use std::ops::Range;

/// Row height assumed before a row has been measured, in CSS pixels.
pub const DEFAULT_ROW_HEIGHT: f64 = 44.0;
/// Viewport height assumed before the list has been measured, in CSS pixels.
const DEFAULT_VIEWPORT: f64 = 640.0;

/// The rows to render for a viewport scrolled to `scroll_top` showing `viewport` pixels of rows
/// `row` pixels tall, out of `len`, plus `overscan` rows on each side.
pub fn visible_range(
    scroll_top: f64,
    viewport: f64,
    row: f64,
    len: usize,
    overscan: usize,
) -> Range<usize> {
    if len == 0 || row <= 0.0 || !row.is_finite() {
        return 0..0;
    }
    let first = ((scroll_top.max(0.0) / row).floor() as usize).min(len - 1);
    let shown = (viewport.max(0.0) / row).ceil() as usize + 1;
    let start = first.saturating_sub(overscan);
    let end = first.saturating_add(shown).saturating_add(overscan).min(len);
    start..end
}

/// How far to scroll the page so that a row whose top is `top` pixels from the window's top and
/// `row` pixels tall shows whole between `from` (below a sticky header) and `to` (the window's
/// bottom); `None` when it already does.
pub fn reveal_by(top: f64, row: f64, from: f64, to: f64) -> Option<f64> {
    let bottom = top + row;
    if top < from {
        Some(top - from)
    } else if bottom > to {
        // A row taller than the room shows its top.
        Some((bottom - to).min(top - from))
    } else {
        None
    }
}

/// The part of a list in the window: how far the list's top is above the window's top
/// (`scroll_top`, 0 while it is below) and how many of its pixels the window can show
/// (`viewport`), for a list whose top is `top` pixels from the window's top in a window
/// `window` pixels tall.
pub fn in_window(top: f64, window: f64) -> (f64, f64) {
    ((-top).max(0.0), (window - top.max(0.0)).max(0.0))
}

/// Where a key press moves focus from row `current` of `len` rows (`page` rows per screen), or
/// `None` for keys the list does not handle.
pub fn key_target(key: &str, current: usize, len: usize, page: usize) -> Option<usize> {
    let last = len.checked_sub(1)?;
    let current = current.min(last);
    let page = page.max(1);
    Some(match key {
        "ArrowDown" => (current + 1).min(last),
        "ArrowUp" => current.saturating_sub(1),
        "PageDown" => (current + page).min(last),
        "PageUp" => current.saturating_sub(page),
        "Home" => 0,
        "End" => last,
        _ => return None,
    })
}

/// One row handed to the row renderer.
#[derive(Clone)]
pub struct Row<T> {
    /// Position in the whole list, from 0.
    pub index: usize,
    /// The item.
    pub item: T,
    /// Whether this row holds the list's tab stop: its focus target gets `tabindex="0"`, every
    /// other row's `-1`.
    pub active: Signal<bool>,
}

impl<T> Row<T> {
    /// The `tabindex` for this row's interactive elements: `"0"` in the active row, else `"-1"`,
    /// so the list is one stop in the tab order.
    pub fn tab_index(&self) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        let active = self.active;
        move || if active.get() { "0" } else { "-1" }
    }
}

/// A CSS length in whole pixels. Rows are measured (`offsetHeight`) and configured in whole
/// pixels, so every position is whole already; integers spare the wasm the float formatter.
fn px(value: f64) -> String {
    [(value.round() as i64).to_string().as_str(), "px"].concat()
}

/// Scrolls the page by `delta` pixels at once: `scrollBy({top, behavior: "instant"})`, which
/// overrides any CSS `scroll-behavior: smooth` (a smooth scroll would report positions in
/// between, and the row being revealed would not be rendered yet when focus moves to it).
/// Falls back to `scrollBy(0, delta)` where `scrollBy` takes no options.
fn scroll_page_by(delta: f64) {
    let window = window();
    let options = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&options, &JsValue::from_str(k), &v);
    let scrolled = set("top", JsValue::from_f64(delta)).is_ok()
        && set("behavior", JsValue::from_str("instant")).is_ok()
        && js_sys::Reflect::get(&window, &JsValue::from_str("scrollBy"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .is_some_and(|f| f.call1(&window, &options).is_ok());
    if !scrolled {
        window.scroll_by_with_x_and_y(0.0, delta);
    }
}

/// The header row of a table-like virtual list: one `columnheader` cell per name.
pub fn column_headers(columns: &'static [&'static str]) -> ViewFn {
    ViewFn::from(move || {
        columns
            .iter()
            .map(|c| view! { <span role="columnheader" class="cell">{*c}</span> })
            .collect_view()
    })
}

/// How far to scroll the page to show row `index` (rows `row` pixels tall) of the list `root`
/// whole, below its sticky column headers while they are stuck (a window `window` pixels tall).
fn reveal(root: &Element, index: usize, row: f64, window: f64) -> Option<f64> {
    let spacer = root.query_selector(".vlist__spacer").ok().flatten()?;
    let top = spacer.get_bounding_client_rect().top() + index as f64 * row;
    // Column headers shown (not the phone layout's visually hidden ones) stick to the top.
    let below_head = root
        .query_selector(".vlist__head")
        .ok()
        .flatten()
        .map(|h| h.get_bounding_client_rect())
        .filter(|r| r.height() > 1.0)
        .map_or(0.0, |r| r.bottom().max(0.0));
    reveal_by(top, row, below_head, window)
}

/// Focuses row `index` (its `[data-roving]` element, or the row itself) if it is rendered.
fn focus_row(viewport: &Element, index: usize) {
    let selector = ["[data-index=\"", &index.to_string(), "\"]"].concat();
    let Ok(Some(row)) = viewport.query_selector(&selector) else { return };
    let target = row.query_selector("[data-roving]").ok().flatten().unwrap_or(row);
    if let Ok(el) = target.dyn_into::<HtmlElement>() {
        let _ = el.focus();
    }
}

/// A scrolling list that renders only its visible rows.
///
/// `row` renders the content of one row; put `tabindex=row.tab_index()` and `data-roving` on
/// the row's main link, or set `focus_rows` to make the row element itself the focus target.
/// With a `header`, the list is a table (`role="table"`, header row 1, data rows from 2) and
/// `row` renders `role="cell"` children; without, it is a list of `<li>`.
#[component]
pub fn VirtualList<T, F, V>(
    /// The items, in display order.
    #[prop(into)]
    items: Signal<Vec<T>>,
    /// Renders one row's content.
    row: F,
    /// The accessible name of the list or table.
    #[prop(into)]
    label: String,
    /// Column headers (`role="columnheader"` cells): makes this a table.
    #[prop(optional, into)]
    header: Option<ViewFn>,
    /// Row height assumed before one is measured (the CSS sets the real one).
    #[prop(default = DEFAULT_ROW_HEIGHT)]
    row_height: f64,
    /// Rows rendered beyond each edge of the viewport.
    #[prop(default = 6)]
    overscan: usize,
    /// Extra class on the outer element (e.g. the column layout of a table).
    #[prop(optional, into)]
    class: String,
    /// True while the rows are stale (being reloaded): dimmed and `aria-busy`.
    #[prop(optional, into)]
    stale: Signal<bool>,
    /// Make the row element itself the roving focus target (tables whose rows hold several
    /// controls); Enter then follows the row's first link.
    #[prop(optional)]
    focus_rows: bool,
    /// Told the rows in view (without overscan) whenever they change, including when the items
    /// change: a page loads per-row data for these only.
    #[prop(optional_no_strip)]
    on_visible: Option<Callback<Range<usize>>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(Row<T>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let root = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport_height = RwSignal::new(DEFAULT_VIEWPORT);
    let measured_row = RwSignal::new(row_height);
    let active = RwSignal::new(0_usize);
    let len = Memo::new(move |_| items.with(Vec::len));
    // Bumped whenever the items change, so rows are re-rendered for new data.
    let generation = Memo::new(move |previous: Option<&u64>| {
        items.track();
        previous.map_or(0, |p| p + 1)
    });
    let range = Memo::new(move |_| {
        visible_range(
            scroll_top.get(),
            viewport_height.get(),
            measured_row.get(),
            len.get(),
            overscan,
        )
    });

    // The rows in view, without overscan, for `on_visible`.
    if let Some(on_visible) = on_visible {
        let in_view = Memo::new(move |_| {
            visible_range(scroll_top.get(), viewport_height.get(), measured_row.get(), len.get(), 0)
        });
        Effect::new(move |_| on_visible.run(in_view.get()));
    }

    // Where the list is in the window: what the rows in view follow as the page scrolls.
    let follow_window = move || {
        let Some(el) = root.get_untracked() else { return };
        let Some(spacer) = el.query_selector(".vlist__spacer").ok().flatten() else { return };
        let window_height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        if window_height > 0.0 {
            let (top, height) = in_window(spacer.get_bounding_client_rect().top(), window_height);
            scroll_top.set(top);
            viewport_height.set(height);
        }
    };
    // That, and a rendered row's height (rows change only with the items or the window's size).
    let measure = move || {
        follow_window();
        let Some(el) = root.get_untracked() else { return };
        if let Ok(Some(first)) = el.query_selector(".vlist__spacer > [data-index]") {
            if let Ok(first) = first.dyn_into::<HtmlElement>() {
                let h = f64::from(first.offset_height());
                if h > 0.0 && (h - measured_row.get_untracked()).abs() > 0.5 {
                    measured_row.set(h);
                }
            }
        }
    };
    Effect::new(move |_| {
        generation.track();
        if root.get().is_some() {
            request_animation_frame(measure);
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    let scroll = window_event_listener(ev::scroll, move |_| follow_window());
    on_cleanup(move || {
        resize.remove();
        scroll.remove();
    });
    // Keep the tab stop on a rendered row.
    Effect::new(move |_| {
        let r = range.get();
        let last = len.get().saturating_sub(1);
        let a = active.get_untracked();
        if a > last {
            active.set(last);
        } else if !r.is_empty() && !r.contains(&a) {
            let first_visible =
                (scroll_top.get_untracked() / measured_row.get_untracked()).ceil() as usize;
            active.set(first_visible.clamp(r.start, r.end - 1));
        }
    });

    let on_keydown = move |ev: ev::KeyboardEvent| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let Some(el) = root.get_untracked() else { return };
        let key = ev.key();
        let row = measured_row.get_untracked();
        let window_height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        let page = (window_height / row).floor() as usize;
        if let Some(to) = key_target(&key, active.get_untracked(), len.get_untracked(), page) {
            ev.prevent_default();
            active.set(to);
            let el: Element = el.into();
            if let Some(by) = reveal(&el, to, row, window_height) {
                scroll_page_by(by);
                follow_window();
            }
            request_animation_frame(move || focus_row(&el, to));
        } else if key == "Enter" && focus_rows {
            // Enter on a focused row follows its first link (Enter on a link inside does that
            // by itself).
            let on_row = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|t| t.has_attribute("data-index"));
            if on_row {
                let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
                if let Some(link) = target.and_then(|t| t.query_selector("a[href]").ok().flatten())
                {
                    if let Ok(link) = link.dyn_into::<HtmlElement>() {
                        ev.prevent_default();
                        link.click();
                    }
                }
            }
        }
    };
    // Focus moving into a row (click, Tab) makes it the active row.
    let on_focusin = move |ev: ev::FocusEvent| {
        let index = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-index]").ok().flatten())
            .and_then(|row| row.get_attribute("data-index"))
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(i) = index {
            if active.get_untracked() != i {
                active.set(i);
            }
        }
    };

    let table = header.is_some();
    let each = move || {
        let g = generation.get();
        let r = range.get();
        items.with(|v| r.filter_map(|i| v.get(i).cloned().map(|t| (g, i, t))).collect::<Vec<_>>())
    };
    let render = move |(_, index, item): (u64, usize, T)| {
        let is_active = Signal::derive(move || active.get() == index);
        let top = move || px(index as f64 * measured_row.get());
        let content = row(Row { index, item, active: is_active });
        let tabindex = move || focus_rows.then(|| if is_active.get() { "0" } else { "-1" });
        if table {
            view! {
                <div
                    role="row"
                    class="vlist__row"
                    class:vlist__row--active=move || is_active.get()
                    data-index=index
                    aria-rowindex=index + 2
                    tabindex=tabindex
                    style:top=top
                >
                    {content}
                </div>
            }
            .into_any()
        } else {
            view! {
                <li
                    class="vlist__row"
                    class:vlist__row--active=move || is_active.get()
                    data-index=index
                    aria-posinset=index + 1
                    aria-setsize=move || len.get()
                    tabindex=tabindex
                    style:top=top
                >
                    {content}
                </li>
            }
            .into_any()
        }
    };
    let rows = move || {
        view! { <For each key=|(g, i, _)| (*g, *i) children=render.clone() /> }
    };
    let spacer_height = move || px(len.get() as f64 * measured_row.get());
    let classes =
        ["vlist ", if table { "vlist--table " } else { "vlist--list " }, class.as_str()].concat();

    if let Some(header) = header {
        view! {
            <div
                role="table"
                node_ref=root
                class=classes
                class:vlist--stale=move || stale.get()
                aria-label=label
                aria-rowcount=move || len.get() + 1
                aria-busy=move || stale.get().then_some("true")
            >
                <div role="rowgroup" class="vlist__head">
                    <div role="row" class="vlist__header-row" aria-rowindex="1">
                        {header.run()}
                    </div>
                </div>
                <div
                    role="rowgroup"
                    class="vlist__viewport"
                    on:keydown=on_keydown
                    on:focusin=on_focusin
                >
                    <div role="presentation" class="vlist__spacer" style:height=spacer_height>
                        {rows}
                    </div>
                </div>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div
                class=classes
                class:vlist--stale=move || stale.get()
                node_ref=root
                on:keydown=on_keydown
                on:focusin=on_focusin
            >
                <ul
                    role="list"
                    class="vlist__spacer"
                    aria-label=label
                    aria-busy=move || stale.get().then_some("true")
                    style:height=spacer_height
                >
                    {rows}
                </ul>
            </div>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_whole_pixels() {
        for (rows, row) in [(0usize, 44.0), (3, 44.0), (10_000, 64.0), (123_456, 37.0)] {
            let v = rows as f64 * row;
            assert_eq!(px(v), [v.to_string().as_str(), "px"].concat());
        }
        assert_eq!(px(10.4), "10px");
    }

    #[test]
    fn the_window_covers_the_viewport_plus_overscan() {
        // 10,000 rows of 40 px in a 400 px viewport at the top: rows 0..11 plus 5 below.
        assert_eq!(visible_range(0.0, 400.0, 40.0, 10_000, 5), 0..16);
        // Scrolled to row 500: 5 rows of overscan above, 11 visible, 5 below.
        assert_eq!(visible_range(20_000.0, 400.0, 40.0, 10_000, 5), 495..516);
        // A partial row at the top still counts.
        assert_eq!(visible_range(20_020.0, 400.0, 40.0, 10_000, 0), 500..511);
        // Bottom edge: clamped to the list.
        assert_eq!(visible_range(399_600.0, 400.0, 40.0, 10_000, 5), 9_985..10_000);
        // Overscrolled (elastic scrolling, or a list that just shrank): still inside the list.
        assert_eq!(visible_range(1e9, 400.0, 40.0, 30, 2), 27..30);
        assert_eq!(visible_range(-50.0, 400.0, 40.0, 3, 2), 0..3);
    }

    #[test]
    fn the_window_is_bounded_whatever_the_length() {
        for len in [1, 10, 1_000, 100_000] {
            let r = visible_range(123.0, 900.0, 44.0, len, 6);
            assert!(r.len() <= 900 / 44 + 2 + 12, "{len}: {r:?}");
            assert!(r.end <= len);
        }
        assert_eq!(visible_range(0.0, 400.0, 40.0, 0, 5), 0..0);
        assert_eq!(visible_range(0.0, 400.0, 0.0, 10, 5), 0..0);
    }

    #[test]
    fn revealing_a_row_scrolls_the_least() {
        // Visible: rows 10..20 (400 px from 400).
        // A window 400 px tall with a 40 px sticky header: a row in between stays.
        assert_eq!(reveal_by(100.0, 40.0, 40.0, 400.0), None);
        // Above the header: scrolled up until it shows below the header.
        assert_eq!(reveal_by(20.0, 40.0, 40.0, 400.0), Some(-20.0));
        assert_eq!(reveal_by(-500.0, 40.0, 0.0, 400.0), Some(-500.0));
        // Below the window's bottom: scrolled down until its bottom shows.
        assert_eq!(reveal_by(380.0, 40.0, 40.0, 400.0), Some(20.0));
        // A row taller than the room: its top is shown.
        assert_eq!(reveal_by(100.0, 400.0, 40.0, 300.0), Some(60.0));
    }

    #[test]
    fn the_window_shows_the_part_of_the_list_between_its_edges() {
        // A list 300 px below the window's top in an 800 px window: its first 500 px show.
        assert_eq!(in_window(300.0, 800.0), (0.0, 500.0));
        // Scrolled 2,000 px into the list: the window shows 2,000..2,800.
        assert_eq!(in_window(-2_000.0, 800.0), (2_000.0, 800.0));
        // Below the fold: nothing shows yet.
        assert_eq!(in_window(900.0, 800.0), (0.0, 0.0));
    }

    #[test]
    fn keys_move_through_the_rows() {
        assert_eq!(key_target("ArrowDown", 0, 10, 4), Some(1));
        assert_eq!(key_target("ArrowDown", 9, 10, 4), Some(9));
        assert_eq!(key_target("ArrowUp", 0, 10, 4), Some(0));
        assert_eq!(key_target("ArrowUp", 5, 10, 4), Some(4));
        assert_eq!(key_target("PageDown", 5, 10, 4), Some(9));
        assert_eq!(key_target("PageUp", 5, 10, 4), Some(1));
        assert_eq!(key_target("Home", 5, 10, 4), Some(0));
        assert_eq!(key_target("End", 5, 10, 4), Some(9));
        // An active row beyond a list that shrank starts from the last row.
        assert_eq!(key_target("ArrowUp", 50, 10, 4), Some(8));
        assert_eq!(key_target("a", 5, 10, 4), None);
        assert_eq!(key_target("ArrowDown", 0, 0, 4), None);
    }
}
