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

use super::names::{is_credential_normalised, normalise};
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
    /// The next line, as a `.properties` value ending in `\` goes on there.
    Continued,
}

/// Where a line comes from, which decides how much a bare `password x` line is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// A log line or a one-line text: `password changed` is prose.
    Line,
    /// A line of a multi-line document (a ConfigMap value, a netrc or redis.conf file):
    /// a sensitive key alone before one word is a directive.
    Document,
}

/// Bare words that are never a credential after a sensitive word in a line of prose: an API
/// message's `failed to list *v1.Secret: secrets is forbidden` or `password: too short`.
const PROSE: &[&str] = &[
    "serviceaccount",
    "serviceaccounts",
    "configmaps",
    "pods",
    "nodes",
    "request",
    "requests",
    "a",
    "an",
    "are",
    "cannot",
    "could",
    "denied",
    "empty",
    "error",
    "errors",
    "expired",
    "failed",
    "false",
    "forbidden",
    "in",
    "invalid",
    "is",
    "missing",
    "nil",
    "no",
    "none",
    "not",
    "null",
    "of",
    "refused",
    "rejected",
    "required",
    "secret",
    "secrets",
    "signature",
    "the",
    "timeout",
    "to",
    "token",
    "tokens",
    "too",
    "true",
    "unable",
    "unauthorized",
    "unexpected",
    "unknown",
    "was",
    "with",
];

/// Source file extensions: `AuthService.java:42` in a stack trace is a file and a line.
const SOURCE_FILES: &[&str] = &[
    ".java", ".go", ".js", ".ts", ".py", ".rb", ".rs", ".kt", ".scala", ".cs", ".c", ".cc", ".cpp",
    ".h", ".php", ".swift", ".ex", ".exs", ".erl", ".clj",
];

/// Where the `value` keys of `s` start whose own map names a sensitive setting after them
/// on the same line: a flow map or a language's repr printed value first
/// (`{value: x, name: DB_PASSWORD}`, `{'value': 'x', 'name': 'DB_PASSWORD'}`,
/// `{Value:x Name:DB_PASSWORD}`). Its map is what lies between braces: a `{`, `}` or
/// newline between the value and the name parts them.
fn values_named_later(s: &str, settings: &RedactSettings, conn: bool) -> Vec<usize> {
    let re = &patterns().pair_key;
    let mut found = Vec::new();
    let mut value_at: Option<usize> = None;
    let mut pos = 0;
    while let Some(c) = re.captures_at(s, pos) {
        let (Some(key), Some(all)) = (c.get(1), c.get(0)) else {
            break;
        };
        pos = all.end();
        let spaced = c.get(2).is_none_or(|m| m.as_str().trim().is_empty());
        if spaced {
            continue;
        }
        let norm = normalise(key.as_str());
        if is_value_first_value(&norm) {
            value_at = Some(key.start());
        } else if is_value_first_name(&norm) {
            let rest = &s[pos..];
            let (len, _) = value_len(rest, conn);
            let v = rest[..len].trim_matches(|c| matches!(c, '"' | '\'' | '\\'));
            if let Some(at) = value_at.take()
                && !s[at..key.start()].contains(['{', '}', '\n'])
                && !v.is_empty()
                && names_secret_after(v, settings)
            {
                found.push(at);
            }
            pos += len.min(rest.len());
        }
    }
    found
}

/// Sensitive values of `s` replaced by [`REDACTED`] (`None` when there were none), and
/// whether the last one goes on past the line. After a harmless key the scan goes on inside
/// its value, so `msg="password=x"` is caught too. `named` carries a `name: DB_PASSWORD`
/// seen on an earlier line to the `value:` on the next (YAML env lists).
pub(super) fn pairs(
    s: &str,
    settings: &RedactSettings,
    ctx: Context,
    named: &mut bool,
) -> (Option<String>, Option<Open>) {
    let re = &patterns().pair_key;
    let mut out = String::new();
    let (mut pos, mut copied) = (0, 0);
    let mut open = None;
    let conn = is_connection_string(s);
    // The end of the current line, found once per line (a `find` per key was quadratic on
    // a long line of keys).
    let mut line_end_at = 0;
    let mut line_first = 0;
    let named_later = values_named_later(s, settings, conn);
    while let Some(c) = re.captures_at(s, pos) {
        let (Some(key), Some(all)) = (c.get(1), c.get(0)) else {
            break;
        };
        pos = all.end();
        // A word after `/` is part of a path or an image (`ghcr.io/acme/auth-service:v2`).
        if key.start() > 0 && s.as_bytes()[key.start() - 1] == b'/' {
            continue;
        }
        // `\u0026sig=x`: a JSON-escaped `&` glued to the key is not part of its name.
        let escaped = key.as_str().starts_with("u00")
            && key.start() > 0
            && s.as_bytes()[key.start() - 1] == b'\\'
            && key.as_str().len() > 5;
        let norm = normalise(if escaped {
            &key.as_str()[5..]
        } else {
            key.as_str()
        });
        let rest = &s[pos..];
        let sep = c.get(2).map_or("", |m| m.as_str());
        let spaced = sep.trim().is_empty();
        if is_pair_name(&norm) && !spaced {
            let (len, _) = value_len(rest, conn);
            let v = rest[..len].trim_matches(|c| matches!(c, '"' | '\'' | '\\'));
            *named = !v.is_empty() && settings.is_sensitive(v);
            // The name is not itself a key to scan (`name=DB_PASSWORD value=x`), unless it
            // is not a plain name and may hold a pair of its own (`k:password=x`,
            // `key="token: x`, `k:" --password x`, `𝒦:Σ[client_secret => x`).
            let plain = v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
            if plain && !v.starts_with('-') {
                pos += len;
            }
            continue;
        }
        let by_name =
            (*named || named_later.contains(&key.start())) && is_pair_value(&norm) && !spaced;
        if !spaced && !norm.is_empty() {
            *named = false;
        }
        if !(by_name || is_credential_normalised(&norm, settings)) || rest.starts_with(REDACTED) {
            continue;
        }
        if line_end_at < pos {
            line_end_at = pos + rest.find('\n').unwrap_or(rest.len());
            let start = s[..key.start()].rfind('\n').map_or(0, |i| i + 1);
            line_first = start + (s[start..].len() - s[start..].trim_start().len());
        }
        // Whether the key is the first word of its line (measured once a line: a search
        // back to the line's start for every key was quadratic on a long line of keys).
        let first_on_line = key.start() <= line_first;
        let line_rest = &s[pos..line_end_at.max(pos)];
        // `Authorization: Basic x` is the Authorization shape's (the scheme stays).
        if norm == "AUTHORIZATION" && line_rest.contains(REDACTED) {
            continue;
        }
        // `password:` at the end of a line, or a YAML block scalar (`password: |`,
        // `key: >-`): the value is on the lines below.
        if !spaced && (line_rest.trim().is_empty() || is_block_indicator(line_rest)) {
            open = Some(Open::Indented {
                col: block_column(s, key.start()),
                seq: line_rest.trim().is_empty(),
            });
            continue;
        }
        // A YAML anchor or tag before the value (`password: &pw x`, `!!str x`) is not it.
        let yaml = sep.trim_end().ends_with(':');
        let skip = if yaml { anchor_len(rest) } else { 0 };
        let value_at = &rest[skip..];
        // `password: !tag |`: the value is on the lines below. A value that starts with `!`
        // or `&` cannot be told from a tag or an anchor, so the word goes with the value.
        if skip > 0 && is_block_indicator(&line_rest[skip.min(line_rest.len())..]) {
            open = Some(Open::Indented {
                col: block_column(s, key.start()),
                seq: false,
            });
            out.push_str(&s[copied..pos]);
            out.push_str(REDACTED);
            pos = line_end_at.max(pos);
            copied = pos;
            continue;
        }
        let quoted = value_at.starts_with(['"', '\'']) || value_at.starts_with("&quot;");
        // A space alone separates a value only after a flag (`--password x`), before a
        // quoted password (SQL's `PASSWORD 'x'`; not the API's `secret "db-creds" not
        // found`), or in a directive alone on its line (`requirepass x`, netrc's `password
        // x`): in prose, "invalid password for bob" names no secret.
        let password = norm.contains("PASS") || norm.contains("PWD");
        let flag = key.as_str().starts_with('-');
        if spaced
            && !(flag
                || (quoted && password)
                || (first_on_line && is_directive(line_rest, &norm, ctx))
                || after_env_instruction(&s[line_first.min(key.start())..key.start()]))
        {
            continue;
        }
        let word_len = value_at
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(value_at.len());
        let bare_word = &value_at[..word_len];
        // `volume "db-creds" : secret "db-creds" not found` (an API message): a quoted name,
        // a spaced colon and a bare word is prose; in JSON a bare value is only a literal.
        let quoted_key = sep.starts_with(['"', '\'', '\\']);
        let loose_colon = sep
            .trim_start_matches(['"', '\'', '\\', ']'])
            .starts_with([' ', '\t']);
        if quoted_key && loose_colon && !quoted && bare_word.starts_with(char::is_alphabetic) {
            continue;
        }
        // Prose after a sensitive word (`token: expired`), and a stack trace's file and
        // line (`AuthService.java:42`).
        let http_status = bare_word.len() == 3
            && bare_word.bytes().all(|b| b.is_ascii_digit())
            && value_at[3..].starts_with(' ')
            && value_at[4..].starts_with(|c: char| c.is_ascii_uppercase());
        // (The first word, looked for in the first 64 bytes: a value runs to the end of a
        // long line with no space, and a search to its end for every key was quadratic.)
        let token = first_word(value_at);
        // A switch, or code rather than a value (`Credentials = new …`, `token = None`).
        let switch = matches!(
            token,
            "true"
                | "false"
                | "True"
                | "False"
                | "new"
                | "null"
                | "nil"
                | "None"
                | "undefined"
                | "this"
                | "self"
        );
        // MySQL's `Access denied for user 'u'@'h' (using password: YES)` says whether one
        // was sent.
        let answer = matches!(token.trim_end_matches(')'), "YES" | "NO");
        if switch
            || (ctx == Context::Line
                && !quoted
                && !flag
                && (http_status || answer || PROSE.contains(&token.to_ascii_lowercase().as_str())))
        {
            continue;
        }
        let lower_key = key.as_str().to_ascii_lowercase();
        if SOURCE_FILES.iter().any(|e| lower_key.ends_with(e))
            && !bare_word.is_empty()
            && bare_word.bytes().all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let cookie = matches!(norm.as_str(), "COOKIE" | "SETCOOKIE");
        // INI, .properties, YAML: a key starting its line with a spaced separator
        // (`password = correct horse staple`) holds the rest of the line.
        let whole_line = !quoted
            && !value_at.starts_with(['[', '{', '('])
            && first_on_line
            && (sep.contains(" = ")
                || sep.contains(" : ")
                || (ctx == Context::Document && sep.ends_with(": ")));
        let (len, closed) = if (cookie || whole_line) && !quoted {
            // Every cookie of the header, not only the first (`a=1; sid=x`).
            ((line_end_at - pos).saturating_sub(skip), true)
        } else {
            value_len(value_at, conn)
        };
        // `key=\` alone: a `.properties` value that starts on the next line, all of it
        // below (`db.password=\` then `    s3cret`).
        let rest_of_line = value_at
            .get(..(line_end_at - pos).saturating_sub(skip))
            .unwrap_or("");
        if rest_of_line.trim() == "\\" {
            open = Some(Open::Continued);
            continue;
        }
        if len == 0 {
            continue;
        }
        // A `.properties` value going on after `\`, a heredoc (`<<EOT`), a quoted string
        // going on below (YAML `"…` to the next line's `"`).
        let line_len = (line_end_at - pos).saturating_sub(skip);
        let after = value_at.get(len..line_len).unwrap_or("");
        let continued =
            (whole_line && value_at[..len].trim_end().ends_with('\\')) || after.trim() == "\\";
        let heredoc = heredoc(value_at);
        let open_quote =
            value_at.starts_with('"') && len >= line_len && !value_at[1..line_len].contains('"');
        if !closed || continued || heredoc.is_some() || open_quote {
            open = Some(if let Some(end) = heredoc {
                Open::Until(end)
            } else if open_quote {
                Open::Until("\"")
            } else if value_at.starts_with("\"\"\"") {
                Open::Until("\"\"\"")
            } else if value_at.starts_with("\'\'\'") {
                Open::Until("\'\'\'")
            } else if continued {
                Open::Continued
            } else {
                Open::Indented {
                    col: block_column(s, key.start()),
                    seq: false,
                }
            });
        }
        // (A tag or anchor before the value is hidden with it: see above.)
        out.push_str(&s[copied..pos]);
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

/// The end marker of a heredoc value (`<<EOT`, `<<-EOF`, `<<'END'`) among the usual ones.
fn heredoc(value: &str) -> Option<&'static str> {
    let v = value.strip_prefix("<<")?;
    let v = v.trim_start_matches(['-', '~', '\'', '"']);
    [
        "EOT", "EOF", "END", "EOS", "EOM", "SECRET", "PASSWORD", "KEY", "CERT", "PEM", "TOKEN",
    ]
    .into_iter()
    .find(|m| v.starts_with(m))
}

/// The first word of `s` (to whitespace, trailing punctuation off), within its first 64
/// bytes.
fn first_word(s: &str) -> &str {
    let mut end = s.len().min(64);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = &s[..end];
    head.split(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_end_matches([',', '.', ';', ':'])
}

/// Whether the byte `at` of `s` starts its line (only whitespace before it).
fn line_starts_at(s: &str, at: usize) -> bool {
    let line_start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    s[line_start..at].trim().is_empty()
}

/// Whether a key (normalised) names a setting in a `name`/`value` pair written as text.
pub(super) fn is_pair_name(norm: &str) -> bool {
    matches!(
        norm,
        "NAME"
            | "KEY"
            | "ID"
            | "PARAMETER"
            | "PARAM"
            | "PARAMETERKEY"
            | "PARAMETERNAME"
            | "VARIABLE"
            | "VAR"
            | "HEADER"
            | "HEADERNAME"
            | "FIELD"
            | "PROPERTY"
            | "OPTION"
            | "SETTING"
            | "K"
    )
}

/// Whether a key (normalised) holds the value of a pair written value first (`{value: x,
/// name: DB_PASSWORD}`): narrower than [`is_pair_value`], as sorted dumps put `data`,
/// `content` or `default` before `id` or `key` in ordinary records.
pub(super) fn is_value_first_value(norm: &str) -> bool {
    matches!(
        norm,
        "VALUE" | "VAL" | "STRINGVALUE" | "PARAMETERVALUE" | "HEADERVALUE"
    )
}

/// Whether a key (normalised) names the setting of a pair written value first: narrower
/// than [`is_pair_name`] (no `id`, `field`: a record's own identity, not a setting's).
pub(super) fn is_value_first_name(norm: &str) -> bool {
    matches!(
        norm,
        "NAME"
            | "KEY"
            | "PARAMETER"
            | "PARAM"
            | "PARAMETERKEY"
            | "PARAMETERNAME"
            | "VARIABLE"
            | "VAR"
            | "HEADERNAME"
    )
}

/// Name endings of settings that tune a credential's handling without holding one
/// (`token-refresh-interval`, `auth_error_ratio`).
const TUNING_SUFFIXES: &[&str] = &[
    "INTERVAL",
    "RATIO",
    "RATE",
    "PERIOD",
    "THRESHOLD",
    "RETRIES",
    "DELAY",
    "BACKOFF",
];

/// Whether a name read after its value (the value-first direction) names a credential: a
/// sensitive name that is not a setting about one (see [`TUNING_SUFFIXES`]).
pub(super) fn names_secret_after(name: &str, settings: &RedactSettings) -> bool {
    let n = normalise(name);
    settings.is_sensitive(name) && !TUNING_SUFFIXES.iter().any(|x| n.ends_with(x))
}

/// Whether a key (normalised) holds the value of such a pair.
pub(super) fn is_pair_value(norm: &str) -> bool {
    matches!(
        norm,
        "VALUE"
            | "VALUES"
            | "DEFAULT"
            | "DEFAULTVALUE"
            | "DATA"
            | "RAW"
            | "VAL"
            | "V"
            | "CONTENT"
            | "CONTENTS"
            | "LITERAL"
            | "TEXT"
            | "STRING"
            | "STRINGVALUE"
            | "PLAIN"
            | "PLAINTEXT"
            | "PARAMETERVALUE"
            | "HEADERVALUE"
    )
}

/// The column from which lines below belong to a value whose key is at byte `at`: the key's
/// own column when it starts its line (YAML), else the line's indentation (a key inside a
/// quoted or escaped document: `config: "password:\n  x"`).
fn block_column(s: &str, at: usize) -> usize {
    if line_starts_at(s, at) {
        return column(s, at);
    }
    let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &s[start..];
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The column (in characters from the line's start) of byte `at` in `s`.
fn column(s: &str, at: usize) -> usize {
    let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    s[start..at].chars().count()
}

/// Whether the rest of a line after `key:` is a YAML block scalar header (`|`, `>-`, `|2+`),
/// possibly with a comment.
fn is_block_indicator(rest: &str) -> bool {
    let t = rest.trim_start();
    if !t.starts_with(['|', '>']) {
        return false;
    }
    let t = t.trim_end();
    let t = t.split(" #").next().unwrap_or(t).trim_end();
    t.starts_with(['|', '>'])
        && t[1..]
            .bytes()
            .all(|b| matches!(b, b'-' | b'+' | b'1'..=b'9'))
}

/// The length of a YAML anchor or tag (with its space) at the start of a value: `&pw `,
/// `!!str `, `!secret `; 0 when there is none.
fn anchor_len(rest: &str) -> usize {
    // (Tested first: the search for the word's end would read a long line to its end for
    // every key.)
    if !rest.starts_with(['&', '!']) {
        return 0;
    }
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

/// Whether a key that starts its line has its value as the line's last word:
/// a config directive (`requirepass x`, netrc's `  password x`), not prose. In a log line
/// only a password key before a word that is not plain letters counts (`password hunter2`,
/// not `password changed` or `key loaded`).
fn is_directive(line_rest: &str, key: &str, ctx: Context) -> bool {
    let mut words = line_rest.split_whitespace();
    let (Some(value), None) = (words.next(), words.next()) else {
        return false;
    };
    ctx == Context::Document
        || ((key.contains("PASS") || key.contains("PWD"))
            && !value.chars().all(char::is_alphabetic))
}

/// Whether the key follows a Dockerfile `ENV` instruction as a build log prints it
/// (`Step 5/9 : ENV DB_PASSWORD x`, `#7 [4/9] ENV DB_PASSWORD x`): its legacy form
/// separates the name from the value by a space.
fn after_env_instruction(before: &str) -> bool {
    before.strip_suffix(' ').is_some_and(|b| {
        b.trim_end_matches(' ')
            .rsplit([' ', '\t'])
            .next()
            .is_some_and(|w| w == "ENV")
    })
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
    // `\"…\"`, `\\\"…\\\"`: a value escaped once or more inside an escaped document.
    let slashes = s.len() - s.trim_start_matches('\\').len();
    if slashes > 0 && s[slashes..].starts_with('"') {
        let quote = &s[..=slashes];
        return (
            s[quote.len()..]
                .find(quote)
                .map_or(s.len(), |i| i + 2 * quote.len()),
            true,
        );
    }
    // HTML-escaped JSON (`&quot;password&quot;:&quot;x&quot;`).
    if let Some(rest) = s.strip_prefix("&quot;") {
        return (rest.find("&quot;").map_or(s.len(), |i| i + 12), true);
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
        // YAML doubles a quote inside single quotes (`'it''s'`).
        let mut i = 0;
        while let Some(j) = rest[i..].find('\'') {
            let at = i + j;
            if rest[at + 1..].starts_with('\'') {
                i = at + 2;
                continue;
            }
            return (at + 2, true);
        }
        return (s.len(), true);
    }
    if s.starts_with(['[', '{', '(']) {
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
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => {
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
