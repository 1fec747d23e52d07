#!/usr/bin/env python3
"""Writes fuzz/answer.dict, the libFuzzer dictionary of the answer target: the fact
base's words (typo correction and stemming run on them), each long one also with two
letters swapped, and the characters the word splitter treats specially.

    python3 scripts/fuzz_dict.py
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECIAL = ["@everyone", "@here", "<@123456789012345678>", "<#987654321098765432>", "<@&123456789012345678>",
           "'s", "n't", "-", ",", ".", "?", "\u200b", "\u202e", "\ufeff", "\u00ad", "\u0301", "\u2019",
           "600,000", "3.5"]


def entry(text: str) -> str:
    raw = text.encode("utf-8")
    return '"' + "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02X" % b for b in raw) + '"'


def main() -> None:
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,15}", (ROOT / "knowledge.toml").read_text())})
    lines = ["# Written by scripts/fuzz_dict.py from knowledge.toml: do not edit by hand."]
    lines += [entry(s) for s in SPECIAL]
    for w in words:
        lines.append(entry(w))
        if len(w) >= 8:
            lines.append(entry(w[0] + w[2] + w[1] + w[3:]))
    (ROOT / "fuzz" / "answer.dict").write_text("\n".join(lines) + "\n")
    print(f"fuzz/answer.dict: {len(lines) - 1} entries")


if __name__ == "__main__":
    main()
