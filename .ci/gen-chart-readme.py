#!/usr/bin/env python3
"""Write the values table of chart/README.md from the `# --` comments in chart/values.yaml
(helm-docs style), between the markers <!-- values:start --> and <!-- values:end -->.
`--check` fails if the README's table is stale or a value has no `# --` comment."""
import json
import os
import re
import sys

import yaml

CHART = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chart")
START, END = "<!-- values:start -->", "<!-- values:end -->"


def documented_keys(text):
    """(dotted key, description) for each key preceded by a `# --` comment, in file order."""
    out, stack, doc = [], [], None
    for line in text.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("# --"):
            doc = [stripped[4:].strip()]
            continue
        if stripped.startswith("#") and doc is not None:
            doc.append(stripped[1:].strip())
            continue
        m = re.match(r"^(\s*)([A-Za-z][\w.-]*):", line)
        if not m:
            doc = None if stripped else doc
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m.group(2)))
        if doc is not None:
            out.append((".".join(k for _, k in stack), " ".join(doc)))
        doc = None
    return out


def leaf_paths(values, prefix=""):
    """Dotted paths of every leaf (scalars, lists, empty maps)."""
    if isinstance(values, dict) and values:
        for k, v in values.items():
            yield from leaf_paths(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1]


def lookup(values, dotted):
    for k in dotted.split("."):
        values = values[k]
    return values


def table(text, values):
    rows = ["| Key | Type | Default | Description |", "|-----|------|---------|-------------|"]
    for key, desc in documented_keys(text):
        v = lookup(values, key)
        kind = {dict: "object", list: "list", bool: "bool", int: "int", str: "string"}.get(type(v), "?")
        default = json.dumps(v)
        desc = desc.replace("|", "\\|")
        rows.append(f"| `{key}` | {kind} | `{default}` | {desc} |")
    return "\n".join(rows)


def main():
    with open(os.path.join(CHART, "values.yaml")) as f:
        text = f.read()
    values = yaml.safe_load(text)
    documented = {k for k, _ in documented_keys(text)}
    missing = [p for p in leaf_paths(values)
               if not any(p == d or p.startswith(d + ".") for d in documented)]
    if missing:
        sys.exit(f"values without a `# --` comment: {missing}")
    readme_path = os.path.join(CHART, "README.md")
    with open(readme_path) as f:
        readme = f.read()
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table(text, values)}\n{END}{tail}"
    if sys.argv[1:] == ["--check"]:
        if new != readme:
            sys.exit("chart/README.md values table is stale: run .ci/gen-chart-readme.py")
    else:
        with open(readme_path, "w") as f:
            f.write(new)


if __name__ == "__main__":
    main()
