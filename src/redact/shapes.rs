//! Credential shapes as data: one row per credential family (a provider token, a password
//! hash, a scheme-prefixed password; the rows are in `shapes/table.rs`), one engine that finds them all in a single pass, and
//! the generic high-entropy rule with the known non-secret shapes it must leave alone.
//!
//! A row is a literal prefix (kept in the output, so `ghp_<redacted>` still tells an
//! investigator what kind of token was there), a charset, a length range for the secret
//! part after the prefix, and optionally a context keyword that must occur somewhere in the
//! text (case-insensitive) — for families that have no prefix of their own (`sonar` + 40
//! hex). Adding a family is adding a row with an example and a non-example; the unit test
//! below walks the table.
//!
//! Why not regexes: most strings carry none of these marks, and a regex per family made
//! every string pay for every family. Here a string costs one byte scan (a bit set of the
//! byte pairs that start a needle, in the spirit of [`super::text::contains_any`]), and only
//! the rows whose needle is really there are read further.

use std::sync::OnceLock;

use super::text::looks_like_path;
use super::{REDACTED, RedactSettings};

/// Which bytes the secret part of a shape is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charset {
    /// `A-Z a-z 0-9`
    Alnum,
    /// `A-Z a-z 0-9 _`
    AlnumUnderscore,
    /// `A-Z a-z 0-9 -`
    AlnumDash,
    /// base64url: `A-Z a-z 0-9 _ -`
    Base64Url,
    /// `0-9 a-f A-F`
    Hex,
    /// `0-9 a-f`
    LowerHex,
    /// `a-z 0-9`
    LowerAlnum,
    /// `A-Z 0-9`
    UpperAlnum,
    /// `a-z 0-9 -` (a Mailchimp key's `-us13` data-centre suffix)
    LowerAlnumDash,
    /// `0-9 a-f A-F -` (a UUID)
    Uuid,
    /// crypt(3) and PHC strings: `A-Z a-z 0-9 . / $ = , + -`
    Crypt,
    /// Kerberos hashes (`$krb5tgs$23$*user$REALM$spn*$…`): crypt plus `: @ * _ -`
    Kerberos,
    /// The path of a webhook URL: `A-Z a-z 0-9 @ / . _ -`
    UrlPath,
    /// A URL query value, percent-escapes included: `A-Z a-z 0-9 % + / = . _ - ~`
    UrlValue,
    /// Dotted tokens (`dp.st.dev.…`, `dt0c01.….…`): `A-Z a-z 0-9 . _ -`
    Dotted,
    /// Anything up to whitespace, a quote, a backslash or `<`/`>` (a password after
    /// `{PLAIN}` may hold any character).
    Word,
}

impl Charset {
    /// Whether `b` belongs to the charset.
    pub(super) fn allows(self, b: u8) -> bool {
        let alnum = b.is_ascii_alphanumeric();
        match self {
            Charset::Alnum => alnum,
            Charset::AlnumUnderscore => alnum || b == b'_',
            Charset::AlnumDash => alnum || b == b'-',
            Charset::Base64Url => alnum || b == b'_' || b == b'-',
            Charset::Hex => b.is_ascii_hexdigit(),
            Charset::LowerHex => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Charset::LowerAlnum => b.is_ascii_digit() || b.is_ascii_lowercase(),
            Charset::UpperAlnum => b.is_ascii_digit() || b.is_ascii_uppercase(),
            Charset::LowerAlnumDash => b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-',
            Charset::Uuid => b.is_ascii_hexdigit() || b == b'-',
            Charset::Crypt => alnum || b"./$=,+-".contains(&b),
            Charset::Kerberos => alnum || b"./$=,+:@*_-".contains(&b),
            Charset::UrlPath => alnum || b"@/._-".contains(&b),
            Charset::UrlValue => alnum || b"%+/=._-~".contains(&b),
            Charset::Dotted => alnum || b"._-".contains(&b),
            Charset::Word => (b.is_ascii_graphic() && !b"\"'`\\<>".contains(&b)) || b >= 0x80,
        }
    }
}

/// One credential family.
#[derive(Debug, Clone, Copy)]
// `family`, `example` and `non_example` are read by the table's tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct Shape {
    /// The family, for tests and for whoever reads the table.
    pub(super) family: &'static str,
    /// The literal the credential starts with, kept in the output; empty for a
    /// context-only shape.
    pub(super) prefix: &'static str,
    /// What the secret part after the prefix is made of.
    pub(super) charset: Charset,
    /// Shortest secret part.
    pub(super) min: usize,
    /// Longest secret part (a longer run is another thing, not this credential).
    pub(super) max: usize,
    /// A word (ASCII, lower case, matched case-insensitively) that must occur in the text.
    pub(super) context: Option<&'static str>,
    /// A text holding the credential: hidden by the table (its last 8 bytes are secret).
    pub(super) example: &'static str,
    /// A text close to the credential that is not one: left unchanged.
    pub(super) non_example: &'static str,
}

mod table;

pub(super) use table::SHAPES;

/// How many rows have a prefix.
#[cfg(test)]
const PREFIXED: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < SHAPES.len() {
        if !SHAPES[i].prefix.is_empty() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// Every row's prefix (the unit tests of `contains_any` use them as needles).
#[cfg(test)]
pub(super) const PREFIXES: [&str; PREFIXED] = {
    let mut out = [""; PREFIXED];
    let (mut i, mut n) = (0, 0);
    while i < SHAPES.len() {
        if !SHAPES[i].prefix.is_empty() {
            out[n] = SHAPES[i].prefix;
            n += 1;
        }
        i += 1;
    }
    out
};

/// What the single pass looks for: a row's prefix (case-sensitive) or a context keyword
/// (case-insensitive; `id` is its bit in [`Found::keywords`]).
enum Needle {
    Prefix { text: &'static [u8], row: usize },
    Context { text: &'static [u8], id: u32 },
}

/// The needles indexed by their first two bytes, built once.
struct Index {
    /// The needles' first two bytes (all four cases for keywords), as a 65,536-bit set: a
    /// byte pair that starts no needle (nearly every pair of ordinary text) costs one test.
    pairs: Vec<u64>,
    /// For each byte, the needles starting with it.
    by_byte: Vec<Vec<Needle>>,
    /// The distinct context keywords, in bit order.
    keywords: Vec<&'static str>,
}

/// The bit of the byte pair `a b` in [`Index::pairs`].
fn pair(a: u8, b: u8) -> (usize, u64) {
    let p = usize::from(a) << 8 | usize::from(b);
    (p >> 6, 1 << (p & 63))
}

impl Index {
    /// Index a needle of two bytes or more under the byte pairs `firsts` × `seconds`.
    fn add(&mut self, firsts: &[u8], seconds: &[u8], n: impl Fn() -> Needle) {
        for &a in firsts {
            for &b in seconds {
                let (word, bit) = pair(a, b);
                self.pairs[word] |= bit;
            }
            self.by_byte[usize::from(a)].push(n());
        }
    }

    /// The bit of context keyword `k`.
    fn bit(&self, k: &str) -> u64 {
        self.keywords
            .iter()
            .position(|x| *x == k)
            .map_or(0, |i| 1 << i)
    }
}

/// A byte in both cases (once when it has no case).
fn cases(b: u8) -> Vec<u8> {
    let mut v = vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()];
    v.dedup();
    v
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let mut ix = Index {
            pairs: vec![0; 65536 / 64],
            by_byte: (0..256).map(|_| Vec::new()).collect(),
            keywords: Vec::new(),
        };
        for (row, s) in SHAPES.iter().enumerate() {
            let text = s.prefix.as_bytes();
            // Every needle has two bytes or more (the table test checks it).
            if let [a, b, ..] = *text {
                ix.add(&[a], &[b], || Needle::Prefix { text, row });
            }
            let Some(k) = s.context else { continue };
            // A u64 holds the keywords found (the table test keeps them under 64).
            if ix.keywords.contains(&k) || ix.keywords.len() >= 64 {
                continue;
            }
            let (&[a, b, ..], Ok(id)) = (k.as_bytes(), u32::try_from(ix.keywords.len())) else {
                continue;
            };
            ix.keywords.push(k);
            let text = k.as_bytes();
            ix.add(&cases(a), &cases(b), || Needle::Context { text, id });
        }
        ix
    })
}

/// Whether the byte before `at` lets a token start there: not inside a word (`xghp_…`,
/// `disk-…`). `_`, `-` and punctuation are fine: `_AIza…`, `key-AKIA…`.
fn starts_word(b: &[u8], at: usize) -> bool {
    at == 0 || !b[at - 1].is_ascii_alphanumeric()
}

/// What one pass over a text found: prefix hits `(row, at)` and the context keywords
/// present (one bit each).
#[derive(Default)]
struct Found {
    prefixes: Vec<(usize, usize)>,
    keywords: u64,
}

/// One pass over `s`; with `first_only`, it stops at the first hit.
fn scan(s: &str, first_only: bool) -> Found {
    let ix = index();
    let b = s.as_bytes();
    let mut found = Found::default();
    for (i, w) in b.windows(2).enumerate() {
        let (word, bit) = pair(w[0], w[1]);
        if ix.pairs[word] & bit == 0 {
            continue;
        }
        for n in &ix.by_byte[usize::from(w[0])] {
            match n {
                Needle::Prefix { text, row } => {
                    if b[i..].starts_with(text) && starts_word(b, i) {
                        found.prefixes.push((*row, i));
                    }
                }
                Needle::Context { text, id } => {
                    if b.get(i..i + text.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(text))
                    {
                        found.keywords |= 1 << id;
                    }
                }
            }
        }
        if first_only && (found.keywords != 0 || !found.prefixes.is_empty()) {
            break;
        }
    }
    found
}

/// Whether any row could match `s` (a prefix or a context keyword is there): the quick
/// check of `may_hold_secret`.
pub(super) fn may_match(s: &str) -> bool {
    let f = scan(s, true);
    f.keywords != 0 || !f.prefixes.is_empty()
}

/// Whether `s` (a map key) holds a provider token by a prefixed row of the table
/// (`ghp_…`, `AKIA…`): such a key is itself the secret. Keys shorter than the shortest
/// prefixed token skip the scan (every key of every object comes here).
pub(super) fn holds_token(s: &str) -> bool {
    static SHORTEST: OnceLock<usize> = OnceLock::new();
    let shortest = *SHORTEST.get_or_init(|| {
        SHAPES
            .iter()
            .filter(|r| !r.prefix.is_empty())
            .map(|r| r.prefix.len() + r.min)
            .min()
            .unwrap_or(usize::MAX)
    });
    if s.len() < shortest {
        return false;
    }
    let f = scan(s, false);
    !f.prefixes.is_empty() && !row_spans(s, &f).is_empty()
}

/// Whether the row's context keyword (if any) is in the text.
fn context_ok(s: &Shape, f: &Found) -> bool {
    s.context.is_none_or(|k| f.keywords & index().bit(k) != 0)
}

/// The length of the run of `cs` at the start of `b`.
fn run_len(b: &[u8], cs: Charset) -> usize {
    b.iter().position(|&c| !cs.allows(c)).unwrap_or(b.len())
}

/// Whether a bare run (a context-only row) looks like a key rather than a word or a number.
fn mixes_letters_and_digits(run: &[u8]) -> bool {
    run.iter().any(u8::is_ascii_digit) && run.iter().any(u8::is_ascii_alphabetic)
}

/// The byte ranges to replace by [`REDACTED`] for every row found in `s`.
fn row_spans(s: &str, f: &Found) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut spans = Vec::new();
    for &(row, at) in &f.prefixes {
        let Some(shape) = SHAPES.get(row) else {
            continue;
        };
        if !context_ok(shape, f) {
            continue;
        }
        let start = at + shape.prefix.len();
        // An earlier step hid the token's start but stopped at a byte this family allows
        // (`{ARGON2ID}<redacted>,t=3,p=4$salt$hash`): the hidden part runs on to its end.
        if b[start..].starts_with(REDACTED.as_bytes()) {
            let rest = start + REDACTED.len();
            let len = run_len(&b[rest..], shape.charset);
            if len > 0 {
                spans.push((start, rest + len));
            }
            continue;
        }
        let len = run_len(&b[start..], shape.charset);
        let next_is_word = b.get(start + len).is_some_and(u8::is_ascii_alphanumeric);
        if (shape.min..=shape.max).contains(&len) && !next_is_word {
            spans.push((start, start + len));
        }
    }
    for shape in SHAPES.iter().filter(|r| r.prefix.is_empty()) {
        if !context_ok(shape, f) {
            continue;
        }
        let mut i = 0;
        while i < b.len() {
            if !shape.charset.allows(b[i]) {
                i += 1;
                continue;
            }
            let len = run_len(&b[i..], shape.charset);
            let run = &b[i..i + len];
            let bounded =
                starts_word(b, i) && !b.get(i + len).is_some_and(u8::is_ascii_alphanumeric);
            if bounded && (shape.min..=shape.max).contains(&len) && mixes_letters_and_digits(run) {
                spans.push((i, i + len));
            }
            i += len;
        }
    }
    spans
}

/// Shortest run the generic rule takes for a credential.
const GENERIC_MIN: usize = 16;
/// How many separator bytes may stand between a sensitive word and its value
/// (`'API_KEY' , '"…"` has six).
const GENERIC_GAP: usize = 6;

/// The generic high-entropy rule: a run of 16+ key characters mixing letters and digits,
/// right after a sensitive word (or after a value already [`REDACTED`]: the second half of
/// a credential, `KEY_ID=<redacted>'secret'`) with only separators between, that is not a
/// known non-secret shape. Pairs (`password=x`) are the text redactor's; this catches the
/// separators they do not read (`'API_KEY' , 'x'`, `apiKey x`).
fn generic_spans(s: &str, settings: &RedactSettings) -> Vec<(usize, usize)> {
    // The key characters of `text::is_key_char`, on bytes (this loop sees every byte).
    let key = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-');
    let b = s.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !key(b[i]) {
            i += 1;
            continue;
        }
        let len = b[i..].iter().position(|&c| !key(c)).unwrap_or(b.len() - i);
        let run = &s[i..i + len];
        // Cheapest tests first: most runs are short, and few follow a sensitive word.
        if len >= GENERIC_MIN
            && mixes_letters_and_digits(run.as_bytes())
            && follows_sensitive_word(&s[..i], settings)
            && !looks_like_path(run)
            && !is_known_benign(run, &s[..i])
            && !is_benign_run(run)
        {
            spans.push((i, i + len));
        }
        i += len;
    }
    spans
}

/// Whether `before` ends with a sensitive word (or [`REDACTED`]) and 1 to [`GENERIC_GAP`]
/// separator bytes, on the same line.
fn follows_sensitive_word(before: &str, settings: &RedactSettings) -> bool {
    let gap = |seps: &[u8]| {
        let n = before
            .bytes()
            .rev()
            .take_while(|c| seps.contains(c))
            .count();
        (1..=GENERIC_GAP)
            .contains(&n)
            .then(|| &before[..before.len() - n])
    };
    // `<redacted>` ends with `>`, which also ends `=>`: the hidden value is tried first. Its
    // second half is joined to it by punctuation (`<redacted>'x'`, `<redacted>", "x"`), not
    // by a space alone: `auth: <redacted> 4bf9…` is a hidden word, then a request id.
    let glued = |head: &str| {
        head.ends_with(REDACTED)
            && !before[head.len()..]
                .bytes()
                .all(|c| c == b' ' || c == b'\t')
    };
    if gap(b" \t'\"`:=,").is_some_and(glued) {
        return true;
    }
    // No brackets: `build(OAuth2Client…)` is a call, not an assignment.
    let Some(head) = gap(b" \t'\"`:=,>") else {
        return false;
    };
    // The last dotted part names the value (`spring.datasource.password`; not
    // `security.oauth2.ClientBuilder`), judged as the pair rule judges a field: `key`,
    // `tokenRef`, `secretName` name a thing rather than hold a credential.
    let word_start = head
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || "_-".contains(c))
        .len();
    let word = &head[word_start..];
    !word.is_empty() && settings.hides_field(word)
}

/// Known non-secret shapes an investigation needs: a UUID, a ULID, a digest after
/// `sha256:`, a commit after `commit`/`sha`/`revision`, a container id after
/// `containerd://`/`docker://`, a trace or span id, a pod name with its hashes. `before` is
/// the text before the run (for the shapes known by what precedes them).
pub(super) fn is_known_benign(run: &str, before: &str) -> bool {
    let b = run.as_bytes();
    let hex = |p: &[u8]| p.iter().all(u8::is_ascii_hexdigit);
    let tail: String = before
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    // Crockford base32, upper case, first character 0–7 (48-bit milliseconds).
    let ulid = b.len() == 26
        && b.first().is_some_and(|c| (b'0'..=b'7').contains(c))
        && b.iter()
            .all(|&c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"ILOU".contains(&c)));
    let digest = hex(b)
        && ["sha256:", "sha512:", "sha384:", "sha1:", "md5:"]
            .iter()
            .any(|p| tail.ends_with(p));
    let commit = hex(b)
        && (7..=40).contains(&b.len())
        && ["commit", "sha", "revision", "rev", "ref", "git"]
            .iter()
            .any(|w| tail.contains(w));
    let container = hex(b)
        && b.len() == 64
        && ["containerd://", "docker://", "cri-o://", "containerid"]
            .iter()
            .any(|p| tail.contains(p));
    let trace = hex(b)
        && matches!(b.len(), 16 | 32)
        && ["trace", "span", "traceparent", "request"]
            .iter()
            .any(|w| tail.contains(w));
    uuid || ulid || digest || commit || container || trace || pod_name(run)
}

/// `web-7d9f8b6c5d-x2x4q`, `shop/checkout-v2-7d9f8b6c5d`: lower-case words and hashes joined
/// by `-` (and a namespace by `/`), each part short (a lower-case hex key has no dashes; a
/// key in base64 has upper case).
fn pod_name(run: &str) -> bool {
    // A name has a word in it: dashes between hex alone are a token (`1394-0ca7a5be-8e22-…`).
    run.contains('-')
        && run
            .bytes()
            .any(|c| c.is_ascii_lowercase() && !c.is_ascii_hexdigit())
        && run.split(['-', '/']).all(|p| {
            !p.is_empty()
                && p.len() <= 12
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `run` (a run of key characters, as `hide_key_runs` reads them) is a known non-secret:
/// a `name=value` whose parts are not key material on their own (`request_id=<ULID>`: the
/// name's lower case and the ULID's upper case made one "mixed" run), or `-`/`_`-joined
/// parts that are each a known non-secret or a short lower-case word.
pub(super) fn is_benign_run(run: &str) -> bool {
    let mixed = |p: &str| {
        p.len() >= 20
            && p.bytes().any(|c| c.is_ascii_uppercase())
            && p.bytes().any(|c| c.is_ascii_lowercase())
            && p.bytes().any(|c| c.is_ascii_digit())
    };
    let body = run.trim_end_matches('=');
    if body.contains('=') {
        return !body.split('=').any(mixed);
    }
    let parts = || run.split(['-', '_']);
    let short_word = |p: &str| {
        p.len() <= 12
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    // Short hex parts alone are a token split by dashes (`1394-0ca7a5be-8e22-…`), not words.
    let wordy = parts().any(|p| is_known_benign(p, ""))
        || run
            .bytes()
            .any(|c| c.is_ascii_lowercase() && !c.is_ascii_hexdigit());
    wordy && parts().all(|p| is_known_benign(p, "") || short_word(p))
}

/// `s` with every credential of the table and of the generic rule replaced (the row's
/// prefix kept); `None` when there was none. Context keywords are looked for in
/// `original`, the text before any other redaction (`MAILGUN_API || 'key-…'`: the pair
/// rule hid the name that says whose key it is).
pub(super) fn hide(s: &str, original: &str, settings: &RedactSettings) -> Option<String> {
    let mut f = scan(s, false);
    if !std::ptr::eq(s, original) {
        f.keywords |= scan(original, false).keywords;
    }
    let mut spans = row_spans(s, &f);
    {
        // A table row knows the token better (and keeps its prefix): a generic run that
        // overlaps one is left to it.
        let generic: Vec<_> = generic_spans(s, settings)
            .into_iter()
            .filter(|&(a, b)| {
                !spans.iter().any(|&(c, d)| a < d && c < b)
                    && !f.prefixes.iter().any(|&(_, at)| a <= at && at < b)
            })
            .collect();
        spans.extend(generic);
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for (start, end) in spans {
        // Overlapping spans (two rows on one token) become one.
        if end <= copied {
            continue;
        }
        let start = start.max(copied);
        out.push_str(&s[copied..start]);
        if start > copied || !out.ends_with(REDACTED) {
            out.push_str(REDACTED);
        }
        copied = end;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(s: &str) -> String {
        hide(s, s, &RedactSettings::default()).unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn every_example_is_hidden_and_every_non_example_kept() {
        let mut wrong = Vec::new();
        for shape in SHAPES {
            let out = hidden(shape.example);
            let tail = &shape.example[shape.example.len() - 8..];
            let kept = format!("{}{REDACTED}", shape.prefix);
            if out.contains(tail) || !out.contains(&kept) {
                wrong.push(format!(
                    "{}: example {:?} -> {out:?}",
                    shape.family, shape.example
                ));
            }
            let out = hidden(shape.non_example);
            if out != shape.non_example {
                wrong.push(format!(
                    "{}: non-example {:?} -> {out:?}",
                    shape.family, shape.non_example
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_example_is_hidden_by_every_reader() {
        // The table's engine is one step of the text redactor: the structural steps before
        // it (pairs, documents, lines) must not hand it a form it no longer recognises.
        let settings = RedactSettings::default();
        let mut wrong = Vec::new();
        for shape in SHAPES {
            let tail = &shape.example[shape.example.len() - 8..];
            let cm = serde_json::json!({"kind": "ConfigMap", "data": {"x": shape.example}});
            let cm = super::super::fetched(cm, super::super::Source::Object, &settings);
            let mut log = super::super::LogRedactor::new(&settings);
            for (reader, shown) in [
                ("text", super::super::text(shape.example).into_owned()),
                ("object", cm.value()["data"]["x"].to_string()),
                ("log", log.redact_line(shape.example).into_string()),
            ] {
                if shown.contains(tail) {
                    wrong.push(format!("{} ({reader}): {shown:?}", shape.family));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn every_family_has_a_valid_row() {
        for s in SHAPES {
            assert!(s.min >= 1 && s.min <= s.max, "{}", s.family);
            assert!(
                !s.prefix.is_empty() || s.context.is_some(),
                "{}: a row without a prefix needs a context keyword",
                s.family
            );
            assert!(
                s.context.is_none_or(|k| k == k.to_ascii_lowercase()),
                "{}: context keywords are lower case",
                s.family
            );
            assert!(s.example.len() >= 8, "{}", s.family);
            assert!(
                s.prefix.is_empty() || s.prefix.len() >= 2,
                "{}: the scan indexes needles by their first two bytes",
                s.family
            );
            assert!(s.context.is_none_or(|k| k.len() >= 2), "{}", s.family);
        }
        let keywords: std::collections::HashSet<_> =
            SHAPES.iter().filter_map(|s| s.context).collect();
        assert!(
            keywords.len() <= 64,
            "the keywords found are one bit each of a u64"
        );
    }

    #[test]
    fn known_non_secret_shapes_survive_the_generic_rule() {
        for s in [
            "api_key_id: 7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "token request_id=01HZY3V5QK9T3M2N8P7R6S4W1X",
            "secret image@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "token: web-7d9f8b6c5d-x2x4q",
            "at org.example.oauth2.OAuth2ClientBuilder.build(OAuth2AuthorizedClientBuilder.java:42)",
            "kind=\"ReplicaSet\" key=\"shop/checkout-v2-7d9f8b6c5d\"",
            "tokenRef: Xk9mP2qR7sT4vW8yZ1aB3cD5",
            "token: kube-state-metrics-7d9f8b6c5d-x2x4q",
        ] {
            assert_eq!(hidden(s), s);
        }
        assert!(is_benign_run("request_id=01HZY3V5QK9T3M2N8P7R6S4W1X"));
        assert!(!is_benign_run("id=Xk9mP2qR7sT4vW8yZ1aB3cD5eF6gH0jK"));
    }

    #[test]
    fn a_value_after_a_sensitive_word_or_a_hidden_value_is_hidden() {
        for (s, secret) in [
            (
                "'API_KEY' , '\"951bc382db9cfee29c68634761dd6e19\"'",
                "951bc382db9c",
            ),
            (
                "KEY=<redacted>'ded7db27a4558eea9bbf0bf36e0e8521618f366c'",
                "ded7db27",
            ),
            ("apiKey 4477ab12cd34ef56ab78cd90", "4477ab12"),
            (
                "X-Auth-Token: 1394-0ca7a5be-8e22-40ee-8c40-778d41ab2313",
                "0ca7a5be",
            ),
            (
                "<redacted>\", \"ded7db27a4558eea9bbf0bf36e0e8521618f366c\"",
                "ded7db27",
            ),
        ] {
            assert!(!hidden(s).contains(secret), "{s:?} -> {:?}", hidden(s));
        }
        // A space alone does not join a run to a hidden value.
        let s = "auth: <redacted> 4bf92f3577b34da6a3ce929d0e0e4736 denied";
        assert_eq!(hidden(s), s);
    }

    #[test]
    fn a_multi_byte_character_in_a_sensitive_word_does_not_panic() {
        // Found by tests/fuzz_corpus.rs: the word before a run was cut inside a character.
        let s = "\u{9d}SECRET 3373333333333333333333WEBHOOK";
        assert!(!hidden(s).contains("33733333"));
        assert_eq!(hidden("ü: ab12cd34ef56ab78cd90"), "ü: ab12cd34ef56ab78cd90");
    }

    #[test]
    fn a_token_an_earlier_step_cut_short_is_hidden_to_its_end() {
        let s = "{ARGON2ID}<redacted>,t=3,p=4$c29tZXNhbHQ$Rdescudv ok";
        assert_eq!(hidden(s), "{ARGON2ID}<redacted> ok");
        assert_eq!(hidden("{PLAIN}<redacted> ok"), "{PLAIN}<redacted> ok");
    }

    #[test]
    fn prefixes_inside_words_and_longer_runs_are_not_tokens() {
        for s in [
            "xghp_abcdefghijklmnopqrstuvwxyz0123",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQeX",
        ] {
            assert_eq!(hidden(s), s);
        }
    }
}
