//! How browsing shows numbers, sizes, times, media types and platforms: pure formatting helpers
//! (tested natively) and the one `<RelativeTime>` element every list and page uses for times.
//! Nothing here loads data or reads the router.

use acr_types::{media_type, ManifestAttributesBase, Timestamp};
use leptos::prelude::*;

/// `n` with thousands separators: `10001` → `"10,001"`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `count` followed by the singular or plural noun: `"1 tag"`, `"10,001 repositories"`.
pub fn count_of(count: usize, singular: &str, plural: &str) -> String {
    [thousands(count).as_str(), " ", if count == 1 { singular } else { plural }].concat()
}

/// A byte size in decimal units, as registries and the Docker CLI show them: `"512 B"`,
/// `"5.1 MB"`, `"245 MB"`, `"1.2 GB"`. One decimal below ten units, none above.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.5 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let decimals = if value < 9.95 { 1 } else { 0 };
    [fixed(value, decimals).as_str(), " ", UNITS[unit]].concat()
}

/// A non-negative `value` below 10^30 with `decimals` (at most 3) digits after the point, exactly
/// as `format!("{value:.decimals$}")` writes it: the binary value rounded half to even. Done
/// with integers so that the wasm does not carry the float formatting code (about 10 kB) for
/// size labels alone.
fn fixed(value: f64, decimals: u32) -> String {
    debug_assert!((0.0..1e30).contains(&value) && decimals <= 3);
    // value = mantissa × 2^exp exactly.
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = u128::from(bits & ((1 << 52) - 1));
    let (mantissa, exp) =
        if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    // Below 2^60, so neither the scaling nor a left shift of up to 60 bits overflows.
    let scaled = mantissa * 10u128.pow(decimals);
    let units = if exp >= 0 {
        scaled << exp.min(60)
    } else {
        let shift = exp.unsigned_abs();
        if shift >= 120 {
            0
        } else {
            let (whole, rest, half) =
                (scaled >> shift, scaled & ((1 << shift) - 1), 1 << (shift - 1));
            whole + u128::from(rest > half || (rest == half && whole % 2 == 1))
        }
    };
    let digits = units.to_string();
    let decimals = decimals as usize;
    if decimals == 0 {
        return digits;
    }
    let digits = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals);
    [int, ".", frac].concat()
}

/// How long ago `then` was, seen at `now` (both Unix seconds), in words: `"just now"`,
/// `"5 minutes ago"`, `"3 days ago"`, `"2 years ago"`; `"in 2 hours"` for a future time.
pub fn relative_time(then: i64, now: i64) -> String {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;
    let delta = now - then;
    let secs = delta.unsigned_abs() as f64;
    if secs < 45.0 {
        return "just now".to_owned();
    }
    let (amount, unit) = if secs < 45.0 * MINUTE {
        ((secs / MINUTE).round().max(1.0), "minute")
    } else if secs < 22.0 * HOUR {
        ((secs / HOUR).round().max(1.0), "hour")
    } else if secs < 26.0 * DAY {
        ((secs / DAY).round().max(1.0), "day")
    } else if secs < 320.0 * DAY {
        ((secs / (30.44 * DAY)).round().max(1.0), "month")
    } else {
        ((secs / (365.25 * DAY)).round().max(1.0), "year")
    };
    let amount = amount as u64;
    let plural = if amount == 1 { "" } else { "s" };
    if delta < 0 {
        format!("in {amount} {unit}{plural}")
    } else {
        format!("{amount} {unit}{plural} ago")
    }
}

/// The exact time in UTC, to the second: `"2021-05-28 17:15:14 UTC"`.
pub fn exact_utc(t: &Timestamp) -> String {
    let utc = Timestamp::from_unix_nanos(t.unix_nanos());
    let text = utc.as_str();
    let (date, time) = (&text[..10], &text[11..19]);
    [date, " ", time, " UTC"].concat()
}

/// The current time in Unix seconds (the browser's clock in wasm).
pub fn now_secs() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// A short name for a manifest media type: `"Docker v2"`, `"Docker list"`, `"OCI image"`,
/// `"OCI index"`; other types by their last part; `"Unknown"` when absent.
pub fn media_type_name(media: Option<&str>) -> String {
    match media {
        None | Some("") => "Unknown".to_owned(),
        Some(media_type::DOCKER_MANIFEST) => "Docker v2".to_owned(),
        Some(media_type::DOCKER_MANIFEST_LIST) => "Docker list".to_owned(),
        Some(media_type::OCI_MANIFEST) => "OCI image".to_owned(),
        Some(media_type::OCI_INDEX) => "OCI index".to_owned(),
        Some("application/vnd.docker.distribution.manifest.v1+json")
        | Some("application/vnd.docker.distribution.manifest.v1+prettyjws") => {
            "Docker v1".to_owned()
        }
        Some(other) => other.rsplit('/').next().unwrap_or(other).to_owned(),
    }
}

/// True for a multi-arch manifest: a manifest list or OCI index, or one listing platforms.
pub fn is_multi_arch(m: &ManifestAttributesBase) -> bool {
    m.media_type.as_deref().is_some_and(media_type::is_index)
        || m.references.as_ref().is_some_and(|r| !r.is_empty())
}

/// `os/architecture`, leaving out a missing half.
fn platform_name(os: Option<&str>, arch: Option<&str>) -> Option<String> {
    match (os, arch) {
        (Some(os), Some(arch)) => Some([os, "/", arch].concat()),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// The platforms of a manifest: those listed in a multi-arch list (without the `unknown/unknown`
/// entries build attestations add), or its own `os/architecture`. Empty when unknown.
pub fn platforms(m: &ManifestAttributesBase) -> Vec<String> {
    match m.references.as_deref() {
        Some(refs) if !refs.is_empty() => refs
            .iter()
            .filter(|r| r.os.as_deref() != Some("unknown"))
            .filter_map(|r| platform_name(r.os.as_deref(), r.architecture.as_deref()))
            .collect(),
        _ => platform_name(m.os.as_deref(), m.architecture.as_deref()).into_iter().collect(),
    }
}

/// A time as people read it ("3 days ago") in a `<time datetime>` element, with the exact UTC
/// time as its title.
#[component]
pub fn RelativeTime(
    /// The time to show.
    time: Timestamp,
) -> impl IntoView {
    let exact = exact_utc(&time);
    let words = relative_time(time.unix_seconds(), now_secs());
    view! {
        <time class="relative-time" datetime=time.as_str().to_owned() title=exact>
            {words}
        </time>
    }
}

/// The browser's clock as RFC 3339 UTC (`2026-12-04T14:02:11.123Z`); empty outside a browser.
pub fn now_rfc3339() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(leptos::web_sys::js_sys::Date::new_0().to_iso_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{ChangeableAttributes, Digest, ManifestReference};

    #[test]
    fn thousands_and_counts() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_001), "10,001");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(count_of(1, "tag", "tags"), "1 tag");
        assert_eq!(count_of(3000, "repository", "repositories"), "3,000 repositories");
        assert_eq!(count_of(0, "tag", "tags"), "0 tags");
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1000), "1.0 kB");
        assert_eq!(human_size(5_100_000), "5.1 MB");
        assert_eq!(human_size(245_000_000), "245 MB");
        assert_eq!(human_size(183_400_000), "183 MB");
        assert_eq!(human_size(999_999_999), "1.0 GB");
        assert_eq!(human_size(1_200_000_000), "1.2 GB");
        assert_eq!(human_size(12_000_000_000_000), "12 TB");
        assert_eq!(human_size(1_150_000), "1.1 MB");
        assert_eq!(human_size(1_250_000), "1.2 MB");
        assert_eq!(human_size(u64::MAX), "18447 PB");
    }

    #[test]
    fn fixed_writes_what_the_float_formatter_writes() {
        let mut values = vec![0.0, 0.05, 0.25, 0.5, 1.5, 2.5, 9.95, 999.5, 1e-320, 1e15, 2e19];
        // Every size human_size divides out, around the ties and across magnitudes.
        for bytes in (1000..200_000u64).step_by(7).chain((0..40).map(|k| 1_234_567u64 << k)) {
            values.extend([bytes as f64 / 1000.0, bytes as f64 / 1e6, bytes as f64 / 1e4]);
        }
        for n in 0..4000 {
            values.push(f64::from(n) / 20.0);
            values.push(f64::from(n) / 200.0 + 0.0005);
        }
        for v in values {
            for d in 0..=3 {
                assert_eq!(fixed(v, d), format!("{v:.prec$}", prec = d as usize), "{v} {d}");
            }
        }
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = 1_700_000_000;
        assert_eq!(relative_time(now, now), "just now");
        assert_eq!(relative_time(now - 30, now), "just now");
        assert_eq!(relative_time(now - 60, now), "1 minute ago");
        assert_eq!(relative_time(now - 5 * 60, now), "5 minutes ago");
        assert_eq!(relative_time(now - 3600, now), "1 hour ago");
        assert_eq!(relative_time(now - 3 * 86_400, now), "3 days ago");
        assert_eq!(relative_time(now - 86_400, now), "1 day ago");
        assert_eq!(relative_time(now - 75 * 86_400, now), "2 months ago");
        assert_eq!(relative_time(now - 540 * 86_400, now), "1 year ago");
        assert_eq!(relative_time(now - 3 * 365 * 86_400, now), "3 years ago");
        assert_eq!(relative_time(now + 2 * 3600, now), "in 2 hours");
    }

    #[test]
    fn exact_times_are_utc_to_the_second() {
        let t = Timestamp::parse("2021-05-28T19:15:14.4015317+02:00").unwrap();
        assert_eq!(exact_utc(&t), "2021-05-28 17:15:14 UTC");
    }

    #[test]
    fn media_types_get_short_names() {
        assert_eq!(media_type_name(Some(media_type::DOCKER_MANIFEST)), "Docker v2");
        assert_eq!(media_type_name(Some(media_type::DOCKER_MANIFEST_LIST)), "Docker list");
        assert_eq!(media_type_name(Some(media_type::OCI_MANIFEST)), "OCI image");
        assert_eq!(media_type_name(Some(media_type::OCI_INDEX)), "OCI index");
        assert_eq!(media_type_name(None), "Unknown");
        assert_eq!(
            media_type_name(Some("application/vnd.cncf.helm.config")),
            "vnd.cncf.helm.config"
        );
    }

    fn manifest(media: &str, refs: Option<Vec<(&str, &str)>>) -> ManifestAttributesBase {
        let t = Timestamp::parse("2021-05-28T17:15:14Z").unwrap();
        ManifestAttributesBase {
            digest: Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap(),
            image_size: Some(1),
            created_time: t.clone(),
            last_update_time: t,
            architecture: refs.is_none().then(|| "amd64".to_owned()),
            os: refs.is_none().then(|| "linux".to_owned()),
            references: refs.map(|r| {
                r.into_iter()
                    .enumerate()
                    .map(|(i, (os, arch))| ManifestReference {
                        digest: Digest::new(format!("sha256:{}", i.to_string().repeat(64)))
                            .unwrap(),
                        architecture: Some(arch.to_owned()),
                        os: Some(os.to_owned()),
                    })
                    .collect()
            }),
            media_type: Some(media.to_owned()),
            config_media_type: None,
            tags: None,
            changeable_attributes: ChangeableAttributes::default(),
        }
    }

    #[test]
    fn platforms_come_from_references_or_the_manifest() {
        let list = manifest(
            media_type::OCI_INDEX,
            Some(vec![("linux", "amd64"), ("linux", "arm64"), ("unknown", "unknown")]),
        );
        assert!(is_multi_arch(&list));
        assert_eq!(platforms(&list), ["linux/amd64", "linux/arm64"]);
        let single = manifest(media_type::DOCKER_MANIFEST, None);
        assert!(!is_multi_arch(&single));
        assert_eq!(platforms(&single), ["linux/amd64"]);
        let mut bare = single.clone();
        bare.os = None;
        bare.architecture = None;
        assert!(platforms(&bare).is_empty());
    }
}
