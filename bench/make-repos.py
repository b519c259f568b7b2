#!/usr/bin/env python3
"""Makes the three repositories of issue 5's end-to-end benchmark, each with changes staged.

small: 10,000 tracked files (about 1.5 KB each), one line of one of them modified and staged.
wide:  one commit with a README, then 2,000 new text files, 100 MB in all, staged.
deep:  one 50 MB file committed, then 1% of its lines (every hundredth) modified and staged.
move:  6,000 tracked files; 3,000 of them moved to a new directory with one line added to
       each, 430 others modified and 430 new files: 3,860 staged changes (issue 16's
       reorganisation).

The text is generated source code with no Zoom keyword (no `zoom`, no `eyJ`), made from a
fixed seed, so every run measures the same bytes. Git runs with an empty global
configuration so the caller's settings cannot change what is measured.

Usage: make-repos.py DIR   (creates DIR/small, DIR/wide, DIR/deep, DIR/move; DIR must not hold them)
"""

import os
import random
import subprocess
import sys

WORDS = (
    "user count value buffer index config request response handler item total result client server "
    "path name state event queue cache node parent child offset limit page token session record "
    "entry field row"
).split()

TEMPLATES = (
    "    let {} = {}.get(&{}).cloned().unwrap_or_default();",
    "fn {}(&self, {}: usize) -> Option<{}> {{",
    '    if {} > {} {{ return Err(Error::new("{} out of range")); }}',
    "const {} = await fetch(`/api/{}/${{{}}}`);",
    "    for {} in {}.iter().filter(|x| x.{} > 0) {{",
    "// Returns the {} of the {}, or none when the {} is empty.",
    "export function {}({}, {}) {{ return {}.map(x => x + 1); }}",
    "    self.{}.insert({}.clone(), {});",
    "    }}",
    "",
)


def line_pool(rng, size=20_000):
    """Distinct-looking code lines, none with a Zoom keyword in any case."""
    pool = []
    while len(pool) < size:
        template = rng.choice(TEMPLATES)
        line = template.format(*(rng.choice(WORDS) for _ in range(template.count("{}"))))
        lower = line.lower()
        if "zoom" not in lower and "eyj" not in lower:
            pool.append(line)
    return pool


def text(rng, pool, size):
    """About `size` bytes of lines from `pool`, newline-terminated."""
    lines, total = [], 0
    while total < size:
        line = rng.choice(pool)
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def git(repo, *args):
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@zoomguard.invalid", *args],
        cwd=repo,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def new_repo(path):
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    return path


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="ascii") as f:
        f.write(content)


def small(root, rng, pool):
    repo = new_repo(os.path.join(root, "small"))
    for i in range(10_000):
        write(os.path.join(repo, f"src/m{i // 100:03}/f{i:05}.rs"), text(rng, pool, 1500))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "10,000 files")
    target = os.path.join(repo, "src/m050/f05000.rs")
    with open(target, encoding="ascii") as f:
        lines = f.read().split("\n")
    lines[10] = "    let changed = 1; // the one modified line"
    write(target, "\n".join(lines))
    git(repo, "add", "src/m050/f05000.rs")


def wide(root, rng, pool):
    repo = new_repo(os.path.join(root, "wide"))
    write(os.path.join(repo, "README.md"), "wide\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    per_file = 100 * 1000 * 1000 // 2000
    for i in range(2000):
        write(os.path.join(repo, f"vendor/d{i // 100:02}/f{i:04}.rs"), text(rng, pool, per_file))
    git(repo, "add", "-A")


def deep(root, rng, pool):
    repo = new_repo(os.path.join(root, "deep"))
    big = os.path.join(repo, "data/big.rs")
    content = text(rng, pool, 50 * 1000 * 1000)
    write(big, content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "50 MB file")
    lines = content.split("\n")
    for i in range(50, len(lines) - 1, 100):
        lines[i] = f"    let modified_{i} = {i}; // changed"
    write(big, "\n".join(lines))
    git(repo, "add", "-A")


def move(root, rng, pool):
    repo = new_repo(os.path.join(root, "move"))
    for i in range(6_000):
        write(os.path.join(repo, f"lib/m{i // 100:02}/f{i:04}.rs"), text(rng, pool, 1500))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "6,000 files")
    for i in range(3_000):
        old = os.path.join(repo, f"lib/m{i // 100:02}/f{i:04}.rs")
        with open(old, encoding="ascii") as f:
            content = f.read()
        os.remove(old)
        write(os.path.join(repo, f"src/core/m{i // 100:02}/f{i:04}.rs"), content + f"// moved {i}\n")
    for i in range(3_000, 3_430):
        with open(os.path.join(repo, f"lib/m{i // 100:02}/f{i:04}.rs"), "a", encoding="ascii") as f:
            f.write(f"    let touched_{i} = {i};\n")
    for i in range(430):
        write(os.path.join(repo, f"src/new/n{i:03}.rs"), text(rng, pool, 1500))
    git(repo, "add", "-A")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    rng = random.Random(5)
    pool = line_pool(rng)
    for make in (small, wide, deep, move):
        make(root, rng, pool)
        print(f"made {os.path.join(root, make.__name__)}", file=sys.stderr)


if __name__ == "__main__":
    main()
