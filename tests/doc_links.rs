//! Every relative link in the README, docs/ and the chart's README resolves: the file exists
//! and, when the link names an anchor (`docs/mcp.md#many-clusters---fleet`), a heading of that
//! file makes it, as GitHub makes anchors from headings. Moving a section between pages is
//! how links break silently; this fails instead.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The pages checked, relative to the repository root.
const PAGES: &[&str] = &["README.md", "chart/README.md"];
/// Directories whose `*.md` pages are checked too.
const PAGE_DIRS: &[&str] = &["docs"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pages() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = PAGES.iter().map(|p| root().join(p)).collect();
    for dir in PAGE_DIRS {
        let entries = std::fs::read_dir(root().join(dir)).expect("docs/ exists");
        let mut md: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        md.sort();
        out.extend(md);
    }
    out
}

/// The lines of `text` outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push(line);
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, `-`, `_`
/// and spaces kept), spaces made `-`; a repeated anchor gets `-1`, `-2`, ….
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in prose(text) {
        let Some(title) = line.strip_prefix('#').map(|t| t.trim_start_matches('#')) else {
            continue;
        };
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut unique = slug.clone();
        let mut n = 0;
        while seen.contains(&unique) {
            n += 1;
            unique = format!("{slug}-{n}");
        }
        seen.insert(unique);
    }
    seen
}

/// The targets of the inline links `[text](target)` in `text`, outside code.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text) {
        // Inline code may show link syntax that is not a link.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    out
}

/// What is wrong with `target` as a link from `page`, if anything.
fn broken(page: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let file = match path {
        "" => page.to_path_buf(),
        p => page.parent().expect("a page is in a directory").join(p),
    };
    if !file.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|x| x != "md") {
        return None;
    }
    let text = std::fs::read_to_string(&file).expect("read the linked page");
    let known = anchors(&text);
    (!known.contains(anchor)).then(|| {
        format!(
            "{} has no heading for #{anchor} (anchors: {known:?})",
            file.display()
        )
    })
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let mut checked = 0;
    let mut bad = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("read page");
        for target in links(&text) {
            checked += 1;
            if let Some(why) = broken(&page, &target) {
                bad.push(format!("{}: ({target}): {why}", page.display()));
            }
        }
    }
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
    assert!(
        checked > 40,
        "only {checked} links found: is the parser right?"
    );
}

#[test]
fn the_checker_makes_githubs_anchors_and_finds_broken_links() {
    let a = anchors(
        "# kubeglass\n## Use from AI tools (MCP)\n## Many clusters (`--fleet`)\n```\n# not a heading\n```\n## Tests\n## Tests\n",
    );
    for want in [
        "kubeglass",
        "use-from-ai-tools-mcp",
        "many-clusters---fleet",
        "tests",
        "tests-1",
    ] {
        assert!(a.contains(want), "{want}: {a:?}");
    }
    assert!(!a.contains("not-a-heading"));
    assert_eq!(
        links("see [a](docs/a.md#x) and `[b](not-a-link)` and [c](https://e.com)"),
        ["docs/a.md#x", "https://e.com"]
    );
    let readme = root().join("README.md");
    assert!(broken(&readme, "docs/nonexistent.md").is_some());
    assert!(broken(&readme, "docs/mcp.md#no-such-heading").is_some());
    assert!(broken(&readme, "docs/mcp.md").is_none());
    assert!(broken(&readme, "#which-mode-do-i-want").is_none());
}
