//! HTTP dates (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate), for `Retry-After`.

/// Seconds since the Unix epoch of an IMF-fixdate, or `None`.
pub fn parse(s: &str) -> Option<u64> {
    let (_weekday, rest) = s.trim().split_once(", ")?;
    parse_parts(rest)
}

fn parse_parts(rest: &str) -> Option<u64> {
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let d: i64 = day.parse().ok()?;
    let m = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|x| x == month)? as i64
        + 1;
    let y: i64 = year.parse().ok()?;
    let t: Vec<i64> = time.split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    let [h, mi, sec] = t.as_slice() else {
        return None;
    };
    let (yy, mm) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + sec).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_imf_fixdate() {
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(super::parse("soon"), None);
        assert_eq!(super::parse("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    }
}
