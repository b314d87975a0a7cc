//! The findings of the adversarial pass on the redactor rewrite (issue 27): each case is a
//! planted value that came back in clear (or benign data that came back mangled) through
//! `kubeglass query`, `run --stdio` and `mcp` on the real testbed, reduced to the library
//! call. Known gaps left open are listed in docs/security.md (a map key that is
//! itself a secret, a value before its name, JSON `\u` escapes inside a key name, the
//! reference shape `{name, key}` under a sensitive name); a block cut by `--tail` is tested
//! end to end (the redactor reads 64 lines above the tail).

use kubeglass::testing::redact::{self, LogRedactor, RedactSettings, Source};
use serde_json::json;

/// Leaked parts of each text; `secret` must not appear in the redacted text.
fn text_hides(cases: &[(&str, &str)]) {
    let mut failed = Vec::new();
    for (input, secret) in cases {
        let out = redact::text(input);
        if out.contains(secret) {
            failed.push(format!("{input:?}\n    → {out:?}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} leaked:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

fn log_hides(lines: &[&str], secrets: &[&str]) {
    let mut r = LogRedactor::new(&RedactSettings::default());
    let out: Vec<String> = lines
        .iter()
        .map(|l| r.redact_line(l).value().clone())
        .collect();
    let all = out.join("\n");
    for s in secrets {
        assert!(!all.contains(s), "{s} leaked from log:\n{all}");
    }
}

fn object_hides(v: serde_json::Value, secrets: &[&str]) {
    let out = redact::fetched(v, Source::Object, &RedactSettings::default());
    let all = serde_json::to_string(out.value()).unwrap();
    let leaked: Vec<&&str> = secrets.iter().filter(|s| all.contains(**s)).collect();
    assert!(leaked.is_empty(), "{leaked:?} leaked from object:\n{all}");
}

fn text_keeps(cases: &[&str]) {
    let mut failed = Vec::new();
    for input in cases {
        let out = redact::text(input);
        if out != *input {
            failed.push(format!("{input:?}\n    → {out:?}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} mangled:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn a_authorization_prefixed_names() {
    text_hides(&[
        ("authorizationToken=leakA1", "leakA1"),
        ("authorization_key: leakA2", "leakA2"),
        ("AUTHORIZATION_HEADER=leakA3", "leakA3"),
        (
            "map[Accept:[*/*] Authorization:[Basic bGVha0E0eGxlYWs=]]",
            "bGVha0E0eGxlYWs=",
        ),
        (
            "headers:\n  Authorization:\n    - Basic bGVha0E1eGxlYWs=\n",
            "bGVha0E1eGxlYWs=",
        ),
    ]);
}

#[test]
fn b_header_directives() {
    text_hides(&[
        (
            "location / {\n  proxy_set_header Authorization \"Basic bGVha0IxeGxlYWs=\";\n}\n",
            "bGVha0IxeGxlYWs=",
        ),
        ("proxy_set_header X-Api-Key \"leakB2\";", "leakB2"),
        ("proxy_set_header X-Auth-Token leakB3;", "leakB3"),
        (
            "RequestHeader set Authorization \"Basic bGVha0I0eGxlYWs=\"",
            "bGVha0I0eGxlYWs=",
        ),
        (
            "backend b\n  http-request set-header X-Api-Key leakB5\n",
            "leakB5",
        ),
    ]);
}

#[test]
fn c_name_value_pairs_in_text() {
    text_hides(&[
        ("env:\n- name: DB_PASSWORD\n  value: leakC1\n", "leakC1"),
        ("- key: password\n  value: leakC2\n", "leakC2"),
        ("name=DB_PASSWORD value=leakC4", "leakC4"),
        (
            "params:\n- name: db-password\n  default: leakC5\n",
            "leakC5",
        ),
        (
            "users:\n- name: eks\n  user:\n    exec:\n      env:\n      - name: AWS_SECRET_ACCESS_KEY\n        value: leakC6\n",
            "leakC6",
        ),
        (
            "{\n  // c\n  name: 'DB_PASSWORD',\n  value: 'leakC7',\n}",
            "leakC7",
        ),
    ]);
    log_hides(&["- name: DB_PASSWORD", "  value: leakC8"], &["leakC8"]);
}

#[test]
fn d_pair_objects() {
    object_hides(
        json!({"kind": "X", "metadata": {"name": "x"}, "spec": {
            "patch": [{"op": "replace", "path": "/data/password", "value": "leakD1"}],
            "cfn": [{"ParameterKey": "DBPassword", "ParameterValue": "leakD2"}],
            "ecs": [{"Name": "DB_PASSWORD", "Value": "leakD3"}],
            "ssm": {"Name": "/prod/db/password", "Type": "SecureString", "Value": "leakD4"},
            "hdr": {"headerName": "X-Api-Key", "headerValue": "leakD5"},
            "tuples": [["password", "leakD6"]],
            "rawHeaders": ["Host", "api", "X-Api-Key", "leakD7"],
            "tag": {"Key": "db_password", "Value": "leakD8"},
        }}),
        &[
            "leakD1", "leakD2", "leakD3", "leakD4", "leakD5", "leakD6", "leakD7", "leakD8",
        ],
    );
    // The same as a JSON log line.
    log_hides(
        &[r#"{"Parameter":{"Name":"/prod/db/password","Type":"SecureString","Value":"leakD9"}}"#],
        &["leakD9"],
    );
}

#[test]
fn f_tool_syntaxes() {
    text_hides(&[
        (
            "sql.Open(\"mysql\", \"bob:leakF1@tcp(db:3306)/app\")",
            "leakF1",
        ),
        (
            "mysql dsn bob:leakF2@tcp(db:3306)/app?parseTime=true",
            "leakF2",
        ),
        ("aws configure set aws_secret_access_key leakF3", "leakF3"),
        ("curl --user=bob:leakF4 https://x", "leakF4"),
        ("curl -ubob:leakF5 https://x", "leakF5"),
        ("SET PASSWORD FOR 'app'@'%' = 'leakF6';", "leakF6"),
        ("AUTH default leakF7", "leakF7"),
        ("\"AUTH\" \"leakF8\"", "leakF8"),
        ("C: AUTH PLAIN AGJvYgBsZWFrRjk=", "AGJvYgBsZWFrRjk="),
        ("a001 LOGIN bob leakF10", "leakF10"),
        ("db.auth(\"admin\", \"leakF11\")", "leakF11"),
        ("requests.get(url, auth=(\"bob\", \"leakF12\"))", "leakF12"),
        ("smbclient //srv/share -U bob%leakF13", "leakF13"),
        (
            "echo leakF14 | docker login -u bob --password-stdin",
            "leakF14",
        ),
        ("openssl enc -k leakF15 -in a", "leakF15"),
        ("vault login leakF16", "leakF16"),
        ("{default_pass, <<\"leakF17\">>}", "leakF17"),
        ("[{password, \"leakF18\"}]", "leakF18"),
        ("proxy: bob:leakF19@proxy.corp:3128", "leakF19"),
        ("db.example.com:5432:app:app:leakF20", "leakF20"),
    ]);
}

#[test]
fn g_escapes() {
    text_hides(&[
        ("&quot;password&quot;:&quot;leakG1&quot;", "leakG1"),
        (
            "url=https://a.blob.core.windows.net/c?sv=2021\\u0026sig=leakG3",
            "leakG3",
        ),
        (
            r#"{"log":"{\\\"password\\\":\\\"leakG4\\\"}"} tail"#,
            "leakG4",
        ),
        ("config {\"password\" : 12345678}", "12345678"),
        ("values: \"db:\\n  password: |\\n    leakG5\\n\"", "leakG5"),
        ("config: \"password:\\n  leakG6\"", "leakG6"),
    ]);
}

#[test]
fn h_partial_values() {
    text_hides(&[
        ("[db]\npassword = correct horse leakH1 staple\n", "leakH1"),
        ("password: hunter2 leakH2\n", "leakH2"),
        ("password: 'it''s-leakH3'\n", "leakH3"),
        ("db.password=first\\\n  leakH5\nother=1\n", "leakH5"),
        ("db_password = <<EOT\nleakH6\nEOT\n", "leakH6"),
        ("password: \"leakH7a\n  leakH7\"\n", "leakH7"),
    ]);
}

#[test]
fn i_yaml_secret_manifest() {
    text_hides(&[
        (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  url: leakI1\n",
            "leakI1",
        ),
        (
            "kind: Secret\ndata:\n  conn: bGVha0kyeA==\n",
            "bGVha0kyeA==",
        ),
    ]);
}

#[test]
fn j_unicode_names() {
    text_hides(&[
        ("pàssword=leakJ1", "leakJ1"),
        ("pạssword=leakJ2", "leakJ2"),
        ("ᴘᴀssword=leakJ3", "leakJ3"),
        ("ⓟⓐⓢⓢⓦⓞⓡⓓ=leakJ4", "leakJ4"),
        ("ᵖᵃˢˢʷᵒʳᵈ=leakJ5", "leakJ5"),
        ("ᴛᴏᴋᴇɴ=leakJ6", "leakJ6"),
        ("secrét=leakJ7", "leakJ7"),
        ("ℙassword=leakJ8", "leakJ8"),
        ("Ƥassword=leakJ9", "leakJ9"),
        ("AᴘɪKᴇʏ=leakJ10", "leakJ10"),
    ]);
}

#[test]
fn k_xml() {
    text_hides(&[
        (
            "<bean><property name=\"password\"><value>leakK1</value></property></bean>",
            "leakK1",
        ),
        ("<entry key=\"db.password\">leakK2</entry>", "leakK2"),
        ("<password><value>leakK3</value></password>", "leakK3"),
        (
            "<context-param><param-name>db.password</param-name><param-value>leakK4</param-value></context-param>",
            "leakK4",
        ),
        ("<param name=\"password\">leakK5</param>", "leakK5"),
        ("<string name=\"api_key\">leakK6</string>", "leakK6"),
        (
            "<setting name=\"ApiToken\" serializeAs=\"String\"><value>leakK7</value></setting>",
            "leakK7",
        ),
    ]);
}

#[test]
fn o_benign_kept() {
    text_keeps(&[
        "eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/eksctl-prod-addon-iamserviceaccount-kube-Role1-1H2J3K4L5M6N7",
        "kubernetes.azure.com/cluster=MC_rg-prod-01_aks-prod-01_westeurope",
        "at org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder.build(OAuth2AuthorizedClientProviderBuilder.java:42)",
        "at com.example.AuthService.login(AuthService.java:42)",
        "panic at /app/internal/auth/token.go:57 +0x1d",
        "I0501 10:00:00.000000 1 replica_set.go:577] \"Finished syncing\" kind=\"ReplicaSet\" key=\"shop/checkout-v2-7d9f8b6c5d\" duration=\"1.2ms\"",
        "E0501 reflector.go:138] failed to list *v1.Secret: secrets is forbidden: User \"system:serviceaccount:shop:default\" cannot list resource \"secrets\"",
        "MountVolume.SetUp failed for volume \"kube-api-access-x2x9z\" : failed to fetch token: serviceaccounts \"default\" is forbidden",
        "failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized",
        "failed to refresh token: 401 Unauthorized",
        "error validating token: signature is invalid",
        "password: too short",
        "nginx.ingress.kubernetes.io/ssl-passthrough=true",
    ]);
    // Objects: reference/setting fields under a sensitive name, sensitive-looking flags.
    let out = redact::fetched(
        json!({"kind": "X", "metadata": {"name": "x", "annotations": {
            "nginx.ingress.kubernetes.io/ssl-passthrough": "true",
            "nginx.ingress.kubernetes.io/auth-url": "http://oauth2-proxy.auth.svc/oauth2/auth"}},
          "spec": {"privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                   "command": ["kube-apiserver", "--authorization-mode=Node,RBAC", "--anonymous-auth=false",
                               "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key"]}}),
        Source::Object,
        &RedactSettings::default(),
    );
    let all = serde_json::to_string(out.value()).unwrap();
    for kept in [
        "\"true\"",
        "oauth2-proxy",
        "ECDSA",
        "Node,RBAC",
        "anonymous-auth=false",
        "/etc/kubernetes/pki/apiserver.key",
    ] {
        assert!(all.contains(kept), "{kept} mangled: {all}");
    }
    // A JSON document with a secret is written back from its parsed form (docs/security.md: keys
    // sorted, numbers as serde_json writes them); one without is returned untouched.
    let line = r#"{"trace_id":123456789012345678901234,"latency":1.10,"user":"bob"}"#;
    assert_eq!(redact::text(line), line);
}

#[test]
fn p_reference_fields_and_vault() {
    object_hides(
        json!({"kind": "X", "metadata": {"name": "x"}, "spec": {
            "auth": {"key": "leakP1value"},
            "credentials": {"path": "leakP3", "uid": "leakP4"},
            "vault": {"unseal_keys_hex": ["ab84a1c0f5e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b"]},
        }}),
        &["leakP1", "leakP3", "leakP4", "ab84a1c0f5e2d3c4"],
    );
}

#[test]
fn q_ansi_coloured_keys() {
    log_hides(
        &[
            "2024-05-01 [info] login ok \x1b[36mpassword\x1b[0m=\x1b[35mleakQ1\x1b[0m user=bob",
            "\x1b[1mAuthorization\x1b[0m: Basic bGVha1EyeGxlYWs=",
            "\x1b[33mapi_key\x1b[39m: leakQ3",
        ],
        &["leakQ1", "bGVha1EyeGxlYWs=", "leakQ3"],
    );
}

#[test]
fn r_ldif_double_colon() {
    text_hides(&[
        (
            "dn: cn=admin,dc=example,dc=org\nuserPassword:: bGVha1IxeHBhc3M=\n",
            "bGVha1IxeHBhc3M=",
        ),
        ("olcRootPW:: bGVha1IyeA==", "bGVha1IyeA=="),
    ]);
}

#[test]
fn s_pair_after_an_opening_quote() {
    // Found by the property test in CI: a key glued after `k:"` whose value holds `!#*`.
    text_hides(&[
        ("k:\"password=A!#Aaa**Aa ", "A!#Aaa**Aa"),
        ("k:\"password=A!#Aaa**Aa", "A!#Aaa**Aa"),
        ("x \"password=A!#Aaa**Aa\" y", "A!#Aaa**Aa"),
        // A pair name (`k`, `key`, `name`) whose value is itself a pair is not skipped.
        ("k:password=leakS1x", "leakS1x"),
        ("name: token=leakS2x", "leakS2x"),
        ("key=\"api_key: leakS3x\"", "leakS3x"),
        // A value that starts with `!` is not told from a YAML tag: hidden with what follows.
        (" X-Auth-Token: !aAaA0a0aA | ", "!aAaA0a0aA"),
        ("password: !leakS4x | more", "leakS4x"),
        ("password: &leakS5x y", "leakS5x"),
        // Found by an exploring run (a fresh seed): a flag after `k:"`.
        ("k:\" --password A!aA#*0*a* ", "A!aA#*0*a*"),
        ("k:\" --password leakS6x", "leakS6x"),
        ("name: --password leakS7x", "leakS7x"),
        ("𝒦:Σ[client_secret => Aa##A0A000 ", "Aa##A0A000"),
    ]);
}
