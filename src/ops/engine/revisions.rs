//! Two revisions of one workload's pod template, read as the API sends them and redacted
//! together ([`redact::pair`]): the only way `rollout diff` and `changes` can tell that a
//! hidden value (a secret-looking env value) changed without showing either value. The raw
//! templates of one workload's revisions live in this function only.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use serde_json::Value;

use super::Engine;
use crate::error::{Code, Error, Result};
use crate::redact::{self, Redacted};

/// The annotation a ReplicaSet's revision is in.
pub const RS_REVISION: &str = "deployment.kubernetes.io/revision";

/// Where a workload keeps its revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revisions {
    /// A Deployment: its ReplicaSets (`deployment.kubernetes.io/revision`, `spec.template`).
    ReplicaSets,
    /// A StatefulSet or DaemonSet: its ControllerRevisions (`revision`,
    /// `data.spec.template`).
    ControllerRevisions,
}

impl Revisions {
    /// The revision number of `obj` (a ReplicaSet or ControllerRevision).
    pub fn number(self, obj: &Value) -> Option<i64> {
        match self {
            Revisions::ReplicaSets => obj
                .pointer("/metadata/annotations")?
                .get(RS_REVISION)?
                .as_str()?
                .parse()
                .ok(),
            Revisions::ControllerRevisions => obj.get("revision")?.as_i64(),
        }
    }

    /// The pod template `obj` holds.
    fn template(self, obj: &Value) -> Option<&Value> {
        match self {
            Revisions::ReplicaSets => obj.pointer("/spec/template"),
            Revisions::ControllerRevisions => obj.pointer("/data/spec/template"),
        }
    }
}

/// Two revisions' pod templates, redacted together.
#[derive(Debug)]
pub struct TemplatePair {
    /// Every revision number the workload has, ascending.
    pub numbers: Vec<i64>,
    /// The older revision.
    pub from: i64,
    /// The newer revision.
    pub to: i64,
    /// The older template.
    pub old: Redacted<Value>,
    /// The newer template; hidden values that differ read [`redact::REDACTED_CHANGED`].
    pub new: Redacted<Value>,
}

/// Most revisions of one workload read for a diff (a Deployment keeps 10 by default).
const MAX_REVISIONS: usize = 100;

impl Engine {
    /// The templates of two revisions of the workload with `owner_uid`, listed from
    /// `list_path` (its namespace's ReplicaSets or ControllerRevisions) page by page;
    /// `pick` chooses (older, newer) from the ascending revision numbers.
    pub fn template_pair(
        &self,
        list_path: &str,
        owner_uid: &str,
        kind: Revisions,
        pick: impl FnOnce(&[i64]) -> Result<(i64, i64)>,
    ) -> Result<TemplatePair> {
        let mut owned: Vec<(i64, Value)> = Vec::new();
        self.client
            .list_pages(list_path, "application/json", 250, |mut page| {
                let items = match page.get_mut("items") {
                    Some(Value::Array(items)) => std::mem::take(items),
                    _ => Vec::new(),
                };
                for item in items {
                    if !owned_by(&item, owner_uid) {
                        continue;
                    }
                    if let (Some(n), Some(t)) = (kind.number(&item), kind.template(&item)) {
                        owned.push((n, t.clone()));
                    }
                }
                if owned.len() > MAX_REVISIONS {
                    return Err(Error::new(
                        Code::Unsupported,
                        format!("the workload has more than {MAX_REVISIONS} revisions"),
                    ));
                }
                Ok(true)
            })?;
        owned.sort_by_key(|(n, _)| *n);
        let numbers: Vec<i64> = owned.iter().map(|(n, _)| *n).collect();
        let (from, to) = pick(&numbers)?;
        let mut take = |n: i64| {
            owned
                .iter_mut()
                .find(|(m, _)| *m == n)
                .map(|(_, t)| std::mem::take(t))
                .ok_or_else(|| {
                    Error::new(
                        Code::NotFound,
                        format!("revision {n} not found (revisions: {numbers:?})"),
                    )
                })
        };
        let old = take(from)?;
        let new = if from == to { old.clone() } else { take(to)? };
        let (old, new) = redact::pair(old, new, &self.redact);
        Ok(TemplatePair {
            numbers: numbers.clone(),
            from,
            to,
            old,
            new,
        })
    }
}

/// A workload's newest revision, as [`Engine::latest_rollouts`] finds it.
#[derive(Debug)]
pub struct Latest {
    /// When the newest revision was created (a rollback reuses an older one: its creation).
    pub created: SystemTime,
    /// The newest template against the one before it (`from == to`: the only revision).
    pub pair: TemplatePair,
}

/// A workload as revisions name their owner: `(kind, name)`, `("Deployment", "api")`.
pub type Owner = (String, String);

impl Engine {
    /// For each workload of `owners`, its newest revision listed at `list_path` (one
    /// namespace's ReplicaSets or ControllerRevisions) when created at or after `since`,
    /// paired with the revision before it. One list, walked page by page: at most the two
    /// newest templates of each wanted owner are held, nothing of the others.
    pub fn latest_rollouts(
        &self,
        list_path: &str,
        kind: Revisions,
        owners: &BTreeSet<Owner>,
        since: SystemTime,
    ) -> Result<BTreeMap<Owner, Latest>> {
        // Per owner: (revision, created, template), newest first, at most two.
        let mut kept: BTreeMap<Owner, Vec<(i64, String, Value)>> = BTreeMap::new();
        self.client
            .list_pages(list_path, "application/json", 250, |mut page| {
                let items = match page.get_mut("items") {
                    Some(Value::Array(items)) => std::mem::take(items),
                    _ => Vec::new(),
                };
                for item in items {
                    let Some(owner) = controller_of(&item).filter(|o| owners.contains(o)) else {
                        continue;
                    };
                    let (Some(n), Some(t)) = (kind.number(&item), kind.template(&item)) else {
                        continue;
                    };
                    let created = item
                        .pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let revs = kept.entry(owner).or_default();
                    revs.push((n, created, t.clone()));
                    revs.sort_by_key(|r| std::cmp::Reverse(r.0));
                    revs.truncate(2);
                }
                Ok(true)
            })?;
        let mut out = BTreeMap::new();
        for (owner, mut revs) in kept {
            let created = revs
                .first()
                .and_then(|r| crate::timefmt::parse_rfc3339(&r.1))
                .filter(|t| *t >= since);
            let Some(created) = created else {
                continue;
            };
            let (to, _, new) = revs.remove(0);
            let (from, old) = match revs.pop() {
                Some((from, _, old)) => (from, old),
                None => (to, new.clone()),
            };
            let (old, new) = redact::pair(old, new, &self.redact);
            let numbers = if from == to { vec![to] } else { vec![from, to] };
            let pair = TemplatePair {
                numbers,
                from,
                to,
                old,
                new,
            };
            out.insert(owner, Latest { created, pair });
        }
        Ok(out)
    }
}

/// The workload controlling `obj` (the controller reference, else the first owner).
fn controller_of(obj: &Value) -> Option<Owner> {
    let owners = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?;
    let o = owners
        .iter()
        .find(|o| o.get("controller") == Some(&Value::Bool(true)))
        .or(owners.first())?;
    let field = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some((field("kind"), field("name")))
}

/// Whether one of `obj`'s owners is the object with `uid`.
fn owned_by(obj: &Value, uid: &str) -> bool {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
}
