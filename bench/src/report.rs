//! The benchmark's results: each figure with the statistic it is judged by, its budget and
//! pass/fail, printed as a table and written as JSON (`target/bench/<timestamp>.json` and
//! `target/bench/latest.json`) so runs can be compared.

use crate::stats;
use serde_json::{json, Value};
use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

/// How a figure's samples are summed up into the one value its budget judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// The median of the samples.
    Median,
    /// The 95th percentile (nearest rank).
    P95,
    /// The largest sample (counts, which must hold on every run).
    Max,
    /// A single measurement.
    Once,
}

impl Stat {
    fn name(self) -> &'static str {
        match self {
            Self::Median => "median",
            Self::P95 => "p95",
            Self::Max => "max",
            Self::Once => "once",
        }
    }

    fn of(self, samples: &[f64]) -> Option<f64> {
        match self {
            Self::Median => stats::median(samples),
            Self::P95 => stats::percentile(samples, 95.0),
            Self::Max => stats::max(samples),
            Self::Once => samples.first().copied(),
        }
    }
}

/// The unit of a figure's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Milliseconds.
    Ms,
    /// A count (requests, rows).
    Count,
    /// Bytes, shown in KB (1000 bytes).
    Kilobytes,
    /// Bytes, shown in MB (10^6 bytes).
    Megabytes,
    /// A rate: changes a second.
    PerSecond,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Self::Ms => format!("{v:.1} ms"),
            Self::Count => format!("{v:.0}"),
            Self::Kilobytes => format!("{:.1} KB", v / 1e3),
            Self::Megabytes => format!("{:.1} MB", v / 1e6),
            Self::PerSecond => format!("{v:.1}/s"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Ms => "ms",
            Self::Count => "count",
            Self::Kilobytes | Self::Megabytes => "bytes",
            Self::PerSecond => "per_second",
        }
    }
}

/// What a figure must stay within: mostly an upper bound; counts that must come out exact, and
/// rates that must reach a floor, have their own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// At most this much.
    AtMost(f64),
    /// Strictly less than this.
    Below(f64),
    /// Exactly this (counts).
    Exactly(f64),
    /// At least this much (rates).
    AtLeast(f64),
}

impl Budget {
    fn allows(self, v: f64) -> bool {
        match self {
            Self::AtMost(b) => v <= b,
            Self::Below(b) => v < b,
            Self::Exactly(b) => v == b,
            Self::AtLeast(b) => v >= b,
        }
    }

    fn show(self, unit: Unit) -> String {
        match self {
            Self::AtMost(b) => format!("≤ {}", unit.show(b)),
            Self::Below(b) => format!("< {}", unit.show(b)),
            Self::Exactly(b) => format!("= {}", unit.show(b)),
            Self::AtLeast(b) => format!("≥ {}", unit.show(b)),
        }
    }
}

/// One measured figure at one emulator latency.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Stable key for comparing runs, e.g. `list.first_rows`.
    pub id: &'static str,
    /// What it measures, for people.
    pub label: String,
    /// The emulator's added latency per request, in ms; `None` for figures no request affects.
    pub latency_ms: Option<u64>,
    /// Unit of the samples.
    pub unit: Unit,
    /// The statistic the budget judges.
    pub stat: Stat,
    /// The budget, if this figure has one at this latency.
    pub budget: Option<Budget>,
    /// Every sample.
    pub samples: Vec<f64>,
    /// Context (e.g. what the count compares with).
    pub note: String,
}

impl Figure {
    /// A figure without budget or note.
    pub fn new(
        id: &'static str,
        label: &str,
        latency_ms: Option<u64>,
        unit: Unit,
        stat: Stat,
    ) -> Self {
        Self {
            id,
            label: label.to_owned(),
            latency_ms,
            unit,
            stat,
            budget: None,
            samples: Vec::new(),
            note: String::new(),
        }
    }

    /// With a budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The judged value.
    pub fn value(&self) -> Option<f64> {
        self.stat.of(&self.samples)
    }

    /// `Some(true)` within budget, `Some(false)` over it or without samples, `None` without a
    /// budget.
    pub fn pass(&self) -> Option<bool> {
        self.budget.map(|b| self.value().is_some_and(|v| b.allows(v)))
    }

    fn to_json(&self) -> Value {
        let budget = self.budget.map(|b| match b {
            Budget::AtMost(v) => json!({ "at_most": v }),
            Budget::Below(v) => json!({ "below": v }),
            Budget::Exactly(v) => json!({ "exactly": v }),
            Budget::AtLeast(v) => json!({ "at_least": v }),
        });
        json!({
            "id": self.id,
            "label": self.label,
            "latency_ms": self.latency_ms,
            "unit": self.unit.name(),
            "stat": self.stat.name(),
            "value": self.value(),
            "median": stats::median(&self.samples),
            "p95": stats::percentile(&self.samples, 95.0),
            "budget": budget,
            "pass": self.pass(),
            "samples": self.samples,
            "note": self.note,
        })
    }
}

/// The printed table: one line per figure, grouped by latency.
pub fn table(figures: &[Figure]) -> String {
    let rows: Vec<[String; 6]> = figures
        .iter()
        .map(|f| {
            [
                f.latency_ms.map_or_else(|| "—".to_owned(), |l| format!("+{l} ms")),
                f.label.clone(),
                format!("{} of {}", f.stat.name(), f.samples.len()),
                f.value().map_or_else(|| "—".to_owned(), |v| f.unit.show(v)),
                f.budget.map_or_else(|| "—".to_owned(), |b| b.show(f.unit)),
                match f.pass() {
                    Some(true) => "pass".to_owned(),
                    Some(false) => "FAIL".to_owned(),
                    None => "info".to_owned(),
                },
            ]
        })
        .collect();
    let head = ["latency", "figure", "statistic", "value", "budget", "result"];
    let mut widths = head.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        let _ = writeln!(out, "| {} |", padded.join(" | "));
    };
    line(&mut out, &head.map(str::to_owned));
    line(&mut out, &widths.map(|w| "-".repeat(w)));
    for (row, f) in rows.iter().zip(figures) {
        line(&mut out, row);
        if !f.note.is_empty() {
            let _ = writeln!(out, "|   └ {}", f.note);
        }
    }
    out
}

/// Writes the results as `<dir>/<UTC timestamp>.json` and `<dir>/latest.json`; returns the
/// timestamped path.
pub fn write_json(dir: &Path, figures: &[Figure], context: Value) -> Result<PathBuf, String> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let stamp = utc_stamp(secs);
    let all_pass = figures.iter().all(|f| f.pass() != Some(false));
    let doc = json!({
        "finished": stamp,
        "unix_time": secs,
        "context": context,
        "all_budgets_met": all_pass,
        "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{stamp}.json"));
    for p in [&path, &dir.join("latest.json")] {
        std::fs::write(p, &text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(path)
}

/// `YYYYMMDDTHHMMSSZ` for Unix time `secs` (proleptic Gregorian calendar, UTC).
pub fn utc_stamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Year, month and day of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Count in 400-year eras starting on 0000-03-01, so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
        assert_eq!(utc_stamp(1_700_000_000), "20231114T221320Z");
    }

    #[test]
    fn budgets_judge_the_chosen_statistic() {
        let mut f =
            Figure::new("x", "x", Some(0), Unit::Ms, Stat::P95).budget(Budget::AtMost(50.0));
        assert_eq!(f.pass(), Some(false), "no samples is a failure");
        f.samples = (1..=20).map(f64::from).collect();
        assert_eq!(f.value(), Some(19.0));
        assert_eq!(f.pass(), Some(true));
        f.budget = Some(Budget::Below(19.0));
        assert_eq!(f.pass(), Some(false));
        f.budget = Some(Budget::Exactly(19.0));
        assert_eq!(f.pass(), Some(true));
        f.budget = Some(Budget::Exactly(18.0));
        assert_eq!(f.pass(), Some(false));
        f.budget = Some(Budget::AtLeast(19.0));
        assert_eq!(f.pass(), Some(true));
        f.budget = Some(Budget::AtLeast(19.5));
        assert_eq!(f.pass(), Some(false));
        f.budget = None;
        assert_eq!(f.pass(), None);
    }

    #[test]
    fn the_table_has_one_line_per_figure_and_notes() {
        let mut f = Figure::new("c", "catalog requests", Some(50), Unit::Count, Stat::Max)
            .budget(Budget::AtMost(10.0));
        f.samples = vec![10.0, 10.0];
        f.note = "10,000 repositories".into();
        let t = table(&[f]);
        assert!(
            t.contains("| +50 ms  | catalog requests | max of 2  | 10    | ≤ 10   | pass   |"),
            "{t}"
        );
        assert!(t.contains("└ 10,000 repositories"));
    }
}
