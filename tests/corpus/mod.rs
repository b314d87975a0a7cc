//! The Nosey Parker recall corpus (tests/fixtures/redaction/noseyparker, with its licence
//! and notice), shared by the in-process and the end-to-end recall tests.

#![allow(dead_code)] // each test binary uses part of it

use serde_json::Value;

/// Lowest recall accepted in each placement, in `cargo test` and on the testbed alike
/// (raised as the redactor learns; the target is 99%).
pub const RECALL_MIN: f64 = 0.99;

/// One example of the corpus: the rule it belongs to, the text, and the secret in it.
pub struct Example {
    pub rule: String,
    pub example: String,
    pub secret: String,
}

/// The corpus, built by tests/fixtures/redaction/noseyparker/extract.py (see NOTICE.md there).
pub fn corpus() -> Vec<Example> {
    include_str!("../fixtures/redaction/noseyparker/examples.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line of the corpus");
            let field = |k: &str| v[k].as_str().expect("a string field").to_string();
            Example {
                rule: field("rule"),
                example: field("example"),
                secret: field("secret"),
            }
        })
        .collect()
}

/// Whether `shown` still holds the secret of `ex`. A secret that is also an ordinary word of
/// its example (`password 'password'`, `user=user`) may stay where it is that word: the
/// secret leaks when it occurs in `shown` as often as in the example.
pub fn leaks(ex: &Example, shown: &str) -> bool {
    let planted = ex.example.matches(ex.secret.as_str()).count();
    shown.matches(ex.secret.as_str()).count() >= planted.max(1)
}

/// Recall of one placement: `shown[i]` is what came back for `corpus[i]` (`None`: the item
/// was not found in the output, which counts as a leak — a test cannot tell it was hidden).
/// Prints the number and the leaks by rule; returns the recall.
pub fn report(what: &str, corpus: &[Example], shown: &[Option<String>]) -> f64 {
    let mut leaked = 0;
    let mut lines = Vec::new();
    for (ex, s) in corpus.iter().zip(shown) {
        match s {
            Some(s) if !leaks(ex, s) => {}
            Some(s) => {
                leaked += 1;
                lines.push(format!(
                    "  LEAK {what} {}: secret {:?}\n    planted {:?}\n    shown   {:?}",
                    ex.rule, ex.secret, ex.example, s
                ));
            }
            None => {
                leaked += 1;
                lines.push(format!("  MISSING {what} {}: {:?}", ex.rule, ex.example));
            }
        }
    }
    let r = 1.0 - leaked as f64 / corpus.len() as f64;
    println!(
        "recall in {what}: {:.1}% ({} of {} examples hidden)",
        r * 100.0,
        corpus.len() - leaked,
        corpus.len()
    );
    for l in lines {
        println!("{l}");
    }
    r
}
