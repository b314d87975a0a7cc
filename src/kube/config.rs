//! Where the cluster is and who we are: kubeconfig files (YAML or JSON, merged like kubectl)
//! and the in-cluster service account, resolved into one [`Target`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::json::strings;
use crate::sensitive::Sensitive;

use super::Settings;

/// The default in-cluster service account mount.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A resolved cluster and identity.
#[derive(Debug, Clone)]
pub struct Target {
    /// `https://host:port` (or `http://` for test fakes), no trailing slash.
    pub server: String,
    /// PEM CA bundle to trust (`None`: the system roots).
    pub ca_pem: Option<Vec<u8>>,
    /// `insecure-skip-tls-verify`.
    pub insecure: bool,
    /// `tls-server-name`: the name to verify the server certificate against.
    pub tls_server_name: Option<String>,
    /// `proxy-url`.
    pub proxy_url: Option<String>,
    /// How requests authenticate.
    pub auth: AuthSource,
    /// Client certificate chain and key (PEM); the key never shows in `{:?}`.
    pub client_cert: Option<(Vec<u8>, Sensitive<Vec<u8>>)>,
    /// The default namespace.
    pub namespace: String,
    /// Where this came from, for logs and errors ("kubeconfig /x (context y, user z)").
    pub origin: String,
}

/// Bearer token sources.
#[derive(Debug, Clone)]
pub enum AuthSource {
    /// No token (client certificate only, or anonymous).
    None,
    /// A fixed token (`{:?}` shows `<redacted>`).
    Token(Sensitive<String>),
    /// A token file, re-read periodically (bound service-account tokens rotate).
    TokenFile(PathBuf),
    /// An exec credential plugin.
    Exec(ExecConfig),
}

/// A `users[].user.exec` entry.
#[derive(Debug, Clone)]
pub struct ExecConfig {
    /// Program to run.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment (values may be credentials: `{:?}` shows `<redacted>`).
    pub env: Vec<(String, Sensitive<String>)>,
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    pub api_version: String,
    /// Directory of the kubeconfig (relative commands resolve against it).
    pub dir: PathBuf,
}

/// Resolve the target: `--kubeconfig`/`KUBECONFIG`, else in-cluster, else `~/.kube/config`.
pub fn resolve(s: &Settings) -> Result<Target> {
    if let Some(p) = &s.kubeconfig {
        return from_kubeconfig(std::slice::from_ref(p), s.context.as_deref(), true);
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        return from_kubeconfig(&paths, s.context.as_deref(), false);
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return in_cluster();
    }
    let home = std::env::var_os("HOME").ok_or_else(|| {
        Error::config("no kubeconfig: set --kubeconfig or KUBECONFIG (HOME is not set either)")
    })?;
    let default = Path::new(&home).join(".kube/config");
    if !default.exists() {
        // Say every way kubeglass looks, so the fix is one of them (kubectl falls back to
        // localhost:8080 here, which only confuses).
        return Err(Error::config(format!(
            "no kubeconfig: {} does not exist, KUBECONFIG is not set and this is not a pod \
             (KUBERNETES_SERVICE_HOST is not set); give --kubeconfig PATH, set KUBECONFIG, \
             create ~/.kube/config (e.g. `aws eks update-kubeconfig`, `kind export kubeconfig`) \
             or run in-cluster with a service account",
            default.display()
        )));
    }
    from_kubeconfig(&[default], s.context.as_deref(), true)
}

/// In-cluster: the service host/port and the mounted service account.
pub fn in_cluster() -> Result<Target> {
    let host = std::env::var("KUBERNETES_SERVICE_HOST").unwrap_or_default();
    let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_default();
    if host.is_empty() || port.is_empty() {
        return Err(Error::config(
            "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set",
        ));
    }
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let dir = PathBuf::from(
        std::env::var("KUBEGLASS_SERVICE_ACCOUNT_DIR")
            .unwrap_or_else(|_| SERVICE_ACCOUNT_DIR.into()),
    );
    let ca = std::fs::read(dir.join("ca.crt")).map_err(|e| {
        Error::config(format!(
            "in-cluster: cannot read {}: {e}",
            dir.join("ca.crt").display()
        ))
    })?;
    let token = dir.join("token");
    if !token.exists() {
        return Err(Error::config(format!(
            "in-cluster: no service account token at {}",
            token.display()
        )));
    }
    let namespace = std::fs::read_to_string(dir.join("namespace"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    Ok(Target {
        server: format!("https://{host}:{port}"),
        ca_pem: Some(ca),
        insecure: false,
        tls_server_name: None,
        proxy_url: None,
        auth: AuthSource::TokenFile(token),
        client_cert: None,
        namespace,
        origin: format!("in-cluster (service account in {})", dir.display()),
    })
}

/// Named entries merged across files; the first file to define a name wins (as kubectl).
#[derive(Default)]
struct Merged {
    current_context: Option<String>,
    clusters: HashMap<String, (Value, PathBuf)>,
    users: HashMap<String, (Value, PathBuf)>,
    contexts: HashMap<String, (Value, PathBuf)>,
}

/// Load and merge kubeconfig files, then resolve the chosen context.
pub fn from_kubeconfig(
    paths: &[PathBuf],
    context: Option<&str>,
    must_exist: bool,
) -> Result<Target> {
    let mut merged = Merged::default();
    let mut loaded = Vec::new();
    for p in paths {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(Error::config(format!(
                    "kubeconfig {}: cannot read: {e}",
                    p.display()
                )));
            }
        };
        let doc: Value = serde_saphyr::from_str(&text).map_err(|e| {
            Error::config(format!(
                "kubeconfig {}: not valid YAML or JSON: {}",
                p.display(),
                first_line(&e.to_string())
            ))
        })?;
        merge(&mut merged, &doc, p)?;
        loaded.push(p.display().to_string());
    }
    let files = if loaded.is_empty() {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(":")
    } else {
        loaded.join(":")
    };
    if loaded.is_empty() {
        return Err(Error::config(format!("kubeconfig {files}: no such file")));
    }
    let ctx_name = context
        .map(str::to_string)
        .or(merged.current_context.clone())
        .ok_or_else(|| {
            Error::config(format!(
                "kubeconfig {files}: no current-context and no --context"
            ))
        })?;
    let (ctx, ctx_file) = merged.contexts.get(&ctx_name).ok_or_else(|| {
        Error::config(format!(
            "kubeconfig {files}: context {ctx_name:?} not found"
        ))
    })?;
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let cluster_name = field(ctx, "cluster").ok_or_else(|| {
        Error::config(format!(
            "kubeconfig {}: context {ctx_name:?} has no cluster",
            ctx_file.display()
        ))
    })?;
    let user_name = field(ctx, "user").unwrap_or_default();
    let (cluster, cfile) = merged.clusters.get(&cluster_name).ok_or_else(|| {
        Error::config(format!(
            "kubeconfig {files}: cluster {cluster_name:?} (of context {ctx_name:?}) not found"
        ))
    })?;
    let empty = (Value::Null, ctx_file.clone());
    let (user, ufile) = match merged.users.get(&user_name) {
        Some(u) => u,
        None if user_name.is_empty() => &empty,
        None => {
            return Err(Error::config(format!(
                "kubeconfig {files}: user {user_name:?} (of context {ctx_name:?}) not found"
            )));
        }
    };
    let mut t = cluster_target(cluster, cfile, &cluster_name)?;
    user_auth(&mut t, user, ufile, &user_name)?;
    t.namespace = field(ctx, "namespace")
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into());
    t.origin = match user_name.as_str() {
        "" => format!("kubeconfig {files} (context {ctx_name}, no user)"),
        u => format!("kubeconfig {files} (context {ctx_name}, user {u})"),
    };
    Ok(t)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Add one file's named entries to `m` (first definition wins).
fn merge(m: &mut Merged, doc: &Value, path: &Path) -> Result<()> {
    if doc.is_null() {
        return Ok(());
    }
    if !doc.is_object() {
        return Err(Error::config(format!(
            "kubeconfig {}: the top level must be a map",
            path.display()
        )));
    }
    if m.current_context.is_none() {
        m.current_context = doc
            .get("current-context")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    }
    for (list, inner, into) in [
        ("clusters", "cluster", &mut m.clusters),
        ("users", "user", &mut m.users),
        ("contexts", "context", &mut m.contexts),
    ] {
        let items = match doc.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(Error::config(format!(
                    "kubeconfig {}: `{list}` must be a list",
                    path.display()
                )));
            }
        };
        for (i, item) in items.iter().enumerate() {
            let name = item.get("name").and_then(Value::as_str).ok_or_else(|| {
                Error::config(format!(
                    "kubeconfig {}: {list}[{i}] has no name",
                    path.display()
                ))
            })?;
            let body = item.get(inner).cloned().unwrap_or(Value::Null);
            into.entry(name.to_string())
                .or_insert((body, path.to_path_buf()));
        }
    }
    Ok(())
}

/// A path from a kubeconfig, relative to the file it came from.
fn rel(file: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        file.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// `X-data` (base64) or the file named by `X`; errors name the file and field.
fn data_or_file(v: &Value, key: &str, file: &Path, what: &str) -> Result<Option<Vec<u8>>> {
    let ctx = |msg: String| {
        Error::config(format!(
            "kubeconfig {}: {what}.{key}: {msg}",
            file.display()
        ))
    };
    if let Some(d) = v
        .get(format!("{key}-data"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(d.trim())
            .map_err(|e| {
                Error::config(format!(
                    "kubeconfig {}: {what}.{key}-data is not base64: {e}",
                    file.display()
                ))
            })?;
        return Ok(Some(bytes));
    }
    match v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) {
        Some(p) => {
            let path = rel(file, p);
            std::fs::read(&path)
                .map(Some)
                .map_err(|e| ctx(format!("cannot read {}: {e}", path.display())))
        }
        None => Ok(None),
    }
}

fn cluster_target(c: &Value, file: &Path, name: &str) -> Result<Target> {
    let what = format!("clusters[{name}]");
    let server = c
        .get("server")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Error::config(format!(
                "kubeconfig {}: {what}.server is missing",
                file.display()
            ))
        })?;
    if !(server.starts_with("https://") || server.starts_with("http://")) {
        return Err(Error::config(format!(
            "kubeconfig {}: {what}.server must start with https:// (got {server:?})",
            file.display()
        )));
    }
    let insecure = c
        .get("insecure-skip-tls-verify")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Target {
        server: server.trim_end_matches('/').to_string(),
        ca_pem: data_or_file(c, "certificate-authority", file, &what)?,
        insecure,
        tls_server_name: c
            .get("tls-server-name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        proxy_url: c
            .get("proxy-url")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        auth: AuthSource::None,
        client_cert: None,
        namespace: "default".into(),
        origin: String::new(),
    })
}

fn user_auth(t: &mut Target, u: &Value, file: &Path, name: &str) -> Result<()> {
    let what = format!("users[{name}]");
    let bad = |msg: String| Error::config(format!("kubeconfig {}: {what}.{msg}", file.display()));
    let cert = data_or_file(u, "client-certificate", file, &what)?;
    let key = data_or_file(u, "client-key", file, &what)?;
    t.client_cert = match (cert, key) {
        (Some(c), Some(k)) => Some((c, Sensitive::new(k))),
        (None, None) => None,
        (Some(_), None) => {
            return Err(bad(
                "client-certificate is set but client-key is missing".into()
            ));
        }
        (None, Some(_)) => {
            return Err(bad(
                "client-key is set but client-certificate is missing".into()
            ));
        }
    };
    if let Some(tok) = u
        .get("token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        t.auth = AuthSource::Token(Sensitive::new(tok.trim().to_string()));
    } else if let Some(p) = u
        .get("tokenFile")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        t.auth = AuthSource::TokenFile(rel(file, p));
    } else if let Some(exec) = u.get("exec").filter(|e| !e.is_null()) {
        t.auth = AuthSource::Exec(exec_config(exec, file).map_err(|m| bad(format!("exec: {m}")))?);
    } else if let Some(p) = u.get("auth-provider").filter(|p| !p.is_null()) {
        let pname = p.get("name").and_then(Value::as_str).unwrap_or("?");
        return Err(bad(format!(
            "auth-provider {pname:?} is not supported (removed from kubectl since 1.26): use an exec plugin"
        )));
    } else if u.get("username").is_some() {
        return Err(bad("username/password (basic auth) is not supported".into()));
    }
    Ok(())
}

fn exec_config(e: &Value, file: &Path) -> std::result::Result<ExecConfig, String> {
    let command = e
        .get("command")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("command is missing")?;
    let env = e
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|kv| {
            Some((
                kv.get("name")?.as_str()?.to_string(),
                Sensitive::new(kv.get("value")?.as_str()?.to_string()),
            ))
        })
        .collect();
    let api_version = e
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("client.authentication.k8s.io/v1")
        .to_string();
    if !api_version.starts_with("client.authentication.k8s.io/") {
        return Err(format!(
            "apiVersion {api_version:?} is not client.authentication.k8s.io/v1 or v1beta1"
        ));
    }
    Ok(ExecConfig {
        command: command.to_string(),
        args: strings(e.get("args")),
        env,
        api_version,
        dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kubeglass-cfg-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("ca.pem"), "PEM").unwrap();
        d
    }

    const YAML: &str = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443/\n    certificate-authority: ca.pem\nusers:\n- name: u\n  user:\n    token: abc\ncontexts:\n- name: a\n  context: {cluster: c, user: u, namespace: shop}\n- name: b\n  context: {cluster: c, user: missing}\n";

    #[test]
    fn yaml_kubeconfig_with_relative_ca() {
        let d = tmp("yaml");
        let p = write(&d, "config", YAML);
        let t = from_kubeconfig(std::slice::from_ref(&p), None, true).unwrap();
        assert_eq!(t.server, "https://10.0.0.1:6443");
        assert_eq!(t.ca_pem.as_deref(), Some(&b"PEM"[..]));
        assert_eq!(t.namespace, "shop");
        assert!(matches!(t.auth, AuthSource::Token(ref s) if s.expose() == "abc"));
        let e = from_kubeconfig(std::slice::from_ref(&p), Some("b"), true).unwrap_err();
        assert!(e.message.contains("user \"missing\""), "{}", e.message);
        let e = from_kubeconfig(&[p], Some("zzz"), true).unwrap_err();
        assert!(
            e.message.contains("context \"zzz\" not found"),
            "{}",
            e.message
        );
    }

    #[test]
    fn json_kubeconfig_and_merge_first_wins() {
        let d = tmp("json");
        let first = write(
            &d,
            "one.json",
            r#"{"current-context":"x","contexts":[{"name":"x","context":{"cluster":"k","user":"me"}}],
            "clusters":[{"name":"k","cluster":{"server":"http://127.0.0.1:1"}}],"users":[{"name":"me","user":{"tokenFile":"tok"}}]}"#,
        );
        let second = write(
            &d,
            "two.yaml",
            "current-context: y\nclusters:\n- name: k\n  cluster:\n    server: https://other\n",
        );
        let t = from_kubeconfig(&[d.join("absent"), first, second], None, false).unwrap();
        assert_eq!(t.server, "http://127.0.0.1:1");
        assert_eq!(t.namespace, "default");
        assert!(matches!(t.auth, AuthSource::TokenFile(ref p) if p == &d.join("tok")));
    }

    #[test]
    fn broken_configs_name_file_and_field() {
        let d = tmp("broken");
        let p = write(
            &d,
            "c",
            "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {}\n",
        );
        let e = from_kubeconfig(std::slice::from_ref(&p), None, true).unwrap_err();
        assert!(
            e.message.contains(&p.display().to_string()) && e.message.contains("server is missing"),
            "{}",
            e.message
        );
        let p = write(&d, "d", "clusters: [unclosed\n");
        assert!(
            from_kubeconfig(&[p], None, true)
                .unwrap_err()
                .message
                .contains("not valid YAML")
        );
        let p = write(
            &d,
            "e",
            YAML.replace("token: abc", "client-certificate-data: !!!")
                .as_str(),
        );
        assert!(from_kubeconfig(&[p], None, true).is_err());
        let e = from_kubeconfig(&[d.join("nope")], None, true).unwrap_err();
        assert!(e.message.contains("nope"), "{}", e.message);
        let p = write(
            &d,
            "f",
            &YAML.replace("token: abc", "auth-provider: {name: gcp}"),
        );
        assert!(
            from_kubeconfig(&[p], None, true)
                .unwrap_err()
                .message
                .contains("auth-provider")
        );
    }

    #[test]
    fn exec_plugins_are_read() {
        let d = tmp("exec");
        let p = write(&d, "c", &YAML.replace(
            "token: abc",
            "exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token]\n      env: [{name: AWS_PROFILE, value: prod}]",
        ));
        let t = from_kubeconfig(&[p], None, true).unwrap();
        let AuthSource::Exec(e) = t.auth else {
            panic!("exec")
        };
        assert_eq!(
            (
                e.command.as_str(),
                e.args.len(),
                e.env[0].1.expose().as_str()
            ),
            ("aws", 2, "prod")
        );
    }

    #[test]
    fn debug_of_a_target_shows_no_token_key_or_plugin_env() {
        use base64::engine::general_purpose::STANDARD;
        let d = tmp("debug");
        let key = b"-----BEGIN PRIVATE KEY-----KEY-SECRET-----END PRIVATE KEY-----".to_vec();
        let user = format!(
            "token: TOKEN-SECRET\n    client-certificate-data: {}\n    client-key-data: {}",
            STANDARD.encode("CERT"),
            STANDARD.encode(&key)
        );
        let p = write(&d, "c", &YAML.replace("token: abc", &user));
        let t = from_kubeconfig(&[p], None, true).unwrap();
        assert!(matches!(t.auth, AuthSource::Token(ref s) if s.expose() == "TOKEN-SECRET"));
        let shown = format!("{t:?}");
        assert!(!shown.contains("TOKEN-SECRET"), "{shown}");
        assert!(!shown.contains(&format!("{key:?}")), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let p = write(&d, "e", &YAML.replace(
            "token: abc",
            "exec:\n      command: plugin\n      env: [{name: PLUGIN_PASSWORD, value: ENV-SECRET}]",
        ));
        let shown = format!("{:?}", from_kubeconfig(&[p], None, true).unwrap());
        assert!(
            shown.contains("PLUGIN_PASSWORD") && !shown.contains("ENV-SECRET"),
            "{shown}"
        );
    }
}
