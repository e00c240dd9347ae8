//! Exports of a run's plan and results: CSV and JSON for change records, and a shell script of
//! the equivalent `az acr repository update` commands, to repeat the change elsewhere.

use crate::record::{ItemState, RunItem, RunRecord};
use acr_types::{ArtifactRef, AttributesPatch, Timestamp};

/// The registry's name for `az --name`: the first label of its login server
/// (`myregistry.azurecr.io` → `myregistry`).
pub fn registry_name(login_server: &str) -> &str {
    login_server.split(['.', ':']).next().unwrap_or(login_server)
}

/// RFC 3339 time of `ms` since the Unix epoch.
pub fn time_of(ms: u64) -> String {
    Timestamp::from_unix_nanos(i128::from(ms) * 1_000_000).as_str().to_owned()
}

/// A file name for an export: `acr-locks-<registry>-<scope>-<time>.<ext>`, safe on every system.
pub fn file_name(record: &RunRecord, ext: &str) -> String {
    let clean = |s: &str| {
        let mut out: String = s
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' })
            .collect();
        while out.contains("--") {
            out = out.replace("--", "-");
        }
        out.trim_matches('-').to_owned()
    };
    let time = time_of(record.created_ms).replace(':', "").chars().take(15).collect::<String>();
    let kind = match record.kind {
        crate::record::RunKind::Apply => "locks",
        crate::record::RunKind::Undo => "undo",
    };
    format!(
        "acr-{kind}-{}-{}-{}.{ext}",
        clean(registry_name(&record.login_server)),
        clean(&record.scope).chars().take(40).collect::<String>(),
        time
    )
}

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// A CSV field: quoted when needed; a leading formula character is defused for spreadsheets.
pub(crate) fn csv_field(s: &str) -> String {
    // Quote when needed; a leading formula character is defused for spreadsheets.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn result_of(item: &RunItem) -> (&'static str, String) {
    match &item.state {
        ItemState::Planned => ("planned", String::new()),
        ItemState::Done { after } => ("done", after.summary()),
        ItemState::Failed { message } => ("failed", message.clone()),
        ItemState::Cancelled => ("cancelled", String::new()),
        ItemState::Skipped => ("skipped", item.group.label().to_owned()),
        ItemState::Conflict { now } => ("changed by someone else", now.summary()),
    }
}

/// The plan and results as CSV: one line per item, sent or not.
pub fn csv(record: &RunRecord) -> String {
    let mut out = String::from(
        "registry,kind,repository,tag,digest,group,write_before,delete_before,read_before,\
         list_before,set_write,set_delete,set_read,set_list,result,detail\n",
    );
    for item in &record.items {
        let (kind, repo, tag, digest) = match item.artifact() {
            Some(ArtifactRef::Tag(r, t)) => ("tag", r.to_string(), t.to_string(), String::new()),
            Some(ArtifactRef::Manifest(r, d)) => {
                ("manifest", r.to_string(), String::new(), d.to_string())
            }
            Some(ArtifactRef::Repository(r)) => {
                ("repository", r.to_string(), String::new(), String::new())
            }
            None => ("unknown", item.target.clone(), String::new(), String::new()),
        };
        let (result, detail) = result_of(item);
        let b = item.before;
        let p = &item.patch;
        let fields = [
            record.login_server.as_str(),
            kind,
            &repo,
            &tag,
            &digest,
            item.group.as_str(),
            flag(Some(b.write)),
            flag(Some(b.delete)),
            flag(Some(b.read)),
            flag(Some(b.list)),
            flag(p.write_enabled),
            flag(p.delete_enabled),
            flag(p.read_enabled),
            flag(p.list_enabled),
            result,
            &detail,
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// The plan and results as JSON: the run record with when it was exported.
pub fn json(record: &RunRecord, exported_ms: u64) -> String {
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("created".into(), time_of(record.created_ms).into());
        map.insert("exported".into(), time_of(exported_ms).into());
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn az_flags(p: &AttributesPatch) -> String {
    let mut out = String::new();
    for (name, v) in [
        ("--write-enabled", p.write_enabled),
        ("--delete-enabled", p.delete_enabled),
        ("--read-enabled", p.read_enabled),
        ("--list-enabled", p.list_enabled),
    ] {
        if let Some(v) = v {
            out.push_str(&format!(" {name} {v}"));
        }
    }
    out
}

/// The planned changes as `az acr repository update` lines, one per item sent, with only the
/// flags that change. Names need no quoting: repository names, tags and digests are checked to
/// registry grammar, which has no shell metacharacters.
pub fn az_script(record: &RunRecord) -> String {
    let name = registry_name(&record.login_server);
    let sent: Vec<&RunItem> =
        record.items.iter().filter(|i| i.group.is_sent() && !i.patch.is_empty()).collect();
    let mut out = format!(
        "#!/bin/sh\n# {}: {} on {} ({}), {} change(s), planned {}{}.\nset -e\n",
        match record.kind {
            crate::record::RunKind::Apply => "Lock change",
            crate::record::RunKind::Undo => "Undo",
        },
        record.action.label,
        record.login_server,
        record.scope,
        sent.len(),
        time_of(record.created_ms),
        record.account.as_deref().map(|a| format!(" by {a}")).unwrap_or_default()
    );
    for item in sent {
        let target = match item.artifact() {
            Some(ArtifactRef::Repository(r)) => format!("--repository {r}"),
            Some(a) => format!("--image {a}"),
            None => continue,
        };
        out.push_str(&format!(
            "az acr repository update --name {name} {target}{}\n",
            az_flags(&item.patch)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        plan::{Action, Group, Plan, PlanItem},
        record::Flags,
    };

    const LOCK: AttributesPatch = AttributesPatch {
        write_enabled: Some(false),
        delete_enabled: Some(false),
        read_enabled: None,
        list_enabled: None,
    };

    fn record() -> RunRecord {
        let item = |t: &str, group: Group, patch| PlanItem {
            target: ArtifactRef::parse(t).unwrap(),
            before: Flags::default(),
            patch,
            group,
        };
        let digest = format!("prod/api@sha256:{}", "ab".repeat(32));
        let plan = Plan {
            items: vec![
                item("prod/api:1.0", Group::Change, LOCK),
                item(
                    &digest,
                    Group::Inherits,
                    AttributesPatch { delete_enabled: Some(false), ..Default::default() },
                ),
                item("prod/api:latest", Group::Already, AttributesPatch::default()),
                item("prod/payments/api:1.0", Group::Forbidden, AttributesPatch::default()),
            ],
            unread: vec![],
        };
        RunRecord::from_plan(
            &plan,
            "1".into(),
            "demo".into(),
            "myregistry.azurecr.io".into(),
            Some("admin@contoso.com".into()),
            Action { label: "Lock".into(), patch: LOCK },
            "prod/** tags 1.*".into(),
            1_780_000_000_000,
        )
    }

    #[test]
    fn the_script_names_exactly_the_planned_changes() {
        let s = az_script(&record());
        let lines: Vec<_> = s.lines().filter(|l| l.starts_with("az ")).collect();
        assert_eq!(
            lines,
            [
                "az acr repository update --name myregistry --image prod/api:1.0 --write-enabled false --delete-enabled false",
                &format!("az acr repository update --name myregistry --image prod/api@sha256:{} --delete-enabled false", "ab".repeat(32)),
            ]
        );
        assert!(s.starts_with("#!/bin/sh\n# Lock change: Lock on myregistry.azurecr.io"));
        assert!(s.contains("by admin@contoso.com"));
    }

    #[test]
    fn csv_has_one_line_per_item_and_quotes_what_needs_it() {
        let mut r = record();
        r.items[0].state = ItemState::Failed { message: "Refused, \"locked\"".into() };
        let c = csv(&r);
        let lines: Vec<_> = c.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0].split(',').count(), 16);
        assert!(lines[1].starts_with("myregistry.azurecr.io,tag,prod/api,1.0,,change,true,true,true,true,false,false,,,failed,"));
        assert!(lines[1].ends_with(r#""Refused, ""locked""""#), "{}", lines[1]);
        assert!(lines[4].contains(",forbidden,"));
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn json_is_the_record_with_times_and_names_are_safe() {
        let r = record();
        let v: serde_json::Value = serde_json::from_str(&json(&r, 1_780_000_060_000)).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 4);
        assert_eq!(v["account"], "admin@contoso.com");
        assert!(v["exported"].as_str().unwrap().starts_with("2026-"));
        let name = file_name(&r, "csv");
        assert!(name.starts_with("acr-locks-myregistry-prod-tags-1.-"), "{name}");
        assert!(name.ends_with(".csv") && !name.contains(['/', ':', ' ', '*']), "{name}");
        assert_eq!(registry_name("localhost:8080"), "localhost");
    }
}
