//! In-browser component tests (wasm-bindgen-test in headless Chromium): each test mounts a view
//! into a fresh element and queries it by landmark role, label or `data-testid`, never by
//! comparing markup.
//!
//! One file per topic under `tests/web/` (a crate root's `mod x;` would look for `tests/x.rs`,
//! hence the `#[path]`s):
//! - `fixtures.rs`: what more than one topic uses: a fresh mount point, landmark, `data-testid`,
//!   text and selector queries, the shared repository name;
//! - `shell.rs`: the app shell's landmarks and skip link, and route segments;
//! - `locks.rs`: the lock-panel harness (a fake registry behind a real `RegistryClient`, the
//!   mounted `LockPanel`, its queries) for `locks_registry.rs` (what a change sends and what the
//!   panel shows of the answer or problem) and `locks_controls.rs` (confirmation, presets,
//!   keyboard, read-only views, targets and inherited locks);
//! - `sign_in.rs`: the sign-in page, the account and Sign out in the shell, `RequireSignIn`;
//! - `browse.rs`: the virtual list, repository list, tag and manifest tables, lock badges, load
//!   progress and error view;
//! - `refusals.rs`: what ACR would refuse, on an item page's card and a tag row's lock cell.
//!
//! Run: `cargo test -p acr-console --target wasm32-unknown-unknown --test web` (the runner is set
//! in `.cargo/config.toml`; browser flags in `webdriver.json`).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/browse.rs"]
mod browse;
#[path = "web/fixtures.rs"]
mod fixtures;
#[path = "web/locks.rs"]
mod locks;
#[path = "web/locks_controls.rs"]
mod locks_controls;
#[path = "web/locks_registry.rs"]
mod locks_registry;
#[path = "web/refusals.rs"]
mod refusals;
#[path = "web/shell.rs"]
mod shell;
#[path = "web/sign_in.rs"]
mod sign_in;
