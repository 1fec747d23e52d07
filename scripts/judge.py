#!/usr/bin/env python3
"""Scores any build of the bot on question sets, by the rules in the sets' header
(the same as `firstkiss-bot eval`), through `ask --json --batch`: so that an older
build, which may not have `eval`'s wrong-answer count, is judged the same way.

    python3 scripts/judge.py [--with-quotes] BINARY SET.toml [SET.toml ...]

`--with-quotes` also looks for the expected words in the quotes the reply cites,
which a fan reads under the answer: a second reading for sets whose expected
words are fragments of the documents' quotes, never the score (`eval` reads the
answer's own text only). Prints per set: answerable answered right, unanswerable declined, confident wrong
answers, and the reliability table (answers and right answers per tenth of
confidence).
"""
import json
import subprocess
import sys
import tomllib


def judge(case, reply, with_quotes=False):
    answered = reply["status"] != "unknown"
    if case["kind"] == "abstain":
        return not answered, answered
    if not answered:
        return False, False
    body = reply["answer"].lower()
    if with_quotes:
        body += " " + " ".join(c["quote"].lower() for c in reply["citations"])
    ok = True
    if case.get("expect_any") and not any(s.lower() in body for s in case["expect_any"]):
        ok = False
    if any(s.lower() not in body for s in case.get("expect_all", [])):
        ok = False
    if case.get("sources") and not any(c["file"] in case["sources"] for c in reply["citations"]):
        ok = False
    return ok, not ok


def main():
    args = sys.argv[1:]
    with_quotes = "--with-quotes" in args
    args = [a for a in args if a != "--with-quotes"]
    if len(args) < 2 or any(a.startswith("-") for a in args):
        sys.exit("usage: python3 scripts/judge.py [--with-quotes] BINARY SET.toml [SET.toml ...]")
    binary, files = args[0], args[1:]
    for path in files:
        cases = tomllib.load(open(path, "rb"))["case"]
        questions = "".join(c["q"].replace("\n", " ") + "\n" for c in cases)
        out = subprocess.run([binary, "ask", "--json", "--batch"], input=questions, capture_output=True, text=True, check=True)
        replies = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        assert len(replies) == len(cases), (len(replies), len(cases))
        answerable = [0, 0]
        unanswerable = [0, 0]
        wrong = 0
        bands = [[0, 0] for _ in range(10)]
        for case, reply in zip(cases, replies):
            ok, is_wrong = judge(case, reply, with_quotes)
            tally = unanswerable if case["kind"] == "abstain" else answerable
            tally[1] += 1
            tally[0] += ok
            wrong += is_wrong
            if reply["status"] != "unknown":
                band = bands[min(int(reply["confidence"] * 10), 9)]
                band[0] += 1
                band[1] += ok
        pct = lambda a: 100.0 * a[0] / max(a[1], 1)
        print(f"{path}: answerable answered right {answerable[0]}/{answerable[1]} ({pct(answerable):.1f}%), "
              f"unanswerable declined {unanswerable[0]}/{unanswerable[1]} ({pct(unanswerable):.1f}%), "
              f"confident wrong answers {wrong}/{len(cases)} ({100.0 * wrong / len(cases):.1f}%)")
        for i, (given, right) in enumerate(bands):
            if given:
                print(f"  confidence {i / 10:.1f}-{(i + 1) / 10:.1f}: {given:4} answers, {right:4} right ({100.0 * right / given:.0f}%)")


if __name__ == "__main__":
    main()
