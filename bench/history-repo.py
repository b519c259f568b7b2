#!/usr/bin/env python3
"""Builds a git repository with a long history of real source text, for timing
`zoomguard scan --history` (issue 3 asks for 10,000 commits in well under a minute; issue 16
for a cost linear in the history's length).

The text is the Rust, Markdown and TOML source of the crates in cargo's registry cache
(~/.cargo/registry/src, filled by any build of zoomguard), so the diffs look like real
work. Both shapes are deterministic (a fixed seed, the same registry cache) and plant
synthetic client secrets (random from the seed, never a real value) so the scan has
something to find.

--shape flat (the default, the shape of every figure before bench/RESULTS.md's sixth round):
each commit adds a file or rewrites a block of lines of an existing one with lines of
another file. New files all go into one directory, `src/`, whose tree grows with the history
(3,596 entries at 10,000 commits, 761 KB at 50,000). Every 1,000 commits a side branch adds
files and is merged back, so merge commits are walked too. Three commits plant one client
secret (the same file, so the same blob, at three paths).

--shape real: a history shaped like a real project's.
  - Files in a nested tree (`crates/<crate>/src/<module>/…`, `docs/…`) whose directories stay
    bounded: each takes files up to a cap of its own (most under 40, none over 300 entries),
    then new modules and crates appear, as a growing project's do.
  - Many small commits on main touching 1 to 5 files (mostly ones touched lately, often side
    by side), now and then a new file, a rare deletion or move.
  - Pull requests on `refs/pull/N/head`, each forked from main, 1 to 8 commits: 60% merged
    with a merge commit, 25% squash-merged (one commit on main with the same blobs as the
    pull request's last versions), 15% never merged (only the ref reaches them).
  - Long-lived release branches (`release/1.N`, one every quarter of the history up to every
    8,000 commits, each living one and a half intervals) with occasional backports (main's
    new versions of a fix's files: the same blobs again), release commits that add to
    CHANGELOG.md (tagged `v1.N.M`), merged back into main when they end (the last stays).
  - Vendored drops: a registry crate of 150 to 700 files added whole under `vendor/` at a
    fifth of the history, updated once at seven tenths (to the newer version the registry
    holds, else a patch of an eighth of its files); a second drop at 45% from 5,000 commits,
    a third at 85% from 20,000.
  - Secrets: one client secret in three commits on main (one blob at three paths), one in
    a squash-merged pull request (so on its ref and on main), one in a pull request never
    merged.

Usage: bench/history-repo.py [--shape flat|real] DIR [COMMITS]   (default 10000; DIR must not exist)
The repository is written with one `git fast-import` run: seconds for 10,000 commits of the
flat shape, about two minutes for 50,000 of the real one.
"""

import argparse
import random
import re
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
        ref = branch if branch.startswith("refs/") else f"refs/heads/{branch}"
        self.out.write(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        who = b"Bench Author <bench@zoomguard.invalid> %d +0000\n" % self.time
        self.out.write(b"author " + who + b"committer " + who)
        self.data(message.encode())
        if parent:
            self.out.write(b"from :%d\n" % parent)
        if merge:
            self.out.write(b"merge :%d\n" % merge)
        for path, text in changes:
            if text is None:
                self.out.write(b"D %s\n" % path.encode())
                continue
            self.out.write(b"M 100644 inline %s\n" % path.encode())
            self.data(text if isinstance(text, bytes) else text.encode())
        return self.mark

    def tag(self, name, mark):
        """A lightweight tag on commit `mark`."""
        self.out.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), mark))


def flat(target, total):
    """The flat shape: see the module's docstring."""
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
    return len(tree)



VENDOR_FILES = range(150, 700)  # a vendored drop: a crate of this many files
NAME = re.compile(r"[^a-z0-9_]+")


def vendor_candidates():
    """Registry crates of a vendored drop's size, as (name, [versions' directories, oldest first]);
    crates that the registry holds in two versions first (their drop is later updated to the
    newer one)."""
    by_name = {}
    for crate in sorted(REGISTRY.glob("*/*")):
        name = crate.name.rpartition("-")[0]
        if name and crate.is_dir():
            by_name.setdefault(name, []).append(crate)
    found = []
    for name, versions in sorted(by_name.items()):
        count = sum(1 for f in versions[0].rglob("*") if f.is_file() and f.stat().st_size <= MAX_FILE_BYTES)
        if count in VENDOR_FILES:
            found.append((name, versions))
    found.sort(key=lambda pair: -len(pair[1]))
    return found


def vendor_tree(crate):
    """The files of a crate directory as (path under it, bytes), any kind (a drop carries
    binaries too)."""
    files = sorted(f for f in crate.rglob("*") if f.is_file() and f.stat().st_size <= MAX_FILE_BYTES)
    return [(f.relative_to(crate).as_posix(), f.read_bytes()) for f in files]


class Layout:
    """Where new files go: directories that each take files up to a cap of their own (most
    small, a few of a few hundred), then new modules appear beside and below them, and new
    crates beside the others, as a project grows. No directory passes MAX_ENTRIES entries,
    whatever the history's length."""

    MAX_ENTRIES = 300
    MAX_DEPTH = 3

    def __init__(self, rng, root, crates):
        self.rng = rng
        self.root = root
        self.crates = crates  # whether new crates appear under root (else modules only)
        self.dirs = {}  # path -> [cap, names of files, subdirectories, depth]
        self.recent = []
        self.add_dir(f"{root}/core/src" if crates else root, 0)

    def add_dir(self, path, depth):
        roll = self.rng.random()
        cap = self.rng.randint(6, 40) if roll < 0.7 else self.rng.randint(40, 120) if roll < 0.95 else \
            self.rng.randint(120, 280)
        self.dirs[path] = [cap, set(), 0, depth]
        self.recent = (self.recent + [path])[-6:]
        return path

    def new_dir(self, module):
        if self.crates and self.rng.random() < 0.1:
            parent, depth, suffix = self.root, -1, "/src"
        else:
            parents = [d for d, (_, _, subdirs, depth) in self.dirs.items()
                       if depth < self.MAX_DEPTH and subdirs < 10]
            parent = self.rng.choice(parents)
            depth, suffix = self.dirs[parent][3], ""
        name, n = module, 1
        while f"{parent}/{name}{suffix}" in self.dirs:
            n += 1
            name = f"{module}{n}"
        if parent in self.dirs:
            self.dirs[parent][2] += 1
        return self.add_dir(f"{parent}/{name}{suffix}", depth + 1)

    def place(self, source):
        """A path for a new file made from `source`, in a directory that has room."""
        pick = self.rng.choice(self.recent) if self.rng.random() < 0.7 else self.rng.choice(list(self.dirs))
        cap, names, subdirs, _ = self.dirs[pick]
        if len(names) >= cap or len(names) + subdirs >= self.MAX_ENTRIES:
            pick = self.new_dir(module_name(source))
            names = self.dirs[pick][1]
        stem, n = NAME.sub("_", source.stem.lower()) or "file", 1
        name = stem + source.suffix
        while name in names:
            n += 1
            name = f"{stem}_{n}{source.suffix}"
        names.add(name)
        return f"{pick}/{name}"


def module_name(source):
    """A directory name for a module made from `source`: its own directory's, unless that says
    nothing (`src`, `tests`), else its crate's."""
    try:
        parts = source.relative_to(REGISTRY).parts
    except ValueError:  # a path of this history (a file moved)
        parts = ("", "module") + source.parts
    for part in reversed(parts[2:-1]):
        if part not in ("src", "tests", "examples", "benches", "doc", "docs"):
            return NAME.sub("_", part.lower())
    return NAME.sub("_", parts[1].rpartition("-")[0].lower()) or "module"


class Files:
    """The files on one line of history (main, a release, a pull request): path -> lines."""

    def __init__(self, lines=None):
        self.lines = dict(lines or {})

    def copy(self):
        return Files(self.lines)


def real(target, total):
    """The real shape: see the module's docstring."""
    rng = random.Random(20261202)
    sources = source_files(rng)
    alphabet = string.ascii_letters + string.digits
    planted, squashed, abandoned = ("".join(rng.choice(alphabet) for _ in range(32)) for _ in range(3))
    plant_at = {total // 4, total // 2, (3 * total) // 4}
    candidates = vendor_candidates()
    drops = {int(total * 0.2): 0, int(total * 0.45): 1, int(total * 0.85): 2}
    drops = {at: which for at, which in drops.items() if which < (1 if total < 5000 else 2 if total < 20000 else 3)
             and which < len(candidates)}
    updates = {int(total * 0.7): 0}
    release_every = max(800, min(8000, total // 4))
    next_release = release_every

    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=target, stdin=subprocess.PIPE)
    stream = Stream(importer.stdin)
    code, docs = Layout(rng, "crates", crates=True), Layout(rng, "docs", crates=False)
    main = Files()
    on_main = []  # paths main's small commits may touch (not vendored ones), oldest first
    where = {}  # path -> its index in on_main
    recent = []  # paths touched lately: most work is on a few files at a time
    vendored = {}  # drop number -> (directory, {path: bytes})
    pulls, releases = [], []  # open ones
    number = 0  # the last pull request's number
    head = None
    made = 0
    state = {"source": 0}

    def next_source():
        src = sources[state["source"] % len(sources)]
        state["source"] += 1
        return src

    def remember(path):
        if path not in where:
            where[path] = len(on_main)
            on_main.append(path)
        recent.append(path)
        del recent[:-40]

    def forget(path):
        at = where.pop(path)
        last = on_main.pop()
        if last != path:
            on_main[at] = last
            where[last] = at
        recent[:] = [p for p in recent if p != path]

    def new_file(files):
        src = next_source()
        path = (docs if src.suffix == ".md" and rng.random() < 0.6 else code).place(src)
        files.lines[path] = read_lines(src)
        return path

    def rework(files, path):
        lines = files.lines[path]
        donor = read_lines(next_source()) or ["\n"]
        start = rng.randrange(0, len(lines) + 1)
        take = rng.randrange(1, 16)
        at = rng.randrange(0, max(1, len(donor) - take))
        files.lines[path] = lines[:start] + donor[at:at + take] + lines[start + rng.randrange(0, 12):]

    def pick(files, near=None):
        """A file to work on: one touched lately, one beside `near`, or any."""
        roll = rng.random()
        if near and roll < 0.5:
            folder = near.rpartition("/")[0]
            beside = [p for p in recent if p.startswith(folder + "/") and p in files.lines]
            if beside:
                return rng.choice(beside)
        if recent and roll < 0.75:
            path = rng.choice(recent)
        else:
            path = on_main[rng.randrange(len(on_main))]
        return path if path in files.lines else None

    def small_change(files):
        """What a small commit does: 1 to 5 files, each reworked or (now and then) new."""
        count = rng.choices([1, 2, 3, 4, 5], weights=[50, 25, 12, 8, 5])[0]
        touched = []
        for _ in range(count):
            path = None if not on_main or rng.random() < 0.08 else pick(files, touched[0] if touched else None)
            if path is None:
                path = new_file(files)
            elif path in touched:
                continue
            else:
                rework(files, path)
            touched.append(path)
        return touched

    def text(files, path):
        return "".join(files.lines[path])

    while made < total:
        made += 1
        if made in plant_at:
            path = f"config/deploy/env{made}.env"
            main.lines[path] = f"# zoom app settings\nZOOM_CLIENT_SECRET={planted}\n".splitlines(keepends=True)
            head = stream.commit("main", f"deploy settings {made}", [(path, text(main, path))], head)
            remember(path)
            continue
        if made in drops:
            name, versions = candidates[drops[made]]
            folder = f"vendor/{name}"
            files = dict(vendor_tree(versions[0]))
            vendored[drops[made]] = (folder, files)
            head = stream.commit("main", f"vendor {versions[0].name}",
                                 [(f"{folder}/{p}", b) for p, b in files.items()], head)
            continue
        if made in updates and updates[made] in vendored:
            name, versions = candidates[updates[made]]
            folder, files = vendored[updates[made]]
            if len(versions) > 1:
                newer = dict(vendor_tree(versions[-1]))
                message = f"vendor: update to {versions[-1].name}"
            else:
                newer = dict(files)
                for p in rng.sample(sorted(newer), max(1, len(newer) // 8)):
                    newer[p] = newer[p] + b"\n// local patch\n"
                message = f"vendor: patch {name}"
            changes = [(f"{folder}/{p}", b) for p, b in newer.items() if files.get(p) != b]
            changes += [(f"{folder}/{p}", None) for p in files if p not in newer]
            vendored[updates[made]] = (folder, newer)
            head = stream.commit("main", message, changes, head)
            continue
        if made >= next_release:
            next_release += release_every
            version = f"1.{made // release_every}"
            release = {"ref": f"release/{version}", "files": main.copy(), "tip": head, "version": version,
                       "patch": 0, "notes": [], "ends": made + int(release_every * 1.5)}
            stream.tag(f"v{version}.0", head)
            releases.append(release)
        for release in [r for r in releases if r["ends"] <= made]:
            # The release is over: main takes its changelog entries, and the branch is merged.
            releases.remove(release)
            if release["notes"]:
                main.lines["CHANGELOG.md"] = release["notes"] + main.lines.get("CHANGELOG.md", [])
            head = stream.commit("main", f"Merge branch '{release['ref']}'",
                                 [("CHANGELOG.md", text(main, "CHANGELOG.md"))] if release["notes"] else [],
                                 head, release["tip"])
            made += 1
        roll = rng.random()
        if pulls and roll < 0.4:
            pull = rng.choice(pulls)
            if pull["left"] > 0:
                pull["left"] -= 1
                if pull["secret"] and not pull["touched"]:
                    path, value = pull["secret"]
                    pull["files"].lines[path] = ["ZOOM_CLIENT_ID=zoom-bench-app\n", f"ZOOM_CLIENT_SECRET={value}\n"]
                    touched = [path]
                else:
                    touched = small_change(pull["files"])
                pull["touched"].update(dict.fromkeys(touched))
                pull["tip"] = stream.commit(f"refs/pull/{pull['number']}/head", f"{pull['title']}: step",
                                            [(p, text(pull["files"], p)) for p in touched], pull["tip"])
                continue
            # Done: merged with a merge commit, squashed into one commit on main, or left open.
            pulls.remove(pull)
            changed = [(p, text(pull["files"], p)) for p in pull["touched"]]
            if pull["fate"] == "merge":
                head = stream.commit("main", f"Merge pull request #{pull['number']}: {pull['title']}",
                                     changed, head, pull["tip"])
            elif pull["fate"] == "squash":
                head = stream.commit("main", f"{pull['title']} (#{pull['number']})", changed, head)
            else:
                made -= 1  # nothing written: the ref stays where its last commit left it
                continue
            for path in pull["touched"]:
                main.lines[path] = pull["files"].lines[path]
                remember(path)
            continue
        if 0.4 <= roll < 0.44:
            number += 1
            fate = rng.choices(["merge", "squash", "never"], weights=[60, 25, 15])[0]
            pull = {"number": number, "files": main.copy(), "tip": head, "left": rng.randint(1, 8),
                    "touched": {}, "fate": fate, "title": f"work on {rng.choice(on_main or ['the core'])}",
                    "secret": None}
            if not any(p.get("secret") for p in pulls) and made >= total * 0.35 and squashed:
                pull.update(fate="squash", secret=("config/zoom/app.env", squashed))
                squashed = None
            elif made >= total * 0.6 and abandoned:
                pull.update(fate="never", secret=("scripts/dev.env", abandoned))
                abandoned = None
            pulls.append(pull)
            made -= 1  # opening writes nothing: its first commit is a step of it
            continue
        if releases and 0.44 <= roll < 0.445:
            release = releases[-1]
            release["patch"] += 1
            entry = [f"## {release['version']}.{release['patch']}\n", "\n", "- fixes from main\n", "\n"]
            release["notes"] = entry + release["notes"]
            release["files"].lines["CHANGELOG.md"] = entry + release["files"].lines.get("CHANGELOG.md", [])
            release["tip"] = stream.commit(release["ref"], f"release {release['version']}.{release['patch']}",
                                           [("CHANGELOG.md", text(release["files"], "CHANGELOG.md"))],
                                           release["tip"])
            stream.tag(f"v{release['version']}.{release['patch']}", release["tip"])
            continue
        if on_main and 0.445 <= roll < 0.452:
            path = on_main[rng.randrange(len(on_main))]
            forget(path)
            if rng.random() < 0.5:
                del main.lines[path]
                head = stream.commit("main", f"remove {path}", [(path, None)], head)
            else:
                moved = code.place(Path(path))
                main.lines[moved] = main.lines.pop(path)
                head = stream.commit("main", f"move {path} to {moved}",
                                     [(path, None), (moved, text(main, moved))], head)
                remember(moved)
            continue
        touched = small_change(main)
        head = stream.commit("main", f"rework {Path(touched[0]).name}", [(p, text(main, p)) for p in touched],
                             head)
        for path in touched:
            remember(path)
        if releases and made < total and rng.random() < 0.03:
            # A fix backported: the release takes main's new version of the files, the same blobs.
            release = releases[-1]
            for path in touched:
                release["files"].lines[path] = main.lines[path]
            release["tip"] = stream.commit(release["ref"], f"backport: rework {Path(touched[0]).name}",
                                           [(p, text(main, p)) for p in touched], release["tip"])
            made += 1
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    return len(main.lines) + sum(len(files) for _, files in vendored.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path, help="where to make the repository (must not exist)")
    parser.add_argument("commits", type=int, nargs="?", default=10_000)
    parser.add_argument("--shape", choices=["flat", "real"], default="flat")
    args = parser.parse_args()
    files = (real if args.shape == "real" else flat)(args.dir, args.commits)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=args.dir, check=True)
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=args.dir,
                           check=True, capture_output=True, text=True).stdout.strip()
    print(f"{args.dir}: {count} commits, {files} files on main")

if __name__ == "__main__":
    main()
