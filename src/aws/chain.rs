//! The links of the credential chain, tried in order.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::timefmt;

use super::{Credentials, cred_error};

/// Reads an environment variable (injected so tests need not touch the process env).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Walk the chain with the process environment.
pub fn load() -> Result<Credentials> {
    load_with(&|k| std::env::var(k).ok())
}

/// Walk the chain: env, web identity, container, shared files, IMDSv2.
pub fn load_with(vars: Env) -> Result<Credentials> {
    let env = |k: &str| var(vars, k);
    if let Some(c) = from_env(vars) {
        return Ok(c);
    }
    if let (Ok(file), Ok(role)) = (env("AWS_WEB_IDENTITY_TOKEN_FILE"), env("AWS_ROLE_ARN")) {
        return web_identity(vars, &file, &role);
    }
    if let Some(url) = container_url(vars) {
        return container(vars, &url);
    }
    if let Some(c) = profile(vars)? {
        return Ok(c);
    }
    if env("AWS_EC2_METADATA_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(none_found(
            "(EC2 IMDS not tried: AWS_EC2_METADATA_DISABLED=true)",
        ));
    }
    imds(vars).map_err(|e| none_found(&format!("and EC2 IMDSv2 ({})", e.message)))
}

/// No link of the chain had credentials; `imds` says what became of the last one.
fn none_found(imds: &str) -> Error {
    Error::config(format!(
        "no AWS credentials found: tried AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA \
         (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), container credentials \
         (AWS_CONTAINER_CREDENTIALS_FULL_URI), the shared files (~/.aws, AWS_PROFILE) {imds}; \
         see docs/cli.md, \"AWS credentials\""
    ))
}

/// A non-empty environment variable.
fn var(vars: Env, name: &str) -> std::result::Result<String, ()> {
    vars(name).filter(|v| !v.trim().is_empty()).ok_or(())
}

fn from_env(vars: Env) -> Option<Credentials> {
    let env = |k: &str| var(vars, k);
    let (id, secret) = (
        env("AWS_ACCESS_KEY_ID").ok()?,
        env("AWS_SECRET_ACCESS_KEY").ok()?,
    );
    Some(Credentials {
        access_key_id: id.into(),
        secret_access_key: secret.into(),
        session_token: env("AWS_SESSION_TOKEN").ok().map(Into::into),
        expires: None,
        source: "environment",
    })
}

/// An HTTP agent for credential endpoints: short timeouts, never a proxy (link-local).
fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_global(Some(Duration::from_secs(10)))
        .user_agent(format!("kubeglass/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// IRSA: STS AssumeRoleWithWebIdentity with the projected token (unsigned), XML answer.
fn web_identity(vars: Env, token_file: &str, role: &str) -> Result<Credentials> {
    let env = |k: &str| var(vars, k);
    let token = std::fs::read_to_string(token_file)
        .map_err(|e| cred_error("web identity", format!("cannot read {token_file}: {e}")))?;
    let endpoint = env("AWS_ENDPOINT_URL_STS")
        .or_else(|_| env("AWS_ENDPOINT_URL"))
        .unwrap_or_else(
            |_| match env("AWS_REGION").or_else(|_| env("AWS_DEFAULT_REGION")) {
                Ok(r) => format!("https://sts.{r}.amazonaws.com"),
                Err(()) => "https://sts.amazonaws.com".into(),
            },
        );
    let session = env("AWS_ROLE_SESSION_NAME").unwrap_or_else(|_| "kubeglass".into());
    let body = format!(
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={}&RoleSessionName={}&WebIdentityToken={}",
        form(role),
        form(&session),
        form(token.trim())
    );
    let mut resp = http()
        .post(format!("{}/", endpoint.trim_end_matches('/')))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .map_err(|e| {
            cred_error(
                "web identity",
                format!("STS at {endpoint} unreachable: {e}"),
            )
        })?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        return Err(cred_error(
            "web identity",
            format!(
                "STS answered {status}: {}",
                xml_tag(&text, "Message").unwrap_or("?")
            ),
        ));
    }
    let tag = |t| {
        xml_tag(&text, t)
            .map(str::to_string)
            .ok_or_else(|| cred_error("web identity", format!("no {t} in the STS answer")))
    };
    Ok(Credentials {
        access_key_id: tag("AccessKeyId")?.into(),
        secret_access_key: tag("SecretAccessKey")?.into(),
        session_token: Some(tag("SessionToken")?.into()),
        expires: xml_tag(&text, "Expiration").and_then(timefmt::parse_rfc3339),
        source: "web identity (IRSA)",
    })
}

/// Form-encode a value.
fn form(v: &str) -> String {
    crate::url::encode(v)
}

/// The text of the first `<tag>…</tag>`.
pub fn xml_tag<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].trim())
}

/// The container credentials URL (full, or relative to the ECS agent address).
fn container_url(vars: Env) -> Option<String> {
    let env = |k: &str| var(vars, k);
    env("AWS_CONTAINER_CREDENTIALS_FULL_URI").ok().or_else(|| {
        env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .ok()
            .map(|r| format!("http://169.254.170.2{r}"))
    })
}

/// Only https, loopback and the ECS/EKS agent addresses may serve credentials over http.
pub fn container_host_allowed(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(
        host,
        "127.0.0.1" | "localhost" | "[::1]" | "169.254.170.2" | "169.254.170.23" | "[fd00:ec2::23]"
    ) || host.starts_with("127.")
}

/// EKS Pod Identity / ECS: GET the URL with the authorization token, JSON answer.
fn container(vars: Env, url: &str) -> Result<Credentials> {
    let env = |k: &str| var(vars, k);
    if !container_host_allowed(url) {
        return Err(cred_error(
            "container",
            format!("{url} is not an allowed credentials host"),
        ));
    }
    let token = match env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Ok(f) => Some(
            std::fs::read_to_string(&f)
                .map_err(|e| cred_error("container", format!("cannot read {f}: {e}")))?,
        ),
        Err(()) => env("AWS_CONTAINER_AUTHORIZATION_TOKEN").ok(),
    };
    let mut req = http().get(url);
    if let Some(t) = &token {
        let value = crate::sensitive::header_value(t.trim()).ok_or_else(|| {
            cred_error(
                "container",
                "the authorization token holds characters an HTTP header cannot carry",
            )
        })?;
        req = req.header(ureq::http::header::AUTHORIZATION, value);
    }
    let mut resp = req
        .call()
        .map_err(|e| cred_error("container", format!("{url} unreachable: {e}")))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        return Err(cred_error("container", format!("{url} answered {status}")));
    }
    json_credentials(&text, "Token", "container credentials")
}

/// `{AccessKeyId, SecretAccessKey, <token_key>, Expiration}` as credentials.
pub(crate) fn json_credentials(
    text: &str,
    token_key: &str,
    source: &'static str,
) -> Result<Credentials> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| cred_error(source, format!("not JSON: {e}")))?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(Credentials {
        access_key_id: field("AccessKeyId")
            .ok_or_else(|| cred_error(source, "no AccessKeyId"))?
            .into(),
        secret_access_key: field("SecretAccessKey")
            .ok_or_else(|| cred_error(source, "no SecretAccessKey"))?
            .into(),
        session_token: field(token_key).map(Into::into),
        expires: field("Expiration")
            .as_deref()
            .and_then(timefmt::parse_rfc3339),
        source,
    })
}

/// The shared credentials and config files for `AWS_PROFILE` (default `default`).
fn profile(vars: Env) -> Result<Option<Credentials>> {
    let env = |k: &str| var(vars, k);
    let home = env("HOME").map(PathBuf::from).unwrap_or_default();
    let creds_file = env("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| home.join(".aws/credentials"));
    let config_file = env("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| home.join(".aws/config"));
    let name = env("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let mut keys = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&creds_file) {
        keys.extend(ini_section(&text, &name));
    }
    if let Ok(text) = std::fs::read_to_string(&config_file) {
        let section = if name == "default" {
            name.clone()
        } else {
            format!("profile {name}")
        };
        keys.extend(ini_section(&text, &section));
    }
    let get = |k: &str| {
        keys.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if let (Some(id), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) {
        return Ok(Some(Credentials {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: get("aws_session_token").map(Into::into),
            expires: None,
            source: "shared credentials file",
        }));
    }
    match get("credential_process") {
        Some(cmd) => credential_process(&cmd).map(Some),
        None => Ok(None),
    }
}

/// `key = value` pairs of `[section]` in an INI text.
pub fn ini_section(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
            continue;
        }
        if let (true, Some((k, v))) = (inside, line.split_once('=')) {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// Run a `credential_process` command (split like a shell would, no shell run).
fn credential_process(cmd: &str) -> Result<Credentials> {
    let words = shlex::split(cmd)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| cred_error("credential_process", "cannot split the command"))?;
    let mut command = std::process::Command::new(&words[0]);
    command.args(&words[1..]);
    let out = crate::process::output_within(command, crate::process::HELPER_TIMEOUT)
        .map_err(|e| cred_error("credential_process", format!("{} {e}", words[0])))?;
    if !out.status.success() {
        return Err(cred_error(
            "credential_process",
            format!("{} failed ({})", words[0], out.status),
        ));
    }
    json_credentials(
        &String::from_utf8_lossy(&out.stdout),
        "SessionToken",
        "credential_process",
    )
}

/// EC2 IMDSv2 (never v1): a session token, the role name, then the role's credentials.
fn imds(vars: Env) -> Result<Credentials> {
    let env = |k: &str| var(vars, k);
    let base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or_else(|_| "http://169.254.169.254".into());
    let base = base.trim_end_matches('/');
    let agent = http();
    let fail = |what: &str| cred_error("IMDS", what.to_string());
    let mut resp = agent
        .put(format!("{base}/latest/api/token"))
        .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
        .send_empty()
        .map_err(|e| fail(&format!("unreachable: {e}")))?;
    let token = resp
        .body_mut()
        .read_to_string()
        .map_err(|_| fail("no session token"))?;
    let token = crate::sensitive::header_value(token.trim())
        .ok_or_else(|| fail("the session token is not a valid header value"))?;
    let get = |path: &str| -> Result<String> {
        let mut r = agent
            .get(format!("{base}{path}"))
            .header("X-aws-ec2-metadata-token", token.clone())
            .call()
            .map_err(|e| fail(&format!("{path}: {e}")))?;
        if r.status() != 200 {
            return Err(fail(&format!("{path} answered {}", r.status())));
        }
        r.body_mut()
            .read_to_string()
            .map_err(|_| fail("unreadable answer"))
    };
    let roles = get("/latest/meta-data/iam/security-credentials/")?;
    let role = roles
        .lines()
        .next()
        .ok_or_else(|| fail("no instance role"))?
        .trim()
        .to_string();
    json_credentials(
        &get(&format!(
            "/latest/meta-data/iam/security-credentials/{role}"
        ))?,
        "Token",
        "EC2 instance metadata",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_ini() {
        let xml = "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></R>";
        assert_eq!(xml_tag(xml, "AccessKeyId"), Some("ASIA1"));
        assert_eq!(xml_tag(xml, "Nope"), None);
        let ini = "[default]\naws_access_key_id = A\n# c\n[profile dev]\ncredential_process = /bin/x --y\n";
        assert_eq!(
            ini_section(ini, "default"),
            [("aws_access_key_id".to_string(), "A".to_string())]
        );
        assert_eq!(ini_section(ini, "profile dev")[0].1, "/bin/x --y");
    }

    #[test]
    fn container_hosts() {
        for ok in [
            "https://x.example/creds",
            "http://169.254.170.23/v1/credentials",
            "http://127.0.0.1:8080/c",
            "http://169.254.170.2/x",
        ] {
            assert!(container_host_allowed(ok), "{ok}");
        }
        for bad in [
            "http://evil.example/creds",
            "ftp://127.0.0.1/x",
            "http://169.254.169.254/",
        ] {
            assert!(!container_host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn credential_process_output() {
        let c = credential_process(
            r#"sh -c 'echo "{\"Version\":1,\"AccessKeyId\":\"AK\",\"SecretAccessKey\":\"SK\",\"SessionToken\":\"ST\",\"Expiration\":\"2030-01-01T00:00:00Z\"}"'"#,
        )
        .unwrap();
        assert_eq!(
            (
                c.access_key_id.expose().as_str(),
                c.session_token.as_ref().map(|t| t.expose().as_str())
            ),
            ("AK", Some("ST"))
        );
        assert!(c.expires.is_some());
        assert!(credential_process("false").is_err());
        assert!(json_credentials("{}", "Token", "t").is_err());
    }

    /// A one-shot-per-request fake endpoint answering `respond(method, url, headers)`.
    /// Answers (status, body) for (method, url with the body as query, headers).
    type Responder = fn(&str, &str, &[(String, String)]) -> (u16, String);

    fn fake(respond: Responder) -> String {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        std::thread::spawn(move || {
            for mut req in server.incoming_requests() {
                let headers: Vec<(String, String)> = req
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string().to_lowercase(), h.value.to_string()))
                    .collect();
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(req.as_reader(), &mut body);
                let (status, text) = respond(
                    req.method().as_str(),
                    &format!("{}?{body}", req.url()),
                    &headers,
                );
                let _ =
                    req.respond(tiny_http::Response::from_string(text).with_status_code(status));
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    fn vars(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn tmp_file(name: &str, text: &str) -> String {
        let p = std::env::temp_dir().join(format!("kubeglass-aws-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    const CREDS_JSON: &str = r#"{"AccessKeyId":"AK","SecretAccessKey":"SK","Token":"T","Expiration":"2030-01-01T00:00:00Z"}"#;

    #[test]
    fn environment_first() {
        let c = load_with(&vars(&[
            ("AWS_ACCESS_KEY_ID", "A".into()),
            ("AWS_SECRET_ACCESS_KEY", "S".into()),
            ("AWS_ROLE_ARN", "arn:x".into()),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/nope".into()),
        ]))
        .unwrap();
        assert_eq!(
            (c.access_key_id.expose().as_str(), c.source),
            ("A", "environment")
        );
    }

    #[test]
    fn irsa_web_identity_via_sts() {
        let sts = fake(|method, url, _| {
            let ok = method == "POST"
                && url.contains("Action=AssumeRoleWithWebIdentity")
                && url.contains("WebIdentityToken=jwt-token")
                && url.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr");
            let xml = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\
                <AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>SK1</SecretAccessKey><SessionToken>ST1</SessionToken>\
                <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
            if ok {
                (200, xml.into())
            } else {
                (400, "<Error><Message>bad request</Message></Error>".into())
            }
        });
        let token = tmp_file("jwt", "jwt-token\n");
        let env = vars(&[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r".into()),
            ("AWS_ENDPOINT_URL_STS", sts),
        ]);
        let c = load_with(&env).unwrap();
        assert_eq!(
            (
                c.access_key_id.expose().as_str(),
                c.session_token.as_ref().map(|t| t.expose().as_str())
            ),
            ("ASIA1", Some("ST1"))
        );
        assert!(c.expires.is_some());
    }

    #[test]
    fn pod_identity_container_credentials() {
        let url = fake(|_, _, headers| {
            let auth = headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v.as_str());
            if auth == Some("pod-identity-token") {
                (200, CREDS_JSON.into())
            } else {
                (401, "{}".into())
            }
        });
        let token = tmp_file("pod-token", "pod-identity-token\n");
        let env = vars(&[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                format!("{url}/v1/credentials"),
            ),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token),
        ]);
        let c = load_with(&env).unwrap();
        assert_eq!(
            (
                c.session_token.as_ref().map(|t| t.expose().as_str()),
                c.source
            ),
            (Some("T"), "container credentials")
        );
        let bad = vars(&[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds".into(),
        )]);
        assert!(load_with(&bad).is_err(), "only allowed hosts");
    }

    #[test]
    fn shared_files_and_credential_process() {
        let creds = tmp_file(
            "credentials",
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n",
        );
        let c = load_with(&vars(&[
            ("AWS_SHARED_CREDENTIALS_FILE", creds),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]))
        .unwrap();
        assert_eq!(c.access_key_id.expose(), "FILEKEY");
        let config = tmp_file(
            "config",
            "[profile dev]\ncredential_process = sh -c 'echo {\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"PK\\\",\\\"SecretAccessKey\\\":\\\"PS\\\"}'\n",
        );
        let env = vars(&[
            ("AWS_CONFIG_FILE", config),
            ("AWS_PROFILE", "dev".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
        ]);
        assert_eq!(load_with(&env).unwrap().access_key_id.expose(), "PK");
    }

    #[test]
    fn imds_v2_only() {
        let imds_url = fake(|method, url, headers| {
            let token = headers
                .iter()
                .any(|(k, v)| k == "x-aws-ec2-metadata-token" && v == "sess");
            match (method, url.split('?').next().unwrap_or("")) {
                ("PUT", "/latest/api/token") => (200, "sess".into()),
                ("GET", "/latest/meta-data/iam/security-credentials/") if token => {
                    (200, "node-role\n".into())
                }
                ("GET", "/latest/meta-data/iam/security-credentials/node-role") if token => {
                    (200, CREDS_JSON.into())
                }
                _ => (401, String::new()),
            }
        });
        let env = vars(&[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_url),
            ("HOME", "/nonexistent".into()),
        ]);
        let c = load_with(&env).unwrap();
        assert_eq!(
            (c.access_key_id.expose().as_str(), c.source),
            ("AK", "EC2 instance metadata")
        );
        let none = vars(&[
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("HOME", "/nonexistent".into()),
        ]);
        let msg = load_with(&none).unwrap_err().message;
        assert!(msg.contains("no AWS credentials found"), "{msg}");
        assert!(
            msg.contains("IMDS not tried") && !msg.contains("IMDSv2"),
            "an IMDS that was switched off is not claimed as tried: {msg}"
        );
    }
}
