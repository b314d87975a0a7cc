//! The text redactor: credential shapes and sensitive pairs in free text.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_lite::{Captures, Regex};

use super::log::{lines_split, lines_with};
use super::pairs::{Context, Open, pairs};
use super::{REDACTED, RedactSettings, compile_or_never, doc, shapes, syntax};

/// Built-in credential shapes. In each, group 1 (and group 2, when there is one) is kept and
/// the rest of the match becomes [`REDACTED`].
pub(super) const SHAPES: &[&str] = &[
    // `Authorization: Bearer x`, `Authorization: Basic x`, `authorization=Token x`, a bare
    // `Authorization: x`: the scheme stays, the credential goes.
    r#"(?i)(\bauthorization\\?["']?\s*[:=]\s*\\?["']?\[?(?:[a-z][a-z0-9-]*\s+)?)[^\s"',;\\\]]+"#,
    // `Bearer x` anywhere, also URL-encoded (`Bearer%20x`, `bearer+x`).
    r"(?i)(\bbearer(?:\s*[:=]\s*|\s+|%20|\+))[A-Za-z0-9._~+/=%-]+",
    // JSON Web Tokens (service-account tokens, OIDC tokens): header.payload.signature.
    r"()eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
    // AWS access key ids (long-term `AKIA`, temporary `ASIA`, the other IAM id prefixes),
    // wherever they stand (`_AKIA…`, `keyAKIA…`).
    r"()(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}",
    // The password in URL userinfo: `postgres://user:pass@host`.
    // (A password may hold `@`: up to the last `@` before the path. JSON may escape `/`.)
    r"(?i)(\b[a-z][a-z0-9+.-]*:\\?/\\?/[^/\s:@\\]*:)[^/\s?#]+(@)",
    // `curl -u user:password`, `--user user:password`.
    r"((?:^|\s)(?:-u\s*|--user(?:\s+|=))[^\s:=-][^\s:]*:)\S+",
];
/// For each of [`SHAPES`], a cheap test that the text could match it at all.
pub(super) const SHAPE_TRIGGERS: &[fn(&str) -> bool] = &[
    |s| contains_ignore_case(s, "authorization"),
    |s| contains_ignore_case(s, "bearer"),
    |s| s.contains("eyJ"),
    |s| contains_any(s, AWS_PREFIXES),
    // URL userinfo needs both the scheme mark and the `@` (links in prose have no `@`).
    |s| (s.contains("://") || s.contains(":\\/\\/")) && s.contains('@'),
    |s| s.contains("-u") || s.contains("--user"),
];

/// The prefixes of AWS key ids, for the quick check in [`may_hold_secret`].
pub(super) const AWS_PREFIXES: &[&str] = &[
    "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA",
];
/// A PEM private key wholly in one string (e.g. inside an escaped JSON string).
/// (`(?s)`: across real newlines too, as in an annotation or a termination message.)
pub(super) const PEM_INLINE: &str = r"(?s)(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)";
/// The start of a PEM (or PGP) private key block.
pub(super) const PEM_BEGIN: &str = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";
/// The end of a PEM (or PGP) private key block.
pub(super) const PEM_END: &str = r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";
/// `key=` / `key: ` / `"key":` / `\"key\":` / `key => ` / `key := ` / `--key ` — the key
/// of a pair; the value is read by hand.
pub(super) const PAIR_KEY: &str = r#"([A-Za-z0-9_.\-\x{80}-\x{10FFFF}]+)((?:\\*["'\]]|&quot;|&#34;|&#39;){0,3}\s*(?:===|!==|==|!=|=>|:=|::|[=:])\s*|\s+)"#;

/// The compiled patterns, built once per process.
pub(super) struct Patterns {
    pub(super) shapes: Vec<Regex>,
    pub(super) pem_inline: Regex,
    pub(super) pem_begin: Regex,
    pub(super) pem_end: Regex,
    pub(super) pair_key: Regex,
}

pub(super) fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        shapes: SHAPES.iter().map(|p| compile_or_never(p)).collect(),
        pem_inline: compile_or_never(PEM_INLINE),
        pem_begin: compile_or_never(PEM_BEGIN),
        pem_end: compile_or_never(PEM_END),
        pair_key: compile_or_never(PAIR_KEY),
    })
}

/// Whether any pattern could match `s`: every shape needs one of these marks, so text
/// without them (most table cells, most log lines of numbers) skips the regexes.
pub(super) fn may_hold_secret(s: &str) -> bool {
    // Fast path for the short plain strings most objects are made of ("Running", "0/1",
    // "10.244.1.3", "web-7d9f"): every shape needs a mark, a flag or 8+ characters.
    // (A newline: a value may span lines; `<`: an XML element.)
    let marked = s
        .bytes()
        .any(|b| matches!(b, b':' | b'=' | b'%' | b'+' | b'\n' | b'<'));
    if !marked && s.len() < 8 {
        return false;
    }
    marked
        || starts_a_flag(s)
        || s.contains("eyJ")
        || contains_ignore_case(s, "bearer")
        || contains_any(s, AWS_PREFIXES)
        || shapes::may_match(s)
        || longest_key_run(s) >= KEY_RUN
}

/// Whether a `-` in `s` could start a flag (`--password x`): at the start or after anything
/// but a letter or digit — after `(`, a quote or a tab as much as after a space (the
/// property test found `(--password x` skipped by a check for " -" only).
pub(super) fn starts_a_flag(s: &str) -> bool {
    s.match_indices('-')
        .any(|(i, _)| i == 0 || !s.as_bytes()[i - 1].is_ascii_alphanumeric())
}

/// Whether any of `needles` occurs in `s`, in one pass over `s`: a byte that starts no needle
/// is skipped at once (a `contains` per needle cost a fifth of the agent's CPU per command).
pub(super) fn contains_any(s: &str, needles: &[&str]) -> bool {
    // The needles' first bytes as a 256-bit set: one test per byte of `s`.
    let mut first = [0u64; 4];
    for n in needles {
        if let Some(&c) = n.as_bytes().first() {
            first[usize::from(c >> 6)] |= 1 << (c & 63);
        }
    }
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        first[usize::from(c >> 6)] & (1 << (c & 63)) != 0
            && needles.iter().any(|n| b[i..].starts_with(n.as_bytes()))
    })
}

/// The prefixes of the credential families of [`shapes::SHAPES`].
#[cfg(test)]
pub(super) const TOKEN_PREFIXES: &[&str] = &shapes::PREFIXES;

/// Length from which a run of base64 characters with upper case, lower case and digits is
/// taken for key material (a PEM body line is 64, an AWS secret key 40, many API keys 32).
pub(super) const KEY_RUN: usize = 32;

/// The length of the longest run of base64/base64url characters in `s`.
pub(super) fn longest_key_run(s: &str) -> usize {
    s.split(|c: char| !is_key_char(c))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

pub(super) fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+/=_-".contains(c)
}

/// Whether a run is a path (`/api/v1/…`, `apps/v1/namespaces/…`) rather than key
/// material: it starts with `/`, or most of its `/`-separated parts are lower-case words.
/// Never a path: a run with `+` or `=` (base64, not path characters), an empty part inside
/// (`a//b`), or a part that is itself 20+ characters mixing upper case, lower case and
/// digits — a random base64 key split by its own `/`s into short lower-case parts read as a
/// path and was shown (found by the property test in tests/properties.rs).
pub(super) fn looks_like_path(run: &str) -> bool {
    let inner = run.strip_prefix('/').unwrap_or(run);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let parts: Vec<&str> = inner.split('/').collect();
    let keyish = |p: &str| {
        p.len() >= 20
            && p.bytes().any(|b| b.is_ascii_uppercase())
            && p.bytes().any(|b| b.is_ascii_lowercase())
            && p.bytes().any(|b| b.is_ascii_digit())
    };
    if run.contains(['+', '=']) || parts.iter().any(|p| p.is_empty() || keyish(p)) {
        return false;
    }
    let wordy = parts
        .iter()
        .filter(|p| {
            p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
        })
        .count();
    run.starts_with('/') || (parts.len() >= 3 && wordy * 2 > parts.len())
}

/// Whether a run is made of words rather than random characters: parts joined by `-`/`_`
/// most of which are lower-case words (an IAM role `eksctl-prod-addon-iamserviceaccount-
/// kube-Role1-1H2J3K4L5M6N`, AKS's `MC_rg-prod-01_aks-prod-01_westeurope`), or a CamelCase
/// identifier with at most two digits (`OAuth2AuthorizedClientProviderBuilder`). Random
/// base64 of 32+ characters is neither: about five digits in 32, and case switching at
/// random.
fn looks_like_words(run: &str) -> bool {
    let parts: Vec<&str> = run.split(['-', '_']).filter(|p| !p.is_empty()).collect();
    let wordy = parts
        .iter()
        .filter(|p| p.len() >= 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
        .count();
    if parts.len() >= 3 && wordy * 2 >= parts.len() {
        return true;
    }
    let digits = run.bytes().filter(u8::is_ascii_digit).count();
    if digits > 2 || !run.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    // CamelCase: every upper-case letter but the last few starts a lower-case word of 2+.
    let b = run.as_bytes();
    let mut words = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            let lower = b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
            if lower >= 2 {
                words += 1;
            }
            i += 1 + lower;
        } else {
            i += 1;
        }
    }
    let uppers = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    words >= 3 && words * 3 >= uppers * 2
}

/// Runs that look like key material: 32+ base64 characters with upper case, lower case and
/// digits that do not look like a path (a URL path is not a key). Catches PEM body
/// lines without their BEGIN line, AWS secret keys, base64-encoded keys.
pub(super) fn hide_key_runs(s: &str) -> Option<String> {
    let looks_like_key = |run: &str| {
        // `request_id=01HZY3V5QK9T3M2N8P7R6S4W1X`: a pair, not one key; its value is
        // judged alone (the pair scan has judged its name). Trailing `=` is base64 padding.
        let run = match run.trim_end_matches('=').rsplit_once('=') {
            Some((_, value)) => value,
            None => run,
        };
        run.len() >= KEY_RUN
            && !looks_like_words(run)
            && run.bytes().any(|b| b.is_ascii_uppercase())
            && run.bytes().any(|b| b.is_ascii_lowercase())
            && run.bytes().any(|b| b.is_ascii_digit())
            && !looks_like_path(run)
            && !shapes::is_benign_run(run)
    };
    if longest_key_run(s) < KEY_RUN {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut rest = s;
    while !rest.is_empty() {
        let start = rest.find(is_key_char).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
        let run = &rest[..end];
        if looks_like_key(run) {
            out.push_str(REDACTED);
            changed = true;
        } else {
            out.push_str(run);
        }
        rest = &rest[end..];
    }
    changed.then_some(out)
}

pub(super) fn contains_ignore_case(s: &str, needle: &str) -> bool {
    s.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Free text with every credential shape replaced by [`REDACTED`]: a JSON document is
/// redacted structurally, XML elements and percent-encoded text are read as such, each line
/// passes the built-in shapes and sensitive `key=value` pairs (keys judged by
/// [`super::RedactSettings::is_sensitive`]), and values that span lines (a PEM private key, an indented
/// block under `password:`) are hidden across them.
pub fn text(s: &str) -> Cow<'_, str> {
    text_with(s, &RedactSettings::default())
}

/// [`text`] with the operator's extra name fragments.
pub(super) fn text_with<'a>(s: &'a str, settings: &RedactSettings) -> Cow<'a, str> {
    if plainly_benign(s) || !worth_a_look(s, settings) {
        return Cow::Borrowed(s);
    }
    match doc::json(s, settings) {
        doc::Json::Changed(r) => return Cow::Owned(r),
        doc::Json::Unchanged => return Cow::Borrowed(s),
        doc::Json::Other => {}
    }
    let mut out = Cow::Borrowed(s);
    if s.contains("</")
        && let Some(r) = doc::xml(s, settings)
    {
        out = Cow::Owned(r);
    }
    if out.contains('\n') {
        if out.contains("-----") {
            out = replace_cow(out, &patterns().pem_inline, |c: &Captures| {
                let keep = |i| c.get(i).map_or("", |m| m.as_str());
                format!("{}{REDACTED}{}", keep(1), keep(2))
            });
        }
        return match out {
            Cow::Borrowed(b) => lines_with(b, settings),
            Cow::Owned(o) => Cow::Owned(lines_with(&o, settings).into_owned()),
        };
    }
    // A document escaped into one line (`"db:\n  password: |\n    x\n"` in a log line or a
    // JSON string's text): its lines are read as lines.
    if out.contains("\\n") && !out.contains('\n') {
        let r = lines_split(&out, "\\n", settings);
        if let Cow::Owned(o) = r {
            return Cow::Owned(
                line_checked(&o, settings, Context::Line, &mut false)
                    .0
                    .into_owned(),
            );
        }
    }
    match out {
        Cow::Borrowed(b) => line_checked(b, settings, Context::Line, &mut false).0,
        Cow::Owned(o) => Cow::Owned(
            line_checked(&o, settings, Context::Line, &mut false)
                .0
                .into_owned(),
        ),
    }
}

/// A timestamp (`2026-12-07T12:15:40Z`) or a UID (`6f1a2b3c-4d5e-…`): every object holds
/// several, and neither can hold a credential; answered without the readers (measured: a
/// third of a pod list's redaction).
fn plainly_benign(s: &str) -> bool {
    let b = s.as_bytes();
    let timestamp = (20..=35).contains(&b.len())
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b.iter()
            .all(|c| c.is_ascii_digit() || b"-:.TZ+".contains(c));
    let uid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    timestamp || uid
}

/// Whether `s` could hold anything the redactor hides: a shape's mark, or words (a
/// sensitive name before a value, `password 'x'`, or a tool's syntax, `vault login x`).
fn worth_a_look(s: &str, _settings: &RedactSettings) -> bool {
    may_hold_secret(s) || s.contains(' ')
}

/// One line (or a whole one-line text) redacted, and whether a sensitive value it starts
/// goes on past its end (see [`Open`]).
pub(super) fn line_with<'a>(
    s: &'a str,
    settings: &RedactSettings,
    ctx: Context,
    named: &mut bool,
) -> (Cow<'a, str>, Option<Open>) {
    if !worth_a_look(s, settings) {
        return (Cow::Borrowed(s), None);
    }
    line_checked(s, settings, ctx, named)
}

/// [`line_with`] of a line already found [`worth_a_look`].
fn line_checked<'a>(
    s: &'a str,
    settings: &RedactSettings,
    ctx: Context,
    named: &mut bool,
) -> (Cow<'a, str>, Option<Open>) {
    let p = patterns();
    let mut out = Cow::Borrowed(s);
    if s.contains("-----") {
        out = p
            .pem_inline
            .replace_all(s, format!("${{1}}{REDACTED}${{2}}").as_str());
        if let Some(m) = p.pem_begin.find(&out)
            && !p.pem_end.is_match(&out[m.end()..])
        {
            out = Cow::Owned(format!("{}{REDACTED}", &out[..m.end()]));
        }
    }
    for (re, trigger) in p.shapes.iter().zip(SHAPE_TRIGGERS) {
        // Each shape needs its literal: most strings skip most regexes.
        if !trigger(&out) {
            continue;
        }
        out = replace_cow(out, re, |c: &Captures| {
            let keep = |i| c.get(i).map_or("", |m| m.as_str());
            format!("{}{REDACTED}{}", keep(1), keep(2))
        });
    }
    out = syntax::tools(out, settings);
    let mut open = None;
    if *named || settings.may_name_secret(&out) {
        let (changed, o) = pairs(&out, settings, ctx, named);
        open = o;
        if let Some(r) = changed {
            out = Cow::Owned(r);
        }
    }
    // Credential families and the generic rule (after pairs: it reads their `<redacted>`).
    if let Some(r) = shapes::hide(&out, s, settings) {
        out = Cow::Owned(r);
    }
    if let Some(r) = hide_key_runs(&out) {
        out = Cow::Owned(r);
    }
    if out.contains('%')
        && let Some(r) = doc::percent_encoded(&out, settings, ctx)
    {
        out = Cow::Owned(r);
    }
    // A key name spelled with JSON escapes is compared as the JSON reader would read it.
    if out.contains("\\u")
        && let Some((r, o)) = doc::json_escapes(&out, settings, ctx, named)
    {
        out = Cow::Owned(r);
        open = open.or(o);
    }
    (out, open)
}

/// Apply `re` to text that may already be owned, staying borrowed when nothing matched.
pub(super) fn replace_cow<'a>(
    text: Cow<'a, str>,
    re: &Regex,
    rep: impl FnMut(&Captures) -> String,
) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(b) => re.replace_all(b, rep),
        Cow::Owned(o) => Cow::Owned(re.replace_all(&o, rep).into_owned()),
    }
}
