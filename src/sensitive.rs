//! Values that must never reach a log line: tokens, keys, passwords.
//!
//! [`Sensitive`] wraps such a value so that `{:?}` prints `<redacted>`, and it has no
//! `Display`, so `format!("{}")` of a secret does not compile. Code that really needs the
//! value (to build a header, sign a request) says so with [`Sensitive::expose`].

use std::fmt;

/// The text every [`Sensitive`] value prints as under `{:?}`.
pub const REDACTED: &str = "<redacted>";

/// A secret: its `Debug` prints `<redacted>`, never the value.
#[derive(Clone, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wrap `value`.
    pub fn new(value: T) -> Sensitive<T> {
        Sensitive(value)
    }

    /// The secret itself, for the one place that must send or use it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Sensitive<T> {
        Sensitive(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Sensitive<String> {
        Sensitive(value.to_string())
    }
}

/// An HTTP header value marked sensitive (HTTP stacks leave such values out of their logs
/// and HPACK tables); `None` when `value` holds bytes a header may not (CR, LF, NUL…).
pub fn header_value(value: &str) -> Option<ureq::http::HeaderValue> {
    let mut v = ureq::http::HeaderValue::from_str(value).ok()?;
    v.set_sensitive(true);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_redacted_never_the_value() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(
            format!("{:#?}", (1, s.clone())),
            "(\n    1,\n    <redacted>,\n)"
        );
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn header_values_are_marked_sensitive_and_hidden_from_debug() {
        let v = header_value("Bearer hunter2").expect("a valid header value");
        assert!(v.is_sensitive());
        assert!(!format!("{v:?}").contains("hunter2"), "{v:?}");
        assert!(header_value("a\nb").is_none(), "no header injection");
    }
}
