#!/usr/bin/env python3
"""End-to-end: the official MCP Python SDK (PyPI `mcp`) as a stdio client of `kubeglass mcp`
against the kube testbed, as a new user's AI tool would talk to it. Run by tests/e2e_mcp.rs:

    mcp_client.py KUBEGLASS KUBECONFIG        (MCP_CANARIES=a,b,c: values that must never appear)

Checks, each printed as an `ok:` line (any failure raises and exits non-zero):
- the SDK's default connection (server/discover, revision 2026-07-28) and its legacy one
  (the initialize handshake, 2025-11-25) both work;
- the tools list with their input schemas and read-only annotations;
- get/describe/logs/endpoints on the seeded shop answer the same text as `kubeglass query`;
- a write comes back as an isError result with `ReadOnly`, another namespace with
  `--namespaces shop` as `OutOfScope`; Secrets are metadata only (no canary in any result);
- a small budget cuts a result and the text says so;
- a malformed line and a 2 MiB line, written into the server's stdin mid-session, get
  JSON-RPC parse errors and the session goes on.

The raw lines are written through a relay: the SDK starts `mcp_client.py relay FIFO RECORD
-- kubeglass mcp …`, which passes the SDK's stdin through to kubeglass line by line, adds
lines written into FIFO between them, and records the answers with a null id (the SDK drops
those) in RECORD.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

import anyio
from mcp import Client, StdioServerParameters

EXPECTED_TOOLS = {
    "triage", "get", "describe", "logs", "events", "endpoints",
    "rollout_history", "top", "api_resources", "version", "changes", "rollout_diff",
    "scope", "helm_list", "helm_history", "history",
}
CANARIES = [c for c in os.environ.get("MCP_CANARIES", "").split(",") if c]
# kubectl ages (`3m52s`, `2h`, `5d`) tick between two calls on a freshly seeded testbed.
AGE = re.compile(r"\b\d+[smhdy](\d+[smh])?\b")


def ok(what):
    print(f"ok: {what}", flush=True)


def no_canary(what, text):
    for c in CANARIES:
        b64 = base64.b64encode(c.encode()).decode()
        assert c not in text and b64 not in text, f"{what}: leaks canary {c}"


def query(kubeglass, kubeconfig, flags, words):
    """The text a tool call must match: `kubeglass query --json`'s output, the answer an agent
    sends (query's own stdout leaves its notes, `[kubeglass: …]`, to stderr; an MCP text keeps
    them, as the agent's answer does)."""
    r = subprocess.run(
        [kubeglass, "query", "--kubeconfig", kubeconfig, *flags, "--json", "--", *words],
        capture_output=True, text=True, timeout=120,
    )
    # Exit 3: an answer the output budget cut (docs/cli.md).
    assert r.returncode in (0, 3), f"query {words}: exit {r.returncode}: {r.stderr}"
    answer = json.loads(r.stdout)
    assert answer["status"] == "ok", f"query {words}: {answer}"
    assert answer["truncated"] == (r.returncode == 3), f"query {words}: exit {r.returncode}: {answer}"
    return answer["output"]


def same_text(what, tool_text, query_text):
    a, b = tool_text.rstrip("\n"), query_text.rstrip("\n")
    if a == b:
        return "identical"
    assert AGE.sub("<age>", a) == AGE.sub("<age>", b), (
        f"{what}: the tool's text differs from query's:\n--- tool\n{a}\n--- query\n{b}"
    )
    return "identical but for ages that ticked between the two calls"


class Session:
    """One SDK client over stdio, with the checks' helpers."""

    def __init__(self, client, kubeglass, kubeconfig, flags):
        self.client, self.kubeglass, self.kubeconfig, self.flags = client, kubeglass, kubeconfig, flags

    async def call(self, tool, args):
        r = await self.client.call_tool(tool, args)
        assert len(r.content) == 1 and r.content[0].type == "text", r
        text = r.content[0].text
        no_canary(f"{tool} {args}", text)
        return text, bool(r.is_error)

    async def matches_query(self, tool, args, words, tries=3):
        """The tool's text is query's. Tried again when they differ: an age that changes
        width between the two calls (`3m9s` → `3m10s`) moves where a budget cuts a table."""
        for attempt in range(1, tries + 1):
            text, is_error = await self.call(tool, args)
            assert not is_error, f"{tool} {args}: {text}"
            expected = query(self.kubeglass, self.kubeconfig, self.flags, words)
            try:
                how = same_text(f"{tool} {args}", text, expected)
                break
            except AssertionError:
                if attempt == tries:
                    raise
        ok(f"{tool} {json.dumps(args)} = query {' '.join(words)} ({how}, {len(text)} bytes, try {attempt})")
        return text

    async def refused(self, tool, args, code):
        text, is_error = await self.call(tool, args)
        assert is_error and text.startswith(f"{code}: "), f"{tool} {args}: {is_error} {text}"
        ok(f"{tool} {json.dumps(args)} -> isError {text[:90]}…")


def server(kubeglass, kubeconfig, flags, relay=None):
    cmd = [kubeglass, "mcp", "--kubeconfig", kubeconfig, *flags]
    if relay:
        cmd = [sys.executable, os.path.abspath(__file__), "relay", *relay, "--", *cmd]
    return StdioServerParameters(command=cmd[0], args=cmd[1:], env={"RUST_LOG": "warn", "PATH": os.environ.get("PATH", "")})


async def check_tools(client):
    tools = (await client.list_tools()).tools
    names = {t.name for t in tools}
    assert names == EXPECTED_TOOLS, names
    for t in tools:
        s = t.input_schema
        assert s["type"] == "object" and s.get("additionalProperties") is False, (t.name, s)
        for p, spec in s["properties"].items():
            assert spec.get("description"), (t.name, p)
        assert set(s.get("required", [])) <= set(s["properties"]), (t.name, s)
        a = t.annotations
        assert a is not None and a.read_only_hint is True and a.open_world_hint is False, (t.name, a)
        assert t.description and len(t.description) > 20, t.name
    get = next(t for t in tools if t.name == "get")
    # resource may come in names instead (["deploy/web"]): not required.
    assert get.input_schema.get("required", []) == [], get.input_schema
    assert {"resource", "names", "namespace", "selector", "output"} <= set(get.input_schema["properties"])
    logs = next(t for t in tools if t.name == "logs").input_schema["properties"]["logs"]
    assert {"tail", "grep", "previous", "container"} <= set(logs["properties"]), logs
    ok(f"tools/list: {len(tools)} tools, each with an object inputSchema, described properties, "
       f"readOnlyHint true, openWorldHint false")


def wait_for_records(path, n, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path) as f:
                lines = [json.loads(l) for l in f if l.strip()]
        except FileNotFoundError:
            lines = []
        if len(lines) >= n:
            return lines
        time.sleep(0.1)
    raise AssertionError(f"only {len(lines)} of {n} parse errors answered in {timeout}s")


async def scoped_session(kubeglass, kubeconfig, tmp):
    """The SDK's default connection, `--namespaces shop`, through the relay."""
    fifo, record = os.path.join(tmp, "inject"), os.path.join(tmp, "record")
    os.mkfifo(fifo)
    flags = ["--namespaces", "shop"]
    async with Client(server(kubeglass, kubeconfig, flags, relay=(fifo, record)), mode="auto") as client:
        assert client.protocol_version == "2026-07-28", client.protocol_version
        ok(f"connected in the SDK's default mode: server/discover, protocol {client.protocol_version}")
        await check_tools(client)
        tools = (await client.list_tools()).tools
        about = next(t for t in tools if t.name == "get").input_schema["properties"]["namespace"]["description"]
        assert "Allowed here: only shop" in about and "default namespace here: shop" in about, about
        ok(f"the namespace parameter names the scope: {about}")
        s = Session(client, kubeglass, kubeconfig, flags)
        await s.matches_query("get", {"resource": "pods", "namespace": "shop"}, ["get", "pods", "-n", "shop"])
        text, is_error = await s.call("logs", {"names": ["deploy/web"], "namespace": "shop", "logs": {"tail": 20}})
        assert not is_error and "current line" in text, text
        await s.matches_query("describe", {"names": ["deploy/web"], "namespace": "shop"},
                              ["describe", "deploy", "web", "-n", "shop"])
        ok("names as TYPE/NAME (deploy/web), as triage's hints print them")
        await s.matches_query("describe", {"resource": "deploy", "names": ["web"], "namespace": "shop"},
                              ["describe", "deploy", "web", "-n", "shop"])
        text = await s.matches_query(
            "logs", {"resource": "deploy", "names": ["web"], "namespace": "shop", "logs": {"tail": 20}},
            ["logs", "deploy/web", "-n", "shop", "--tail", "20"])
        assert "current line" in text, text
        text = await s.matches_query("endpoints", {"names": ["checkout"], "namespace": "shop"},
                                     ["endpoints", "checkout", "-n", "shop"])
        assert "checkout-v2" in text, text
        await s.refused("delete", {"resource": "pods", "names": ["web"], "namespace": "shop"}, "ReadOnly")
        await s.refused("get", {"resource": "pods", "namespace": "payments"}, "OutOfScope")
        for args in [{"resource": "secrets", "namespace": "shop", "output": "yaml"},
                     {"resource": "secrets", "namespace": "shop", "output": "json"}]:
            text, is_error = await s.call("get", args)
            assert not is_error and "db-credentials" in text and "web-tls" in text, text
        items = json.loads(text)["items"]
        assert items and all("data" not in i and "stringData" not in i for i in items), text
        text, is_error = await s.call("describe", {"resource": "secret", "names": ["db-credentials"], "namespace": "shop"})
        assert not is_error and "db-credentials" in text, text
        ok("Secrets (get -o yaml/json, describe): metadata shown, no canary in any result")

        # Mid-session: a malformed line and a 2 MiB line straight into the server's stdin.
        with open(fifo, "wb") as f:
            f.write(b'{"jsonrpc":"2.0","id":"broken","method":\n')
            f.write(b"x" * (2 * 1024 * 1024) + b"\n")
        records = wait_for_records(record, 2)
        codes = [r.get("error", {}).get("code") for r in records]
        assert codes == [-32700, -32700], records
        ok(f"a malformed line and a 2 MiB line: JSON-RPC parse errors {codes} "
           f"({records[1]['error']['message']})")
        text = await s.matches_query("get", {"resource": "deploy", "namespace": "shop"}, ["get", "deploy", "-n", "shop"])
        ok("the session goes on after them")

        # What this server can see, Helm releases from labels, and folded logs.
        text, is_error = await s.call("scope", {})
        assert not is_error and "namespaces: only shop" in text and "listable in shop: pods" in text, text
        await s.refused("scope", {"namespace": "payments"}, "OutOfScope")
        await s.matches_query("helm_list", {"namespace": "shop", "all": True},
                              ["helm", "list", "-n", "shop", "--all"])
        text, is_error = await s.call("logs", {"resource": "deploy", "names": ["web"], "namespace": "shop",
                                               "logs": {"fold": True, "grep_v": "ERROR"}})
        assert not is_error and "folded into" in text and "x ERROR " not in text, text
        ok("scope, helm_list and logs.fold answer through MCP")


async def legacy_session(kubeglass, kubeconfig):
    """The initialize handshake, and a small budget."""
    flags = ["--max-output-bytes", "4096"]
    async with Client(server(kubeglass, kubeconfig, flags), mode="legacy") as client:
        assert client.protocol_version == "2025-11-25", client.protocol_version
        ok(f"connected with the initialize handshake: protocol {client.protocol_version}")
        await check_tools(client)
        s = Session(client, kubeglass, kubeconfig, flags)
        await s.matches_query("version", {}, ["version"])
        text = await s.matches_query("get", {"resource": "pods", "namespace": "load"}, ["get", "pods", "-n", "load"])
        assert len(text.encode()) <= 4096 and "[kubeglass: output cut" in text, text[-300:]
        ok(f"a cut result ({len(text.encode())} bytes) ends with: {text.splitlines()[-1][:120]}…")
        text, is_error = await s.call("get", {"resource": "pods", "namespace": "shop", "max_output_bytes": 300})
        assert not is_error and "[kubeglass: output cut" in text, text
        ok("a call's own max_output_bytes cuts it lower")
        await s.refused("rollout_undo", {"resource": "deploy", "names": ["web"]}, "ReadOnly")
        await s.refused("get", {"resource": "pods", "watch": True}, "Unsupported")
        await s.refused("logs", {"names": ["x"], "logs": {"no_redact": True}}, "InvalidCommand")


def relay(fifo, record, cmd):
    """Pass stdin to `cmd` line by line, adding lines from `fifo`; its stdout to ours, the
    answers with a null id also to `record`."""
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lock = threading.Lock()

    def feed(src):
        for line in src:
            with lock:
                child.stdin.write(line)
                child.stdin.flush()

    def injected():
        while True:
            with open(fifo, "rb") as f:
                feed(f)

    threading.Thread(target=injected, daemon=True).start()

    def answers():
        with open(record, "ab") as rec:
            for line in child.stdout:
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
                if json.loads(line).get("id") is None:
                    rec.write(line)
                    rec.flush()

    out = threading.Thread(target=answers)
    out.start()
    feed(sys.stdin.buffer)
    child.stdin.close()
    out.join()
    sys.exit(child.wait())


def main():
    if sys.argv[1] == "relay":
        sep = sys.argv.index("--")
        fifo, record = sys.argv[2:sep]
        relay(fifo, record, sys.argv[sep + 1:])
        return
    kubeglass, kubeconfig = sys.argv[1], sys.argv[2]
    assert CANARIES, "MCP_CANARIES is empty: nothing to look for"
    import mcp  # noqa: F401  (the version, for the record)
    from importlib.metadata import version
    print(f"mcp SDK {version('mcp')}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        anyio.run(scoped_session, kubeglass, kubeconfig, tmp)
    anyio.run(legacy_session, kubeglass, kubeconfig)
    print("all MCP checks passed", flush=True)


if __name__ == "__main__":
    main()
