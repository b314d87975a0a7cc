//! kubectl-style tables from server-side printing (`meta.k8s.io/v1` `Table` pages).
//!
//! The API server decides the columns and cell values (`Accept: …;as=Table;…`); this module
//! only chooses columns (priority 0, or all with `-o wide`), adds `NAMESPACE` for `-A`, and
//! aligns like kubectl's tabwriter: cells padded by 3 spaces, columns at least 6 wide, the
//! last column unpadded. Rows are buffered because alignment needs every width; callers
//! cut the rendered lines to the output budget.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::redact::Redacted;

/// Space between columns (kubectl's `tabwriterPadding`).
const PADDING: usize = 3;
/// Narrowest column including padding (kubectl's `tabwriterMinWidth`).
const MIN_WIDTH: usize = 6;
/// What kubectl prints for a missing cell.
const NONE: &str = "<none>";

/// Collects Table pages and renders them as aligned lines.
#[derive(Debug, Default)]
pub struct TableWriter {
    wide: bool,
    with_namespace: bool,
    /// Upper-cased names of the chosen columns (NAMESPACE not included).
    header: Vec<String>,
    /// Indexes of the chosen columns in each row's `cells`.
    chosen: Vec<usize>,
    rows: Vec<Vec<String>>,
    /// Rows past what is rendered, counted by their STATUS cell (see [`Self::tally_page`]).
    tally: std::collections::BTreeMap<String, usize>,
    /// `deployment.apps/`: put before each NAME, as kubectl does when several types print.
    name_prefix: Option<String>,
    /// `-L KEY` columns, then (`--show-labels`) a LABELS column, from each row's metadata.
    label_keys: Vec<String>,
    show_labels: bool,
    /// `--sort-by`: the path, and each kept row's key (the first value it found).
    sort_by: Option<crate::jsonpath::Path>,
    sort_keys: Vec<Option<Value>>,
}

impl TableWriter {
    /// A writer for `-o wide` (every column) or not, with a leading NAMESPACE column or not.
    pub fn new(wide: bool, with_namespace: bool) -> TableWriter {
        TableWriter {
            wide,
            with_namespace,
            ..TableWriter::default()
        }
    }

    /// Prefix every NAME with `type/` (kubectl's form when one `get` prints several types).
    pub fn with_name_prefix(mut self, type_name: &str) -> TableWriter {
        self.name_prefix = Some(format!("{type_name}/"));
        self
    }

    /// Add kubectl's `-L KEY` columns (header: the key's last `/` part, upper-cased; an empty
    /// cell when the label is missing) and, with `show`, the LABELS column (`k=v,…` sorted
    /// by key, `<none>`). Rows need their object's metadata (`includeObject=Metadata`).
    pub fn with_labels(mut self, keys: &[String], show: bool) -> TableWriter {
        self.label_keys = keys.to_vec();
        self.show_labels = show;
        self
    }

    /// Sort rows by a JSONPath over each row's object (`includeObject=Object`), as
    /// kubectl's `--sort-by`; see [`Self::sort`].
    pub fn with_sort(mut self, path: crate::jsonpath::Path) -> TableWriter {
        self.sort_by = Some(path);
        self
    }

    /// Put the rows in `--sort-by` order (stable: ties keep the server's order).
    pub fn sort(&mut self) {
        if self.sort_by.is_none() {
            return;
        }
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let keys = &self.sort_keys;
        order.sort_by(|&a, &b| {
            crate::jsonpath::sort_order(
                keys.get(a).and_then(Option::as_ref),
                keys.get(b).and_then(Option::as_ref),
            )
        });
        let mut rows: Vec<Option<Vec<String>>> = std::mem::take(&mut self.rows)
            .into_iter()
            .map(Some)
            .collect();
        self.rows = order.iter().filter_map(|&i| rows[i].take()).collect();
        self.sort_keys.clear();
    }

    /// Add one Table page (the first page's columns hold for the following pages). Only a
    /// redacted page is accepted.
    pub fn add_page(&mut self, table: &Redacted<Value>) -> Result<()> {
        let table_page = table;
        let table = table.value();
        let not_table = || {
            Error::internal(format!(
                "expected a meta.k8s.io Table, got kind {:?}",
                table
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("(none)")
            ))
        };
        if table.get("kind").and_then(Value::as_str) != Some("Table") {
            return Err(not_table());
        }
        if self.header.is_empty() {
            let columns = table.get("columnDefinitions").and_then(Value::as_array);
            self.choose_columns(columns.ok_or_else(not_table)?);
        }
        let rows = match table.get("rows") {
            Some(Value::Array(rows)) => rows.as_slice(),
            // An empty Table may come without `rows`.
            None | Some(Value::Null) => &[],
            Some(_) => return Err(not_table()),
        };
        for (i, row) in rows.iter().enumerate() {
            self.rows.push(self.row_cells(row));
            if let Some(path) = &self.sort_by {
                let found = path.find_at(table_page, &format!("/rows/{i}/object"));
                self.sort_keys.push(found.first().map(|v| (*v).clone()));
            }
        }
        Ok(())
    }

    /// Number of rows added so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has a STATUS column (pods, PVCs, nodes…): rows past the budget
    /// can then be counted by status instead of kept.
    pub fn has_status(&self) -> bool {
        self.header.iter().any(|h| h == "STATUS")
    }

    /// Count a page's rows by STATUS without keeping them (past the output budget).
    pub fn tally_page(&mut self, table: &Redacted<Value>) {
        let table = table.value();
        let Some(i) = table
            .get("columnDefinitions")
            .and_then(Value::as_array)
            .and_then(|c| {
                c.iter()
                    .position(|d| d.get("name").and_then(Value::as_str) == Some("Status"))
            })
        else {
            return;
        };
        for row in table
            .get("rows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let status = row
                .pointer(&format!("/cells/{i}"))
                .map_or_else(|| NONE.to_string(), cell_text);
            *self.tally.entry(status).or_default() += 1;
        }
    }

    /// How many rows were counted by [`Self::tally_page`].
    pub fn tallied(&self) -> usize {
        self.tally.values().sum()
    }

    /// The statuses of the last `n` kept rows plus the counted ones, most common first:
    /// `2950 Running, 7 Pending`.
    pub fn status_summary(&self, last_kept: usize) -> Option<String> {
        let col =
            self.header.iter().position(|h| h == "STATUS")? + usize::from(self.with_namespace);
        let mut counts = self.tally.clone();
        for row in &self.rows[self.rows.len().saturating_sub(last_kept)..] {
            *counts
                .entry(row.get(col).cloned().unwrap_or_default())
                .or_default() += 1;
        }
        let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        (!sorted.is_empty()).then(|| {
            sorted
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// Whether no row was added.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Header and rows, aligned; no lines at all when there are no rows.
    pub fn render(&self) -> Vec<String> {
        if self.rows.is_empty() {
            return Vec::new();
        }
        let mut header: Vec<&str> = Vec::with_capacity(self.header.len() + 1);
        if self.with_namespace {
            header.push("NAMESPACE");
        }
        header.extend(self.header.iter().map(String::as_str));
        render_table(&header, &self.rows)
    }

    /// The rows alone, aligned among themselves (`--no-headers`).
    pub fn render_headless(&self) -> Vec<String> {
        render_headless(
            self.header.len() + usize::from(self.with_namespace),
            &self.rows,
        )
    }

    fn choose_columns(&mut self, columns: &[Value]) {
        for (i, c) in columns.iter().enumerate() {
            let priority = c.get("priority").and_then(Value::as_i64).unwrap_or(0);
            if priority == 0 || self.wide {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                self.header.push(name.to_uppercase());
                self.chosen.push(i);
            }
        }
        for key in &self.label_keys {
            let last = key.rsplit('/').next().unwrap_or(key);
            self.header.push(last.to_uppercase());
        }
        if self.show_labels {
            self.header.push("LABELS".into());
        }
    }

    fn row_cells(&self, row: &Value) -> Vec<String> {
        let cells = row.get("cells").and_then(Value::as_array);
        let mut out = Vec::with_capacity(self.chosen.len() + 1);
        if self.with_namespace {
            let ns = row
                .pointer("/object/metadata/namespace")
                .and_then(Value::as_str);
            out.push(ns.unwrap_or("").to_string());
        }
        for (k, &i) in self.chosen.iter().enumerate() {
            let mut cell = cells
                .and_then(|c| c.get(i))
                .map_or_else(|| NONE.to_string(), cell_text);
            if let (Some(p), "NAME") = (&self.name_prefix, self.header[k].as_str()) {
                cell.insert_str(0, p);
            }
            out.push(cell);
        }
        let labels = row
            .pointer("/object/metadata/labels")
            .and_then(Value::as_object);
        for key in &self.label_keys {
            let v = labels
                .and_then(|l| l.get(key))
                .map_or_else(String::new, cell_text);
            out.push(v);
        }
        if self.show_labels {
            out.push(format_labels(labels));
        }
        out
    }
}

/// kubectl's `labels.FormatLabels`: `k=v` sorted by key, comma-joined; `<none>` if empty.
pub fn format_labels(labels: Option<&serde_json::Map<String, Value>>) -> String {
    let pairs: Vec<String> = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    // The map is ordered by key (serde_json's BTreeMap), as kubectl sorts.
    if pairs.is_empty() {
        return NONE.to_string();
    }
    pairs.join(",")
}

/// A cell as kubectl prints it: strings as they are, numbers and booleans in plain form,
/// lists joined with commas, a missing value as `<none>`.
fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => NONE.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(cell_text).collect::<Vec<_>>().join(","),
        Value::Object(_) => v.to_string(),
    }
}

/// A cell on one line, its lines joined by a space. Cells hold server data (an event's
/// message, a custom resource's printer column) written by whoever can create the object:
/// a line break would start a line of its own and could forge a row, or a whole answer.
fn one_line(cell: &str) -> Cow<'_, str> {
    if !cell.contains(['\n', '\r']) {
        return Cow::Borrowed(cell);
    }
    let parts: Vec<&str> = cell
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    Cow::Owned(parts.join(" "))
}

/// Align `header` and `rows` like kubectl: every column but the last padded to its widest
/// cell plus 3 spaces (at least 6), no trailing spaces. Rows shorter than the header are
/// padded with empty cells.
pub fn render_columns(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    align(Some(header), header.len(), rows, true)
}

/// kubectl's `get` tables exactly: as [`render_columns`], but a line whose last cell is
/// empty (`-L key` of an object without that label) keeps the padding of the cell before
/// it, as kubectl's tabwriter writes it.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    align(Some(header), header.len(), rows, false)
}

/// Rows aligned among themselves only, as kubectl's `--no-headers` prints them (the header
/// never reaches its tabwriter, so it does not widen the columns); padding kept as in
/// [`render_table`].
pub fn render_headless(columns: usize, rows: &[Vec<String>]) -> Vec<String> {
    align(None, columns, rows, false)
}

fn align(header: Option<&[&str]>, n: usize, rows: &[Vec<String>], trim: bool) -> Vec<String> {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(c)).collect())
        .collect();
    let mut widths: Vec<usize> = match header {
        Some(h) => h.iter().map(|h| h.chars().count()).collect(),
        None => vec![0; n],
    };
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, cell) in cells.take(n).enumerate() {
            s.push_str(cell);
            if i + 1 < n {
                let width = (widths[i] + PADDING).max(MIN_WIDTH);
                s.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        if trim {
            s.truncate(s.trim_end().len());
        }
        s
    };
    let mut out = Vec::with_capacity(rows.len() + 1);
    if let Some(h) = header {
        out.push(line(&mut h.iter().copied()));
    }
    for row in &rows {
        let mut cells = row.iter().map(|c| &**c).chain(std::iter::repeat(""));
        out.push(line(&mut cells));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::shown;

    const PODS: &str = include_str!("../../tests/fixtures/tables/pods-shop.json");
    const NODES: &str = include_str!("../../tests/fixtures/tables/nodes.json");
    const DEPLOYMENTS: &str = include_str!("../../tests/fixtures/tables/deployments-shop.json");
    const PODS_ALL_PAGE: &str = include_str!("../../tests/fixtures/tables/pods-all-page1.json");

    fn render(fixture: &str, wide: bool, ns: bool) -> Vec<String> {
        let mut w = TableWriter::new(wide, ns);
        w.add_page(&shown(serde_json::from_str(fixture).unwrap()))
            .unwrap();
        w.render()
    }

    #[test]
    fn renders_priority_zero_columns_upper_cased_like_kubectl() {
        let lines = render(PODS, false, false);
        assert_eq!(
            lines[0],
            "NAME                          READY   STATUS             RESTARTS   AGE"
        );
        assert_eq!(
            lines[1],
            "api-29d659853-q8w7e           0/1     CrashLoopBackOff   7          104m"
        );
        assert_eq!(lines.len(), 7);
    }

    #[test]
    fn wide_adds_every_column() {
        let lines = render(NODES, true, false);
        assert!(
            lines[0].starts_with("NAME     STATUS     ROLES    AGE    VERSION   INTERNAL-IP"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].ends_with("KERNEL-VERSION   CONTAINER-RUNTIME"),
            "{}",
            lines[0]
        );
        assert!(
            lines[2].starts_with("node-2   NotReady   <none>"),
            "{}",
            lines[2]
        );
        let lines = render(PODS, true, false);
        assert!(
            lines[0].contains("NOMINATED NODE   READINESS GATES"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn numbers_are_stringified() {
        let lines = render(DEPLOYMENTS, false, false);
        assert_eq!(
            lines[0],
            "NAME          READY   UP-TO-DATE   AVAILABLE   AGE"
        );
        assert_eq!(
            lines[1],
            "api           0/2     2            0           104m"
        );
    }

    #[test]
    fn namespace_comes_first_when_asked() {
        let lines = render(PODS_ALL_PAGE, false, true);
        assert!(lines[0].starts_with("NAMESPACE   NAME "), "{}", lines[0]);
        assert!(lines[1].starts_with("load        load-"), "{}", lines[1]);
    }

    #[test]
    fn pages_accumulate_under_one_header() {
        let mut w = TableWriter::new(false, false);
        let page: Value = serde_json::from_str(PODS).unwrap();
        w.add_page(&shown(page.clone())).unwrap();
        w.add_page(&shown(page.clone())).unwrap();
        assert_eq!((w.len(), w.render().len()), (12, 13));
    }

    #[test]
    fn refuses_a_page_that_is_not_a_table() {
        let mut w = TableWriter::new(false, false);
        assert!(
            w.add_page(&shown(serde_json::json!({"kind": "PodList", "items": []})))
                .is_err()
        );
        assert!(w.is_empty() && w.render().is_empty());
    }

    #[test]
    fn columns_are_at_least_six_wide_and_lines_have_no_trailing_space() {
        let rows = vec![vec!["a".to_string(), "b".to_string(), String::new()]];
        let lines = render_columns(&["X", "Y", "Z"], &rows);
        assert_eq!(lines, ["X     Y     Z", "a     b"]);
    }

    #[test]
    fn label_columns_and_show_labels_come_last_like_kubectl() {
        let mut w = TableWriter::new(false, false)
            .with_labels(&["example.com/app".into(), "app".into()], true);
        w.add_page(&shown(serde_json::from_str(PODS).unwrap()))
            .unwrap();
        let lines = w.render();
        assert!(
            lines[0].ends_with("AGE    APP   APP           LABELS"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with("104m         api           app=api,pod-template-hash=29d659853"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn sort_by_orders_rows_and_headless_rows_align_among_themselves() {
        let path = crate::jsonpath::relaxed("{.metadata.name}").unwrap();
        let mut w = TableWriter::new(false, false).with_sort(path);
        let mut page: Value = serde_json::from_str(PODS).unwrap();
        if let Some(rows) = page.get_mut("rows").and_then(Value::as_array_mut) {
            rows.reverse();
        }
        w.add_page(&shown(page)).unwrap();
        w.sort();
        let lines = w.render_headless();
        assert!(
            lines[0].starts_with("api-29d659853-q8w7e   "),
            "{}",
            lines[0]
        );
        assert!(lines[5].starts_with("web-"), "{}", lines[5]);
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn get_tables_keep_the_padding_before_an_empty_last_cell_like_kubectl() {
        let rows = vec![vec!["a".to_string(), "b".to_string(), String::new()]];
        assert_eq!(
            render_table(&["X", "Y", "Z"], &rows),
            ["X     Y     Z", "a     b     "]
        );
        assert_eq!(render_headless(3, &rows), ["a     b     "]);
    }

    #[test]
    fn lists_and_nulls_print_like_kubectl() {
        assert_eq!(cell_text(&serde_json::json!(["a", 1, true])), "a,1,true");
        assert_eq!(cell_text(&Value::Null), "<none>");
    }

    #[test]
    fn a_multi_line_cell_cannot_start_a_row_of_its_own() {
        let rows = vec![
            vec!["web-1".to_string(), "boom\r\nweb-2   Running\n".to_string()],
            vec!["web-3".to_string(), "ok".to_string()],
        ];
        for lines in [
            render_columns(&["NAME", "MESSAGE"], &rows),
            render_table(&["NAME", "MESSAGE"], &rows),
            render_headless(2, &rows),
        ] {
            assert_eq!(
                lines.len(),
                rows.len() + 1 - usize::from(!lines[0].starts_with("NAME"))
            );
            assert!(
                lines.iter().any(|l| l.ends_with("boom web-2   Running")),
                "{lines:?}"
            );
            assert!(lines.iter().all(|l| !l.starts_with("web-2")), "{lines:?}");
        }
    }
}
