//! `get`: objects of one or more resource types as kubectl tables (server-side printing,
//! with `--show-labels`, `-L`, `--no-headers`, `--sort-by`), `-o name` lines, JSON/YAML
//! documents, or `-o custom-columns|jsonpath` (src/jsonpath.rs) — paginated, redacted, and
//! cut to the output budget. A named object that does not exist leaves the others printed
//! and fails the command with its NotFound (kubectl's partial result).
//!
//! Memory stays flat on big lists: pages of [`PAGE`] objects are fetched only until the
//! budget could be filled, and the rest is counted from `remainingItemCount`, not fetched.
//! `-o jsonpath` templates of the `{range .items[*]}…{end}` / `{.items[*].PATH}` forms run
//! per object as it is read; what must be held (`--sort-by`, other templates) stops at
//! [`held_cap`] bytes and the note says what was not read.

use std::cell::RefCell;

use serde_json::Value;

use crate::command::{Command, OutputFormat};
use crate::error::{Code, Error, Result};
use crate::jsonpath::{self, Columns, Path, Template};
use crate::kube::Resource;
use crate::output::budget::Budget;
use crate::output::table::{TableWriter, render_headless, render_table};
use crate::output::{Format, Noted, Output, doc};
use crate::redact::Redacted;

use super::engine::{Engine, Namespaces, Shape};
use crate::object::is_secret;

mod cheaper;
mod in_scope;

pub use in_scope::run_in_scope;

/// Objects per list request for tables and names (rows are small).
pub const PAGE: usize = 250;
/// The fewest bytes one object takes as a JSON/YAML document: bounds a documents page.
const MIN_DOC_BYTES: usize = 2048;

/// Objects per list request for `-o json|yaml`: no more than the budget can show, since a
/// page of full objects is held in memory while it is rendered (500 pods ≈ 10 MB).
fn doc_page(max: usize) -> usize {
    (max / MIN_DOC_BYTES + 1).clamp(10, PAGE)
}
/// Most rows counted by status past the budget (a cut table says what it left out).
const TALLY_MAX: usize = 20_000;
/// The fewest bytes a table row takes: bounds how many rows are fetched for a budget.
const MIN_ROW_BYTES: usize = 24;
/// What kubectl's `get all` lists when discovery names no `all` category.
const ALL: &[&str] = &[
    "pods",
    "services",
    "daemonsets",
    "deployments",
    "replicasets",
    "statefulsets",
    "horizontalpodautoscalers",
    "cronjobs",
    "jobs",
];
const HINT: &str = "narrow with -n, -l, --field-selector or names, or run triage";

/// Run `get`.
pub fn run(e: &Engine, cmd: &Command, max: usize) -> Result<Output> {
    let (out, missing) = read(e, cmd, max);
    with_missing(out, missing, cmd)
}

/// `get`'s answer, and the NotFound of each named object that does not exist.
fn read(e: &Engine, cmd: &Command, max: usize) -> (Result<Output>, Vec<Error>) {
    let reader = Reader {
        e,
        missing: RefCell::new(Vec::new()),
        from_all: RefCell::new(Vec::new()),
        forbidden: RefCell::new(Vec::new()),
    };
    let out = run_types(&reader, cmd, max).and_then(|o| {
        let forbidden = reader.forbidden.borrow();
        match forbidden.first() {
            // Not one type of the category could be read: that is the answer.
            Some((_, err)) if forbidden.len() >= reader.from_all.borrow().len() => Err(err.clone()),
            _ => Ok(not_read(o, &forbidden)),
        }
    });
    (out, reader.missing.into_inner())
}

/// `get all` as an identity that may not list every type of the category (the chart's
/// RBAC does not grant replicationcontrollers or custom resources): the others print, and
/// a last line names what was not read.
fn not_read(out: Output, forbidden: &[(String, Error)]) -> Output {
    if forbidden.is_empty() {
        return out;
    }
    let names: Vec<&str> = forbidden.iter().map(|(n, _)| n.as_str()).collect();
    in_scope::noted(
        out,
        &format!("kubeglass: not read (Forbidden): {}", names.join(", ")),
    )
}

/// Resolve the types (`a,b`, `all`) and print them in the asked format.
fn run_types(e: &Reader, cmd: &Command, max: usize) -> Result<Output> {
    let typed = cmd
        .resource
        .as_deref()
        .ok_or_else(|| Error::invalid("`get` needs a resource type, e.g. `get pods`"))?;
    // `get deploy,sts,ds` as kubectl: each type in turn, under one budget.
    let mut types = Vec::new();
    for t in typed.split(',') {
        if t == "all" {
            if !cmd.names.is_empty() {
                return Err(Error::invalid("`get all` takes no names"));
            }
            let all = category_all(e, cmd)?;
            e.from_all.borrow_mut().extend(all.iter().map(all_key));
            types.extend(all);
        } else {
            types.push(e.resolve(cmd, t)?);
        }
    }
    match cmd.output {
        OutputFormat::Table | OutputFormat::Wide => tables(e, cmd, &types, max),
        OutputFormat::Name => names(e, cmd, &types, max),
        OutputFormat::Json | OutputFormat::Yaml => documents(e, cmd, &types, max),
        OutputFormat::CustomColumns | OutputFormat::JsonPath => templates(e, cmd, &types, max),
    }
}

/// One table per type (blank line between), under one budget.
fn tables(e: &Reader, cmd: &Command, types: &[Resource], max: usize) -> Result<Output> {
    let mut budget = Budget::new(max);
    let mut first_nss = None;
    let mut shown = 0;
    let mut unread = Unread::default();
    for res in types {
        if unread.skip(&budget, res) {
            continue;
        }
        let nss = e.namespaces(cmd, res)?;
        let prefix = (types.len() > 1).then(|| res.type_name());
        let (w, lines, not_fetched) = table_lines(e, cmd, res, &nss, max, prefix.as_deref())?;
        first_nss.get_or_insert(nss);
        if lines.is_empty() {
            continue;
        }
        // kubectl separates the tables of several types by a blank line, unless headerless.
        if shown > 0 && !cmd.print.no_headers {
            budget.push("");
        }
        shown += 1;
        let before = budget.left_out();
        for l in &lines {
            budget.push(l);
        }
        // A cut table says what it left out by status, counted past the budget too.
        let cut_rows = budget.left_out() - before;
        let counted = w.tallied();
        match w.status_summary(cut_rows) {
            Some(s) if cut_rows + counted > 0 => budget.describe_left_out(
                counted,
                format!(
                    "{} more rows: {s}{}",
                    cut_rows + counted,
                    if not_fetched > 0 {
                        format!(" (and {not_fetched} not fetched)")
                    } else {
                        String::new()
                    }
                ),
            ),
            _ => {}
        }
        budget.skipped(not_fetched);
    }
    if shown == 0 {
        return Ok(nothing_found(first_nss));
    }
    unread.say(&mut budget);
    Ok(budget.finish(Format::Text, HINT))
}

/// The types of a several-type `get` (`get all`, `get deploy,svc`) never read because the
/// budget was spent before their turn: the cut note names them, or the answer would pass
/// for all there is of them (a `get all -A` cut inside pods says nothing of services).
#[derive(Default)]
struct Unread(Vec<String>);

impl Unread {
    /// Whether `res` is not to be read (the budget is full), noting it.
    fn skip(&mut self, budget: &Budget, res: &Resource) -> bool {
        if budget.is_full() {
            self.0.push(res.type_name());
        }
        budget.is_full()
    }

    /// Add the unread types to the cut note.
    fn say(self, budget: &mut Budget) {
        if !self.0.is_empty() {
            budget.remark(format!(
                "not read at all: {} (ask for each type on its own)",
                self.0.join(", ")
            ));
        }
    }
}

/// The types of kubectl's `all` category from discovery (built-in workloads and custom
/// resources that declare it), in kubectl's order: discovery's (groups as the server lists
/// them, each group's preferred version first: `jobs` before `cronjobs` on 1.20).
fn category_all(e: &Engine, cmd: &Command) -> Result<Vec<Resource>> {
    // Refuses an out-of-scope namespace before discovery runs.
    e.resolve(cmd, "pods")?;
    let all: Vec<Resource> = e
        .api_resources()?
        .into_iter()
        .filter(|r| r.categories.iter().any(|c| c == "all"))
        .collect();
    if all.is_empty() {
        return ALL.iter().map(|a| e.resolve(cmd, a)).collect();
    }
    Ok(all)
}

/// The engine, keeping the NotFound of each named object that does not exist instead of
/// failing on it (kubectl's partial result).
struct Reader<'a> {
    e: &'a Engine,
    missing: RefCell<Vec<Error>>,
    /// The types `get all` brought in (`plural.group`): one the identity may not list is
    /// skipped and named in `forbidden`, as kubectl goes on with the others.
    from_all: RefCell<Vec<String>>,
    forbidden: RefCell<Vec<(String, Error)>>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        self.e
    }
}

impl Reader<'_> {
    /// [`Engine::walk`], missing named objects kept aside.
    fn walk(
        &self,
        cmd: &Command,
        res: &Resource,
        nss: &Namespaces,
        shape: Shape,
        page: usize,
        each: impl FnMut(Redacted<Value>) -> Result<bool>,
    ) -> Result<usize> {
        let mut missing = self.missing.borrow_mut();
        let walked =
            self.e
                .walk_keeping_missing(cmd, res, nss, shape, page, Some(&mut missing), each);
        match walked {
            Err(err)
                if err.code == Code::Forbidden
                    && self.from_all.borrow().contains(&all_key(res)) =>
            {
                self.forbidden.borrow_mut().push((res.type_name(), err));
                Ok(0)
            }
            other => other,
        }
    }
}

/// How `get all`'s types are told apart.
fn all_key(res: &Resource) -> String {
    format!("{}.{}", res.plural, res.group)
}

/// The answer when some named objects do not exist: their NotFound, with what was found as
/// the partial result (none when nothing was).
fn with_missing(out: Result<Output>, missing: Vec<Error>, cmd: &Command) -> Result<Output> {
    let Some(first) = missing.first() else {
        return out;
    };
    let mut err = first.clone();
    if missing.len() > 1 {
        let all: Vec<&str> = missing.iter().map(|m| m.message.as_str()).collect();
        err.message = all.join("; ");
    }
    if missing.len() >= cmd.names.len() * type_count(cmd) {
        return Err(err);
    }
    Err(err.with_partial(out?.text))
}

/// How many types the command names (`get deploy,sts` is 2).
fn type_count(cmd: &Command) -> usize {
    cmd.resource.as_deref().map_or(1, |r| r.split(',').count())
}

/// kubectl's "No resources found in shop namespace." for an empty result: a note, which
/// kubectl too writes on stderr.
fn nothing_found(nss: Option<Namespaces>) -> Output {
    let phrase = nss.map_or_else(|| "No resources found".into(), |n| n.empty_phrase());
    let mut out = Noted::default();
    out.note(&phrase);
    out.into_output(Format::Text, false)
}

/// The table of one type (its writer, for the status of what a cut leaves out), its
/// rendered lines, and how many objects were left unfetched. Past the rows a budget can
/// show, pages are still read — up to [`TALLY_MAX`] rows — but only counted by status.
fn table_lines(
    e: &Reader,
    cmd: &Command,
    res: &Resource,
    nss: &Namespaces,
    max: usize,
    name_prefix: Option<&str>,
) -> Result<(TableWriter, Vec<String>, usize)> {
    let wide = cmd.output == OutputFormat::Wide;
    let mut w = TableWriter::new(wide, nss.is_many())
        .with_labels(&cmd.print.label_columns, cmd.print.show_labels);
    if let Some(p) = name_prefix {
        w = w.with_name_prefix(p);
    }
    // `--sort-by` sorts every row (up to TALLY_MAX) by a field of the whole object, as
    // kubectl does (it asks for includeObject=Object too).
    let sort = sort_path(cmd)?;
    let sorting = sort.is_some();
    let shape = match sort {
        Some(p) => {
            w = w.with_sort(p);
            Shape::TableWithObjects
        }
        // A Secret's table needs no object unless a column comes from its metadata: then
        // the row carries that metadata, never the data (the engine and client see to it).
        None if is_secret(res) && !nss.is_many() && no_label_columns(cmd) => Shape::TableCells,
        None => Shape::Table,
    };
    let max_rows = if sorting {
        TALLY_MAX
    } else {
        max / MIN_ROW_BYTES + 1
    };
    let not_fetched = e.walk(cmd, res, nss, shape, PAGE, |table| {
        if w.len() < max_rows {
            w.add_page(&table)?;
        } else if !sorting {
            w.tally_page(&table);
        }
        Ok(w.len() < max_rows || (!sorting && w.has_status() && w.tallied() < TALLY_MAX))
    })?;
    w.sort();
    let lines = if cmd.print.no_headers {
        w.render_headless()
    } else {
        w.render()
    };
    Ok((w, lines, not_fetched))
}

/// Whether no column comes from labels (`-L`, `--show-labels`).
fn no_label_columns(cmd: &Command) -> bool {
    cmd.print.label_columns.is_empty() && !cmd.print.show_labels
}

/// A listed object with its `kind`/`apiVersion` filled in (list items carry neither).
fn typed(obj: Redacted<Value>, res: &Resource) -> Redacted<Value> {
    obj.with_type(&res.api_version(), &res.kind)
}

/// The `--sort-by` path, if any.
fn sort_path(cmd: &Command) -> Result<Option<Path>> {
    cmd.print
        .sort_by
        .as_deref()
        .map(jsonpath::relaxed)
        .transpose()
}

/// Whole objects per list request when each becomes a row (a page of them is held while it
/// is read: 100 pods ≈ a few MB).
const OBJECT_PAGE: usize = 100;

/// Most objects `-o jsonpath` holds at once: a template may span the whole list, so every
/// object is kept until it is applied.
const MAX_HELD: usize = 5000;

/// Most bytes (as [`HeldBytes`] estimates them) held for `--sort-by` or a template over the
/// whole list: 8 × the output budget, at least 4 MiB. Issue 18 promises ≤ 32 MiB RSS for
/// any command at any cluster size with the default 256 KiB budget; 4 MiB held plus a page
/// and the rest of the process stays well under it, and is still many times what the
/// budget can show. Sorted documents are held as their text (exact size), per-item
/// templates as their text per object, other templates as parsed objects (estimated with
/// the B-tree overhead, [`value_bytes`]; ≈ 400 testbed pods). Peak RSS measured with a
/// release build, `get pods -A` over the testbed's ≈ 3,000 pods (before → after):
/// - `-o jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}`: 68 MB → 7 MB (streamed)
/// - `-o jsonpath={range .items[*]}{.metadata}{"\n"}{end}`: 68 MB → 7 MB (streamed)
/// - `--sort-by=.metadata.name -o jsonpath=` (same template): 68 MB → 7.6 MB (texts held)
/// - `--sort-by=.metadata.name -o json`: 38 MB → 11 MB; `-o yaml`: 38 MB → 14 MB
/// - `-o jsonpath={.items[0].metadata.name}`: 68 MB → 14 MB (objects held, cut at the cap)
///
/// At 10,000 pods the streamed forms stay at one page and the held ones at the cap.
fn held_cap(max: usize) -> usize {
    max.saturating_mul(8).max(4 << 20)
}

/// Roughly the heap bytes a held row takes, to stop holding before memory grows with the
/// cluster.
trait HeldBytes {
    /// The estimate, in bytes.
    fn held_bytes(&self) -> usize;
}

impl HeldBytes for String {
    fn held_bytes(&self) -> usize {
        self.len() + std::mem::size_of::<String>()
    }
}

impl HeldBytes for Option<String> {
    fn held_bytes(&self) -> usize {
        self.as_ref().map_or(0, HeldBytes::held_bytes)
    }
}

impl HeldBytes for Vec<String> {
    fn held_bytes(&self) -> usize {
        self.iter().map(HeldBytes::held_bytes).sum()
    }
}

impl HeldBytes for Redacted<Value> {
    fn held_bytes(&self) -> usize {
        value_bytes(self.value())
    }
}

/// The memory a parsed JSON value takes, roughly: its 32-byte node, heap blocks of strings
/// and arrays, and a B-tree node (≈ 640 bytes) per 8 entries of each map, which is most of
/// it (Kubernetes objects are many small maps). A testbed pod of 1 kB of JSON text is
/// ≈ 10 kB here, and ≈ 19 kB of RSS once held.
fn value_bytes(v: &Value) -> usize {
    std::mem::size_of::<Value>() + value_heap(v)
}

/// The heap blocks below a JSON value ([`value_bytes`]).
fn value_heap(v: &Value) -> usize {
    const MAP_NODE: usize = 640;
    match v {
        Value::String(s) => heap_block(s.len()),
        Value::Array(a) => {
            heap_block(a.len() * std::mem::size_of::<Value>())
                + a.iter().map(value_heap).sum::<usize>()
        }
        Value::Object(m) => {
            m.len().div_ceil(8) * MAP_NODE
                + m.iter()
                    .map(|(k, v)| heap_block(k.len()) + value_heap(v))
                    .sum::<usize>()
        }
        _ => 0,
    }
}

/// What an allocation of `n` bytes takes from the allocator (none for an empty one).
fn heap_block(n: usize) -> usize {
    match n {
        0 => 0,
        n => (n + 8).next_multiple_of(16),
    }
}

/// What [`rows_of`] read: the rows, and how many objects it did not read.
struct Held<T> {
    rows: Vec<T>,
    not_read: usize,
}

impl<T> Held<T> {
    /// Count what was not read into the budget's note; a sort over a cut set says its
    /// order covers only the objects read.
    fn say_left_out(&self, budget: &mut Budget, cmd: &Command) {
        budget.skipped(self.not_read);
        if self.not_read > 0 && cmd.print.sort_by.is_some() {
            budget.remark(format!(
                "--sort-by ordered only the {} objects read",
                self.rows.len()
            ));
        }
    }
}

/// What each object of every type (whole; Secrets as metadata; its kind filled in) becomes
/// through `row`, up to `most` rows and [`held_cap`] bytes, in `--sort-by` order if given
/// (the key is taken before the object is dropped, so rows stay small).
fn rows_of<T: HeldBytes>(
    e: &Reader,
    cmd: &Command,
    types: &[Resource],
    (most, max): (usize, usize),
    mut row: impl FnMut(&Resource, Redacted<Value>) -> T,
) -> Result<Held<T>> {
    let sort = sort_path(cmd)?;
    let cap = held_cap(max);
    let mut keyed: Vec<(Option<Value>, T)> = Vec::new();
    let mut held = 0;
    let mut not_read = 0;
    for res in types {
        let nss = e.namespaces(cmd, res)?;
        not_read += e.walk(cmd, res, &nss, Shape::Objects, OBJECT_PAGE, |obj| {
            if keyed.len() >= most || held >= cap {
                not_read += 1;
                return Ok(false);
            }
            let obj = typed(obj, res);
            let key = sort
                .as_ref()
                .and_then(|p| p.find(&obj).first().map(|v| (*v).clone()));
            let r = row(res, obj);
            held += r.held_bytes() + key.as_ref().map_or(0, value_bytes);
            keyed.push((key, r));
            Ok(true)
        })?;
    }
    if sort.is_some() {
        keyed.sort_by(|a, b| jsonpath::sort_order(a.0.as_ref(), b.0.as_ref()));
    }
    Ok(Held {
        rows: keyed.into_iter().map(|(_, r)| r).collect(),
        not_read,
    })
}

/// `-o custom-columns=…` (one table, kubectl's alignment) and `-o jsonpath=…` (over the one
/// object asked for by name, else a `List`), computed on redacted objects only.
fn templates(e: &Reader, cmd: &Command, types: &[Resource], max: usize) -> Result<Output> {
    let spec = cmd.print.template.as_deref().unwrap_or_default();
    let first_nss = e.namespaces(cmd, &types[0])?;
    let single = types.len() == 1 && cmd.names.len() == 1 && !first_nss.is_many();
    let mut budget = Budget::new(max);
    if cmd.output == OutputFormat::CustomColumns {
        // kubectl prints the header even when nothing matched.
        let cols = Columns::parse(spec)?;
        let held = rows_of(e, cmd, types, (TALLY_MAX, max), |_, obj| cols.cells(&obj))?;
        let lines = if cmd.print.no_headers {
            render_headless(cols.headers().len(), &held.rows)
        } else {
            render_table(&cols.headers(), &held.rows)
        };
        for l in &lines {
            budget.push(l);
        }
        held.say_left_out(&mut budget, cmd);
        return Ok(budget.finish(Format::Text, HINT));
    }
    let template = Template::parse(spec)?;
    let stopped = match template.per_item() {
        Some(each) if !single && cmd.print.sort_by.is_none() => {
            stream_template(e, cmd, types, each, &mut budget)?
        }
        Some(each) if !single => sorted_template(e, cmd, types, each, &mut budget)?,
        _ => whole_template(e, cmd, types, &template, single, &mut budget)?,
    };
    if stopped {
        // Stopped by work, not by size: say so rather than look complete.
        budget.describe_left_out(
            1,
            format!("the template stopped after {} steps", jsonpath::MAX_STEPS),
        );
    }
    Ok(budget.finish(Format::Text, HINT))
}

/// `-o jsonpath` over the whole `List` (or the one object named): every object is held, up
/// to [`held_cap`]. True when the template stopped by work before the budget was full.
fn whole_template(
    e: &Reader,
    cmd: &Command,
    types: &[Resource],
    template: &Template,
    single: bool,
    budget: &mut Budget,
) -> Result<bool> {
    let max = budget.max_bytes();
    let mut held = rows_of(e, cmd, types, (MAX_HELD, max), |_, obj| obj)?;
    let data = match (single, held.rows.len()) {
        (true, 1) => held
            .rows
            .pop()
            .unwrap_or_else(|| crate::redact::list(Vec::new())),
        _ => crate::redact::list(std::mem::take(&mut held.rows)),
    };
    let (text, stopped) = template.render(&data, max.saturating_add(1));
    drop(data);
    for l in text.lines() {
        budget.push(l);
    }
    budget.skipped(held.not_read);
    if held.not_read > 0 {
        budget.remark("the template saw only the objects read".into());
    }
    Ok(stopped && text.len() <= max)
}

/// `-o jsonpath` whose template runs per item ([`Template::per_item`]): each object is
/// rendered as the walk reads it and then dropped, and the walk stops once the budget is
/// full, so memory stays one page whatever the list size. True when the template stopped
/// by work.
fn stream_template(
    e: &Reader,
    cmd: &Command,
    types: &[Resource],
    mut each: jsonpath::PerItem,
    budget: &mut Budget,
) -> Result<bool> {
    let mut lines = Lines::new(each.head());
    let mut stopped = false;
    for res in types {
        if stopped {
            break;
        }
        let nss = e.namespaces(cmd, res)?;
        let not_fetched = e.walk(cmd, res, &nss, Shape::Objects, OBJECT_PAGE, |obj| {
            if stopped {
                return Ok(false);
            }
            let obj = typed(obj, res);
            stopped = !each.item(&obj, &mut lines.0);
            lines.flush(budget);
            Ok(!stopped && !budget.is_full())
        })?;
        budget.skipped(not_fetched);
    }
    lines.finish(&each.tail(), budget);
    Ok(stopped && !budget.is_full())
}

/// `-o jsonpath` whose template runs per item, with `--sort-by`: each object's text is
/// held with its sort key instead of the object (names: a few bytes, not ≈ 20 kB), then
/// joined in order. True when the template stopped by work.
fn sorted_template(
    e: &Reader,
    cmd: &Command,
    types: &[Resource],
    mut each: jsonpath::PerItem,
    budget: &mut Budget,
) -> Result<bool> {
    let max = budget.max_bytes();
    let mut stopped = false;
    let held = rows_of(e, cmd, types, (TALLY_MAX, max), |_, obj| {
        let (piece, done) = each.piece(&obj);
        stopped |= !done;
        piece
    })?;
    let mut lines = Lines::new(each.head());
    for (i, piece) in held.rows.iter().flatten().enumerate() {
        if i > 0 {
            lines.0.push_str(each.separator());
        }
        lines.0.push_str(piece);
        lines.flush(budget);
    }
    lines.finish(&each.tail(), budget);
    held.say_left_out(budget, cmd);
    Ok(stopped && !budget.is_full())
}

/// Template text on its way into the budget: whole lines go in as they are completed (cut
/// as `str::lines` cuts the whole text), the unfinished last one waits here.
struct Lines(String, LineState);

/// Whether the unfinished line was already counted as left out (too long to show).
#[derive(PartialEq)]
enum LineState {
    Open,
    Counted,
}

impl Lines {
    /// Lines starting with `text`.
    fn new(text: String) -> Lines {
        Lines(text, LineState::Open)
    }

    /// Push the completed lines; a line already longer than the budget can never be shown,
    /// so it is pushed (counted as left out) rather than held, and the rest of it dropped.
    fn flush(&mut self, budget: &mut Budget) {
        if self.1 == LineState::Counted {
            match self.0.find('\n') {
                Some(end) => {
                    self.0.drain(..=end);
                    self.1 = LineState::Open;
                }
                None => return self.0.clear(),
            }
        }
        if let Some(end) = self.0.rfind('\n') {
            for l in self.0[..=end].lines() {
                budget.push(l);
            }
            self.0.drain(..=end);
        }
        if self.0.len() > budget.max_bytes() {
            budget.push(&self.0);
            self.0.clear();
            self.1 = LineState::Counted;
        }
    }

    /// Add the `tail` text and push what is left.
    fn finish(mut self, tail: &str, budget: &mut Budget) {
        self.0.push_str(tail);
        self.flush(budget);
        if !self.0.is_empty() {
            budget.push(&self.0);
        }
    }
}

/// Call `each` for every object's metadata (named or listed), fetching no more than a budget
/// of `max` bytes can show; returns how many were left unfetched.
fn each_metadata(
    e: &Reader,
    cmd: &Command,
    res: &Resource,
    nss: &Namespaces,
    max: usize,
    mut each: impl FnMut(&Value),
) -> Result<usize> {
    let max_items = max / MIN_ROW_BYTES + 1;
    let mut seen = 0;
    e.walk(cmd, res, nss, Shape::Objects, PAGE, |item| {
        each(&item);
        seen += 1;
        Ok(seen < max_items)
    })
}

/// `-o name`: `deployment.apps/web` lines, from metadata only.
fn names(e: &Reader, cmd: &Command, types: &[Resource], max: usize) -> Result<Output> {
    let mut budget = Budget::new(max);
    if cmd.print.sort_by.is_some() {
        // kubectl sorts the names of every type as one list.
        let held = rows_of(e, cmd, types, (TALLY_MAX, max), |res, obj| {
            let name = obj.pointer("/metadata/name").and_then(Value::as_str);
            format!("{}/{}", res.type_name(), name.unwrap_or(""))
        })?;
        if held.rows.is_empty() {
            return Ok(nothing_found(Some(e.namespaces(cmd, &types[0])?)));
        }
        for l in &held.rows {
            budget.push(l);
        }
        held.say_left_out(&mut budget, cmd);
        return Ok(budget.finish(Format::Text, HINT));
    }
    let mut any = false;
    let mut first_nss = None;
    let mut unread = Unread::default();
    for res in types {
        if unread.skip(&budget, res) {
            continue;
        }
        let nss = e.namespaces(cmd, res)?;
        let prefix = res.type_name();
        let not_fetched = each_metadata(e, cmd, res, &nss, max, |item| {
            let name = item.pointer("/metadata/name").and_then(Value::as_str);
            budget.push(&format!("{prefix}/{}", name.unwrap_or("")));
            any = true;
        })?;
        budget.skipped(not_fetched);
        first_nss.get_or_insert(nss);
    }
    if !any {
        return Ok(nothing_found(first_nss));
    }
    unread.say(&mut budget);
    Ok(budget.finish(Format::Text, HINT))
}

/// `-o json|yaml`: one object as it is, several (of one or more types) as one kubectl
/// `List` document; Secrets as their metadata only.
fn documents(e: &Reader, cmd: &Command, types: &[Resource], max: usize) -> Result<Output> {
    let yaml = cmd.output == OutputFormat::Yaml;
    let first_nss = e.namespaces(cmd, &types[0])?;
    let single = types.len() == 1 && cmd.names.len() == 1 && !first_nss.is_many();
    let format = if yaml { Format::Yaml } else { Format::Json };
    let yaml_list = yaml && !single;
    let mut budget = match (yaml_list, yaml || single) {
        // Room for the List's closing lines, added after the items.
        (true, _) => Budget::new(max.saturating_sub(YAML_LIST_TAIL.len()).max(1)),
        (false, true) => Budget::new(max),
        (false, false) => Budget::json_list(max),
    };
    if yaml_list {
        budget.push("apiVersion: v1");
    }
    let (mut count, mut shown, mut not_read) = (0, 0, 0);
    let mut cheaper = cheaper::Cheaper::default();
    let render = |obj: &Redacted<Value>| match (yaml, single) {
        (true, true) => doc::to_yaml(obj),
        (true, false) => yaml_list_item(&doc::to_yaml(obj)),
        (false, _) => doc::to_json(obj).trim_end().to_string(),
    };
    // The first item of a YAML List comes after its `items:` key.
    let push = |budget: &mut Budget, doc: &str, count: usize| match count {
        0 if yaml_list => budget.push(&format!("items:\n{doc}")),
        _ => budget.push(doc),
    };
    if cmd.print.sort_by.is_some() {
        // Sorted: every object is needed first; each is held as its rendered text (a
        // third of the parsed object's size), up to held_cap bytes.
        let held = rows_of(e, cmd, types, (MAX_HELD, max), |_, obj| render(&obj))?;
        for doc in &held.rows {
            cheaper.see(doc.len(), 0);
            shown += usize::from(push(&mut budget, doc, count));
            count += 1;
        }
        held.say_left_out(&mut budget, cmd);
        not_read += held.not_read;
    }
    let mut unread = Unread::default();
    for res in types.iter().filter(|_| cmd.print.sort_by.is_none()) {
        if unread.skip(&budget, res) {
            continue;
        }
        let nss = e.namespaces(cmd, res)?;
        let not_fetched = e.walk(cmd, res, &nss, Shape::Objects, doc_page(max), |obj| {
            let obj = typed(obj, res);
            let (doc, name) = (
                render(&obj),
                obj.pointer("/metadata/name").and_then(Value::as_str),
            );
            cheaper.see(
                doc.len(),
                res.type_name().len() + 1 + name.map_or(0, str::len),
            );
            shown += usize::from(push(&mut budget, &doc, count));
            count += 1;
            Ok(!budget.is_full())
        })?;
        budget.skipped(not_fetched);
        not_read += not_fetched;
    }
    let as_format = if yaml { "YAML" } else { "JSON" };
    if let Some(r) = cheaper.remark(shown, count + not_read, max, as_format) {
        budget.remark(r);
    }
    if count == 0 && !yaml && single {
        return Err(Error::internal("the API returned no object"));
    }
    if yaml_list && count == 0 {
        budget.push("items: []");
    }
    unread.say(&mut budget);
    let mut out = budget.finish(format, HINT);
    if yaml_list {
        // The closing goes before the cut note (a comment), so the List stays whole.
        let note_at = match out.notes.last() {
            Some(cut) if out.truncated => cut.start,
            _ => out.text.len(),
        };
        out.text.insert_str(note_at, YAML_LIST_TAIL);
        for span in out.notes.iter_mut().filter(|r| r.start >= note_at) {
            *span = span.start + YAML_LIST_TAIL.len()..span.end + YAML_LIST_TAIL.len();
        }
    }
    Ok(out)
}

/// The end of a kubectl `-o yaml` List.
const YAML_LIST_TAIL: &str = "kind: List\nmetadata:\n  resourceVersion: \"\"\n";

/// One object's YAML as an item of the List's `items:`.
fn yaml_list_item(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + 64);
    for (i, line) in doc.lines().enumerate() {
        out.push_str(match (i, line.is_empty()) {
            (0, _) => "- ",
            (_, true) => "",
            _ => "  ",
        });
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
