//! The few browser facilities the session uses: `sessionStorage`, the address bar
//! (`history.replaceState`, `location.assign`) and the page's origin. Outside a browser (native
//! tests) storage is empty and navigation does nothing.

#[cfg(target_arch = "wasm32")]
mod imp {
    use leptos::prelude::window;

    fn storage() -> Option<web_sys::Storage> {
        window().session_storage().ok().flatten()
    }

    pub fn storage_get(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    pub fn storage_set(key: &str, value: &str) -> bool {
        // A full or disabled storage leaves the session in memory only.
        storage().is_some_and(|s| s.set_item(key, value).is_ok())
    }

    pub fn storage_remove(key: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(key);
        }
    }

    pub fn storage_clear() {
        if let Some(s) = storage() {
            let _ = s.clear();
        }
    }

    pub fn search() -> String {
        window().location().search().unwrap_or_default()
    }

    pub fn replace_url(url: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
        }
    }

    pub fn assign(url: &str) {
        let _ = window().location().assign(url);
    }

    pub fn origin() -> String {
        window().location().origin().unwrap_or_default()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn storage_get(_key: &str) -> Option<String> {
        None
    }
    pub fn storage_set(_key: &str, _value: &str) -> bool {
        false
    }
    pub fn storage_remove(_key: &str) {}
    pub fn storage_clear() {}
    pub fn search() -> String {
        String::new()
    }
    pub fn replace_url(_url: &str) {}
    pub fn assign(_url: &str) {}
    pub fn origin() -> String {
        String::new()
    }
}

/// The `sessionStorage` value of `key`.
pub fn storage_get(key: &str) -> Option<String> {
    imp::storage_get(key)
}

/// Sets `key` in `sessionStorage`; false when the storage is full, disabled or absent.
pub fn storage_set(key: &str, value: &str) -> bool {
    imp::storage_set(key, value)
}

/// Removes `key` from `sessionStorage`.
pub fn storage_remove(key: &str) {
    imp::storage_remove(key)
}

/// Empties this tab's `sessionStorage`.
pub fn storage_clear() {
    imp::storage_clear()
}

/// `location.search` (with its `?`).
pub fn search() -> String {
    imp::search()
}

/// Replaces the address bar's URL without loading a page (`history.replaceState`).
pub fn replace_url(url: &str) {
    imp::replace_url(url)
}

/// Loads `url` (`location.assign`): the authority's pages.
pub fn assign(url: &str) {
    imp::assign(url)
}

/// The page's origin (`https://console.example`).
pub fn origin() -> String {
    imp::origin()
}
