#!/usr/bin/env bash
# Builds zoomguard from this clone, installs the binary, installs its git hooks into a
# repository, and runs the pre-commit check once there so you can see it work.
#
#   ./install.sh [PATH_TO_REPO]     (default: the repository around the current directory)
#
# Environment: ZOOMGUARD_BIN_DIR (default ~/.local/bin), ZOOMGUARD_HOOKS (pre-commit, pre-push
# or all; default all).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-$PWD}"
bin_dir="${ZOOMGUARD_BIN_DIR:-$HOME/.local/bin}"
hooks="${ZOOMGUARD_HOOKS:-all}"

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is needed to build zoomguard (https://rustup.rs)" >&2
    exit 2
fi
if ! git -C "$target" rev-parse --git-dir >/dev/null 2>&1; then
    echo "install.sh: $target is not inside a git repository" >&2
    exit 2
fi

echo "install.sh: building zoomguard (the first build compiles libgit2 and takes a few minutes)"
cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
mkdir -p "$bin_dir"
install -m 0755 "${CARGO_TARGET_DIR:-$here/target}/release/zoomguard" "$bin_dir/zoomguard"
echo "install.sh: installed $bin_dir/zoomguard"

"$bin_dir/zoomguard" install --repo "$target" --hook "$hooks"

echo "install.sh: running the pre-commit check once on what is staged in $target now:"
status=0
(cd "$target" && "$bin_dir/zoomguard" pre-commit --verbose) || status=$?
case "$status" in
    0) echo "install.sh: done; every commit in $target is now checked for Zoom credentials." ;;
    1) echo "install.sh: hooks installed; what is staged right now holds a Zoom secret (see above)." ;;
    *) echo "install.sh: hooks installed, but the check failed (see above)." >&2; exit "$status" ;;
esac
