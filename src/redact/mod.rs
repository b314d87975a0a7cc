//! Keeping secrets in the cluster: every object shown, every log line and every piece of free
//! text (event messages, error messages) passes through here, and [`fetched`] is the one
//! place API data becomes a [`Redacted`] value (the fence: a private constructor, and
//! `map`/`part` that take function pointers, so nothing raw can be captured and laundered).
//!
//! Structure before patterns. `object.rs` walks objects by their shape: a sensitive name
//! ([`RedactSettings::is_sensitive`], after `names.rs` folds look-alike letters) hides its whole value
//! whatever its type, `{name, value}` pairs in any spelling hide the value, word lists hide
//! credential flags, a Secret loses its data and annotation values
//! ([`SECRET_ANNOTATIONS_SHOWN`] aside), last-applied and managedFields go. Every other string
//! is read as what it is (`doc.rs`: a JSON document, XML, percent-encoded words), then line by
//! line with state across lines (`log.rs`: indented blocks under a sensitive key, triple
//! quotes, heredocs, PEM keys, Secret manifests, `name:`/`value:` pairs), each line through
//! `pairs.rs` (`key=value` in every syntax), `syntax.rs` (tools' own syntaxes), `shapes.rs`
//! (credential formats as a table) and the key-material rule of `text.rs`.
//!
//! The files call each other in a circle on purpose: documents nest (a JSON string inside a
//! YAML block inside a ConfigMap value), so the string redactor parses a document whose
//! strings go back through the string redactor. Every reader is bounded (`doc::MAX_DOC`,
//! serde_json's depth, 200 lines per open block).
//!
//! Who may turn what off: nobody, remotely. The operator who starts `query`/`run` can add
//! env-name patterns (`--redact-env-names`) and, for container log lines only, start the
//! process with `--allow-unredacted-logs`; a command can do neither.

mod doc;
mod log;
mod names;
mod object;
mod pair;
mod pairs;
mod shapes;
mod syntax;
#[cfg(test)]
mod tests;
mod text;
mod writers;

use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::Value;

pub use log::{Awaits, LogRedactor};
use names::normalise;
pub use names::{SENSITIVE_FRAGMENTS, SENSITIVE_NAMES, SENSITIVE_SUFFIXES};
use object::{hide_secret_annotations_everywhere, object};
pub use pair::{REDACTED_CHANGED, pair};
pub use text::text;
pub use writers::{WRITERS, fetched_with_writers};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// The annotation `kubectl apply` writes: a full copy of the applied object, Secret data included.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Secret annotations whose values are shown (they name the service account a token Secret
/// belongs to); every other Secret annotation value is [`REDACTED`], because tools such as
/// kapp keep a copy of the data in an annotation.
pub const SECRET_ANNOTATIONS_SHOWN: &[&str] = &[
    "kubernetes.io/service-account.name",
    "kubernetes.io/service-account.uid",
];

/// What to redact; `Default` is the built-in name rules with log redaction on. Set by the
/// operator at start (`query`/`run` flags), never by a command.
#[derive(Debug, Clone)]
pub struct RedactSettings {
    /// Extra name fragments (normalised like names) whose values are hidden.
    extra_fragments: Vec<String>,
    /// Whether container log lines go through [`LogRedactor`] (`--allow-unredacted-logs`
    /// turns it off; objects and free text are redacted regardless).
    pub logs: bool,
}

impl Default for RedactSettings {
    fn default() -> RedactSettings {
        RedactSettings {
            extra_fragments: Vec::new(),
            logs: true,
        }
    }
}

impl RedactSettings {
    /// The operator's extra name fragments whose values are hidden (normalised).
    pub fn extra_patterns(&self) -> &[String] {
        &self.extra_fragments
    }

    /// The defaults plus `extra` fragments (e.g. from `--redact-env-names`); empty ones ignored.
    pub fn with_extra_patterns<I: IntoIterator<Item = String>>(extra: I) -> RedactSettings {
        RedactSettings {
            extra_fragments: extra
                .into_iter()
                .map(|p| normalise(&p))
                .filter(|p| !p.is_empty())
                .collect(),
            logs: true,
        }
    }

    /// These settings with container log redaction off (the operator's
    /// `--allow-unredacted-logs`).
    pub fn without_log_redaction(mut self) -> RedactSettings {
        self.logs = false;
        self
    }

    /// Whether any sensitive name could occur in `text` (a quick test before the pair
    /// scan: a timestamp or an image name holds none).
    fn may_name_secret(&self, text: &str) -> bool {
        let n = normalise(text);
        // One pass for every built-in name, the names indexed by their first byte (a
        // `contains` each, or a check of every name at every upper-case letter, cost a tenth
        // of a list's redaction), then the operator's few extras.
        static BY_FIRST: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
        let by_first = BY_FIRST.get_or_init(|| {
            let mut index = vec![Vec::new(); 128];
            for f in SENSITIVE_FRAGMENTS
                .iter()
                .chain(SENSITIVE_SUFFIXES)
                .chain(SENSITIVE_NAMES)
            {
                if let Some(&c) = f.as_bytes().first() {
                    index[usize::from(c & 0x7f)].push(*f);
                }
            }
            index
        });
        let b = n.as_bytes();
        let built_in = b.iter().enumerate().any(|(i, &c)| {
            by_first
                .get(usize::from(c))
                .is_some_and(|names| names.iter().any(|f| b[i..].starts_with(f.as_bytes())))
        });
        built_in
            || self.extra_fragments.iter().any(|f| n.contains(f.as_str()))
            || (n.contains(names::WILD)
                && SENSITIVE_FRAGMENTS
                    .iter()
                    .any(|f| names::wild_contains(&n, f, false)))
    }

    /// Whether a field, label or annotation key named `name` has its value hidden in shown
    /// objects (a sensitive name that does not merely name a credential: `apiToken`, not
    /// `tokenSecretRef`). A label selector on such a key would test the hidden value.
    pub fn hides_field(&self, name: &str) -> bool {
        names::is_credential_field(name, self)
    }

    /// Whether `name` looks like it holds a credential (built-in rules plus the extras).
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.is_sensitive_normalised(&normalise(name))
    }

    /// [`Self::is_sensitive`] of a name already [`normalise`]d.
    fn is_sensitive_normalised(&self, n: &str) -> bool {
        let wild = n.contains(names::WILD);
        let sensitive = SENSITIVE_FRAGMENTS.iter().any(|f| n.contains(f))
            || SENSITIVE_SUFFIXES.iter().any(|s| n.ends_with(s))
            || SENSITIVE_NAMES.contains(&n)
            || self.extra_fragments.iter().any(|f| n.contains(f.as_str()))
            || (wild
                && (SENSITIVE_FRAGMENTS
                    .iter()
                    .any(|f| names::wild_contains(n, f, false))
                    || SENSITIVE_SUFFIXES
                        .iter()
                        .any(|f| names::wild_contains(n, f, true))));
        sensitive && !names::describes_normalised(n)
    }
}

/// A value that has passed the redactor. Only this module can make one, and renderers take
/// nothing else, so an operation that forgot to redact does not compile: the redaction stage
/// is a property of the types, not a call each operation must remember.
///
/// What is allowed compiles (the path below is real, so the `compile_fail` tests fail for
/// the fence, not for a missing name):
///
/// ```
/// use kubeglass::testing::redact::{self, Redacted};
/// let shown: Redacted<String> = redact::message("token=hunter2");
/// let len: Redacted<usize> = shown.map(|s| s.len());
/// assert!(!shown_text(&redact::message("token=hunter2")).contains("hunter2"));
/// # fn shown_text(r: &Redacted<String>) -> String { r.value().clone() }
/// # let _ = len;
/// ```
///
/// ```compile_fail
/// // Outside `redact`, a `Redacted` cannot be built from raw data.
/// let raw = serde_json::json!({"data": {"password": "hunter2"}});
/// let shown = kubeglass::testing::redact::Redacted(raw);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// The redacted value.
    pub fn value(&self) -> &T {
        &self.0
    }

    /// Something derived from the redacted value (a part of it, a rendering of it).
    ///
    /// `f` is a function pointer, not a closure: it cannot capture anything, so what it
    /// returns is made from the redacted value alone (and constants). A closure that
    /// smuggles raw data in does not compile:
    ///
    /// ```compile_fail
    /// use kubeglass::testing::redact::{self, Redacted};
    /// let shown: Redacted<String> = redact::message("safe");
    /// let raw = String::from("password=hunter2");
    /// let laundered: Redacted<String> = shown.map(move |_| raw);
    /// ```
    pub fn map<U>(self, f: fn(T) -> U) -> Redacted<U> {
        Redacted(f(self.0))
    }

    /// [`Self::map`] with plain arguments (sizes, counts, flags: see [`Plain`]), which hold no
    /// text and so cannot carry unredacted data either:
    ///
    /// ```compile_fail
    /// use kubeglass::testing::redact::{self, Redacted};
    /// let shown: Redacted<String> = redact::message("safe");
    /// let raw: &'static str = "password=hunter2";
    /// let laundered = shown.map_with(raw, |_, r| r.to_string());
    /// ```
    pub fn map_with<A: Plain, U>(self, a: A, f: fn(T, A) -> U) -> Redacted<U> {
        Redacted(f(self.0, a))
    }

    /// A part of a redacted value, as a redacted value of its own (`f` cannot capture, as
    /// in [`Self::map`]):
    ///
    /// ```compile_fail
    /// use kubeglass::testing::redact::{self, Redacted};
    /// let shown: Redacted<String> = redact::message("safe");
    /// let raw = String::from("password=hunter2");
    /// let laundered: Redacted<String> = shown.part(|_| raw.clone());
    /// ```
    pub fn part<U>(&self, f: fn(&T) -> U) -> Redacted<U> {
        Redacted(f(&self.0))
    }
}

/// Arguments that hold no text: what [`Redacted::map_with`] may pass along.
pub trait Plain: Copy + private::Sealed {}
impl Plain for usize {}
impl Plain for u64 {}
impl Plain for bool {}
impl Plain for (usize, usize) {}

/// Keeps [`Plain`] closed: no type outside this module can implement it.
mod private {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for u64 {}
    impl Sealed for bool {}
    impl Sealed for (usize, usize) {}
}

impl<T> std::ops::Deref for Redacted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl Redacted<String> {
    /// The text, owned (for the output budget).
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Redacted<Value> {
    /// The object with its `apiVersion` and `kind` set (list items carry neither); both
    /// pass the text redactor like any other string shown.
    pub fn with_type(mut self, api_version: &str, kind: &str) -> Redacted<Value> {
        if let Some(m) = self.0.as_object_mut() {
            m.insert(
                "apiVersion".into(),
                Value::String(text(api_version).into_owned()),
            );
            m.insert("kind".into(), Value::String(text(kind).into_owned()));
        }
        self
    }

    /// The `items` of a redacted List, each still marked redacted.
    pub fn items(self) -> Vec<Redacted<Value>> {
        match self.0 {
            Value::Object(mut m) => match m.remove("items") {
                Some(Value::Array(items)) => items.into_iter().map(Redacted).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// Redacted objects as one kubectl `List` (what `-o jsonpath` of several objects sees).
pub fn list(items: Vec<Redacted<Value>>) -> Redacted<Value> {
    let items: Vec<Value> = items.into_iter().map(|i| i.0).collect();
    Redacted(serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }))
}

/// What kind of response is being redacted, as only the fetch layer knows from the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Any object, List or Table.
    Object,
    /// The metadata of Secrets (`PartialObjectMetadata[List]`: the response does not say
    /// it is a Secret, the request path does).
    SecretMetadata,
}

/// Redact a fetched response (an object, a List, or a Table) and mark it as redacted.
pub fn fetched(mut v: Value, source: Source, s: &RedactSettings) -> Redacted<Value> {
    if source == Source::SecretMetadata {
        hide_secret_annotations_everywhere(&mut v);
    }
    object(&mut v, s);
    Redacted(v)
}

/// Test fixtures, redacted as the fetch layer would (for renderer tests).
#[cfg(test)]
pub(crate) fn shown(v: Value) -> Redacted<Value> {
    fetched(v, Source::Object, &RedactSettings::default())
}

/// Redact one line of free text (an error message, a note) and mark it as redacted.
pub fn message(s: &str) -> Redacted<String> {
    Redacted(text(s).into_owned())
}

fn compile(p: &str) -> Option<Regex> {
    Regex::new(p)
        .map_err(|e| ::log::error!("redactor: built-in pattern does not compile: {e}"))
        .ok()
}

/// Built-in patterns are constants covered by tests; should one ever fail to compile, match
/// nothing rather than panic (the other patterns still apply).
pub(super) fn compile_or_never(p: &str) -> Regex {
    compile(p).unwrap_or_else(never)
}

fn never() -> Regex {
    // `[^\s\S]` matches no character; this literal is known to compile.
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("constant pattern"))
}
