//! Kubernetes resource quantities (`250m`, `1.5`, `128Mi`, `1G`, `2e3`) as plain numbers.

/// CPU in millicores (`250m` → 250, `1.5` → 1500, `100u` → 0).
pub fn parse_cpu_millis(q: &str) -> Option<i64> {
    scaled(q).map(|v| (v * 1000.0).round() as i64)
}

/// Bytes (`128Mi` → 134217728, `1G` → 10^9, `1000m` → 1).
pub fn parse_bytes(q: &str) -> Option<i64> {
    scaled(q).map(|v| v.round() as i64)
}

/// The quantity's value in base units (`1Gi` → 1073741824.0); `None` when `q` is not one.
pub fn scaled(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    // `8E` is 8 exa (the API writes it so), not a number with an unfinished exponent.
    let (num, suffix) = match q.strip_suffix('E') {
        Some(n) if n.parse::<f64>().is_ok() => (n, "E"),
        _ => q.split_at(split),
    };
    let base: f64 = num.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    let v = base * factor;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory() {
        assert_eq!(parse_cpu_millis("250m"), Some(250));
        assert_eq!(parse_cpu_millis("1.5"), Some(1500));
        assert_eq!(parse_cpu_millis("2"), Some(2000));
        assert_eq!(parse_cpu_millis("12345678n"), Some(12));
        assert_eq!(parse_bytes("128Mi"), Some(134_217_728));
        assert_eq!(parse_bytes("1G"), Some(1_000_000_000));
        assert_eq!(parse_bytes("2e3"), Some(2000));
        assert_eq!(parse_bytes("64Ki"), Some(65_536));
        assert_eq!(parse_bytes("8E"), Some(8_000_000_000_000_000_000));
        assert_eq!(parse_bytes("2E"), parse_bytes("2e18"));
        assert_eq!(parse_cpu_millis("1E"), Some(i64::MAX), "saturates");
        for bad in ["", "Mi", "12Xi", "abc", "1e999"] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
    }
}
