//! Performance marks for the benchmark (`scripts/bench`): `performance.mark(name)` on the
//! browser's timeline, read back with `performance.getEntriesByName(name)`. The console sets
//! `repos:first-rows`, `repos:complete` and `filter:applied` (repository list), `lock:sent` (a
//! lock change leaves) and `lock:shown` (the registry's answer is painted).

use leptos::prelude::*;

/// Records `name` once the current frame is painted: the next animation frame runs before the
/// paint, and a zero timeout after it runs once that paint is done.
pub fn mark_after_paint(name: &'static str) {
    request_animation_frame(move || {
        set_timeout(move || mark(name), std::time::Duration::ZERO);
    });
}

/// `performance.mark(name)` now; nothing where the browser has no performance timeline.
pub fn mark(name: &str) {
    use leptos::{wasm_bindgen::JsValue, web_sys::js_sys};
    let Ok(performance) = js_sys::Reflect::get(&window(), &JsValue::from_str("performance")) else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&performance, &JsValue::from_str("mark")) {
        if f.is_function() {
            let f: js_sys::Function = f.into();
            let _ = f.call1(&performance, &JsValue::from_str(name));
        }
    }
}
