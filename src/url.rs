//! Request paths: percent-encoding and query strings, one implementation for the Kubernetes
//! client, the operations and the AWS credential endpoints.

/// Percent-encode a path segment or query value.
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path` plus `key=value` query pairs (values encoded; `None` values skipped).
pub fn with_query(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = path.to_string();
    let mut sep = if path.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        if let Some(v) = v {
            out.push(sep);
            out.push_str(k);
            out.push('=');
            out.push_str(&encode(v));
            sep = '&';
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query(
                "/api/v1/pods",
                &[("labelSelector", Some("app in (a,b)")), ("x", None)]
            ),
            "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29"
        );
        assert_eq!(
            with_query("/p?limit=5", &[("a", Some("b=c"))]),
            "/p?limit=5&a=b%3Dc"
        );
    }

    #[test]
    fn reserved_characters_are_encoded() {
        assert_eq!(encode("a b/c=d"), "a%20b%2Fc%3Dd");
    }
}
