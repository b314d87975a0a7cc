//! `key=value` pairs in free text, in every syntax a line can hold them: shell and env
//! (`PASSWORD=x`), logfmt, JSON (`"apiKey": ["x"]`), YAML (`password: &pw x`,
//! `password: |`), TOML (`password = """x"""`), INI and `.properties`, HTTP headers
//! (`Cookie: a=1; sid=x`), connection strings (`Server=db;Password=p w;`), flags
//! (`--password x`), config directives (`requirepass x` alone on its line) and `name`/`value`
//! attribute pairs (`<add key="DbPassword" value="x"/>`).
//!
//! A value that does not end on its line (`password:` with nothing after it, a YAML block
//! scalar, an unclosed `[`/`{`, a TOML triple quote) is reported as [`Open`], so the caller
//! hides what follows ([`super::log::LineState`]).

use super::names::normalise;
use super::text::patterns;
use super::{REDACTED, RedactSettings};

/// A sensitive value that goes on past the end of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Open {
    /// Lines indented deeper than `col` belong to the value (YAML blocks and nested values,
    /// pretty-printed JSON); with `seq`, also `- item` lines at `col` (a YAML sequence may
    /// sit at its key's indentation).
    Indented { col: usize, seq: bool },
    /// Lines up to the closing delimiter (a TOML/Python triple quote).
    Until(&'static str),
}

/// The names of a setting in a `name`/`value` pair written as text.
const PAIR_NAMES: &[&str] = &[
    "NAME",
    "KEY",
    "ID",
    "PARAMETER",
    "PARAM",
    "VARIABLE",
    "VAR",
    "HEADER",
    "FIELD",
    "PROPERTY",
    "OPTION",
    "SETTING",
];
/// The value half of such a pair.
const PAIR_VALUES: &[&str] = &[
    "VALUE",
    "VALUES",
    "DEFAULT",
    "DEFAULTVALUE",
    "DATA",
    "RAW",
    "VAL",
    "CONTENT",
    "CONTENTS",
    "LITERAL",
    "TEXT",
    "STRING",
    "STRINGVALUE",
    "PLAIN",
    "PLAINTEXT",
];

/// Sensitive values of `s` replaced by [`REDACTED`] (`None` when there were none), and
/// whether the last one goes on past the line. After a harmless key the scan goes on inside
/// its value, so `msg="password=x"` is caught too.
/// Where a line comes from, which decides how much a bare `password x` line is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A log line or a one-line text: `password changed` is prose.
    Line,
    /// A line of a multi-line document (a ConfigMap value, a netrc or redis.conf file):
    /// a sensitive key alone before one word is a directive.
    Document,
}

pub(super) fn pairs(
    s: &str,
    settings: &RedactSettings,
    ctx: Context,
) -> (Option<String>, Option<Open>) {
    let re = &patterns().pair_key;
    let mut out = String::new();
    let (mut pos, mut copied) = (0, 0);
    let mut open = None;
    // A `name`/`key` field just named a sensitive setting: its `value` is hidden.
    let mut named = false;
    let conn = is_connection_string(s);
    while let Some(c) = re.captures_at(s, pos) {
        let (Some(key), Some(all)) = (c.get(1), c.get(0)) else {
            break;
        };
        pos = all.end();
        let norm = normalise(key.as_str());
        let rest = &s[pos..];
        let spaced = c.get(2).is_some_and(|sep| sep.as_str().trim().is_empty());
        if PAIR_NAMES.contains(&norm.as_str()) && !spaced {
            let (len, _) = value_len(rest, conn);
            let v = rest[..len].trim_matches(|c| matches!(c, '"' | '\'' | '\\'));
            named = !v.is_empty() && settings.is_sensitive(v);
            // `key=x` may itself be a credential; `key="DbPassword"` names one.
            if named || !settings.is_sensitive_normalised(&norm) {
                continue;
            }
        }
        let by_name = named && PAIR_VALUES.contains(&norm.as_str()) && !spaced;
        if !by_name && !norm.is_empty() {
            named = false;
        }
        if !(by_name || settings.is_sensitive_normalised(&norm))
            || norm.starts_with("AUTHORIZATION")
            || rest.starts_with(REDACTED)
        {
            continue;
        }
        named = false;
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line_rest = &rest[..line_end];
        // `password:` at the end of a line, or a YAML block scalar (`password: |`,
        // `key: >-`): the value is on the lines below.
        if !spaced && (line_rest.trim().is_empty() || is_block_indicator(line_rest)) {
            open = Some(Open::Indented {
                col: column(s, key.start()),
                seq: line_rest.trim().is_empty(),
            });
            continue;
        }
        // A YAML anchor or tag before the value (`password: &pw x`, `!!str x`) is not it.
        let yaml = c
            .get(2)
            .is_some_and(|sep| sep.as_str().trim_end().ends_with(':'));
        let skip = if yaml { anchor_len(rest) } else { 0 };
        let value_at = &rest[skip..];
        let quoted = value_at.starts_with(['"', '\'']);
        // A space alone separates a value only after a flag (`--password x`), before a
        // quoted password (SQL's `PASSWORD 'x'`; not the API's `secret "db-creds" not
        // found`), or in a directive alone on its line (`requirepass x`, netrc's `password
        // x`): in prose, "invalid password for bob" names no secret.
        let password = norm.contains("PASS") || norm.contains("PWD");
        let flag = key.as_str().starts_with('-');
        let allowed =
            flag || (quoted && password) || is_directive(s, key.start(), line_rest, &norm, ctx);
        if spaced && !allowed {
            continue;
        }
        // `volume "db-creds" : secret "db-creds" not found` (an API message): a quoted name,
        // a spaced colon and a bare word is prose; in JSON a bare value is only a literal.
        let sep = c.get(2).map_or("", |m| m.as_str());
        let quoted_key = sep.starts_with(['"', '\'', '\\']);
        let loose_colon = sep
            .trim_start_matches(['"', '\'', '\\', ']'])
            .starts_with([' ', '\t']);
        if quoted_key && loose_colon && !quoted && !value_at.starts_with(['[', '{']) {
            continue;
        }
        let cookie = matches!(norm.as_str(), "COOKIE" | "SETCOOKIE");
        let (len, closed) = if cookie && !quoted {
            // Every cookie of the header, not only the first (`a=1; sid=x`).
            (line_end - skip, true)
        } else {
            value_len(value_at, conn)
        };
        if len == 0 {
            continue;
        }
        if !closed {
            open = Some(if value_at.starts_with("\"\"\"") {
                Open::Until("\"\"\"")
            } else if value_at.starts_with("'''") {
                Open::Until("'''")
            } else {
                Open::Indented {
                    col: column(s, key.start()),
                    seq: false,
                }
            });
        }
        out.push_str(&s[copied..pos + skip]);
        out.push_str(REDACTED);
        pos += skip + len;
        copied = pos;
    }
    let changed = (copied > 0).then(|| {
        out.push_str(&s[copied..]);
        out
    });
    (changed, open)
}

/// The column (in characters from the line's start) of byte `at` in `s`.
fn column(s: &str, at: usize) -> usize {
    let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    s[start..at].chars().count()
}

/// Whether the rest of a line after `key:` is a YAML block scalar header (`|`, `>-`, `|2+`),
/// possibly with a comment.
fn is_block_indicator(rest: &str) -> bool {
    let t = rest.trim();
    let t = t.split(" #").next().unwrap_or(t).trim_end();
    t.starts_with(['|', '>'])
        && t[1..]
            .bytes()
            .all(|b| matches!(b, b'-' | b'+' | b'1'..=b'9'))
}

/// The length of a YAML anchor or tag (with its space) at the start of a value: `&pw `,
/// `!!str `, `!secret `; 0 when there is none.
fn anchor_len(rest: &str) -> usize {
    let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let name = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic())
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-./:".contains(&b))
    };
    // `&pw`, `!!str`, `!secret` — not a password that starts with `!` (`!aA!!0Aa00`).
    let marked = match rest[..word].strip_prefix('&') {
        Some(a) => name(a),
        None => rest[..word]
            .strip_prefix("!!")
            .or_else(|| rest[..word].strip_prefix('!'))
            .is_some_and(name),
    };
    if !marked {
        return 0;
    }
    let after = &rest[word..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    if spaces == 0 || after[spaces..].starts_with(['\n', '\r']) || after[spaces..].is_empty() {
        0
    } else {
        word + spaces
    }
}

/// Whether the key at byte `key_at` starts its line and the value is the line's last word:
/// a config directive (`requirepass x`, netrc's `  password x`), not prose. In a log line
/// only a password key before a word that is not plain letters counts (`password hunter2`,
/// not `password changed` or `key loaded`).
fn is_directive(s: &str, key_at: usize, line_rest: &str, key: &str, ctx: Context) -> bool {
    let line_start = s[..key_at].rfind('\n').map_or(0, |i| i + 1);
    let before = &s[line_start..key_at];
    let mut words = line_rest.split_whitespace();
    let (Some(value), None) = (words.next(), words.next()) else {
        return false;
    };
    before.trim().is_empty()
        && (ctx == Context::Document
            || ((key.contains("PASS") || key.contains("PWD"))
                && !value.chars().all(char::is_alphabetic)))
}

/// Whether `s` is an ODBC/ADO/JDBC-style connection string (`Server=x;User Id=u;Password=p w;`),
/// where a value runs to the next `;`, spaces included.
fn is_connection_string(s: &str) -> bool {
    if !s.contains(';') || !s.contains('=') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    [
        "server=",
        "data source=",
        "host=",
        "uid=",
        "user id=",
        "driver=",
        "initial catalog=",
        "database=",
        "accountname=",
        "endpoint=",
        "defaultendpointsprotocol=",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// The length of the value at the start of `s`, and whether it ends there: `\"…\"`, `"…"`
/// (with `\"` escapes), `'…'`, a TOML triple-quoted string, a JSON/flow array or map (to its
/// matching bracket: `["x"]`, `{"value": "x"}`), or a bare word. An unclosed bracket or
/// triple quote runs to the end and is not closed; an unclosed quote runs to the end.
pub(super) fn value_len(s: &str, conn: bool) -> (usize, bool) {
    for delim in ["\"\"\"", "'''"] {
        if let Some(rest) = s.strip_prefix(delim) {
            return rest.find(delim).map_or((s.len(), false), |i| (i + 6, true));
        }
    }
    if let Some(rest) = s.strip_prefix("\\\"") {
        return (rest.find("\\\"").map_or(s.len(), |i| i + 4), true);
    }
    if let Some(rest) = s.strip_prefix('"') {
        let mut escaped = false;
        for (i, ch) in rest.char_indices() {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return (i + 2, true),
                _ => {}
            }
        }
        return (s.len(), true);
    }
    if let Some(rest) = s.strip_prefix('\'') {
        return (rest.find('\'').map_or(s.len(), |i| i + 2), true);
    }
    if s.starts_with(['[', '{']) {
        return bracket_len(s).map_or((s.len(), false), |n| (n, true));
    }
    if conn {
        // `Password=p w;x` in a connection string: to the `;`.
        let end = s.find([';', '\n', '"']).unwrap_or(s.len());
        return (end, true);
    }
    (bare_len(s), true)
}

/// The length of the bracketed value at the start of `s` up to its matching bracket
/// (strings skipped, escapes honoured), or `None` when it does not close in `s`.
fn bracket_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => in_str = None,
                '\n' => return None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' => in_str = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// A bare value runs to whitespace, a quote, `&` (the next query parameter), a closing
/// bracket or a backslash, or a `,`/`;` that ends a phrase (followed by a space or the end):
/// `password=a;b,c` hides `a;b,c` whole.
pub(super) fn bare_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_phrase =
            matches!(c, ',' | ';') && chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        if c.is_whitespace() || "\"'&}])\\".contains(c) || ends_phrase {
            return i;
        }
    }
    s.len()
}
