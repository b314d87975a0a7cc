//! Container log lines, with the state of multi-line values across lines.

use std::borrow::Cow;

use super::doc::{self, xml_part};
use super::names::normalise;
use super::pairs::{
    Context, Open, is_pair_value, is_value_first_name, is_value_first_value, names_secret_after,
};
use super::text::{line_with, patterns};
use super::{REDACTED, RedactSettings, Redacted};

/// Redacts container log lines in order: the credential shapes of [`super::text`] on every
/// line, and the values that span lines (a multi-line PEM private key from its BEGIN line to
/// its END line, `password:` followed by an indented YAML block or pretty-printed JSON
/// value, a TOML triple-quoted string). Holds that state, so use one redactor per log stream.
pub struct LogRedactor {
    settings: RedactSettings,
    state: LineState,
}

impl LogRedactor {
    /// A redactor for `s`.
    pub fn new(s: &RedactSettings) -> LogRedactor {
        LogRedactor {
            settings: s.clone(),
            state: LineState::default(),
        }
    }

    /// The next line of the stream, redacted.
    pub fn redact_line(&mut self, l: &str) -> Redacted<String> {
        Redacted(self.line(l).into_owned())
    }

    /// The next line of the stream, of which only `l[..shown]` is shown (a long line cut
    /// while read, its end read after a gap): that part is redacted apart, in the state the
    /// lines above left, so nothing from past it — the end, or a word the cut split, whose
    /// credential the redactor could not see whole — moves into view when values before it
    /// are hidden and the line shrinks; the whole line is redacted for the state it leaves
    /// (a value opened at its end goes on below). `shown` is a character boundary of `l`.
    pub fn redact_cut_line(&mut self, l: &str, shown: usize) -> Redacted<String> {
        // Not a character boundary (never, as made): nothing shown rather than the whole.
        let part = l.get(..shown).unwrap_or("");
        let mut apart = self.state.clone();
        let shown = if self.settings.logs {
            apart.line(part, &self.settings).into_owned()
        } else {
            part.to_string()
        };
        let _ = self.line(l);
        Redacted(shown)
    }

    /// Whether `l` is a `value:` line whose setting's name may come below it (`- value: x`
    /// then `name: DB_PASSWORD`): the stream should read ahead, and pass what it read to
    /// [`Self::redact_line_before`]. What the read-ahead looks for, `None` when nothing.
    pub fn awaits_name(&self, l: &str) -> Option<Awaits> {
        if !self.settings.logs {
            return None;
        }
        let l = plain(l);
        if let Some(d) = data_line(&l) {
            return Some(Awaits {
                col: d.col,
                kind: true,
            });
        }
        value_first_line(&l).map(|v| Awaits {
            col: v.col,
            kind: false,
        })
    }

    /// The next line of the stream, redacted, in the light of the lines read after it
    /// (`below`, not yet redacted); `None` when they do not yet tell whether a name below
    /// makes `l`'s value sensitive — read one more line and call again, or, at the end of
    /// the stream or of the look-ahead, call [`Self::redact_line`]. `shown`: as
    /// [`Self::redact_cut_line`]'s, for a line cut while read.
    pub fn redact_line_before(
        &mut self,
        l: &str,
        below: &[&str],
        shown: Option<usize>,
    ) -> Option<Redacted<String>> {
        let below: Vec<Cow<'_, str>> = below.iter().map(|b| plain(b)).collect();
        let below = below.iter().map(|b| b.as_ref());
        let held = plain(l);
        // `data:` of a manifest printed by `kubectl get secret -o yaml`, whose `kind: Secret`
        // comes below it: its block is hidden as a Secret's.
        if let Some(d) = data_line(&held) {
            if sibling_below(d.col, below, |k| {
                (k.key == "kind").then(|| k.value == "Secret")
            })? {
                self.state.secret_at = Some(d.col);
            }
        } else {
            let named = named_below(&held, below, &self.settings)?;
            // As in a whole text: hidden as if the name had come first.
            self.state.named |= named;
        }
        Some(self.redact_read(l, shown))
    }

    /// The next line of the stream as read, redacted: whole, or, for a line cut while read,
    /// its part up to `shown` ([`Self::redact_cut_line`]).
    pub fn redact_read(&mut self, l: &str, shown: Option<usize>) -> Redacted<String> {
        match shown {
            Some(at) => self.redact_cut_line(l, at),
            None => self.redact_line(l),
        }
    }

    /// The line with credentials replaced by [`REDACTED`] (as is when the operator turned
    /// log redaction off); borrowed when nothing matched.
    pub(super) fn line<'a>(&mut self, l: &'a str) -> Cow<'a, str> {
        if !self.settings.logs {
            return Cow::Borrowed(l);
        }
        self.state.line(l, &self.settings)
    }
}

/// The most lines one open value hides: a runaway block (a `password:` line followed by an
/// indented stack trace) costs at most this many lines of evidence.
const BLOCK_LINES: usize = 200;

/// What a line that awaits a name below it looks for ([`LogRedactor::awaits_name`]): each
/// line below is read alone (skipped, or the answer), by the column of the map's keys and
/// what the key is. Two lines that await the same skip the same lines below them, so a
/// stream reads each line held ahead once for a run of them (a log of `value: x` lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Awaits {
    col: usize,
    /// A Secret's `data:` (its `kind: Secret` below), or a `value:` (its name below).
    kind: bool,
}

/// A value that spans lines, being hidden.
#[derive(Debug, Clone, Copy)]
struct Block {
    open: Open,
    left: usize,
}

/// What the previous lines of a multi-line text left open: a PEM key or a sensitive value.
#[derive(Debug, Default, Clone)]
pub(super) struct LineState {
    /// Whether the lines are a document's (see [`Context`]).
    ctx: Option<Context>,
    in_pem: bool,
    /// An XML `<name>` named a sensitive setting: the next `<value>` is hidden.
    xml_named: bool,
    /// A `name: DB_PASSWORD` line: the `value:` on a line below is hidden.
    named: bool,
    /// The document is a Secret manifest (`kind: Secret`): `data:`/`stringData:` hold values.
    secret_doc: bool,
    /// In a log stream: the column of the keys of a Secret manifest printed into it (its
    /// `kind: Secret` line, or its `data:` line that the look-ahead found it above).
    secret_at: Option<usize>,
    /// The PEM body's last (short) line was hidden: the END line must come next.
    pem_tail: bool,
    block: Option<Block>,
}

impl LineState {
    /// One line of a multi-line text, redacted in the light of the lines before it.
    pub(super) fn line<'a>(&mut self, l: &'a str, s: &RedactSettings) -> Cow<'a, str> {
        // `logs --timestamps`: the kubelet's timestamp starts every line; the value's
        // indentation is measured after it.
        if let Some(at) = timestamp_len(l) {
            let (stamp, body) = l.split_at(at);
            return match self.body(body, s) {
                Cow::Borrowed(_) => Cow::Borrowed(l),
                Cow::Owned(b) => Cow::Owned(format!("{stamp}{b}")),
            };
        }
        self.body(l, s)
    }

    /// [`Self::line`] of a line without a timestamp.
    fn body<'a>(&mut self, l: &'a str, s: &RedactSettings) -> Cow<'a, str> {
        // Colours around a key (`\x1b[36mpassword\x1b[0m=x`) would hide it from the pair
        // scan: a line with SGR sequences is read, and shown, without them.
        if l.contains('\x1b') {
            let plain = strip_sgr(l);
            if plain != l {
                return Cow::Owned(self.body(&plain, s).into_owned());
            }
        }
        if let Some(hidden) = self.in_block(l) {
            return hidden;
        }
        // A structured (JSON) log line is read as a document.
        match doc::json(l, s) {
            doc::Json::Changed(r) => return Cow::Owned(r),
            doc::Json::Unchanged => return Cow::Borrowed(l),
            doc::Json::Other => {}
        }
        if self.ctx.is_none() {
            self.track_kind(l);
        }
        // A Secret manifest inside a document: its `data`/`stringData` are values.
        if (self.secret_doc
            || self
                .secret_at
                .is_some_and(|c| yaml_key(l).is_some_and(|k| k.col == c)))
            && let Some(hidden) = self.secret_data(l)
        {
            return hidden;
        }
        let p = patterns();
        if self.in_pem {
            if p.pem_end.is_match(l) {
                self.in_pem = false;
                return line_with(l, s, self.context(), &mut self.named).0;
            }
            if !self.pem_tail
                && let Some((hidden, short)) = pem_body_line(l)
            {
                self.pem_tail = short;
                return Cow::Owned(hidden);
            }
            // Not key material: the key ended without an END line (cut by --tail or
            // --limit-bytes, or a log line interleaved).
            self.in_pem = false;
            self.pem_tail = false;
        }
        if let Some(m) = p.pem_begin.find(l)
            && !p.pem_end.is_match(&l[m.end()..])
        {
            self.in_pem = true;
        }
        let ctx = self.context();
        let (mut out, open) = line_with(l, s, ctx, &mut self.named);
        if out.contains("</")
            && let Some(r) = xml_part(&out, s, &mut self.xml_named)
        {
            out = Cow::Owned(r);
        }
        if let Some(open) = open {
            self.block = Some(Block {
                open,
                left: BLOCK_LINES,
            });
        }
        out
    }

    /// In a log stream, whether a manifest printed into it is a Secret's: set by its
    /// `kind: Secret` line, ended by the next manifest (`---`, `apiVersion:` or `kind:` at
    /// its column or shallower) or by any line at its column or shallower that is not one
    /// of its keys (the log going on after it: a later `data: {"event":"tick"}` line is
    /// an application's, not the Secret's).
    fn track_kind(&mut self, l: &str) {
        if l.trim_end() == "---" {
            self.secret_at = None;
            return;
        }
        let body = l.trim_start_matches(' ');
        if body.trim().is_empty() {
            return;
        }
        let key = yaml_key(l);
        if let Some(c) = self.secret_at {
            let indent = l.len() - body.len();
            // Pretty-printed JSON closes a map at the manifest's column (`},`).
            let closing = indent == c && body.trim_end().trim_matches([',', '}', ']']).is_empty();
            if indent <= c && !closing && key.as_ref().is_none_or(|k| k.col != c) {
                self.secret_at = None;
            }
        }
        let Some(k) = key else {
            return;
        };
        // A `kind: Secret` deeper inside the manifest (a list's item) does not move it.
        let ends = self.secret_at.is_none_or(|c| k.col <= c);
        match k.key {
            "kind" if k.value == "Secret" && ends => self.secret_at = Some(k.col),
            "kind" | "apiVersion" if ends => self.secret_at = None,
            _ => {}
        }
    }

    /// The state of a multi-line document's lines (a log stream's is the default).
    pub(super) fn document() -> LineState {
        LineState {
            ctx: Some(Context::Document),
            ..LineState::default()
        }
    }

    /// `data:`/`stringData:` of a Secret manifest: the rest of the line hidden, and the block
    /// below it.
    fn secret_data<'a>(&mut self, l: &'a str) -> Option<Cow<'a, str>> {
        let body = l.trim_start();
        let indent = l.len() - body.len();
        // (`"data": {`: `kubectl get secret -o json` printed into a log.)
        let rest = ["data:", "stringData:", "\"data\":", "\"stringData\":"]
            .iter()
            .find_map(|k| body.strip_prefix(k))?;
        self.block = Some(Block {
            open: Open::Indented {
                col: indent,
                seq: false,
            },
            left: BLOCK_LINES,
        });
        if matches!(rest.trim(), "" | "{") {
            return Some(Cow::Borrowed(l));
        }
        Some(Cow::Owned(format!(
            "{}{REDACTED}",
            &l[..l.len() - rest.len()]
        )))
    }

    fn context(&self) -> Context {
        self.ctx.unwrap_or(Context::Line)
    }

    /// The line hidden when it belongs to an open value; `None` (and the value closed)
    /// when it does not.
    fn in_block<'a>(&mut self, l: &'a str) -> Option<Cow<'a, str>> {
        let b = self.block.as_mut()?;
        b.left = b.left.saturating_sub(1);
        let open = b.open;
        if b.left == 0 {
            self.block = None;
        }
        match open {
            Open::Until(delim) => {
                let Some(i) = l.find(delim) else {
                    return Some(Cow::Owned(hide_keeping_indent(l)));
                };
                self.block = None;
                // The closing delimiter and what follows it on the line stay.
                let (_, after) = l.split_at(i);
                Some(Cow::Owned(format!("{REDACTED}{after}")))
            }
            Open::Continued => {
                // Hidden, and the value goes on if this line ends in `\` too.
                if !l.trim_end().ends_with('\\') {
                    self.block = None;
                }
                Some(Cow::Owned(hide_keeping_indent(l)))
            }
            Open::Indented { col, seq } => {
                let body = l.trim_start_matches([' ', '\t']);
                let indent = l.len() - body.len();
                if body.trim().is_empty() {
                    return Some(Cow::Borrowed(l));
                }
                let item = body == "-" || body.starts_with("- ");
                if indent > col || (seq && indent == col && item) {
                    return Some(Cow::Owned(hide_keeping_indent(l)));
                }
                self.block = None;
                None
            }
        }
    }
}

/// A line's indentation followed by [`REDACTED`].
fn hide_keeping_indent(l: &str) -> String {
    let body = l.trim_start_matches([' ', '\t']);
    if body.trim().is_empty() {
        return l.to_string();
    }
    format!("{}{REDACTED}", &l[..l.len() - body.len()])
}

/// Every line of a multi-line text through one [`LineState`]; borrowed when nothing changed.
pub(super) fn lines_with<'a>(s: &'a str, settings: &RedactSettings) -> Cow<'a, str> {
    lines_split(s, "\n", settings)
}

/// [`lines_with`] of a text whose lines are separated by `sep` (a newline, or the two
/// characters `\n` of a document escaped inside a log line or a JSON string).
pub(super) fn lines_split<'a>(s: &'a str, sep: &str, settings: &RedactSettings) -> Cow<'a, str> {
    let mut state = LineState::document();
    state.secret_doc = s.contains("kind: Secret") || s.contains("kind: \"Secret\"");
    let mut out = String::new();
    let mut changed = false;
    let lines: Vec<&str> = s.split(sep).collect();
    let named_after = values_named_after(&lines, settings);
    let mut parts = lines.iter().enumerate().peekable();
    while let Some((i, body)) = parts.next() {
        // `value: x` above its own `name: DB_PASSWORD`: hidden as if the name came first.
        if named_after.contains(&i) {
            state.named = true;
        }
        let r = state.line(body, settings);
        if let Cow::Owned(_) = r {
            changed = true;
        }
        out.push_str(&r);
        if parts.peek().is_some() {
            out.push_str(sep);
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// The lines (by index) of a YAML-like text holding a `value:` (any [`is_pair_value`] key)
/// whose own map names a sensitive setting on a line below it (`- value: x` then
/// `  name: DB_PASSWORD`). A log stream holds such a line back and reads a few lines ahead
/// instead ([`LogRedactor::redact_line_before`]).
fn values_named_after(lines: &[&str], settings: &RedactSettings) -> Vec<usize> {
    let mut hidden = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let below = lines.iter().skip(i + 1).take(BLOCK_LINES).copied();
        if value_line(l).is_some() && named_below(l, below, settings) == Some(true) {
            hidden.push(i);
        }
    }
    hidden
}

/// `l` as a `value:` line of a name/value map, `None` when it is not one.
fn value_line(l: &str) -> Option<YamlKey<'_>> {
    yaml_key(l).filter(|v| !v.closes && is_pair_value(&normalise(v.key)))
}

/// `l` as a `value:` line that the value-first rule reads (see [`is_value_first_value`]).
fn value_first_line(l: &str) -> Option<YamlKey<'_>> {
    value_line(l).filter(|v| is_value_first_value(&normalise(v.key)))
}

/// Whether the map of the `value:` line `l` names a sensitive setting in `below` (the
/// lines after it): the map's keys at the value's column, read down to the next item or a
/// shallower line, deeper lines (the value's own block) skipped. `None` when `below` ends
/// before that is known (a stream reads one more line and asks again).
fn named_below<'a>(
    l: &str,
    below: impl Iterator<Item = &'a str>,
    settings: &RedactSettings,
) -> Option<bool> {
    // Value first, only the narrow keys count (a sorted dump's `data:` above its `id:`).
    let v = value_first_line(l)?;
    sibling_below(v.col, below, |k| {
        is_value_first_name(&normalise(k.key)).then(|| names_secret_after(k.value, settings))
    })
}

/// `data:` or `stringData:` with its block below (a manifest's, or `"data": {` of one printed
/// as JSON), `None` when `l` is not one.
fn data_line(l: &str) -> Option<YamlKey<'_>> {
    yaml_key(l).filter(|k| matches!(k.key, "data" | "stringData") && matches!(k.value, "" | "{"))
}

/// What `tell` says of the first key of a map (the keys at `col`, read down to the next
/// item or a shallower line, deeper lines skipped) that it has an answer for; `false` when
/// the map ends first, `None` when `below` ends first.
fn sibling_below<'a>(
    col: usize,
    below: impl Iterator<Item = &'a str>,
    tell: impl Fn(&YamlKey<'_>) -> Option<bool>,
) -> Option<bool> {
    for next in below {
        let body = next.trim_start_matches(' ');
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = next.len() - body.len();
        // Pretty-printed JSON closes a value's own map at its key's column (`},`).
        if indent >= col && body.trim_end().trim_matches([',', '}', ']']).is_empty() {
            continue;
        }
        // An item, or a flow map opened on the line, starts another map.
        let item = body == "-" || body.starts_with("- ") || body.starts_with(['{', '[']);
        if indent > col || (item && indent >= col) {
            continue;
        }
        let Some(k) = yaml_key(next).filter(|k| k.col == col && !item) else {
            return Some(false);
        };
        if let Some(answer) = tell(&k) {
            return Some(answer);
        }
    }
    None
}

/// A YAML `key: value` line, read for [`values_named_after`].
struct YamlKey<'a> {
    /// The column the key starts at (after a `- ` item marker).
    col: usize,
    key: &'a str,
    /// The value, unquoted (empty for a block below).
    value: &'a str,
    /// The value closes the flow map it is in (`'value': 'x'},`): its map ends there.
    closes: bool,
}

/// The key, its column and its scalar value of a `key: value` or `- key: value` line.
fn yaml_key(l: &str) -> Option<YamlKey<'_>> {
    let body = l.trim_start_matches(' ');
    let mut col = l.len() - body.len();
    let mut body = body;
    if let Some(rest) = body.strip_prefix("- ") {
        let rest_body = rest.trim_start_matches(' ');
        col += 2 + rest.len() - rest_body.len();
        body = rest_body;
    }
    // A flow map printed over lines (Python's pprint, Node's inspect, Ruby's pp):
    // `[{'value': 'x',` then `  'name': 'DB_PASSWORD'}]`, keys aligned after the braces.
    let flow = body.trim_start_matches(['[', '{']);
    let opened = flow.len() < body.len();
    if opened {
        let flow_body = flow.trim_start_matches(' ');
        col += body.len() - flow_body.len();
        body = flow_body;
    }
    // A tab separates a value too (`value:\tx`; YAML allows it after the colon).
    let colon = body
        .find([':'])
        .filter(|&i| matches!(body.as_bytes().get(i + 1), None | Some(b' ' | b'\t')))?;
    let key = body[..colon].trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.".contains(c))
    {
        return None;
    }
    let raw = body[colon + 1..].trim();
    let closes = closes_map(raw, opened);
    // A flow map's separator and closing brackets are not part of the value.
    let value = if closes {
        raw.trim_end_matches([',', '}', ']', ' '])
    } else {
        raw.trim_end_matches(',')
    };
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    Some(YamlKey {
        col,
        key,
        value,
        closes,
    })
}

/// Whether the value `raw` of a key ends the flow map it is in (`'x'},`, `x}]` on a line
/// that opened the map): only brackets after a quoted scalar, or trailing an unquoted one on
/// a line that opened a flow map, count — a generated password holding `]` or `}`
/// (`Xy7]kP9q`, `"ab}cd"`) is a value, and its line must still wait for a name below.
fn closes_map(raw: &str, opened: bool) -> bool {
    let closer = |t: &str| t.contains(['}', ']']);
    match raw.chars().next() {
        Some(q @ ('"' | '\'')) => raw[1..].find(q).is_some_and(|i| closer(&raw[1 + i + 1..])),
        _ if opened => closer(&raw[raw.trim_end_matches([',', '}', ']', ' ']).len()..]),
        _ => false,
    }
}

/// A line inside a PEM block, hidden (its log prefix kept), or `None` when it is not key
/// material, with whether it was short (the body's last line: the END line must follow).
/// Key material: a line of base64 (possibly blank or only a prefix), base64 after a prefix
/// (any length: the last line of a body may be a few characters), or an RFC 1421 header
/// (`Proc-Type:`, `DEK-Info:`).
pub(super) fn pem_body_line(l: &str) -> Option<(String, bool)> {
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
        return Some((format!("{}{REDACTED}", &l[..i]), false));
    }
    // The whitespace may be several bytes long (U+0085, U+3000): slicing at `i + 1`
    // panicked inside it (found by the `logs` fuzz target).
    let (prefix, token) = match trimmed.char_indices().rfind(|&(_, c)| c.is_whitespace()) {
        Some((i, c)) => (&l[..i + c.len_utf8()], &trimmed[i + c.len_utf8()..]),
        None => ("", trimmed),
    };
    let whole = prefix.trim().is_empty();
    if token.is_empty() && whole {
        return Some((l.to_string(), false));
    }
    // A short token after a log prefix may be a word of an ordinary line: it is hidden as
    // the body's possible last line, and the END line must follow it.
    let short = token.len() < 16 && !token.ends_with('=') && !whole;
    // A short token after a prefix that is not a timestamp (`panic: boom`) is prose.
    if short && !looks_like_timestamp(prefix) {
        return None;
    }
    is_b64(token).then(|| (format!("{prefix}{REDACTED}"), short))
}

/// Whether a log line's prefix is a timestamp (`2024-05-01T10:00:00.000Z `), as the kubelet
/// writes before each line with `--timestamps`.
fn looks_like_timestamp(prefix: &str) -> bool {
    let p = prefix.trim();
    p.starts_with(|c: char| c.is_ascii_digit())
        && p.bytes()
            .all(|b| b.is_ascii_digit() || b"-:.TZ+ ,".contains(&b))
}

/// The length of an RFC 3339 timestamp and its space at the start of `l`
/// (`2024-05-01T10:00:00.123456789Z `), as `logs --timestamps` writes it.
/// `l` as the look-ahead reads it: without the kubelet's timestamp and colours.
fn plain(l: &str) -> Cow<'_, str> {
    let l = without_timestamp(l);
    if l.contains('\x1b') {
        Cow::Owned(strip_sgr(l))
    } else {
        Cow::Borrowed(l)
    }
}

/// `l` without the kubelet's timestamp (`logs --timestamps`), if it has one.
fn without_timestamp(l: &str) -> &str {
    timestamp_len(l).map_or(l, |at| &l[at..])
}

fn timestamp_len(l: &str) -> Option<usize> {
    let b = l.as_bytes();
    let looks = b.len() > 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':';
    if !looks {
        return None;
    }
    let space = l.find(' ')?;
    l[..space]
        .bytes()
        .all(|c| c.is_ascii_digit() || b"-:.TZ+".contains(&c))
        .then_some(space + 1)
}

/// `l` without its SGR (colour) escape sequences (`ESC [ … m`).
fn strip_sgr(l: &str) -> String {
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let seq = &rest[i + 2..];
        let params = seq
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(seq.len());
        if seq[params..].starts_with('m') {
            rest = &seq[params + 1..];
        } else {
            out.push_str("\x1b[");
            rest = seq;
        }
    }
    out.push_str(rest);
    out
}
