//! Saving the data file (`--data`): a burst of changes costs few saves, the last change is on disk
//! within a second, and a clean shutdown (`Running::shutdown`, dropping `Running`, Ctrl-C of the
//! `acr-emulator` command) saves whatever is pending. (The saver's timing with an injected save
//! function is tested in `acr_emulator::saver`.)

mod common;

use acr_emulator::config::{Config, DataSource};
use axum::http::{Method, StatusCode};
use common::*;
use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

const JSON: &str = "application/json";

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("acr-saving-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    fn file(&self) -> PathBuf {
        self.0.join("registry.json")
    }
    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn data_config(file: &Path) -> Config {
    Config { data: DataSource::Empty, data_file: Some(file.to_owned()), ..Config::default() }
}

/// The store as the data file holds it (`None`: no file yet).
fn on_disk(file: &Path) -> Option<acr_emulator::store::Store> {
    acr_emulator::persist::load(file).unwrap().map(|(store, _)| store)
}

/// `writeEnabled` of `prod/api:{tag}` as the data file holds it.
fn tag_write_enabled_on_disk(file: &Path, tag: &str) -> Option<bool> {
    let store = on_disk(file)?;
    let repo = acr_types::RepositoryName::new("prod/api").unwrap();
    let tag = acr_types::TagName::new(tag).unwrap();
    store.tag(&repo, &tag).ok().map(|t| t.changeable_attributes.write_enabled)
}

async fn patch_tag(state: &acr_emulator::AppState, token: &str, tag: &str, write_enabled: bool) {
    let body = format!(r#"{{"writeEnabled":{write_enabled}}}"#);
    let uri = format!("/acr/v1/prod/api/_tags/{tag}");
    let res = send(state, Method::PATCH, &uri, Some(token), Some((JSON, &body))).await;
    assert_eq!(res.status(), StatusCode::OK, "{uri}");
}

#[tokio::test]
async fn a_burst_of_changes_costs_few_saves_and_the_last_is_on_disk_within_a_second() {
    let dir = TempDir::new("burst");
    let file = dir.file();
    let state = acr_emulator::build_state(data_config(&file)).unwrap();
    let changes = 300;
    for i in 0..changes {
        push(&state, "prod/api", &format!("1.{i}"), &image_manifest(i));
    }
    let t = admin(&state);
    let t0 = Instant::now();
    // Spread over more than a second, as a bulk run of the console is.
    for i in 0..changes {
        patch_tag(&state, &t, &format!("1.{i}"), false).await;
        tokio::time::sleep(Duration::from_millis(4)).await;
    }
    let answered = Instant::now();
    let burst = answered - t0;
    let saves = state.saves();
    // At most one save per half second (plus the one a first change after a quiet spell gets).
    let allowed = burst.as_millis() as u64 / 500 + 2;
    assert!(
        saves <= allowed,
        "{changes} changes in {burst:?} cost {saves} saves (allowed {allowed})"
    );

    // The last change is on disk within a second of its answer, and so is everything else.
    let last = format!("1.{}", changes - 1);
    while tag_write_enabled_on_disk(&file, &last) != Some(false) {
        assert!(answered.elapsed() < Duration::from_secs(1), "the last change is on disk in 1 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(on_disk(&file).as_ref(), Some(&*state.store.read().unwrap()));
    let total = state.saves();
    assert!(total <= allowed + 1, "{changes} changes cost {total} saves in all");
    assert_eq!(dir.entries(), ["registry.json"], "no temp file is left behind");
}

/// Makes one change and waits until the saver has written it, so that the next change falls
/// inside the saver's half-second pause and only a flush can save it at once.
async fn change_and_wait_for_save(state: &acr_emulator::AppState, token: &str, file: &Path) {
    patch_tag(state, token, "1.0", false).await;
    let t0 = Instant::now();
    while tag_write_enabled_on_disk(file, "1.0") != Some(false) {
        assert!(t0.elapsed() < Duration::from_secs(1), "saved in the background");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn shutting_down_saves_pending_changes() {
    let dir = TempDir::new("shutdown");
    let file = dir.file();
    let running = acr_emulator::spawn(data_config(&file)).await.unwrap();
    let state = running.state.clone();
    push(&state, "prod/api", "1.0", &image_manifest(0));
    push(&state, "prod/api", "1.1", &image_manifest(1));
    let t = admin(&state);
    change_and_wait_for_save(&state, &t, &file).await;
    patch_tag(&state, &t, "1.1", false).await;
    running.shutdown().await.unwrap();
    assert_eq!(tag_write_enabled_on_disk(&file, "1.1"), Some(false), "flushed at shutdown");
    assert_eq!(on_disk(&file).as_ref(), Some(&*state.store.read().unwrap()));
    assert!(!state.saver.as_ref().unwrap().is_dirty());
}

#[tokio::test]
async fn dropping_the_running_emulator_saves_pending_changes() {
    let dir = TempDir::new("drop");
    let file = dir.file();
    let running = acr_emulator::spawn(data_config(&file)).await.unwrap();
    let state = running.state.clone();
    push(&state, "prod/api", "1.0", &image_manifest(0));
    push(&state, "prod/api", "1.1", &image_manifest(1));
    let t = admin(&state);
    change_and_wait_for_save(&state, &t, &file).await;
    patch_tag(&state, &t, "1.1", false).await;
    drop(running);
    assert_eq!(tag_write_enabled_on_disk(&file, "1.1"), Some(false), "flushed on drop");
    assert_eq!(on_disk(&file).as_ref(), Some(&*state.store.read().unwrap()));
}

/// The `acr-emulator` command as a child process, killed if the test ends without stopping it.
#[cfg(unix)]
struct Child(std::process::Child);

#[cfg(unix)]
impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The command's Ctrl-C path: SIGINT stops the server and saves what is pending.
#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_saves_pending_changes() {
    use std::io::BufRead as _;
    let dir = TempDir::new("ctrl-c");
    let file = dir.file();
    // A data file with prod/api:1.0 and 1.1, both writable.
    let prepared = empty_state(Config::default());
    push(&prepared, "prod/api", "1.0", &image_manifest(0));
    push(&prepared, "prod/api", "1.1", &image_manifest(1));
    acr_emulator::persist::save(&file, &prepared.store.read().unwrap(), &prepared.users).unwrap();
    assert_eq!(tag_write_enabled_on_disk(&file, "1.1"), Some(true));

    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_acr-emulator"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut stdout = std::io::BufReader::new(child.0.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the emulator printed its address");
        if let Some(url) = line.trim().strip_prefix("Registry: ") {
            break url.to_owned();
        }
    };
    let host = base.trim_start_matches("http://");
    let admin = prepared.users.by_id("admin").unwrap();
    let token =
        acr_emulator::auth::cli_token(&prepared.issuer, admin, "access", host, "repository:*:*")
            .unwrap();
    let c = reqwest::Client::new();
    let patch = |tag: &str| {
        c.patch(format!("{base}/acr/v1/prod%2Fapi/_tags/{tag}"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"writeEnabled": false}))
            .send()
    };
    assert_eq!(patch("1.0").await.unwrap().status(), reqwest::StatusCode::OK);
    let t0 = Instant::now();
    while tag_write_enabled_on_disk(&file, "1.0") != Some(false) {
        assert!(t0.elapsed() < Duration::from_secs(1), "saved in the background");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Inside the saver's half-second pause: only the shutdown can save this one at once.
    assert_eq!(patch("1.1").await.unwrap().status(), reqwest::StatusCode::OK);
    let pid = child.0.id().to_string();
    let signalled = std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(signalled.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "a clean exit: {status:?}");
    assert_eq!(tag_write_enabled_on_disk(&file, "1.1"), Some(false), "flushed at Ctrl-C");
    assert_eq!(dir.entries(), ["registry.json"]);
}
