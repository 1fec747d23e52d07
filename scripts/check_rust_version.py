#!/usr/bin/env python3
"""Fails if a locked dependency needs a newer Rust than its workspace member says.

For each workspace member that states a `rust-version`, walks its dependencies in the
lock file's resolved graph (every platform, every kind, as `cargo metadata` gives
them) and compares their own `rust-version` with the member's. A `cargo update` that
pulls in a crate needing a newer compiler then fails CI instead of every user still on
the stated one. Members that state no rust-version are listed with what they need.

Usage: scripts/check_rust_version.py [METADATA.json]   (default: runs cargo metadata)
"""

import json
import subprocess
import sys


def version(text):
    """'1.88' and '1.88.0' compare equal; pre-release tails are ignored."""
    parts = [int("".join(c for c in p if c.isdigit()) or 0) for p in text.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def shown(v):
    return ".".join(map(str, v[:2])) if v[2] == 0 else ".".join(map(str, v))


def main(argv):
    if len(argv) > 1:
        with open(argv[1], encoding="utf-8") as f:
            metadata = json.load(f)
    else:
        out = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"], check=True, capture_output=True, text=True
        ).stdout
        metadata = json.loads(out)
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    failed = False
    for member in sorted(metadata["workspace_members"], key=lambda i: packages[i]["name"]):
        seen, stack = set(), [member]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(d["pkg"] for d in nodes[node]["deps"])
        needs = sorted(
            ((version(packages[i]["rust_version"]), packages[i]["name"], packages[i]["version"])
             for i in seen - {member} if packages[i].get("rust_version")),
            reverse=True,
        )
        name, stated = packages[member]["name"], packages[member].get("rust_version")
        highest = needs[0][0] if needs else (0, 0, 0)
        if stated is None:
            print(f"{name}: states no rust-version; its dependencies need Rust {shown(highest)}")
            continue
        newer = [n for n in needs if n[0] > version(stated)]
        if newer:
            failed = True
            print(f"{name}: rust-version = {stated}, but {len(newer)} locked dependencies need more:")
            for v, dep, dep_version in newer:
                print(f"  {dep} {dep_version} needs Rust {shown(v)}")
            print(f"  set rust-version = \"{shown(highest)}\" (and the README), or hold those crates back")
        else:
            print(f"{name}: rust-version = {stated} covers every locked dependency (highest needed: {shown(highest)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
