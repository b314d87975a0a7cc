//! Times as Kubernetes writes them (RFC 3339) and as kubectl shows them (`5m12s`, `3d`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parse an RFC 3339 timestamp (`2026-11-24T15:31:11Z`, fractions and offsets allowed).
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.splitn(3, '-');
    let (y, mo, da): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, zone) = rest.split_at(zone_at);
    let clock = clock.split('.').next()?;
    let mut c = clock.splitn(3, ':');
    let (h, mi, se): (i64, i64, i64) = (
        c.next()?.parse().ok()?,
        c.next()?.parse().ok()?,
        c.next()?.parse().ok()?,
    );
    // Every field in its range (RFC 3339 years have four digits): a year of 17 digits
    // overflowed the arithmetic below (found by the `sqs` fuzz target, in an Expiration).
    let in_range = (0..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&da)
        && (0..=23).contains(&h)
        && (0..=59).contains(&mi)
        && (0..=60).contains(&se);
    if !in_range {
        return None;
    }
    let offset = match zone {
        "Z" | "z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (oh, om) = z[1..].split_once(':')?;
            let (oh, om) = (oh.parse::<i64>().ok()?, om.parse::<i64>().ok()?);
            if !(0..=23).contains(&oh) || !(0..=59).contains(&om) {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let secs = days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se - offset;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// Format as RFC 3339 in UTC, seconds precision.
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// kubectl describe's time form (Go's `time.RFC1123Z`: `Mon, 02 Jan 2006 15:04:05 -0700`),
/// always in UTC: the agent runs in a pod whose zone says nothing to the investigator.
pub fn format_rfc1123z(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1).clamp(0, 11) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// An API timestamp in kubectl describe's form; unparsable text is shown as it is.
pub fn describe_time(ts: &str) -> String {
    parse_rfc3339(ts).map_or_else(|| ts.to_string(), format_rfc1123z)
}

/// kubectl's age of a timestamp relative to `now` (`<unknown>` when missing or unparsable).
pub fn age(ts: Option<&str>, now: SystemTime) -> String {
    match ts.and_then(parse_rfc3339) {
        Some(t) => human_duration(now.duration_since(t).unwrap_or_default()),
        None => "<unknown>".to_string(),
    }
}

/// kubectl's `HumanDuration`: two significant units, coarser as time passes.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (m, h, days) = (s / 60, s / 3600, s / 86_400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 => match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        },
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        },
        _ if h < 48 => format!("{h}h"),
        _ if h < 24 * 8 => match h % 24 {
            0 => format!("{days}d"),
            r => format!("{days}d{r}h"),
        },
        _ if days < 365 * 2 => format!("{days}d"),
        _ if days < 365 * 8 => match days % 365 {
            0 => format!("{}y", days / 365),
            r => format!("{}y{r}d", days / 365),
        },
        _ => format!("{}y", days / 365),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_timestamps_are_refused_not_overflowed() {
        // The `sqs` fuzz target's crash: a 17-digit year in a credential Expiration.
        for s in [
            "33396070086781545-01-01T01:00:00Z",
            "2024-01-01T01:00:00+99999999999999999:00",
            "2024-01-01T01:00:00+01:99999999999999999",
            "10000-01-01T00:00:00Z",
            "2024-01-01T01:00:00+24:00",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
        assert!(parse_rfc3339("9999-12-31T23:59:59+23:59").is_some());
    }

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_rfc3339("2026-11-24T15:31:11Z").unwrap();
        assert_eq!(format_rfc3339(t), "2026-11-24T15:31:11Z");
        let frac = parse_rfc3339("2026-11-24T16:31:11.123456+01:00").unwrap();
        assert_eq!(frac, t);
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00Z")
                .map(format_rfc3339)
                .as_deref(),
            Some("2000-02-29T00:00:00Z")
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-24T15:31:11",
            "2026-11-24T25:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn describe_times_read_like_kubectl() {
        assert_eq!(
            describe_time("2006-01-02T22:04:05Z"),
            "Mon, 02 Jan 2006 22:04:05 +0000"
        );
        assert_eq!(
            describe_time("2026-11-24T15:31:11.5+01:00"),
            "Tue, 24 Nov 2026 14:31:11 +0000"
        );
        assert_eq!(
            describe_time("1970-01-01T00:00:00Z"),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(describe_time("soon"), "soon");
    }

    #[test]
    fn ages_read_like_kubectl() {
        let d = |s: u64| human_duration(Duration::from_secs(s));
        assert_eq!(d(45), "45s");
        assert_eq!(d(312), "5m12s");
        assert_eq!(d(3600), "60m");
        assert_eq!(d(4 * 3600 + 120), "4h2m");
        assert_eq!(d(30 * 3600), "30h");
        assert_eq!(d(3 * 86_400 + 3600), "3d1h");
        assert_eq!(d(400 * 86_400), "400d");
        assert_eq!(d(3 * 365 * 86_400), "3y");
        let now = parse_rfc3339("2026-11-24T15:00:00Z").unwrap();
        assert_eq!(age(Some("2026-11-24T14:58:00Z"), now), "2m");
        assert_eq!(age(None, now), "<unknown>");
        assert_eq!(age(Some("2027-01-01T00:00:00Z"), now), "0s");
    }
}
