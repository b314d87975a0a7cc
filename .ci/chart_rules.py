#!/usr/bin/env python3
"""Render chart/ with the real Helm engine (as chart_render.py does) for one set of values and
print the RBAC it makes as JSON: [{"kind", "name", "namespace", "rules"}] of every Role and
ClusterRole. Used by tests/chart_rbac.rs, which compares the rules with src/ops/reads.rs.

usage: chart_rules.py VALUES_JSON"""
import json
import sys

import helm_python as helm

from chart_render import CHART, render


def main():
    values = json.loads(sys.argv[1])
    with helm.Chart.load(CHART) as chart:
        docs, _ = render(chart, values, "kgci-rules", "kubeglass")
    roles = [{"kind": d["kind"], "name": d["metadata"]["name"],
              "namespace": d["metadata"].get("namespace"), "rules": d.get("rules") or []}
             for d in docs if d["kind"] in ("Role", "ClusterRole")]
    json.dump(roles, sys.stdout)


if __name__ == "__main__":
    main()
