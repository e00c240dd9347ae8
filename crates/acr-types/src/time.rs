//! RFC 3339 timestamps as ACR writes them (`2021-05-28T17:15:14.4015317Z`): validated, ordered by
//! instant, and re-encoded byte for byte as received.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{cmp::Ordering, fmt};

/// A point in time from the wire. Keeps the original text so re-encoding is lossless.
#[derive(Clone)]
pub struct Timestamp {
    text: String,
    nanos: i128,
}

/// The text is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an RFC 3339 date-time")]
pub struct TimestampError(pub String);

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    s.iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date from days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        Self::nanos_of(text)
            .map(|nanos| Self { text: text.to_owned(), nanos })
            .ok_or_else(|| TimestampError(text.to_owned()))
    }

    fn nanos_of(text: &str) -> Option<i128> {
        let b = text.as_bytes();
        let (y, mo, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
        let (h, mi, s) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
        if b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || !matches!(b.get(10), Some(b'T' | b't'))
        {
            return None;
        }
        if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return None;
        }
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let mut i = 19;
        let mut frac: i128 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    frac = frac * 10 + i128::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..9 {
                frac *= 10;
            }
        }
        let offset_secs = match b.get(i)? {
            b'Z' | b'z' if i + 1 == b.len() => 0,
            c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
                let off = digits(b, i + 1, 2)? * 3600 + digits(b, i + 4, 2)? * 60;
                if *c == b'+' {
                    off
                } else {
                    -off
                }
            }
            _ => return None,
        };
        let days = days_from_civil(y, mo, d);
        let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_secs;
        Some(i128::from(secs) * 1_000_000_000 + frac)
    }

    /// A timestamp from nanoseconds since the Unix epoch, written as ACR writes them: UTC with
    /// seven fractional digits.
    pub fn from_unix_nanos(nanos: i128) -> Self {
        let secs = nanos.div_euclid(1_000_000_000) as i64;
        let sub = nanos.rem_euclid(1_000_000_000) as i64;
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:07}Z",
            sod / 3600,
            sod / 60 % 60,
            sod % 60,
            sub / 100
        );
        // Round-trip through the text so `nanos` matches what a reader of the text would get.
        let nanos = Self::nanos_of(&text).unwrap_or(nanos);
        Self { text, nanos }
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub fn unix_nanos(&self) -> i128 {
        self.nanos
    }

    /// Seconds since the Unix epoch (truncated).
    pub fn unix_seconds(&self) -> i64 {
        self.nanos.div_euclid(1_000_000_000) as i64
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text as received, owned (no copy).
    pub fn into_string(self) -> String {
        self.text
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}
impl Eq for Timestamp {}
impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}
impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_acr_text_and_keeps_it() {
        let t = Timestamp::parse("2021-05-28T17:15:14.4015317Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_622_222_114);
        assert_eq!(t.unix_nanos() % 1_000_000_000, 401_531_700);
        assert_eq!(t.as_str(), "2021-05-28T17:15:14.4015317Z");
        let o = Timestamp::parse("2021-05-28T19:15:14.4015317+02:00").unwrap();
        assert_eq!(o, t);
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "2021-05-28",
            "2021-13-01T00:00:00Z",
            "2021-05-28T17:15:14",
            "x021-05-28T17:15:14Z",
            "2021-05-28T17:15:14.Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_like_acr() {
        let t = Timestamp::from_unix_nanos(1_622_222_114_401_531_700);
        assert_eq!(t.as_str(), "2021-05-28T17:15:14.4015317Z");
        let e = Timestamp::from_unix_nanos(0);
        assert_eq!(e.as_str(), "1970-01-01T00:00:00.0000000Z");
    }
}
