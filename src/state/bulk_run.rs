//! The bulk run: sends a run record's planned changes, one PATCH per item carrying only the flags
//! that change, at most [`Pacer::CONCURRENCY`] at once, slowing down and waiting out
//! `Retry-After` when the registry throttles (429) or is unavailable (503), and reporting each
//! item's result and the run's status as they happen. Pause stops sending (answers in flight
//! still land); cancel sends nothing more. It drives the client through its
//! [`RegistryClient::without_retries`] view, so a throttle comes back at once and is paced here,
//! and writes every answer into the lock store, so every view shows the new state.
//!
//! No signals: the page applies the [`Event`]s to its record, so the run is tested natively
//! against a scripted registry.

use crate::state::{lock_action::send_change, lock_store::LockStore};
use acr_bulk::{record::ItemState, Flags, Pacer, RunRecord};
use acr_client::{ClientError, RegistryClient};
use futures_util::{
    future::{select, Either},
    stream::FuturesUnordered,
    StreamExt,
};
use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

/// How often a waiting or paused run looks again.
const TICK: Duration = Duration::from_millis(200);

/// Pause and cancel, shared between the page's buttons and the run.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    paused: Arc<AtomicBool>,
    cancelled: Arc<AtomicBool>,
}

impl RunControl {
    /// Stops sending (or lets it go on).
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }
    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }
    /// Sends nothing more; the answers in flight still land.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// The run as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStatus {
    /// False once it has ended.
    pub running: bool,
    /// Changes sent and not answered.
    pub in_flight: usize,
    /// Changes allowed in flight now.
    pub limit: usize,
    /// Set while sending is held for the registry: how long is left.
    pub waiting_ms: Option<u64>,
    /// Throttles (429/503) met so far.
    pub throttles: usize,
    /// When this session of the run started (ms since the epoch).
    pub started_ms: u64,
    /// Answers (of any kind) in this session.
    pub answered: usize,
    /// The clock when this status was taken.
    pub now_ms: u64,
}

impl RunStatus {
    /// Answers per second in this session.
    pub fn rate(&self) -> Option<f64> {
        let secs = self.now_ms.saturating_sub(self.started_ms) as f64 / 1000.0;
        (self.answered > 0 && secs > 0.5).then(|| self.answered as f64 / secs)
    }
}

/// What a run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The item at this index of the record has a new state.
    Item(usize, ItemState),
    /// The run's status changed.
    Status(RunStatus),
    /// The run was cancelled: every item still planned is not sent.
    Cancelled,
}

/// Applies an event to the record it came from.
pub fn apply(record: &mut RunRecord, event: &Event) {
    match event {
        Event::Item(i, state) => {
            if let Some(item) = record.items.get_mut(*i) {
                item.state = state.clone();
            }
        }
        Event::Cancelled => record.cancel(),
        Event::Status(_) => {}
    }
}

/// Sends every planned item of `record` (see the module); returns when all are answered, or
/// once cancelled and the answers in flight have landed.
pub async fn run(
    client: &RegistryClient,
    store: &LockStore,
    record: &RunRecord,
    control: &RunControl,
    mut report: impl FnMut(Event),
) {
    let client = client.without_retries();
    let mut queue: VecDeque<usize> =
        record.items.iter().enumerate().filter(|(_, i)| i.is_pending()).map(|(n, _)| n).collect();
    let mut pacer = Pacer::default();
    let mut status = RunStatus {
        running: true,
        limit: pacer.limit(),
        started_ms: client.now_ms(),
        ..Default::default()
    };
    let mut flying = FuturesUnordered::new();
    loop {
        let now = client.now_ms();
        if !control.is_cancelled() && !control.is_paused() {
            while pacer.may_send(flying.len(), now) {
                let Some(i) = queue.pop_front() else { break };
                let item = &record.items[i];
                let (target, patch) = (item.artifact(), item.patch);
                let client = &client;
                flying.push(async move {
                    let result = match target {
                        Some(target) => send_change(client, store, &target, patch).await,
                        None => Err(ClientError::unexpected("the item's name could not be read")),
                    };
                    (i, result)
                });
            }
        }
        status.in_flight = flying.len();
        status.limit = pacer.limit();
        status.waiting_ms = pacer.waiting(now).filter(|_| !queue.is_empty());
        status.now_ms = now;
        report(Event::Status(status));
        if flying.is_empty() {
            if queue.is_empty() || control.is_cancelled() {
                break;
            }
            // Paused, or held by the registry: look again shortly.
            let wait = pacer.waiting(now).map_or(TICK, |w| Duration::from_millis(w).min(TICK));
            client.wait(wait).await;
            continue;
        }
        let answered = {
            let tick = Box::pin(client.wait(TICK));
            match select(flying.next(), tick).await {
                Either::Left((Some(answer), _)) => answer,
                _ => continue,
            }
        };
        let (i, result) = answered;
        status.answered += 1;
        match result {
            Ok(attributes) => {
                pacer.answered();
                report(Event::Item(i, ItemState::Done { after: Flags::from(&attributes) }));
            }
            Err(ClientError::Throttled { retry_after }) => {
                let ms = retry_after.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                pacer.throttled(ms, client.now_ms());
                status.throttles += 1;
                // Not sent successfully: it goes first when sending resumes.
                queue.push_front(i);
            }
            Err(e) => {
                pacer.answered();
                let message = crate::problem::Problem::from(&e).detail;
                report(Event::Item(i, ItemState::Failed { message }));
            }
        }
    }
    if control.is_cancelled() {
        report(Event::Cancelled);
    }
    status.running = false;
    status.in_flight = 0;
    status.waiting_ms = None;
    status.now_ms = client.now_ms();
    report(Event::Status(status));
}

/// The run against a scripted registry: every planned item is sent once with only its changed
/// flags, a throttle is waited out for as long as `Retry-After` says and the item is sent again,
/// a refusal fails only its item, and a cancel sends nothing more.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use acr_bulk::{
        plan::{Action, Group, Plan, PlanItem},
        record::ItemState,
    };
    use acr_client::{transport::fake::json_response, Credential, FakeTransport, StaticEntraToken};
    use acr_types::{ArtifactRef, AttributesPatch, Secret};
    use serde_json::{json, Value};
    use std::sync::Mutex;

    const LOCK: AttributesPatch = AttributesPatch {
        write_enabled: Some(false),
        delete_enabled: Some(false),
        read_enabled: None,
        list_enabled: None,
    };

    fn b64url(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    fn jwt() -> String {
        let claims = json!({"exp": 4_102_444_800u64, "access": [{"type": "repository", "name": "prod/api", "actions": ["*"]}]});
        format!("{}.{}.sig", b64url(br#"{"alg":"none"}"#), b64url(claims.to_string().as_bytes()))
    }

    /// The PATCHes the registry received: path and body.
    type Sent = Arc<Mutex<Vec<(String, Value)>>>;

    /// A registry that answers each PATCH with `answer(n, path)` (n counts PATCHes from 0):
    /// `Ok(())` → 200 with the patched flags, `Err((status, retry_after))` otherwise.
    fn registry(
        answer: impl Fn(usize, &str) -> Result<(), (u16, Option<&'static str>)> + Send + Sync + 'static,
    ) -> (FakeTransport, Sent) {
        let sent: Sent = Arc::default();
        let log = sent.clone();
        let t = FakeTransport::new(move |req| {
            let path = req.uri().path().to_owned();
            if path.ends_with("/oauth2/exchange") {
                return Ok(json_response(200, &json!({"refresh_token": jwt()}), &[]));
            }
            if path.ends_with("/oauth2/token") {
                return Ok(json_response(200, &json!({"access_token": jwt()}), &[]));
            }
            let body: Value = serde_json::from_slice(req.body()).unwrap_or(Value::Null);
            let n = {
                let mut log = log.lock().unwrap();
                log.push((path.clone(), body.clone()));
                log.len() - 1
            };
            match answer(n, &path) {
                Ok(()) => {
                    let mut flags = json!({"writeEnabled": true, "deleteEnabled": true, "readEnabled": true, "listEnabled": true});
                    for (k, v) in body.as_object().unwrap() {
                        flags[k] = v.clone();
                    }
                    let name = path.rsplit('/').next().unwrap().to_owned();
                    Ok(json_response(
                        200,
                        &json!({"registry": "r.azurecr.io", "imageName": "prod/api", "tag": {"name": name, "digest": format!("sha256:{}", "a".repeat(64)), "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z", "changeableAttributes": flags}}),
                        &[],
                    ))
                }
                Err((status, retry)) => {
                    let headers: Vec<(&str, &str)> =
                        retry.map(|r| vec![("retry-after", r)]).unwrap_or_default();
                    Ok(json_response(
                        status,
                        &json!({"errors": [{"code": "TOOMANYREQUESTS", "message": "slow down"}]}),
                        &headers,
                    ))
                }
            }
        });
        (t, sent)
    }

    fn client(t: &FakeTransport) -> RegistryClient {
        RegistryClient::new(
            Arc::new(t.clone()),
            "https://r.azurecr.io",
            "r.azurecr.io",
            Credential::Entra(Arc::new(StaticEntraToken(Secret::new("entra".to_owned())))),
            Default::default(),
        )
        .unwrap()
    }

    fn record(n: usize) -> RunRecord {
        let mut items: Vec<PlanItem> = (0..n)
            .map(|i| PlanItem {
                target: ArtifactRef::parse(&format!("prod/api:t{i}")).unwrap(),
                before: Flags::default(),
                patch: LOCK,
                group: Group::Change,
            })
            .collect();
        items.push(PlanItem {
            target: ArtifactRef::parse("prod/api:done").unwrap(),
            before: Flags::default().apply(&LOCK),
            patch: AttributesPatch::default(),
            group: Group::Already,
        });
        let action = Action { label: "Lock".into(), patch: LOCK };
        RunRecord::from_plan(
            &Plan { items, unread: vec![] },
            "1".into(),
            "demo".into(),
            "r.azurecr.io".into(),
            None,
            action,
            "prod/**".into(),
            0,
        )
    }

    async fn drive(t: &FakeTransport, rec: &mut RunRecord, control: &RunControl) -> Vec<RunStatus> {
        let store = LockStore::new();
        let snapshot = rec.clone();
        let mut statuses = Vec::new();
        run(&client(t), &store, &snapshot, control, |e| {
            if let Event::Status(s) = &e {
                statuses.push(*s);
            }
            apply(rec, &e);
        })
        .await;
        statuses
    }

    #[tokio::test]
    async fn every_item_is_sent_once_and_throttles_are_waited_out() {
        // The 3rd and 4th PATCHes are throttled: 429 with Retry-After 12, then a 503 without.
        let (t, sent) = registry(|n, _| match n {
            2 => Err((429, Some("12"))),
            3 => Err((503, None)),
            _ => Ok(()),
        });
        let mut rec = record(20);
        let statuses = drive(&t, &mut rec, &RunControl::default()).await;
        let p = rec.progress();
        assert_eq!((p.done, p.failed, p.remaining), (20, 0, 0));
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 22, "20 changes and the two throttled tries");
        let mut landed: Vec<&str> =
            sent.iter().map(|(p, _)| p.rsplit('/').next().unwrap()).collect();
        landed.sort_unstable();
        landed.dedup();
        assert_eq!(landed.len(), 20, "every item, nothing for the one already locked");
        assert!(sent
            .iter()
            .all(|(_, b)| *b == json!({"writeEnabled": false, "deleteEnabled": false})));
        let waited: Duration = t.sleeps().iter().sum();
        assert!(waited >= Duration::from_secs(12), "Retry-After was honoured: {waited:?}");
        assert!(statuses.iter().any(|s| s.waiting_ms.is_some()), "the wait was reported");
        assert!(statuses.iter().any(|s| s.limit < Pacer::CONCURRENCY), "it slowed down");
        let last = statuses.last().unwrap();
        assert!(!last.running && last.throttles == 2 && last.answered == 22);
    }

    #[tokio::test]
    async fn a_refusal_fails_only_its_item_and_retry_sends_only_the_failed() {
        let (t, sent) =
            registry(|_, path| if path.ends_with("/t3") { Err((405, None)) } else { Ok(()) });
        let mut rec = record(6);
        drive(&t, &mut rec, &RunControl::default()).await;
        assert_eq!(rec.progress().failed, 1);
        assert!(
            matches!(&rec.items[3].state, ItemState::Failed { message } if !message.is_empty())
        );
        sent.lock().unwrap().clear();
        rec.retry_failed();
        drive(&t, &mut rec, &RunControl::default()).await;
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 1, "only the failed one is sent again");
        assert!(sent[0].0.ends_with("/t3"));
    }

    #[tokio::test]
    async fn a_cancelled_run_sends_nothing_more() {
        let (t, sent) = registry(|_, _| Ok(()));
        let mut rec = record(30);
        let control = RunControl::default();
        control.cancel();
        drive(&t, &mut rec, &control).await;
        assert!(sent.lock().unwrap().is_empty());
        assert_eq!(rec.progress().cancelled, 30);
        assert!(rec.is_finished());
    }
}
