//! The engine: one Kubernetes client plus the scope and redaction settings, dispatching each
//! command to its operation. `kubeglass query` runs one command on it; the agent shares one
//! across its workers.
//!
//! It is also the operations' only way to read the cluster, and the redaction choke point:
//! the client is private to this module, and every read it offers ([`Engine::get`],
//! [`Engine::list_pages`], [`Engine::log_lines`]) hands back data that has passed the
//! redactor ([`Redacted`], which renderers require). Error messages pass the text redactor
//! in [`crate::ops::Executor::execute`]. An operation cannot forget to redact: it never
//! holds raw data.

use std::io::BufRead;

use serde_json::Value;

use crate::command::{Command, Op};
use crate::error::{Code, Error, Result};
use crate::kube::{self, Client, Resource};
use crate::redact::{self, Awaits, LogRedactor, RedactSettings, Redacted, Source};
use crate::scope::Scope;
use crate::url::with_query;

mod revisions;
mod selector;
mod watch;
pub use revisions::{Owner, Revisions};
pub use selector::Selector;

/// Runs read commands against one cluster within one scope.
pub struct Engine {
    client: Client,
    scope: Scope,
    redact: RedactSettings,
    /// The flight recorder this process runs (`run --record`), which `history` reads.
    recorder: Option<std::sync::Arc<crate::recorder::Recorder>>,
}

/// The lines of one container log, each already through the log redactor (which sees every
/// line in order, so a multi-line PEM key is hidden whatever is later filtered out).
pub struct LogLines {
    reader: Box<dyn BufRead + Send>,
    redactor: LogRedactor,
    max_line: usize,
    buf: Vec<u8>,
    tail: Vec<u8>,
    /// Lines read ahead of the one being redacted (see [`LOOK_AHEAD`]).
    ahead: std::collections::VecDeque<RawLine>,
    /// The bytes of the lines in `ahead`.
    ahead_bytes: usize,
    /// How many lines at the front of `ahead` a line awaiting this has read and skipped:
    /// the next line that awaits the same skips them too and reads only the rest (each
    /// held line was read up to 32 times in a log of `value: x` lines: 200,000 of them took
    /// 73 s in a debug build, `msg: x` lines 7 s; 13 s with this).
    skipped: Option<(Awaits, usize)>,
}

/// How many lines a `value:` line waits for its setting's name below it (`- value: x` then
/// `name: DB_PASSWORD`, a YAML env list printed by an app): past that (or past
/// [`LOOK_AHEAD_BYTES`]), or when the map ends, it is shown as the other rules see it.
const LOOK_AHEAD: usize = 32;

/// The most bytes of lines held ahead: a log of 16 KiB lines made to keep every `value:`
/// waiting holds 64 KiB a stream, not 32 lines of 20 KiB.
const LOOK_AHEAD_BYTES: usize = 64 * 1024;

impl LogLines {
    /// Lines of `reader` through a fresh log redactor for `settings`.
    pub fn new(
        reader: Box<dyn BufRead + Send>,
        settings: &RedactSettings,
        max_line: usize,
    ) -> LogLines {
        LogLines {
            reader,
            redactor: LogRedactor::new(settings),
            max_line,
            buf: Vec::new(),
            tail: Vec::new(),
            ahead: std::collections::VecDeque::new(),
            ahead_bytes: 0,
            skipped: None,
        }
    }

    /// The next line as read, from the look-ahead first.
    fn next_raw(&mut self) -> Result<Option<RawLine>> {
        if let Some(raw) = self.ahead.pop_front() {
            self.ahead_bytes -= raw.text.len();
            // The line leaving was one of those skipped; the rest still are.
            if let Some((_, n)) = &mut self.skipped {
                *n = n.saturating_sub(1);
            }
            return Ok(Some(raw));
        }
        read_bounded_line(
            &mut self.reader,
            &mut self.buf,
            &mut self.tail,
            self.max_line,
        )
    }

    /// `raw` redacted, reading up to [`LOOK_AHEAD`] lines ahead when it is a `value:` whose
    /// setting's name may come below it.
    fn redact(&mut self, raw: &RawLine) -> Result<Redacted<String>> {
        let Some(awaits) = self.redactor.awaits_name(&raw.text) else {
            return Ok(self.redact_alone(raw));
        };
        // Each line below is skipped or answers alone: the lines skipped already (by an
        // earlier call, or by a line above awaiting the same) are not read again.
        let mut checked = match self.skipped.take() {
            Some((a, n)) if a == awaits => n.min(self.ahead.len()),
            _ => 0,
        };
        loop {
            let below: Vec<&str> = self
                .ahead
                .iter()
                .skip(checked)
                .map(|r| r.text.as_str())
                .collect();
            if let Some(line) = self
                .redactor
                .redact_line_before(&raw.text, &below, raw.shown)
            {
                return Ok(line);
            }
            checked = self.ahead.len();
            self.skipped = Some((awaits, checked));
            if self.ahead.len() >= LOOK_AHEAD || self.ahead_bytes >= LOOK_AHEAD_BYTES {
                break;
            }
            kube::deadline::check("reading a log")?;
            match read_bounded_line(
                &mut self.reader,
                &mut self.buf,
                &mut self.tail,
                self.max_line,
            )? {
                Some(next) => {
                    self.ahead_bytes += next.text.len();
                    self.ahead.push_back(next);
                }
                None => break,
            }
        }
        Ok(self.redact_alone(raw))
    }

    /// `raw` redacted in the light of the lines above it only.
    fn redact_alone(&mut self, raw: &RawLine) -> Redacted<String> {
        self.redactor.redact_read(&raw.text, raw.shown)
    }

    /// The next redacted line (without its newline), `None` at the end of the log.
    pub fn next_line(&mut self) -> Result<Option<Redacted<String>>> {
        kube::deadline::check("reading a log")?;
        let Some(raw) = self.next_raw()? else {
            return Ok(None);
        };
        let line = self.redact(&raw)?;
        // What was read past the shown part is left out with the gap (but the space that
        // joined the line's end, which is not the line's).
        let unshown = raw
            .shown
            .map_or(0, |at| raw.text.len().saturating_sub(at + 1));
        Ok(Some(line.map_with(
            (self.max_line, raw.extra + unshown),
            |l, (max, extra)| cut_line(l, max, extra),
        )))
    }
}

/// One line as read: its text (lossily decoded, at most the limit plus a little) and how
/// many bytes past that were skipped.
struct RawLine {
    text: String,
    extra: usize,
    /// Of a line cut while read, where the part that may be shown ends (see [`shown_end`]);
    /// the rest of `text` is read for the state it leaves, never shown.
    shown: Option<usize>,
}

/// Read one line, keeping at most `max + SLACK` bytes of it (the rest is skipped, counted):
/// a log line of gigabytes never sits in memory. The slack lets the redactor see a
/// credential that straddles the cut before the cut is made.
///
/// A longer line's last SLACK bytes are read too and appended after a space, so the
/// redactor sees what the line ends with — a value opened there (`password=x \\`, `<<EOF`)
/// goes on below, and those lines must be hidden — though the cut never shows them.
fn read_bounded_line(
    reader: &mut Box<dyn BufRead + Send>,
    buf: &mut Vec<u8>,
    tail: &mut Vec<u8>,
    max: usize,
) -> Result<Option<RawLine>> {
    const SLACK: usize = 4096;
    let Some(total) = crate::lines::read_bounded_ends(reader, max + SLACK, SLACK, buf, tail)
        .map_err(stream_error)?
    else {
        return Ok(None);
    };
    let kept = buf.len() + tail.len();
    let (head, end): (&[u8], &[u8]) = if tail.is_empty() {
        (buf.strip_suffix(b"\r").unwrap_or(buf), b"")
    } else {
        (buf, tail.strip_suffix(b"\r").unwrap_or(tail))
    };
    let mut text = String::from_utf8_lossy(head).into_owned();
    let mut shown = None;
    if !end.is_empty() {
        shown = Some(shown_end(&text, max));
        text.push(' ');
        text.push_str(&String::from_utf8_lossy(end));
    }
    let extra = total.saturating_sub(kept);
    Ok(Some(RawLine { text, extra, shown }))
}

/// Where the shown part of a line's kept head ends when the line was cut while read: before
/// the word the cut split (the redactor never saw that credential whole, and hiding values
/// before it shrinks the line and would pull its fragment into view), but not before `max`,
/// up to which the slack let the redactor see every word whole.
fn shown_end(head: &str, max: usize) -> usize {
    let word_start = crate::lines::last_word_start(head);
    let mut at = max.min(head.len());
    while !head.is_char_boundary(at) {
        at -= 1;
    }
    // That word began before `max`: shown from none of it (as `lines::word_cut` backs off),
    // else `max` would show its first part, redacted apart as if it were a word of its own.
    if word_start < at && at - word_start <= 512 {
        return word_start;
    }
    word_start.max(at)
}

fn stream_error(err: std::io::Error) -> Error {
    Error::new(
        Code::ApiUnavailable,
        format!("reading the log stream failed: {err}"),
    )
    .caused_by(err)
}

/// Cut a redacted line at `max` bytes, backing off to the start of a word when the cut would
/// fall inside one (a credential the cut splits must not show a prefix), and say how much
/// was left out.
fn cut_line(mut s: String, max: usize, extra: usize) -> String {
    if s.len() <= max && extra == 0 {
        return s;
    }
    let cut = crate::lines::word_cut(&s, max, 512);
    // `extra` counts the gap and what was read but not shown (the line's end, read after
    // the gap, and a word the cut split).
    let left_out = s.len() - cut + extra;
    s.truncate(cut);
    s.push_str(&format!(" [kubeglass: {left_out} more bytes on this line]"));
    s
}

/// Where a namespaced command reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// A cluster-scoped type: no namespace in the path.
    Cluster,
    /// One namespace.
    One(String),
    /// Every namespace, in one request per page.
    All,
    /// `-A` under a namespace allow-list: each allowed namespace in turn.
    Each(Vec<String>),
}

impl Namespaces {
    /// The namespaces to put in request paths, in order (`None` = no namespace segment).
    pub fn paths(&self) -> Vec<Option<&str>> {
        match self {
            Namespaces::Cluster | Namespaces::All => vec![None],
            Namespaces::One(ns) => vec![Some(ns.as_str())],
            Namespaces::Each(list) => list.iter().map(|n| Some(n.as_str())).collect(),
        }
    }

    /// Whether results span namespaces (tables then get a NAMESPACE column).
    pub fn is_many(&self) -> bool {
        matches!(self, Namespaces::All | Namespaces::Each(_))
    }

    /// kubectl's phrase for an empty result: "in shop namespace" / "" (cluster or all).
    pub fn empty_phrase(&self) -> String {
        match self {
            Namespaces::One(ns) => format!("No resources found in {ns} namespace."),
            _ => "No resources found".to_string(),
        }
    }
}

impl Engine {
    /// Connect to the cluster `kube` names (kubeconfig or in-cluster).
    pub fn connect(kube: &kube::Settings, scope: Scope, redact: RedactSettings) -> Result<Engine> {
        let client = Client::from_settings(kube)?;
        Ok(Engine::new(client, scope, redact))
    }

    /// An engine over an existing client.
    pub fn new(client: Client, scope: Scope, redact: RedactSettings) -> Engine {
        Engine {
            client,
            scope,
            redact,
            recorder: None,
        }
    }

    /// This engine, answering `history` from `recorder` (the agent's `--record`).
    pub fn with_recorder(mut self, recorder: std::sync::Arc<crate::recorder::Recorder>) -> Engine {
        self.recorder = Some(recorder);
        self
    }

    /// The flight recorder of this process, if it runs one.
    pub fn recorder(&self) -> Option<&crate::recorder::Recorder> {
        self.recorder.as_deref()
    }

    /// GET `path` as JSON, redacted.
    pub fn get(&self, path: &str) -> Result<Redacted<Value>> {
        self.get_accept(path, "application/json")
    }

    /// GET `path` as JSON, redacted, tried once even in the agent: for an optional API
    /// whose 503 means "not working here" (an aggregated API such as metrics-server that is
    /// down), not a blip worth the command's deadline.
    pub fn get_once(&self, path: &str) -> Result<Redacted<Value>> {
        let v = self.client.get_json_once(path)?;
        Ok(redact::fetched(v, source_of(path), &self.redact))
    }

    /// GET `path` with an explicit `Accept`, redacted.
    pub fn get_accept(&self, path: &str, accept: &str) -> Result<Redacted<Value>> {
        let v = self.client.get_accept(path, accept)?;
        Ok(redact::fetched(v, source_of(path), &self.redact))
    }

    /// List `path` page by page, each page redacted before `each` sees it.
    pub fn list_pages(
        &self,
        path: &str,
        accept: &str,
        limit: usize,
        mut each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<()> {
        let source = source_of(path);
        self.client.list_pages(path, accept, limit, |page| {
            each(redact::fetched(page, source, &self.redact))
        })
    }

    /// [`Engine::list_pages`], each object's `managedFields` turned into writer summaries
    /// (`metadata."kubeglass.writers"`: manager, operation, time, field names) by the
    /// redactor; only `changes` reads them.
    pub fn list_pages_with_writers(
        &self,
        path: &str,
        accept: &str,
        limit: usize,
        mut each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<()> {
        let source = source_of(path);
        self.client
            .list_pages_parsed(path, accept, limit, true, |page| {
                each(redact::fetched_with_writers(page, source, &self.redact))
            })
    }

    /// GET a log and read it line by line through a fresh log redactor; lines longer than
    /// `max_line` bytes are cut (after redaction).
    pub fn log_lines(&self, path: &str, max_line: usize) -> Result<LogLines> {
        let reader = self.client.get_stream(path)?;
        Ok(LogLines::new(reader, &self.redact, max_line))
    }

    /// Refuse, before any request, a command whose selectors would test values the
    /// redactor hides under the settings this process runs with
    /// ([`crate::command::refuse_hidden_selectors`]).
    pub fn refuse_hidden_selectors(&self, cmd: &Command) -> Result<()> {
        crate::command::refuse_hidden_selectors(cmd, &self.redact)
    }

    /// Resolve a resource type without a command's scope check (related reads).
    pub fn resolve_type(&self, typed: &str) -> Result<Resource> {
        // The names that can only mean core Secrets are refused before discovery too.
        if matches!(typed, "secret" | "secrets") {
            self.scope.check_secrets()?;
        }
        let res = self.client.resolve(typed)?;
        // Every read of a type resolves it here first: the one place Secrets are fenced
        // off under `--no-secrets` (discovery is no Secret read).
        if crate::object::is_secret(&res) {
            self.scope.check_secrets()?;
        }
        Ok(res)
    }

    /// Every resource type the server serves.
    pub fn api_resources(&self) -> Result<Vec<Resource>> {
        self.client.api_resources()
    }

    /// The namespace commands use when they name none.
    pub fn default_namespace(&self) -> &str {
        self.client.default_namespace()
    }

    /// The redaction settings this process runs with.
    pub fn redact_settings(&self) -> &RedactSettings {
        &self.redact
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The one namespace a single-namespace op (logs, endpoints, …) reads, scope-checked.
    pub fn namespace(&self, cmd: &Command) -> Result<String> {
        let ns = cmd
            .namespace
            .clone()
            .unwrap_or_else(|| self.default_namespace().to_string());
        self.scope.check_namespace(&ns)?;
        Ok(ns)
    }

    /// Where `cmd` reads objects of `res`, refusing what is out of scope before any request.
    pub fn namespaces(&self, cmd: &Command, res: &Resource) -> Result<Namespaces> {
        if !res.namespaced {
            self.scope.check_cluster_scoped(&res.plural)?;
            return Ok(Namespaces::Cluster);
        }
        if cmd.all_namespaces {
            return Ok(match self.scope.namespaces_for_all() {
                None => Namespaces::All,
                Some(list) => Namespaces::Each(list.to_vec()),
            });
        }
        Ok(Namespaces::One(self.namespace(cmd)?))
    }

    /// Resolve the command's resource type; an explicit out-of-scope namespace is refused
    /// first, so not even discovery runs for it.
    pub fn resolve(&self, cmd: &Command, typed: &str) -> Result<Resource> {
        if let (Some(ns), false) = (&cmd.namespace, cmd.all_namespaces) {
            self.scope.check_namespace(ns)?;
        }
        self.resolve_type(typed)
    }
}

/// Secret paths are answered with metadata only; the redactor is told, since the response
/// (`PartialObjectMetadata`) does not say it is a Secret.
fn source_of(path: &str) -> Source {
    if kube::is_secrets_path(path) {
        Source::SecretMetadata
    } else {
        Source::Object
    }
}

/// What [`Engine::walk`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Server-side printed Tables (one per named object, one per list page), with each
    /// row's object metadata.
    Table,
    /// Tables whose rows carry the whole object (for `--sort-by`); a Secret's rows carry
    /// its metadata only.
    TableWithObjects,
    /// Tables whose rows carry no object at all (`includeObject=None`): the cells only.
    TableCells,
    /// Objects, one at a time (named ones, then the items of each list page); Secrets as
    /// metadata only.
    Objects,
}

impl Engine {
    /// The one walk over what a command reads of `res`: its named objects, else everything
    /// its selectors list, namespace by namespace, in pages of `page`. `each` gets a Table
    /// (per object or page) or an object, all redacted, and returns false when it has
    /// enough; the walk then stops fetching and returns how many listed objects it left
    /// unread (from `remainingItemCount`). The Secret-safe `Accept` is chosen here, once.
    pub fn walk(
        &self,
        cmd: &Command,
        res: &Resource,
        nss: &Namespaces,
        shape: Shape,
        page: usize,
        each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<usize> {
        self.walk_keeping_missing(cmd, res, nss, shape, page, None, each)
    }

    /// [`Engine::walk`], but a named object that does not exist is skipped and its
    /// NotFound kept in `missing` (kubectl's `get pod a b` prints `b`, then `a`'s error).
    #[allow(clippy::too_many_arguments)]
    pub fn walk_keeping_missing(
        &self,
        cmd: &Command,
        res: &Resource,
        nss: &Namespaces,
        shape: Shape,
        page: usize,
        mut missing: Option<&mut Vec<Error>>,
        mut each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<usize> {
        let secret = crate::object::is_secret(res);
        let only = kube::ACCEPT_TABLE_ONLY;
        let table = kube::ACCEPT_TABLE;
        let (accept_list, accept_one, extra) = match (shape, secret) {
            // A Secret's table: no JSON fallback, and never the object beyond its metadata.
            (Shape::TableCells, true) => (only, only, Some("None")),
            (Shape::Table | Shape::TableWithObjects, true) => (only, only, Some("Metadata")),
            (Shape::TableCells, false) => (table, table, Some("None")),
            (Shape::Table, false) => (table, table, Some("Metadata")),
            (Shape::TableWithObjects, false) => (table, table, Some("Object")),
            (Shape::Objects, true) => (kube::ACCEPT_METADATA, kube::ACCEPT_METADATA_OBJECT, None),
            (Shape::Objects, false) => ("application/json", "application/json", None),
        };
        let extra = [("includeObject", extra)];
        let mut not_fetched = 0;
        for ns in nss.paths() {
            for name in &cmd.names {
                let path = with_query(&res.path(ns, Some(name)), &extra);
                let obj = match (self.get_accept(&path, accept_one), missing.as_mut()) {
                    (Ok(obj), _) => obj,
                    (Err(err), Some(missing)) if err.is_not_found() => {
                        missing.push(err);
                        continue;
                    }
                    (Err(err), _) => return Err(err),
                };
                if !each(obj)? {
                    return Ok(not_fetched);
                }
            }
            if !cmd.names.is_empty() {
                continue;
            }
            let mut pairs = vec![
                ("labelSelector", cmd.selector.as_deref()),
                ("fieldSelector", cmd.field_selector.as_deref()),
            ];
            pairs.extend_from_slice(&extra);
            let path = with_query(&res.path(ns, None), &pairs);
            let mut stopped = false;
            self.list_pages(&path, accept_list, page, |p| {
                let left = crate::object::remaining(&p);
                let more = match shape {
                    Shape::Table | Shape::TableWithObjects | Shape::TableCells => each(p)?,
                    // Every item of a page is offered (the budget counts what it drops).
                    Shape::Objects => {
                        let mut more = true;
                        for item in p.items() {
                            more &= each(item)?;
                        }
                        more
                    }
                };
                if !more {
                    not_fetched += left;
                    stopped = true;
                }
                Ok(more)
            })?;
            if stopped {
                break;
            }
        }
        Ok(not_fetched)
    }

    /// Under a namespace allow-list, `get`/`describe` of Namespace objects read only the
    /// allowed ones: named ones are checked (`OutOfScope` before any request), and a list
    /// becomes the allowed names (a `Some` command to run instead). Otherwise `None`.
    pub fn namespace_reads_in_scope(&self, cmd: &Command) -> Result<Option<Command>> {
        let (Some(allowed), Op::Get | Op::Describe, Some(typed)) = (
            self.scope.namespaces_for_all(),
            cmd.op,
            cmd.resource.as_deref(),
        ) else {
            return Ok(None);
        };
        if typed == "all" {
            return Ok(None);
        }
        if typed.contains(',') {
            // Several types (`get deploy,svc`): each is read in turn, and Namespace objects
            // among them would be a list of every namespace, so they are asked on their own.
            for t in typed.split(',') {
                let res = self.client.resolve(t)?;
                if res.group.is_empty() && res.plural == "namespaces" {
                    return Err(Error::new(
                        Code::OutOfScope,
                        "under a namespace allow-list, ask for namespaces on their own (`get namespaces`), \
                         not among other types",
                    ));
                }
            }
            return Ok(None);
        }
        let res = self.client.resolve(typed)?;
        if !(res.group.is_empty() && res.plural == "namespaces") {
            return Ok(None);
        }
        if !cmd.names.is_empty() {
            cmd.names
                .iter()
                .try_for_each(|n| self.scope.check_namespace(n))?;
            return Ok(None);
        }
        let mut only = cmd.clone();
        only.names = allowed.to_vec();
        Ok(Some(only))
    }
}
