//! An in-process fake Kubernetes API over plain HTTP, answering from fixtures recorded from
//! the real testbed (`tests/fixtures/record-api.py`): `tests/fixtures/api/<kind>/<path>.json`
//! where kind follows the Accept header (Table, PartialObjectMetadata, else JSON). It records
//! every request so tests can prove what kubeglass sent (method, Accept, User-Agent).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub accept: String,
    pub user_agent: String,
    pub authorization: String,
}

/// A running fake API; dropped at the end of the test process.
pub struct FakeApi {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub dir: PathBuf,
}

/// An answer that replaces the fixtures' for the requests it returns `Some` for: a hostile
/// or broken API in front of the recorded one.
pub type Override = fn(&Seen) -> Option<(u16, String)>;

/// A status an [`Override`] answers with to stall: the fake sends `200` with the body it
/// was given, then holds the connection open and sends nothing more (a watch whose server
/// went silent) for [`STALL_FOR`].
pub const STALL: u16 = 1200;
/// How long a stalled answer holds its connection.
pub const STALL_FOR: std::time::Duration = std::time::Duration::from_secs(120);

/// The bearer token the fake accepts (and that must never reach a log line).
pub const TOKEN: &str = "fake-token-for-tests";

impl FakeApi {
    /// Start a fake on a free port and write a kubeconfig for it (namespace shop).
    pub fn start() -> FakeApi {
        FakeApi::start_with(|_| None)
    }

    /// A fake whose `over` answers first (status, JSON body); the fixtures answer the rest.
    pub fn start_with(over: Override) -> FakeApi {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind the fake API");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for req in server.incoming_requests() {
                // One thread a request: a stalled answer must not hold up the others.
                let log = Arc::clone(&log);
                thread::spawn(move || serve(req, &log, over));
            }
        });
        let dir =
            std::env::temp_dir().join(format!("kubeglass-fake-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("http://127.0.0.1:{port}");
        let kubeconfig = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {url}\n\
             users:\n- name: fake\n  user:\n    token: {TOKEN}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: shop\n"
        );
        std::fs::write(dir.join("kubeconfig"), kubeconfig).expect("write kubeconfig");
        FakeApi { url, seen, dir }
    }

    /// The kubeconfig pointing at this fake.
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/api")
}

fn header(req: &tiny_http::Request, name: &'static str) -> String {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default()
}

fn serve(req: tiny_http::Request, log: &Mutex<Vec<Seen>>, over: Override) {
    let seen = Seen {
        method: req.method().as_str().to_string(),
        url: req.url().to_string(),
        accept: header(&req, "Accept"),
        user_agent: header(&req, "User-Agent"),
        authorization: header(&req, "Authorization"),
    };
    log.lock().expect("lock").push(seen.clone());
    let (status, body) = over(&seen).unwrap_or_else(|| answer(&seen));
    if status == STALL {
        stall(req, &body);
        return;
    }
    let response = tiny_http::Response::from_string(body)
        .with_status_code(status)
        .with_header(
            "Content-Type: application/json"
                .parse::<tiny_http::Header>()
                .expect("header"),
        );
    let _ = req.respond(response);
}

/// Answer `200` with `body` as one chunk, then keep the connection open, silent.
fn stall(req: tiny_http::Request, body: &str) {
    use std::io::Write;
    let mut w = req.into_writer();
    let mut out = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    if !body.is_empty() {
        out.push_str(&format!("{:x}\r\n{body}\r\n", body.len()));
    }
    let _ = w.write_all(out.as_bytes());
    let _ = w.flush();
    thread::sleep(STALL_FOR);
}

fn status(code: u16, reason: &str, message: &str) -> (u16, String) {
    let v = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": reason, "message": message, "code": code});
    (code, v.to_string())
}

fn answer(seen: &Seen) -> (u16, String) {
    if seen.method != "GET" {
        return status(405, "MethodNotAllowed", "the fake API answers GET only");
    }
    if seen.authorization != format!("Bearer {TOKEN}") {
        return status(401, "Unauthorized", "Unauthorized");
    }
    let (path, query) = seen.url.split_once('?').unwrap_or((&seen.url, ""));
    let kind = if seen.accept.contains("as=Table") {
        "table"
    } else if seen.accept.contains("as=PartialObjectMetadata") {
        "metadata"
    } else {
        "json"
    };
    let file = fixture_root()
        .join(kind)
        .join(format!("{}.json", path.trim_matches('/').replace('/', "~")));
    let Ok(text) = std::fs::read_to_string(&file) else {
        return status(
            404,
            "NotFound",
            &format!("the fake has no {kind} fixture for {path}"),
        );
    };
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    if let Some(sel) = query_param(query, "labelSelector") {
        filter_by_labels(&mut v, &sel);
    }
    (200, v.to_string())
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(x))) = (b[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keep list items (or Table rows) whose labels satisfy every `k=v` of the selector.
fn filter_by_labels(v: &mut serde_json::Value, sel: &str) {
    let wanted: Vec<(&str, &str)> = sel.split(',').filter_map(|kv| kv.split_once('=')).collect();
    let matches = |obj: &serde_json::Value| {
        wanted.iter().all(|(k, val)| {
            obj.pointer("/metadata/labels")
                .and_then(|l| l.get(*k))
                .and_then(|x| x.as_str())
                == Some(*val)
        })
    };
    if let Some(items) = v.get_mut("items").and_then(|i| i.as_array_mut()) {
        items.retain(|o| matches(o));
    }
    if let Some(rows) = v.get_mut("rows").and_then(|i| i.as_array_mut()) {
        rows.retain(|r| r.get("object").is_some_and(&matches));
    }
}

/// `kubeglass run --stdio --record` against a fake API, killed when dropped.
pub struct RecordingAgent {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl FakeApi {
    /// An agent recording this API (`run --stdio --record`), taking commands on its stdin.
    pub fn recording_agent(&self) -> RecordingAgent {
        self.recording_agent_with(&[])
    }

    /// [`Self::recording_agent`] with more environment variables.
    pub fn recording_agent_with(&self, env: &[(&str, &str)]) -> RecordingAgent {
        let mut c = super::kubeglass();
        c.args(["run", "--stdio", "--record", "--kubeconfig"])
            .arg(self.kubeconfig())
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("start the agent");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        RecordingAgent {
            child,
            stdin,
            stdout,
        }
    }
}

impl RecordingAgent {
    /// The agent's JSON answer to the command `kubectl` sent with `id`.
    pub fn answer(&mut self, id: &str, kubectl: &str) -> serde_json::Value {
        let cmd = serde_json::json!({"version": 1, "id": id, "kubectl": kubectl});
        writeln!(self.stdin, "{cmd}").expect("write a command");
        self.stdin.flush().expect("flush");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("an answer");
        serde_json::from_str(&line).expect("a JSON answer")
    }
}

impl Drop for RecordingAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
