//! kubectl's JSONPath subset, for `-o jsonpath=`, `-o custom-columns=` and `--sort-by`.
//!
//! Templates are literal text and `{…}` actions: a path (`{.items[*].metadata.name}`), a
//! string (`{"\n"}`), `{range PATH}…{end}`. Paths take `$`, `@`, `.field` (`\.` escapes a dot
//! in a key), `..field`, `*`, `[N]`, `[a:b]`, `[a,b]`, `['key']` and filters
//! `[?(@.x=="y")]` (`==`, `!=`, `<`, `<=`, `>`, `>=`, or a bare path for "exists"). Anything
//! else is `InvalidCommand` naming the construct. Missing keys give nothing, as with
//! kubectl's default `--allow-missing-template-keys`.
//!
//! Evaluation takes [`Redacted`] values only: a template can read nothing the redactor has
//! not seen, and Secrets reach it as metadata alone.

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::redact::Redacted;

mod columns;
#[cfg(test)]
mod tests;

use columns::go_number;
pub use columns::{Columns, sort_order};

/// A parsed `-o jsonpath=` template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Path(Path),
    Range(Path, Vec<Part>),
}

/// One path expression (`.items[*].metadata.name`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Root,
    /// `.name` / `.*` (`None`).
    Child(Option<String>),
    /// `..name` / `..*` (`None`).
    Descend(Option<String>),
    Indexes(Vec<Sel>),
    Keys(Vec<String>),
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
enum Sel {
    One(i64),
    Slice(Option<i64>, Option<i64>, i64),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Path,
    test: Option<(Cmp, Operand)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Path),
    Str(String),
    Num(f64),
    Bool(bool),
}

fn bad(what: &str, src: &str) -> Error {
    Error::invalid(format!(
        "jsonpath {src:?}: {what} is not supported (kubeglass takes .field, [N], [*], [a:b], \
         ['key'], ..field, [?(@.x==\"y\")], {{range …}}{{end}} and {{\"text\"}})"
    ))
}

impl Template {
    /// Parse a `-o jsonpath=` template (text with `{…}` actions).
    pub fn parse(src: &str) -> Result<Template> {
        let mut stack: Vec<(Path, Vec<Part>)> = Vec::new();
        let mut parts = Vec::new();
        let mut rest = src;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            if after.starts_with('{') {
                return Err(bad("go-template syntax `{{…}}`", src));
            }
            let end = action_end(after).ok_or_else(|| bad("an unclosed `{`", src))?;
            let action = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(expr) = action.strip_prefix("range ") {
                if stack.len() >= MAX_DEPTH {
                    return Err(bad(&format!("more than {MAX_DEPTH} nested ranges"), src));
                }
                stack.push((parse_path(expr.trim(), src)?, std::mem::take(&mut parts)));
            } else if action == "end" {
                let (path, outer) = stack
                    .pop()
                    .ok_or_else(|| bad("`{end}` without range", src))?;
                let body = std::mem::replace(&mut parts, outer);
                parts.push(Part::Range(path, body));
            } else if let Some(text) = quoted(action) {
                parts.push(Part::Text(unescape(text)));
            } else {
                parts.push(Part::Path(parse_path(action, src)?));
            }
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if !stack.is_empty() {
            return Err(bad("`{range}` without `{end}`", src));
        }
        Ok(Template { parts })
    }

    /// The template applied to a redacted value, as kubectl prints it: several results of
    /// one action separated by a space, lists and maps as compact JSON. It stops once the
    /// text passes `max_bytes` or after [`MAX_STEPS`] steps (a template such as
    /// `{range ..*}{range ..*}…` must not run away); the flag says it stopped early.
    pub fn render(&self, data: &Redacted<Value>, max_bytes: usize) -> (String, bool) {
        let mut r = Render {
            out: String::new(),
            steps: 0,
            max_bytes,
        };
        let done = r.parts(&self.parts, data.value(), data.value());
        (r.out, !done)
    }
}

impl Template {
    /// The template as one pass over a list's items, when it is `{range .items[*]}…{end}`
    /// or `{.items[*].PATH}` (literal text around either) and nothing in it reads the root
    /// (`$`): then each object can be rendered as it is read and dropped, and the texts
    /// joined give exactly what [`Template::render`] gives on the whole `List`.
    pub fn per_item(&self) -> Option<PerItem<'_>> {
        let texts = |ps: &[Part]| ps.iter().all(|p| matches!(p, Part::Text(_)));
        let at = self
            .parts
            .iter()
            .position(|p| !matches!(p, Part::Text(_)))?;
        let (before, rest) = self.parts.split_at(at);
        let (middle, after) = rest.split_first()?;
        if !texts(before) || !texts(after) {
            return None;
        }
        let each = match middle {
            Part::Range(p, body) if p.is_items() && !body.iter().any(Part::reads_root) => {
                Each::Range(body)
            }
            Part::Path(p) => Each::Path(p.after_items().filter(|r| !r.reads_root())?),
            _ => return None,
        };
        Some(PerItem {
            before,
            each,
            after,
            steps: 0,
            any: false,
        })
    }
}

/// A template applied one list item at a time ([`Template::per_item`]).
pub struct PerItem<'t> {
    before: &'t [Part],
    each: Each<'t>,
    after: &'t [Part],
    steps: usize,
    /// Whether a `{.items[*].PATH}` result was written (the next one needs a space).
    any: bool,
}

enum Each<'t> {
    Range(&'t [Part]),
    Path(Path),
}

impl PerItem<'_> {
    /// The literal text before the items.
    pub fn head(&self) -> String {
        literal(self.before)
    }

    /// The literal text after the items.
    pub fn tail(&self) -> String {
        literal(self.after)
    }

    /// Append what one item gives to `out`; false once [`MAX_STEPS`] steps are spent
    /// over all items (as [`Template::render`] stops).
    pub fn item(&mut self, obj: &Redacted<Value>, out: &mut String) -> bool {
        let v = obj.value();
        let mut r = Render {
            out: std::mem::take(out),
            steps: self.steps + 1,
            max_bytes: usize::MAX,
        };
        let done = match &self.each {
            Each::Range(body) => r.parts(body, v, v),
            Each::Path(p) => {
                let found = p.eval(v, v);
                r.steps += found.len();
                for f in found {
                    if std::mem::replace(&mut self.any, true) {
                        r.out.push(' ');
                    }
                    r.out.push_str(&text_of(f));
                }
                r.steps <= MAX_STEPS
            }
        };
        self.steps = r.steps;
        *out = r.out;
        done
    }
}

impl PerItem<'_> {
    /// What one item gives on its own, for a caller that reorders items (`--sort-by`):
    /// `None` when a `{.items[*].PATH}` finds nothing in it; and false once [`MAX_STEPS`]
    /// are spent. Pieces in any order, joined by [`PerItem::separator`] between head and
    /// tail, are the template over the list in that order.
    pub fn piece(&mut self, obj: &Redacted<Value>) -> (Option<String>, bool) {
        let mut out = String::new();
        self.any = false;
        let done = self.item(obj, &mut out);
        let found = self.any || matches!(self.each, Each::Range(_));
        (found.then_some(out), done)
    }

    /// What goes between two pieces: a space between `{.items[*].PATH}` results.
    pub fn separator(&self) -> &'static str {
        match self.each {
            Each::Path(_) => " ",
            Each::Range(_) => "",
        }
    }
}

/// The text of literal parts.
fn literal(parts: &[Part]) -> String {
    parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

impl Part {
    /// Whether the part reads the root (`$`) anywhere, itself or in a filter.
    fn reads_root(&self) -> bool {
        match self {
            Part::Text(_) => false,
            Part::Path(p) => p.reads_root(),
            Part::Range(p, body) => p.reads_root() || body.iter().any(Part::reads_root),
        }
    }
}

/// Most values and parts one template evaluation visits.
pub const MAX_STEPS: usize = 1_000_000;

/// Deepest nesting of `{range}` or of brackets a template or path may have.
const MAX_DEPTH: usize = 16;

struct Render {
    out: String,
    steps: usize,
    max_bytes: usize,
}

impl Render {
    /// Render `parts` at `cur`; false once a limit is reached.
    fn parts(&mut self, parts: &[Part], root: &Value, cur: &Value) -> bool {
        for part in parts {
            self.steps += 1;
            if self.steps > MAX_STEPS || self.out.len() > self.max_bytes {
                return false;
            }
            match part {
                Part::Text(t) => self.out.push_str(t),
                Part::Path(p) => {
                    let found = p.eval(root, cur);
                    self.steps += found.len();
                    let texts: Vec<String> = found.into_iter().map(text_of).collect();
                    self.out.push_str(&texts.join(" "));
                }
                Part::Range(p, body) => {
                    let found = p.eval(root, cur);
                    // Finding the values is work too (`..*` visits every node).
                    self.steps += found.len();
                    for v in found {
                        if !self.parts(body, root, v) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }
}

/// Index of the `}` closing an action (quotes may hold braces).
fn action_end(s: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '}') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// The inside of `"…"` or `'…'`, if `s` is one quoted string.
fn quoted(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = s.strip_prefix(q)?.strip_suffix(q)?;
    (s.len() >= 2).then_some(inner)
}

/// Go string escapes (`\n`, `\t`, `\\`, `\"`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A path as kubectl's `--sort-by` and custom-columns take it: `.a.b`, `a.b` or `{.a.b}`.
pub fn relaxed(expr: &str) -> Result<Path> {
    let inner = match expr.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
        Some(inner) => inner,
        None => expr,
    };
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err(Error::invalid(format!(
            "{expr:?} is not a field path; expected .name1.name2 or {{.name1.name2}}"
        )));
    }
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    parse_path(&format!(".{inner}"), expr)
}

/// Characters that end a field name.
fn ends_name(c: char) -> bool {
    c.is_whitespace() || ".[](){},=!<>'\"@$".contains(c)
}

fn parse_path(s: &str, src: &str) -> Result<Path> {
    let deepest = s
        .chars()
        .scan(0i64, |d, c| {
            *d += match c {
                '[' | '(' => 1,
                ']' | ')' => -1,
                _ => 0,
            };
            Some(*d)
        })
        .max()
        .unwrap_or(0);
    if deepest > 2 * MAX_DEPTH as i64 {
        return Err(bad(
            &format!("brackets nested deeper than {MAX_DEPTH}"),
            src,
        ));
    }
    let chars: Vec<char> = s.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '$' => {
                steps.push(Step::Root);
                i += 1;
            }
            '@' => i += 1,
            '.' if chars.get(i + 1) == Some(&'.') => {
                let (name, next) = read_name(&chars, i + 2, src)?;
                steps.push(Step::Descend(name));
                i = next;
            }
            '.' if i + 1 == chars.len() || chars[i + 1] == '[' => i += 1,
            '.' => {
                let (name, next) = read_name(&chars, i + 1, src)?;
                steps.push(Step::Child(name));
                i = next;
            }
            '[' => {
                let close = bracket_end(&chars, i).ok_or_else(|| bad("an unclosed `[`", src))?;
                let inner: String = chars[i + 1..close].iter().collect();
                steps.push(parse_bracket(inner.trim(), src)?);
                i = close + 1;
            }
            c if i == 0 && !ends_name(c) => {
                let (name, next) = read_name(&chars, i, src)?;
                steps.push(Step::Child(name));
                i = next;
            }
            _ => {
                let rest: String = chars[i..].iter().collect();
                return Err(bad(&format!("`{rest}`"), src));
            }
        }
    }
    Ok(Path { steps })
}

/// A field name from `start` (`*` is any), `\x` taking `x` literally.
fn read_name(chars: &[char], start: usize, src: &str) -> Result<(Option<String>, usize)> {
    if chars.get(start) == Some(&'*') {
        return Ok((None, start + 1));
    }
    let mut name = String::new();
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                name.push(chars[i + 1]);
                i += 2;
            }
            c if ends_name(c) => break,
            c => {
                name.push(c);
                i += 1;
            }
        }
    }
    if name.is_empty() {
        let rest: String = chars[start.saturating_sub(1)..].iter().collect();
        return Err(bad(&format!("`{rest}`"), src));
    }
    Ok((Some(name), i))
}

/// Index of the `]` closing the `[` at `open` (quotes and parentheses may hold brackets).
fn bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut quote = None;
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate().skip(open + 1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ']') if depth == 0 => return Some(i),
            (None, ']') => depth -= 1,
            _ => {}
        }
    }
    None
}

fn parse_bracket(inner: &str, src: &str) -> Result<Step> {
    if inner == "*" {
        return Ok(Step::Child(None));
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return Ok(Step::Filter(Box::new(parse_filter(f.trim(), src)?)));
    }
    if inner.starts_with(['\'', '"']) {
        let keys = inner
            .split(',')
            .map(|k| quoted(k.trim()).map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad(&format!("`[{inner}]`"), src))?;
        return Ok(Step::Keys(keys));
    }
    let sel = |part: &str| -> Option<Sel> {
        let part = part.trim();
        if !part.contains(':') {
            return part.parse().ok().map(Sel::One);
        }
        let mut it = part.split(':');
        let num = |s: Option<&str>| -> Option<Option<i64>> {
            match s.map(str::trim) {
                None | Some("") => Some(None),
                Some(n) => n.parse().ok().map(Some),
            }
        };
        let (a, b, step) = (num(it.next())?, num(it.next())?, num(it.next())?);
        let step = step.unwrap_or(1);
        (it.next().is_none() && step > 0).then_some(Sel::Slice(a, b, step))
    };
    inner
        .split(',')
        .map(sel)
        .collect::<Option<Vec<_>>>()
        .map(Step::Indexes)
        .ok_or_else(|| bad(&format!("`[{inner}]`"), src))
}

fn parse_filter(f: &str, src: &str) -> Result<Filter> {
    const OPS: [(&str, Cmp); 6] = [
        ("==", Cmp::Eq),
        ("!=", Cmp::Ne),
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
    ];
    let found = outside_quotes(f, |rest| OPS.iter().find(|(s, _)| rest.starts_with(s)));
    let Some((at, (sym, cmp))) = found else {
        return Ok(Filter {
            left: parse_path(f, src)?,
            test: None,
        });
    };
    let left = parse_path(f[..at].trim(), src)?;
    let right = f[at + sym.len()..].trim();
    let operand = if let Some(s) = quoted(right) {
        Operand::Str(unescape(s))
    } else if let Ok(n) = right.parse::<f64>() {
        Operand::Num(n)
    } else if let Ok(b) = right.parse::<bool>() {
        Operand::Bool(b)
    } else if right.starts_with(['@', '$']) {
        Operand::Path(parse_path(right, src)?)
    } else {
        return Err(bad(&format!("the filter operand `{right}`"), src));
    };
    Ok(Filter {
        left,
        test: Some((*cmp, operand)),
    })
}

/// The first position outside quotes where `hit` finds something, and what it found.
fn outside_quotes<'a, T>(s: &'a str, hit: impl Fn(&'a str) -> Option<T>) -> Option<(usize, T)> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, _) => {
                if let Some(t) = hit(&s[i..]) {
                    return Some((i, t));
                }
            }
        }
    }
    None
}

impl Path {
    /// The steps of `.items[*]`.
    fn items_steps() -> [Step; 2] {
        [Step::Child(Some("items".into())), Step::Child(None)]
    }

    /// Whether the path is `.items[*]`.
    fn is_items(&self) -> bool {
        self.steps == Self::items_steps()
    }

    /// What follows `.items[*]` in a path that starts with it.
    fn after_items(&self) -> Option<Path> {
        let head = Self::items_steps();
        self.steps.starts_with(&head).then(|| Path {
            steps: self.steps[head.len()..].to_vec(),
        })
    }

    /// Whether the path reads the root (`$`), itself or in a filter.
    fn reads_root(&self) -> bool {
        self.steps.iter().any(|s| match s {
            Step::Root => true,
            Step::Filter(f) => {
                f.left.reads_root()
                    || matches!(&f.test, Some((_, Operand::Path(p))) if p.reads_root())
            }
            _ => false,
        })
    }
}

impl Path {
    /// Every value the path finds in a redacted value, in order.
    pub fn find<'a>(&self, data: &'a Redacted<Value>) -> Vec<&'a Value> {
        self.eval(data.value(), data.value())
    }

    /// Every value the path finds in the part of a redacted value at JSON `pointer`
    /// (`/object` of a Table row); nothing when that part is missing.
    pub fn find_at<'a>(&self, data: &'a Redacted<Value>, pointer: &str) -> Vec<&'a Value> {
        match data.value().pointer(pointer) {
            Some(v) => self.eval(v, v),
            None => Vec::new(),
        }
    }

    fn eval<'a>(&self, root: &'a Value, cur: &'a Value) -> Vec<&'a Value> {
        let mut vals = vec![cur];
        for step in &self.steps {
            let mut next = Vec::new();
            for v in vals {
                step.apply(root, v, &mut next);
            }
            vals = next;
        }
        vals
    }
}

impl Step {
    fn apply<'a>(&self, root: &'a Value, v: &'a Value, out: &mut Vec<&'a Value>) {
        match self {
            Step::Root => out.push(root),
            Step::Child(Some(name)) => out.extend(v.get(name.as_str())),
            Step::Child(None) => match v {
                Value::Object(m) => out.extend(m.values()),
                Value::Array(a) => out.extend(a.iter()),
                _ => {}
            },
            Step::Descend(name) => {
                let mut nodes = Vec::new();
                descendants(v, &mut nodes);
                for n in nodes {
                    Step::Child(name.clone()).apply(root, n, out);
                }
            }
            Step::Keys(keys) => out.extend(keys.iter().filter_map(|k| v.get(k.as_str()))),
            Step::Indexes(sels) => {
                if let Value::Array(a) = v {
                    for s in sels {
                        select(a, s, out);
                    }
                }
            }
            Step::Filter(f) => {
                if let Value::Array(a) = v {
                    out.extend(a.iter().filter(|e| f.matches(root, e)));
                }
            }
        }
    }
}

/// `v` and every container below it, depth first (kubectl's `..`).
fn descendants<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            out.push(v);
            m.values().for_each(|c| descendants(c, out));
        }
        Value::Array(a) => {
            out.push(v);
            a.iter().for_each(|c| descendants(c, out));
        }
        _ => {}
    }
}

fn select<'a>(a: &'a [Value], s: &Sel, out: &mut Vec<&'a Value>) {
    let len = a.len() as i64;
    let at = |i: i64| if i < 0 { len + i } else { i };
    match *s {
        Sel::One(i) => {
            if let Some(v) = usize::try_from(at(i)).ok().and_then(|i| a.get(i)) {
                out.push(v);
            }
        }
        Sel::Slice(from, to, step) => {
            let from = at(from.unwrap_or(0)).clamp(0, len);
            let to = at(to.unwrap_or(len)).clamp(0, len);
            let mut i = from;
            while i < to {
                out.extend(usize::try_from(i).ok().and_then(|i| a.get(i)));
                i += step;
            }
        }
    }
}

impl Filter {
    fn matches(&self, root: &Value, e: &Value) -> bool {
        let lefts = self.left.eval(root, e);
        let Some((cmp, operand)) = &self.test else {
            return !lefts.is_empty();
        };
        let Some(left) = lefts.first() else {
            return false;
        };
        let right = match operand {
            Operand::Path(p) => match p.eval(root, e).first() {
                Some(v) => (*v).clone(),
                None => return false,
            },
            Operand::Str(s) => Value::String(s.clone()),
            Operand::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Operand::Bool(b) => Value::Bool(*b),
        };
        let ord = match (left, &right) {
            (Value::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
            (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
            (Value::Bool(a), Value::Bool(b)) if matches!(cmp, Cmp::Eq | Cmp::Ne) => Some(a.cmp(b)),
            _ => None,
        };
        match (cmp, ord) {
            (Cmp::Ne, None) => true,
            (_, None) => false,
            (Cmp::Eq, Some(o)) => o == Ordering::Equal,
            (Cmp::Ne, Some(o)) => o != Ordering::Equal,
            (Cmp::Lt, Some(o)) => o == Ordering::Less,
            (Cmp::Le, Some(o)) => o != Ordering::Greater,
            (Cmp::Gt, Some(o)) => o == Ordering::Greater,
            (Cmp::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

/// A value as kubectl's jsonpath prints it: scalars plain, lists and maps as compact JSON
/// (Go's encoder: sorted keys, `<`, `>`, `&` escaped).
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::Array(_) | Value::Object(_) => v
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    }
}
