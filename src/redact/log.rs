//! Container log lines, with the state of multi-line values across lines.

use std::borrow::Cow;

use super::text::{patterns, text_with};
use super::{REDACTED, RedactSettings, Redacted};

/// Redacts container log lines in order: the credential shapes of [`text`] on every line,
/// and the lines of a multi-line PEM private key from its BEGIN line to its END line. Holds
/// that state, so use one redactor per log stream.
pub struct LogRedactor {
    settings: RedactSettings,
    in_pem: bool,
}

impl LogRedactor {
    /// A redactor for `s`.
    pub fn new(s: &RedactSettings) -> LogRedactor {
        LogRedactor {
            settings: s.clone(),
            in_pem: false,
        }
    }

    /// The next line of the stream, redacted.
    pub fn redact_line(&mut self, l: &str) -> Redacted<String> {
        Redacted(self.line(l).into_owned())
    }

    /// The line with credentials replaced by [`REDACTED`] (as is when the operator turned
    /// log redaction off); borrowed when nothing matched.
    pub(super) fn line<'a>(&mut self, l: &'a str) -> Cow<'a, str> {
        if !self.settings.logs {
            return Cow::Borrowed(l);
        }
        let p = patterns();
        if self.in_pem {
            if p.pem_end.is_match(l) {
                self.in_pem = false;
                return text_with(l, &self.settings);
            }
            if let Some(hidden) = pem_body_line(l) {
                return Cow::Owned(hidden);
            }
            // Not key material: the key ended without an END line (cut by --tail or
            // --limit-bytes, or a log line interleaved).
            self.in_pem = false;
        }
        if let Some(m) = p.pem_begin.find(l)
            && !p.pem_end.is_match(&l[m.end()..])
        {
            self.in_pem = true;
        }
        text_with(l, &self.settings)
    }
}

/// A line inside a PEM block, hidden (its log prefix kept), or `None` when it is not key
/// material. Key material: a line of base64 (possibly blank or only a prefix), base64 after
/// a prefix when it is long (16+) or padded, or an RFC 1421 header (`Proc-Type:`, `DEK-Info:`).
pub(super) fn pem_body_line(l: &str) -> Option<String> {
    let trimmed = l.trim_end();
    let is_b64 = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    };
    if let Some(i) = trimmed
        .find("Proc-Type:")
        .or_else(|| trimmed.find("DEK-Info:"))
    {
        return Some(format!("{}{REDACTED}", &l[..i]));
    }
    // The whitespace may be several bytes long (U+0085, U+3000): slicing at `i + 1`
    // panicked inside it (found by the `logs` fuzz target).
    let (prefix, token) = match trimmed.char_indices().rfind(|&(_, c)| c.is_whitespace()) {
        Some((i, c)) => (&l[..i + c.len_utf8()], &trimmed[i + c.len_utf8()..]),
        None => ("", trimmed),
    };
    let whole = prefix.trim().is_empty();
    if token.is_empty() && whole {
        return Some(l.to_string());
    }
    let looks_like_key = is_b64(token) && (whole || token.len() >= 16 || token.ends_with('='));
    looks_like_key.then(|| format!("{prefix}{REDACTED}"))
}
