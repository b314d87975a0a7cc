//! The JSONPath subset, custom-columns and sort order against kubectl's behaviour.

use super::columns::go_sprint;
use super::*;
use crate::redact::shown;
use serde_json::json;

fn list() -> Redacted<Value> {
    shown(json!({"kind": "List", "items": [
        {"metadata": {"name": "web-1", "labels": {"app.kubernetes.io/name": "web"}},
         "status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True"}, {"type": "Scheduled", "status": "True"}]},
         "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}, {"name": "b"}]}},
        {"metadata": {"name": "api-2"},
         "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]},
         "spec": {"containers": [{"name": "c"}]}}
    ]}))
}

fn run(t: &str) -> String {
    Template::parse(t).unwrap().render(&list(), usize::MAX).0
}

/// `t` rendered one item at a time, as `get` streams it.
fn per_item(t: &Template, list: &Redacted<Value>) -> String {
    let mut each = t.per_item().expect("a per-item template");
    let mut out = each.head();
    for item in list.value()["items"].as_array().unwrap() {
        assert!(each.item(&shown(item.clone()), &mut out));
    }
    out + &each.tail()
}

/// `t` rendered as pieces, joined as a sorted `get` joins them.
fn pieces(t: &Template, list: &Redacted<Value>) -> String {
    let mut each = t.per_item().expect("a per-item template");
    let items = list.value()["items"].as_array().unwrap();
    let pieces: Vec<String> = items
        .iter()
        .filter_map(|item| each.piece(&shown(item.clone())).0)
        .collect();
    each.head() + &pieces.join(each.separator()) + &each.tail()
}

#[test]
fn per_item_rendering_is_byte_identical_to_the_whole_list() {
    let pods = include_str!("../../tests/fixtures/api/json/api~v1~namespaces~shop~pods.json");
    let deploys = include_str!("../../tests/fixtures/objects/deployments-shop-list.json");
    let templates = [
        r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#,
        r#"head {range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\r\n"}{end}tail"#,
        r#"{range .items[*]}[{range .spec.containers[*]}{.name}={.image};{end}]{end}"#,
        r#"{range .items[*]}{.metadata.labels}{.spec.containers[?(@.name!="x")].name} {end}"#,
        "{.items[*].metadata.name}",
        "names: {.items[*].spec.containers[*].name}.",
        "{.items[*].metadata.nosuchkey}",
        "{.items[*]..image}",
        "{.items[*]}",
    ];
    for fixture in [pods, deploys] {
        let list = shown(serde_json::from_str(fixture).unwrap());
        assert!(list.value()["items"].as_array().unwrap().len() > 1);
        for t in templates {
            let t = Template::parse(t).unwrap();
            let whole = t.render(&list, usize::MAX).0;
            assert_eq!(per_item(&t, &list), whole, "{t:?}");
            assert_eq!(pieces(&t, &list), whole, "{t:?}");
        }
    }
}

#[test]
fn templates_that_need_the_whole_list_are_not_per_item() {
    for t in [
        "{.items[0].metadata.name}",
        "{.kind}",
        "{range .items[*]}{.metadata.name}{end}{.kind}",
        "{range .items[*]}{$.kind}{end}",
        "{.items[*].metadata[?(@.name==$.kind)]}",
        "{range .items[0:2]}{.metadata.name}{end}",
        "{range .items[*]}{end}{range .items[*]}{end}",
    ] {
        assert!(Template::parse(t).unwrap().per_item().is_none(), "{t}");
    }
}

#[test]
fn wildcard_results_are_joined_by_spaces() {
    assert_eq!(run("{.items[*].metadata.name}"), "web-1 api-2");
    assert_eq!(run("{.kind}"), "List");
    assert_eq!(run("names: {.items[0].metadata.name}!"), "names: web-1!");
    assert_eq!(run("{.items[-1].metadata.name}"), "api-2");
    assert_eq!(run("{.items[0:1].metadata.name}"), "web-1");
    assert_eq!(run("{.items[*]['metadata']['name']}"), "web-1 api-2");
}

#[test]
fn range_with_literal_newlines() {
    assert_eq!(
        run(r#"{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#),
        "web-1\tRunning\napi-2\tPending\n"
    );
    assert_eq!(
        run(r#"{range .items[*]}[{range .spec.containers[*]}{.name};{end}]{end}"#),
        "[a;b;][c;]"
    );
}

#[test]
fn filters_select_list_elements() {
    assert_eq!(
        run(r#"{.items[?(@.status.phase=="Running")].metadata.name}"#),
        "web-1"
    );
    assert_eq!(
        run(r#"{.items[*].status.conditions[?(@.type=='Ready')].status}"#),
        "True False"
    );
    assert_eq!(
        run(r#"{.items[?(@.spec.containers[0].ports)].metadata.name}"#),
        "web-1"
    );
    assert_eq!(
        run(r#"{.items[*].spec.containers[*].ports[?(@.containerPort>=80)].containerPort}"#),
        "80"
    );
    assert_eq!(
        run(r#"{.items[?(@.status.phase!="Running")].metadata.name}"#),
        "api-2"
    );
}

#[test]
fn escaped_dots_recursion_and_missing_keys() {
    assert_eq!(
        run(r"{.items[*].metadata.labels.app\.kubernetes\.io/name}"),
        "web"
    );
    assert_eq!(run("{..phase}"), "Running Pending");
    assert_eq!(run("{.items[*].nothing.here}"), "");
    assert_eq!(run("{.items[1].spec.containers}"), r#"[{"name":"c"}]"#);
}

#[test]
fn unsupported_constructs_are_named() {
    for (t, named) in [
        ("{{.metadata.name}}", "go-template"),
        ("{.items[?(@.a =~ /x/)]}", "=~"),
        ("{range .items[*]}{.a}", "without `{end}`"),
        ("{.a", "unclosed"),
        ("{.items[x]}", "[x]"),
        ("{end}", "without range"),
    ] {
        let e = Template::parse(t).unwrap_err();
        assert_eq!(e.code, crate::error::Code::InvalidCommand, "{t}");
        assert!(e.message.contains(named), "{t}: {}", e.message);
    }
}

#[test]
fn a_runaway_template_stops_and_says_so() {
    let t = Template::parse("{range $..*}{range $..*}x{end}{end}").unwrap();
    let (out, cut) = t.render(&list(), 100);
    assert!(cut && out.len() <= 101, "{}", out.len());
    let six = "{range $..*}".repeat(6) + &"{end}".repeat(6);
    let t = Template::parse(&six).unwrap();
    let started = std::time::Instant::now();
    assert!(
        t.render(&list(), usize::MAX).1,
        "stopped by steps, with no output"
    );
    assert!(started.elapsed().as_secs() < 5);
    let deep = format!("{{.a{}{}}}", "[?(@.b".repeat(40), ")]".repeat(40));
    assert!(Template::parse(&deep).is_err());
    let ranges = "{range .a}".repeat(20) + &"{end}".repeat(20);
    assert!(Template::parse(&ranges).is_err());
}

#[test]
fn custom_columns_print_like_kubectl() {
    let cols = Columns::parse("NAME:.metadata.name,C:spec.containers[*].name,X:{.nope}").unwrap();
    assert_eq!(cols.headers(), ["NAME", "C", "X"]);
    let items = list().items();
    assert_eq!(cols.cells(&items[0]), ["web-1", "a,b", "<none>"]);
    let c = Columns::parse("L:.metadata.labels").unwrap();
    assert_eq!(c.cells(&items[0]), ["map[app.kubernetes.io/name:web]"]);
    assert!(Columns::parse("NAME").is_err());
}

#[test]
fn strings_sort_byte_by_byte_and_quantities_by_value_as_kubectl() {
    let s = |v: &str| Value::String(v.into());
    let order = |a: &str, b: &str| sort_order(Some(&s(a)), Some(&s(b)));
    // kubectl 1.32 on the testbed: n-0010, n-10, n-2, n-7747c, n-88f, n-abc.
    assert_eq!(order("pod-10", "pod-2"), Ordering::Less);
    assert_eq!(order("n-0010", "n-10"), Ordering::Less);
    assert_eq!(order("web-7747c", "web-88f"), Ordering::Less);
    assert_eq!(order("n-88f", "n-abc"), Ordering::Less);
    assert_eq!(
        sort_order(Some(&s("500Mi")), Some(&s("1Gi"))),
        Ordering::Less
    );
    assert_eq!(sort_order(None, Some(&s("a"))), Ordering::Less);
    assert_eq!(
        sort_order(Some(&json!(10)), Some(&json!(9))),
        Ordering::Greater
    );
}

#[test]
fn numbers_print_as_go_does() {
    assert_eq!(go_sprint(&json!(3)), "3");
    assert_eq!(go_sprint(&json!(0.5)), "0.5");
    assert_eq!(go_sprint(&json!(null)), "<nil>");
    assert_eq!(go_sprint(&json!(["a", 1])), "[a 1]");
    assert_eq!(text_of(&json!({"a": "<b>"})), r#"{"a":"\u003cb\u003e"}"#);
}
