//! Documents inside strings, read as what they are before any pattern is tried: a JSON
//! document (a ConfigMap value, an annotation, `SPRING_APPLICATION_JSON`, a structured log
//! line) is parsed and redacted as an object; XML elements and Hadoop-style `name`/`value`
//! properties by their tags; percent-encoded text (form bodies, query strings, signed URLs)
//! decoded before it is matched, as are JSON `\u` escapes of name characters in a text
//! that is no whole document. Each reader is bounded: a text over [`MAX_DOC`] bytes is
//! left to the line redactor.

use serde_json::Value;

use super::names::is_credential_field;
use super::object::object;
use super::pairs::{Context, Open};
use super::text::line_with;
use super::{REDACTED, RedactSettings};

/// The largest text parsed as a document (larger ones are redacted line by line).
pub(super) const MAX_DOC: usize = 4 << 20;

/// What [`json`] made of a text.
pub(super) enum Json {
    /// Not a JSON object or array (or too large): redact it as text.
    Other,
    /// A JSON document with nothing to hide.
    Unchanged,
    /// A JSON document, redacted and written back (pretty when it was multi-line). Its keys
    /// come back sorted: serde_json's map is ordered by key.
    Changed(String),
}

/// A text that is a JSON object or array, redacted structurally: a sensitive key hides its
/// value whatever its type (`"password": ["x"]`), `{"name": "DB_PASSWORD", "value": …}`
/// hides the value, every other string passes the text redactor (documents nest).
pub(super) fn json(s: &str, settings: &RedactSettings) -> Json {
    let t = s.trim();
    let framed =
        (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
    if !framed || t.len() > MAX_DOC {
        return Json::Other;
    }
    // serde_json stops at 128 levels of nesting: deeper text is redacted as text.
    let Ok(mut doc) = serde_json::from_str::<Value>(t) else {
        return Json::Other;
    };
    let before = doc.clone();
    object(&mut doc, settings);
    if doc == before {
        return Json::Unchanged;
    }
    let written = if t.contains('\n') {
        serde_json::to_string_pretty(&doc)
    } else {
        serde_json::to_string(&doc)
    };
    // Writing a `Value` back cannot fail; should it, the document is hidden whole.
    Json::Changed(written.unwrap_or_else(|_| REDACTED.to_string()))
}

/// XML with its sensitive values hidden: the text of an element whose tag looks sensitive
/// (`<password>x</password>`, `<ns:secretKey><![CDATA[x]]></ns:secretKey>`), and the
/// `<value>` that follows a `<name>` naming a sensitive setting (Hadoop's
/// `<property><name>fs.s3a.secret.key</name><value>x</value></property>`). Attributes
/// (`password="x"`) are pairs, left to the pair scan. `None` when nothing was hidden.
pub(super) fn xml(s: &str, settings: &RedactSettings) -> Option<String> {
    xml_part(s, settings, &mut false)
}

/// [`xml`] of one part of a document (a log line), with `named` carried from the part
/// before: whether the last `<name>`/`<key>` element named a sensitive setting.
pub(super) fn xml_part(s: &str, settings: &RedactSettings, named: &mut bool) -> Option<String> {
    if s.len() > MAX_DOC {
        return None;
    }
    // The contents to hide, in order, and a `<value>` not yet known to be sensitive: its
    // element's `<name>` may come after it (`<value>x</value><name>db.password</name>`).
    let mut hidden: Vec<(usize, usize)> = Vec::new();
    let mut value_before: Option<(usize, usize)> = None;
    let mut pos = 0;
    while let Some(lt) = s[pos..].find('<') {
        let open_at = pos + lt;
        pos = open_at + 1;
        let Some((tag, attrs, content_at)) = open_tag(s, open_at) else {
            continue;
        };
        let local = tag.rsplit(':').next().unwrap_or(tag);
        let lower = local.to_ascii_lowercase();
        // `<property name="password">`, `<entry key="db.password">`: the attribute names
        // the setting the element holds.
        let attr_named = named_by_attribute(attrs, settings);
        let sensitive = attr_named || is_credential_field(local, settings);
        let Some((content, close_at)) = element_text(s, content_at, tag) else {
            // An element holding elements: a sensitive one's `<value>` below is hidden.
            if sensitive {
                *named = true;
            }
            continue;
        };
        let hide = if lower == "name" || lower == "key" || lower.ends_with("-name") {
            *named = settings.is_sensitive(content.trim());
            // A sibling: only the value's own end tag lies between them.
            if let Some(v) = value_before.take()
                && *named
                && s[v.1..open_at].matches("</").count() == 1
            {
                hidden.push(v);
                *named = false;
            }
            false
        } else if lower == "value" || lower.ends_with("-value") {
            let hide = std::mem::take(named) || sensitive;
            value_before = (!hide).then_some((content_at, close_at));
            hide
        } else {
            sensitive
        };
        if hide {
            hidden.push((content_at, close_at));
        }
        pos = close_at;
    }
    hidden.retain(|&(from, to)| !s[from..to].trim().is_empty());
    if hidden.is_empty() {
        return None;
    }
    hidden.sort_unstable();
    let mut out = String::new();
    let mut copied = 0;
    for (from, to) in hidden {
        out.push_str(&s[copied..from]);
        out.push_str(REDACTED);
        copied = to;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

/// The tag name and attributes of the start tag at `at` (not an end tag, comment,
/// declaration or an empty element) and where its content starts.
fn open_tag(s: &str, at: usize) -> Option<(&str, &str, usize)> {
    let rest = &s[at + 1..];
    let name_len = rest
        .find(|c: char| !(c.is_alphanumeric() || "_-.:".contains(c)))
        .unwrap_or(rest.len());
    if name_len == 0 || !rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        return None;
    }
    let gt = rest.find('>')?;
    if gt < name_len || rest[..gt].ends_with('/') {
        return None;
    }
    Some((&rest[..name_len], &rest[name_len..gt], at + 1 + gt + 1))
}

/// Whether a start tag's `name`/`key`/`id` attribute names a sensitive setting.
fn named_by_attribute(attrs: &str, settings: &RedactSettings) -> bool {
    ["name=", "key=", "id="].iter().any(|a| {
        attrs.match_indices(a).any(|(i, _)| {
            let before_ok = i == 0 || attrs.as_bytes()[i - 1].is_ascii_whitespace();
            let v = &attrs[i + a.len()..];
            let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                return false;
            };
            let inner = &v[1..];
            let value = inner.find(q).map_or(inner, |e| &inner[..e]);
            before_ok && settings.is_sensitive(value)
        })
    })
}

/// The text content of an element from `at` to its end tag `</tag>` (a CDATA section read
/// through), with where the end tag starts; `None` when the element holds other elements.
fn element_text<'a>(s: &'a str, at: usize, tag: &str) -> Option<(&'a str, usize)> {
    let rest = &s[at..];
    let end = if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
        let close = cdata.find("]]>")?;
        let after = &cdata[close + 3..];
        let ws = after.len() - after.trim_start().len();
        9 + close + 3 + ws
    } else {
        rest.find('<')?
    };
    let closing = &rest[end..];
    let tail = closing.strip_prefix("</")?.strip_prefix(tag)?;
    tail.trim_start()
        .starts_with('>')
        .then(|| (&rest[..end], at + end))
}

/// Percent-encoded words (`user%3Dbob%26password%3Dx`, `sig%3Dab%2Bc`) read decoded:
/// each whitespace-separated word holding `%XX` is decoded (twice for double encoding) and
/// passed through the line redactor; a word in which that hid something is shown decoded
/// and redacted, every other word as it was. `None` when nothing was hidden.
pub(super) fn percent_encoded(s: &str, settings: &RedactSettings, ctx: Context) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut at = 0;
    for word in s.split(|c: char| c.is_whitespace()) {
        let start = at;
        at += word.len()
            + s[start + word.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if !has_escape(word) {
            continue;
        }
        let mut decoded = decode(word);
        if has_escape(&decoded) {
            decoded = decode(&decoded);
        }
        // Decoding yields no new `%XX` to read again: the line redactor sees plain text.
        let (shown, _) = line_with(&decoded, settings, ctx, &mut false);
        if shown.contains(REDACTED) && shown != decoded {
            out.push_str(&s[copied..start]);
            out.push_str(&shown);
            copied = start + word.len();
            changed = true;
        }
    }
    changed.then(|| {
        out.push_str(&s[copied..]);
        out
    })
}

/// Whether `s` holds a `%XX` escape.
fn has_escape(s: &str) -> bool {
    s.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

/// `%XX` escapes decoded; invalid UTF-8 replaced. A `+` stays (as a space it would split a
/// secret in two for the pair scan).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => {
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// JSON `\u` escapes of name characters (`"pass\u0077ord"`, `\\u0050ASSWORD` escaped
/// twice) in a text that is not a whole JSON document (a fragment, a cut or escaped one):
/// escapes of letters, digits, `_`, `-` and `.` are decoded (the others stay, so no new
/// syntax appears) and the line redactor reads the decoded text; when that hid something,
/// (or a value opened below it) the decoded text is shown, redacted, with whether its last
/// value goes on past the line. `None` when nothing more was hidden.
pub(super) fn json_escapes(
    s: &str,
    settings: &RedactSettings,
    ctx: Context,
    named: &mut bool,
) -> Option<(String, Option<Open>)> {
    let decoded = decode_name_escapes(s)?;
    let (shown, open) = line_with(&decoded, settings, ctx, named);
    (shown != decoded || open.is_some()).then(|| (shown.into_owned(), open))
}

/// `s` with its `\uXXXX` (and `\\uXXXX`) escapes of name characters decoded; `None` when it
/// has none.
fn decode_name_escapes(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = s[from..].find("\\u").map(|i| from + i) {
        from = i + 2;
        let Some(hex) = s.get(i + 2..i + 6) else {
            break;
        };
        let Some(c) = u32::from_str_radix(hex, 16)
            .ok()
            .filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(char::from_u32)
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        else {
            continue;
        };
        // `\\u0077` (an escape escaped again, JSON inside a JSON string) goes whole.
        let start = if i > copied && s[..i].ends_with('\\') {
            i - 1
        } else {
            i
        };
        out.push_str(&s[copied..start]);
        out.push(c);
        copied = i + 6;
        from = copied;
    }
    (copied > 0).then(|| {
        out.push_str(&s[copied..]);
        out
    })
}
