#!/usr/bin/env python3
"""Checks knowledge.toml without building the bot (stdlib only).

    python3 scripts/check_quotes.py [path/to/knowledge.toml]

Checks that
  * every quote of a [[fact]] (cite and claim), [[entity]] and [[unknown]] stands
    verbatim in the cited source's file (after collapsing whitespace and turning
    curly quotes into straight ones);
  * ids are unique among sources, facts, entities and unknowns (unknown ids also
    distinct from fact ids), and every cited source exists;
  * every `about` id names an entity (or is "{person}" in a template);
  * every entity is the subject of at least one fact or unknown;
  * no entity name is given to two entities;
  * no unknown phrasing (templates expanded for every person entity) equals a
    fact phrasing (case-insensitive, whitespace-collapsed);
and prints counts. Exits 1 on any problem.
"""
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def norm(text):
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip()


def phrase(text):
    return norm(text).lower()


def main():
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "knowledge.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    problems = []

    sources = {}
    for s in data.get("source", []):
        if s["id"] in sources:
            problems.append(f"duplicate source id {s['id']}")
        sources[s["id"]] = norm((path.parent / "sources" / s["file"]).read_text(encoding="utf-8"))

    facts = data.get("fact", [])
    entities = data.get("entity", [])
    unknowns = data.get("unknown", [])

    def check_quote(where, block):
        src = block.get("source")
        quote = block.get("quote", "")
        if src not in sources:
            problems.append(f"{where}: unknown source {src!r}")
        elif not quote.strip():
            problems.append(f"{where}: empty quote")
        elif norm(quote) not in sources[src]:
            problems.append(f"{where}: quote not found verbatim in {src}: {quote!r}")

    for kind, items in (("fact", facts), ("entity", entities), ("unknown", unknowns)):
        seen = Counter(i.get("id") for i in items)
        for i, n in seen.items():
            if n > 1:
                problems.append(f"duplicate {kind} id {i}")
        for item in items:
            for key in ("cite", "claim"):
                for n, block in enumerate(item.get(key, []), 1):
                    check_quote(f"{kind} {item.get('id')} {key} {n}", block)
    for i in {f["id"] for f in facts} & {u["id"] for u in unknowns}:
        problems.append(f"unknown id {i} is also a fact id")

    entity_ids = {e["id"] for e in entities}
    kinds = {"person", "work", "organization", "outlet", "place", "event"}
    owner = {}
    for e in entities:
        if e.get("kind") not in kinds:
            problems.append(f"entity {e['id']}: bad kind {e.get('kind')!r}")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["id"]):
            problems.append(f"entity {e['id']}: id is not lower-case-with-dashes")
        for key in ("name", "summary"):
            if not e.get(key, "").strip():
                problems.append(f"entity {e['id']}: no {key}")
        if not e.get("cite"):
            problems.append(f"entity {e['id']}: no cite")
        for name in e.get("names", []):
            k = phrase(name)
            if k in owner and owner[k] != e["id"]:
                problems.append(f"name {name!r} given to both {owner[k]} and {e['id']}")
            owner[k] = e["id"]

    covered = set()
    for kind, items in (("fact", facts), ("unknown", unknowns)):
        for item in items:
            about = item.get("about")
            if about is None:
                if kind == "fact":
                    problems.append(f"fact {item['id']}: no about")
                continue
            for a in about:
                if a == "{person}" and kind == "unknown":
                    continue
                if a not in entity_ids:
                    problems.append(f"{kind} {item['id']}: about names unknown entity {a!r}")
                covered.add(a)
    persons = [e for e in entities if e.get("kind") == "person"]
    templates = [u for u in unknowns if "{person}" in u.get("about", [])]
    if templates and persons:
        covered.update(e["id"] for e in persons)
    for e in entities:
        if e["id"] not in covered:
            problems.append(f"entity {e['id']}: no fact or unknown is about it")

    fact_phrasings = {}
    for f in facts:
        for q in f.get("questions", []):
            fact_phrasings[phrase(q)] = f["id"]

    plain_count = 0
    expanded_count = 0
    seen_unknown = {}
    for u in unknowns:
        qs = u.get("questions", [])
        if not u.get("reply", "").strip():
            problems.append(f"unknown {u['id']}: no reply")
        if u in templates:
            if u.get("cite"):
                problems.append(f"template {u['id']}: templates take no cite")
            for q in qs:
                if "{person}" not in q:
                    problems.append(f"template {u['id']}: phrasing without {{person}}: {q!r}")
            variants = [(p["name"], q.replace("{person}", p["name"])) for p in persons for q in qs]
            expanded_count += len(variants)
        else:
            if not 3 <= len(qs) <= 6:
                problems.append(f"unknown {u['id']}: {len(qs)} phrasings (want 3-6)")
            if "{person}" in u.get("reply", "") or any("{person}" in q for q in qs):
                problems.append(f"unknown {u['id']}: {{person}} outside a template")
            plain_count += len(qs)
            variants = [(None, q) for q in qs]
        for _, q in variants:
            k = phrase(q)
            if k in fact_phrasings:
                problems.append(f"unknown {u['id']}: phrasing {q!r} is also a phrasing of fact {fact_phrasings[k]}")
            if k in seen_unknown and seen_unknown[k] != u["id"]:
                problems.append(f"unknown {u['id']}: phrasing {q!r} also in unknown {seen_unknown[k]}")
            seen_unknown[k] = u["id"]

    by_kind = Counter(e.get("kind") for e in entities)
    print(f"facts: {len(facts)}  fact phrasings: {len(fact_phrasings)}")
    print(f"entities: {len(entities)}  " + "  ".join(f"{k}: {by_kind[k]}" for k in sorted(by_kind)))
    print(f"unknowns: {len(unknowns) - len(templates)} plain + {len(templates)} templates")
    print(f"unknown phrasings: {plain_count} plain; template phrasings "
          f"{sum(len(t.get('questions', [])) for t in templates)} "
          f"(expanded over {len(persons)} persons: {expanded_count})")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
