#!/usr/bin/env python3
"""Builds a git repository with a long history of real source text, for timing
`zoomguard scan --history` (issue 3 asks for 10,000 commits in well under a minute).

The text is the Rust, Markdown and TOML source of the crates in cargo's registry cache
(~/.cargo/registry/src, filled by any build of zoomguard), so the diffs look like real
work: each commit adds a file or rewrites a block of lines of an existing one with lines
of another file. Every 1,000 commits a side branch adds files and is merged back, so merge
commits are walked too. Three commits plant one synthetic client secret (random with a
fixed seed, never a real value) so the scan has something to find.

Usage: bench/history-repo.py DIR [COMMITS]   (default 10000; DIR must not exist)
The repository is written with one `git fast-import` run, in seconds.
"""

import os
import random
import string
import subprocess
import sys
from pathlib import Path

REGISTRY = Path.home() / ".cargo" / "registry" / "src"
SUFFIXES = (".rs", ".md", ".toml")
MAX_FILE_BYTES = 200_000


def source_files(rng):
    files = [p for p in REGISTRY.rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    files = [p for p in files if 0 < p.stat().st_size <= MAX_FILE_BYTES]
    if not files:
        sys.exit(f"no source files under {REGISTRY}: build zoomguard once first")
    files.sort()
    rng.shuffle(files)
    return files


def read_lines(path):
    return path.read_bytes().decode("utf-8", "replace").splitlines(keepends=True)


class Stream:
    """Writes a git fast-import stream."""

    def __init__(self, out):
        self.out = out
        self.mark = 0
        self.time = 1_600_000_000

    def data(self, payload: bytes):
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    def commit(self, branch, message, changes, parent=None, merge=None):
        self.mark += 1
        self.time += 600
        self.out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), self.mark))
        who = b"Bench Author <bench@zoomguard.invalid> %d +0000\n" % self.time
        self.out.write(b"author " + who + b"committer " + who)
        self.data(message.encode())
        if parent:
            self.out.write(b"from :%d\n" % parent)
        if merge:
            self.out.write(b"merge :%d\n" % merge)
        for path, text in changes:
            self.out.write(b"M 100644 inline %s\n" % path.encode())
            self.data(text.encode())
        return self.mark


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    target = Path(sys.argv[1])
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(20261127)
    sources = source_files(rng)
    alphabet = string.ascii_letters + string.digits
    planted = "".join(rng.choice(alphabet) for _ in range(32))
    plant_at = {total // 4, total // 2, (3 * total) // 4}

    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=target, stdin=subprocess.PIPE)
    stream = Stream(importer.stdin)
    tree = {}  # path -> list of lines on main
    next_source = 0
    head = None
    made = 0
    while made < total:
        if made and made % 1000 == 0 and made + 22 <= total:
            side = head
            for step in range(20):
                src = sources[next_source % len(sources)]
                next_source += 1
                side = stream.commit("side", f"side work {made}.{step}",
                                     [(f"side{made}/{step}{src.suffix}", "".join(read_lines(src)))], side)
            merged = [(f"side{made}/{step}{sources[(next_source - 20 + step) % len(sources)].suffix}",
                       "".join(read_lines(sources[(next_source - 20 + step) % len(sources)])))
                      for step in range(20)]
            head = stream.commit("main", f"merge side work {made}", merged, head, side)
            made += 21
            continue
        made += 1
        if made in plant_at:
            path = f"deploy/env{made}.env"
            text = f"# zoom app settings\nZOOM_CLIENT_SECRET={planted}\n"
            tree[path] = text.splitlines(keepends=True)
            head = stream.commit("main", f"deploy settings {made}", [(path, text)], head)
            continue
        src = sources[next_source % len(sources)]
        next_source += 1
        if not tree or rng.random() < 0.35:
            path = f"src/{made:05d}-{src.name}"
            tree[path] = read_lines(src)
            message = f"add {src.name}"
        else:
            path = rng.choice(sorted(tree)) if made % 50 == 0 else rng.choice(list(tree))
            lines = tree[path]
            donor = read_lines(src) or ["\n"]
            start = rng.randrange(0, len(lines) + 1)
            removed = rng.randrange(0, 30)
            take = rng.randrange(1, 30)
            at = rng.randrange(0, max(1, len(donor) - take))
            lines[start:start + removed] = donor[at:at + take]
            message = f"rework {Path(path).name}"
        head = stream.commit("main", message, [(path, "".join(tree[path]))], head)
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=target, check=True)
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=target,
                           check=True, capture_output=True, text=True).stdout.strip()
    print(f"{target}: {count} commits, {len(tree)} files on main")


if __name__ == "__main__":
    main()
