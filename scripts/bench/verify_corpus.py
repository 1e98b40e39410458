#!/usr/bin/env python3
"""Checks a generated corpus against its truth.json: every file parses as JSON, and every
planted entry's RFC 6901 pointer (+ inner pointer into the JSON-encoded string), line,
column and byte offset lead to the planted secret. Used by bench.sh on the mini corpus
(full corpus: pass --all; json.load of the 200 MB state takes ~5 s and ~700 MB)."""
import json
import os
import sys


def resolve(doc, ptr):
    for tok in ptr.split("/")[1:]:
        tok = tok.replace("~1", "/").replace("~0", "~")
        doc = doc[int(tok)] if isinstance(doc, list) else doc[tok]
    return doc


def main():
    corpus = sys.argv[1]
    truth = json.load(open(os.path.join(corpus, "truth.json")))
    bad = 0
    cache = {}
    for e in sorted(truth["planted"], key=lambda e: e["file"]):
        if e["file"] not in cache:
            cache.clear()  # one big file in memory at a time
            with open(os.path.join(corpus, e["file"]), "rb") as f:
                raw = f.read()
            cache[e["file"]] = (raw, json.loads(raw))
        raw, doc = cache[e["file"]]
        v = resolve(doc, e["pointer"])
        if e["inner_pointer"]:
            v = resolve(json.loads(v), e["inner_pointer"])
        ok = v == e["secret"]
        ok &= raw[e["byte_offset"]:e["byte_offset"] + 40].decode() == e["secret"]
        start = raw.rfind(b"\n", 0, e["byte_offset"]) + 1
        ok &= raw.count(b"\n", 0, start) + 1 == e["line"]
        line = raw[start:raw.find(b"\n", start) if raw.find(b"\n", start) >= 0 else len(raw)]
        ok &= line[e["column"] - 1:e["column"] + 39].decode() == e["secret"]
        ok &= raw.count(e["secret"].encode()) == 1
        # the address must match the resource the pointer names
        if e["pointer"].startswith("/resources/"):
            res = doc["resources"][int(e["pointer"].split("/")[2])]
            ok &= f'{res.get("module") + "." if res.get("module") else ""}{res["type"]}.{res["name"]}' == e["address"]
        else:
            ok &= doc["resource_changes"][int(e["pointer"].split("/")[2])]["address"] == e["address"]
        print(("ok  " if ok else "BAD ") + e["file"] + " " + e["pointer"])
        bad += not ok
    # every tree file must parse
    tree = os.path.join(corpus, "tree")
    n = 0
    for d, _, files in os.walk(tree):
        for fn in files:
            json.load(open(os.path.join(d, fn)))
            n += 1
    print(f"{n} tree files parse; {len(truth['planted'])} planted, {bad} bad")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
