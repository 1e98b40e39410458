#!/usr/bin/env python3
"""Scores one tool report against the corpus ground truth (peers.md §2 "Scoring").

A finding is a hit when it identifies a planted secret of the scanned target:
* gitleaks, betterleaks, kingfisher: the reported secret/match text contains the value;
* detect-secrets, checkov: the reported sha1 equals the value's sha1;
* trivy (masks secrets): same file and same line (on the one-line plan that only says
  "line 1", so a trivy hit there is marked approximate);
* gcoauth (never prints the secret): same file and same RFC 6901 pointer (+ inner pointer
  for secrets nested in JSON strings), or, failing a pointer, same file and resource address.
Everything else is a false positive; raw count and distinct values (by reported text/hash).
Several findings on the same planted value count once (the rest are reported as duplicates).

Usage: score.py TOOL REPORT TRUTH_JSON TARGET   (TARGET: state | plan | tree)
Prints one JSON object: {"found", "planted", "fp", "fp_distinct", "dups", "findings", "note"}.
"""
import json
import os
import sys


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.strip():
        return None
    return json.loads(raw)


def norm(path):
    return os.path.normpath(path).replace("\\", "/")


def same_file(reported, truth_rel):
    """Reported paths are absolute or relative to wherever the tool ran; the truth is relative
    to the corpus root (state/terraform.tfstate, tree/org-1/...). Compare by suffix."""
    r = norm(reported)
    return r == truth_rel or r.endswith("/" + truth_rel)


def text_findings(tool, doc):
    """-> list of (file, line, text) for tools that print the secret."""
    out = []
    if tool == "gitleaks":
        for f in doc or []:
            out.append((f.get("File", ""), f.get("StartLine"), (f.get("Secret") or "") + "\0" + (f.get("Match") or "")))
    elif tool == "betterleaks":
        items = doc.get("findings", []) if isinstance(doc, dict) else (doc or [])
        for f in items or []:
            m = f.get("match", {})
            loc = f.get("location", {})
            out.append((loc.get("path", ""), loc.get("start_line"), (m.get("value") or "") + "\0" + (m.get("full") or "")))
    elif tool == "kingfisher":
        for f in (doc or {}).get("findings", []):
            fi = f.get("finding", {})
            out.append((fi.get("path", ""), fi.get("line"), fi.get("snippet") or ""))
    return out


def main():
    tool, report, truth_path, target = sys.argv[1:5]
    truth = json.load(open(truth_path))
    planted = [p for p in truth["planted"] if p["file"].split("/", 1)[0] == target]
    res = {"found": 0, "planted": len(planted), "fp": 0, "fp_distinct": 0, "dups": 0, "findings": 0, "note": ""}
    if not os.path.exists(report):
        res.update(found=None, fp=None, fp_distinct=None, note="no report")
        print(json.dumps(res))
        return
    try:
        doc = load(report)
    except (ValueError, UnicodeDecodeError) as e:
        res.update(found=None, fp=None, fp_distinct=None, note=f"unparsable report: {e}"[:200])
        print(json.dumps(res))
        return
    hit = set()
    fps = []  # distinct key per false positive
    approx = False

    def record(idx, fp_key):
        if idx is None:
            fps.append(fp_key)
        elif idx in hit:
            res["dups"] += 1
        else:
            hit.add(idx)

    if tool in ("gitleaks", "betterleaks", "kingfisher"):
        for file, _line, text in text_findings(tool, doc):
            idx = next((i for i, p in enumerate(planted) if p["secret"] in text), None)
            record(idx, text.split("\0")[0])
    elif tool == "detect-secrets":
        for file, items in ((doc or {}).get("results") or {}).items():
            for f in items:
                idx = next((i for i, p in enumerate(planted) if p["sha1"] == f.get("hashed_secret")), None)
                record(idx, f.get("hashed_secret"))
    elif tool == "checkov":
        docs = doc if isinstance(doc, list) else [doc or {}]
        for d in docs:
            for f in (d.get("results") or {}).get("failed_checks", []):
                idx = next((i for i, p in enumerate(planted) if p["sha1"] == f.get("resource")), None)
                record(idx, f.get("resource"))
    elif tool == "trivy":
        for r in (doc or {}).get("Results") or []:
            for s in r.get("Secrets") or []:
                idx = None
                for i, p in enumerate(planted):
                    if p["secret"] in (s.get("Match") or "") or (
                            same_file(r.get("Target", ""), p["file"]) and s.get("StartLine") == p["line"]):
                        idx = i
                        approx |= p["line"] == 1
                        break
                record(idx, (s.get("RuleID"), s.get("Match")))
    elif tool == "gcoauth":
        for f in (doc or {}).get("findings", []):
            idx = None
            for i, p in enumerate(planted):
                if not same_file(f.get("file") or "", p["file"]):
                    continue
                if f.get("pointer"):
                    ok = f["pointer"] == p["pointer"] and (p["inner_pointer"] is None or f.get("inner_pointer") == p["inner_pointer"])
                else:
                    ok = f.get("address") == p["address"]
                if ok:
                    idx = i
                    break
            record(idx, (f.get("file"), f.get("pointer"), f.get("inner_pointer"), f.get("address")))
        errs = (doc or {}).get("errors") or []
        if errs:
            res["note"] = f"{len(errs)} errors reported"
    else:
        raise SystemExit(f"score.py: unknown tool {tool}")
    res["found"] = len(hit)
    res["fp"] = len(fps)
    res["fp_distinct"] = len(set(map(str, fps)))
    res["findings"] = len(hit) + res["dups"] + len(fps)
    if approx:
        res["note"] = (res["note"] + "; " if res["note"] else "") + "trivy hit on the one-line plan matched by line only"
    print(json.dumps(res))


if __name__ == "__main__":
    main()
