#!/usr/bin/env python3
"""Result collation for scripts/bench.sh.

  collate.py --run-line TIMEFILE CORPUS TARGET TOOL CONFIG RUN_IDX EXIT
      parses one `/usr/bin/time -v` output into a JSON line (for runs.jsonl)
  collate.py --report RESULTS_DIR BENCH_DIR [PEERS_FROM_DIR]
      writes runs.csv beside runs.jsonl and prints docs/benchmarks.md; with PEERS_FROM_DIR,
      peer rows (and their scores) of that earlier run are shown and judged as well
"""
import csv
import json
import time
import os
import statistics
import sys

TARGET_LABEL = {"state": "v4 state, pretty-printed", "plan": "plan JSON, one line", "tree": "tree of small states"}
PEER_TOOLS = ("gitleaks", "betterleaks", "kingfisher", "trivy", "detect-secrets", "checkov")
RSS_LIMIT_MB = 64
RG_FACTOR = 3
PEER_FACTOR = 10
CORES_MIN = 1.5  # (user+sys)/wall: "both cores used" on a 2-core machine


def run_line(tf, corpus, target, tool, config, idx, rc, wall_s):
    d = {"corpus": corpus, "target": target, "tool": tool, "config": config, "run": int(idx), "exit": int(rc)}
    fields = {}
    with open(tf) as f:
        for line in f:
            k, _, v = line.strip().rpartition(": ")
            fields[k] = v
    d["wall_s"] = round(float(wall_s), 4)
    d["user_s"] = float(fields.get("User time (seconds)", 0))
    d["sys_s"] = float(fields.get("System time (seconds)", 0))
    d["maxrss_kb"] = int(fields.get("Maximum resident set size (kbytes)", 0))
    d["timed_out"] = int(rc) in (124, 137)
    print(json.dumps(d))


def fmt_s(x):
    return f"{x:.3f} s" if x < 1 else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_n(x):
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def fmt_mb(kb):
    return f"{kb / 1024:.0f} MB" if kb < 1024 * 1024 else f"{kb / 1048576:.2f} GB"


def agg(runs):
    measured = [r for r in runs if r["run"] >= 1] or runs
    walls = [r["wall_s"] for r in measured]
    cpu = [(r["user_s"] + r["sys_s"]) / r["wall_s"] for r in measured if r["wall_s"] > 0]
    return {
        "wall": statistics.median(walls), "min": min(walls), "max": max(walls), "n": len(measured),
        "rss_kb": max(r["maxrss_kb"] for r in measured),
        "cpu": statistics.median(cpu) if cpu else 0.0,
        "exits": sorted({r["exit"] for r in measured}),
        "timed_out": any(r["timed_out"] for r in measured),
    }


def rg_count(path):
    try:
        total = 0
        with open(path) as f:
            for line in f:
                total += int(line.rstrip().rpartition(":")[2] or 0)
        return total
    except (OSError, ValueError):
        return None


def load_jsonl(path):
    return [json.loads(x) for x in open(path) if x.strip()]


def report(res, bench_dir, peers_from=None):
    info = json.load(open(os.path.join(res, "info.json")))
    versions = open(os.path.join(res, "versions.txt")).read().strip().splitlines()
    runs = load_jsonl(os.path.join(res, "runs.jsonl"))
    score_list = load_jsonl(os.path.join(res, "scores.jsonl"))
    reused_note = None
    if peers_from:
        # Peer rows of an earlier run on the same corpora (rows of this run win).
        pinfo = json.load(open(os.path.join(peers_from, "info.json")))
        corp = set(info["corpora"].split()) | set(pinfo["corpora"].split())
        info["corpora"] = " ".join(c for c in ("full", "medium", "mini") if c in corp)
        runs += [r for r in load_jsonl(os.path.join(peers_from, "runs.jsonl")) if r["tool"] in PEER_TOOLS]
        score_list += [s for s in load_jsonl(os.path.join(peers_from, "scores.jsonl")) if s["tool"] in PEER_TOOLS]
        pvers = open(os.path.join(peers_from, "versions.txt")).read().strip().splitlines()
        versions += [v + " (peer run reused)" for v in pvers if v.split(":")[0] in PEER_TOOLS]
        mine, theirs = info.get("corpus_stamps", {}), pinfo.get("corpus_stamps")
        if theirs is None:
            stamp_note = " Corpus identity not recorded by that run: check it used the same generator and seed."
        elif any(theirs.get(c) != v for c, v in mine.items() if c in theirs):
            stamp_note = " **Warning: that run used a different corpus (generator or seed changed); rows are not comparable.**"
        else:
            stamp_note = " Same corpus (generator and seed stamps match)."
        reused_note = (f"Peer rows are reused from an earlier run (`{os.path.basename(os.path.normpath(peers_from))}`, "
                       f"{pinfo['date']}, median of {pinfo['runs']} runs, load average at start {pinfo['load_start']}, end {pinfo.get('load_end', '?')}); "
                       "gcoauth, cat and rg rows are from this run." + stamp_note)
    scores = {(s["corpus"], s["target"], s["tool"], s["config"]): s for s in score_list}
    with open(os.path.join(res, "runs.csv"), "w", newline="") as f:
        cols = ["corpus", "target", "tool", "config", "run", "exit", "timed_out", "wall_s", "user_s", "sys_s", "maxrss_kb"]  # wall: bash clock; rest: time -v
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in runs:
            w.writerow({k: r[k] for k in cols})
    groups = {}
    for r in runs:
        groups.setdefault((r["corpus"], r["target"], r["tool"], r["config"]), []).append(r)
    rows = {k: agg(v) for k, v in groups.items()}

    o = []
    p = o.append
    p("# gcoauth audit benchmarks")
    p("")
    p("Generated by `scripts/bench.sh` (do not edit by hand: rerun it). Raw data of every run: "
      "`$BENCH_DIR/results/<UTC stamp>/` (`runs.jsonl`, `runs.csv`, `scores.jsonl`, tool reports in `out/`).")
    p("")
    p("## How to run")
    p("")
    p("```bash")
    p("scripts/bench.sh --quick        # smoke check (< 1 min): mini corpus, gcoauth + rg + cat")
    p("scripts/bench.sh                # full corpus, fast peers; slow peers on the medium corpus")
    p("scripts/bench.sh --full-peers   # + trivy, detect-secrets, checkov on the full corpus (many minutes)")
    p("scripts/bench.sh --no-peers     # full corpus, gcoauth + rg + cat only (the auditor's own loop)")
    p("scripts/bench.sh --peers-only   # without gcoauth (placeholder rows), e.g. before the auditor lands")
    p("GCOAUTH_BIN=path/to/gcoauth BENCH_RUNS=5 scripts/bench.sh   # a given binary, 5 measured runs")
    p("```")
    p("")
    p("Peers install (idempotently) into `$BENCH_DIR/tools` (default `/tmp/gcoauth-bench/tools`), one virtual "
      "environment per PyPI tool, as in `shared/docs/peers.md` §6; ripgrep, hyperfine and time from Debian. "
      "The test path never installs or runs them.")
    p("")
    p("## Method")
    p("")
    p(f"* Each row: one warm-up run, then the median of {info['runs']} measured runs (`--runs N`). A row whose warm-up "
      f"took over {info['slow_s']} s, or timed out, is measured by that single run (n=1 in the table): repeating "
      "40-300 s scanners would multiply the run time for little. A row whose warm-up took under 2 s is measured "
      "9 times (`BENCH_FAST_S`, `BENCH_FAST_RUNS`): this VM's timings move 10-30% from minute to minute, as much as "
      "the ratios judged, and short runs are cheap to repeat.")
    p(f"* Every run: `/usr/bin/time -v timeout -k 10 {info['timeout']} <tool>`; wall time from bash's microsecond clock around the run, user/sys and peak RSS from time(1): peak RSS = "
      "`ru_maxrss` (largest single process, not a process-tree sum), CPU = (user+sys)/wall (200% = both cores busy). "
      "Warm page cache (the generator just wrote the files).")
    p("* Found = planted leaks identified (peers.md §2 Scoring: reported secret text, sha1 or line contains/equals a "
      "planted value; gcoauth, which never prints secrets, by file + RFC 6901 pointer (+ inner pointer) from "
      "`truth.json`). FPs = other findings, raw (distinct values). Misconfiguration findings are not counted.")
    p("* Custom-rule rows use peers.md §2's rule (`scripts/bench/rules/`): what a peer does once someone writes it, "
      "not its defaults.")
    p("* Slow peers (trivy, detect-secrets, checkov) run on the medium corpus by default; `--full-peers` runs them "
      "on the full corpus too (each up to the timeout).")
    p("")
    p("## Machine")
    p("")
    p(f"* Date: {info['date']}; mode: `{info['mode']}`{' --full-peers' if info['full_peers'] else ''}")
    p(f"* {info['nproc']} cores ({info['cpu']}), {info['mem']}, Linux {info['kernel']}")
    p(f"* Load average (1/5/15 min) at start: {info['load_start']}; at end: {info.get('load_end', '?')}. "
      f"On {info['nproc']} cores, a 1-minute load well above 0 before we start means other work competed "
      "for the CPU: treat those timings as noisy upper bounds.")
    if reused_note:
        p(f"* {reused_note}")
    p("* Versions:")
    for v in versions:
        p(f"  * {v}")
    p("")

    p("## Corpora")
    p("")
    p("Synthetic, deterministic (seeded), generated by `scripts/bench/gen_corpus.py` after peers.md §2; ground truth "
      "(values, sha1, file, resource address, JSON pointer, inner pointer, line, column, byte offset) in "
      "`corpus/<name>/truth.json`, outside the scanned directories.")
    p("")
    p("Differences from peers.md §2, whose numbers we compare with: our full state is 209 MB / 5.53M lines "
      "(§2: 201.9 MB / 5.61M), our plan 32.9 MB (§2: 34.8 MB); the same 140,000/20,000 resources, type mix, "
      "module share, decoy kinds and planted positions. The tree of small states (with 4 more planted leaks: "
      "OAuth-client `client_secret`, nested `secret_string`, integration-credential `fields.clientSecret`) is ours. "
      "Decoy details differ, so FP counts are indicative only, as §8 says.")
    p("")
    p("|corpus|state|plan (one line)|tree|planted|")
    p("|---|---|---|---|---|")
    corpora = info["corpora"].split()
    truths = {}
    for c in corpora:
        t = json.load(open(os.path.join(bench_dir, "corpus", c, "truth.json")))
        truths[c] = t
        cnt = {}
        for e in t["planted"]:
            k = e["file"].split("/", 1)[0]
            cnt[k] = cnt.get(k, 0) + 1
        p(f"|{c}|{t['sizes']['state']:,} resources, {t['state_bytes'] / 1e6:.1f} MB, {t['state_lines']:,} lines"
          f"|{t['sizes']['plan']:,} planned_values + {t['sizes']['plan']:,} resource_changes, {t['plan_bytes'] / 1e6:.1f} MB"
          f"|{t['tree_files']:,} files, {t['tree_bytes'] / 1e6:.1f} MB"
          f"|state {cnt.get('state', 0)}, plan {cnt.get('plan', 0)}, tree {cnt.get('tree', 0)}|")
    p("")

    verdict_corpus = "full" if "full" in corpora else corpora[0]
    for c in corpora:
        for target in ("state", "plan", "tree"):
            keys = [k for k in groups if k[0] == c and k[1] == target]
            if not keys:
                continue
            t = truths[c]
            planted = sum(1 for e in t["planted"] if e["file"].startswith(target + "/"))
            p(f"## {c} / {target} ({TARGET_LABEL[target]}; {planted} planted)")
            p("")
            p("|tool|configuration|found|FPs (distinct)|wall, median (min-max, n)|peak RSS|CPU|exit|")
            p("|---|---|---|---|---|---|---|---|")
            if info["gcoauth"] == 0:
                p("|gcoauth `audit --format json`|-|_pending: auditor not measured (`--peers-only`)_|-|-|-|-|-|")
            for k in keys:
                a = rows[k]
                s = scores.get(k)
                tool, config = k[2], k[3]
                if tool == "rg":
                    n = rg_count(os.path.join(res, "out", f"{c}-{target}-rg.txt"))
                    found = f"{n:,} matching lines (anchor)" if n is not None else "(anchor)"
                    fps = "-"
                elif tool == "cat":
                    found, fps = "(anchor)", "-"
                elif s is None or s.get("found") is None:
                    found, fps = f"? ({(s or {}).get('note', 'no score')})", "?"
                else:
                    found = f"{s['found']}/{s['planted']}"
                    if s.get("dups"):
                        found += f" (+{s['dups']} dup)"
                    if s.get("note"):
                        found += f" ({s['note']})"
                    fps = f"{s['fp']:,} ({s['fp_distinct']:,})"
                if a["timed_out"]:
                    wall = f"> {info['timeout']} s (killed)"
                    found = "timeout" if tool not in ("rg", "cat") else found
                else:
                    wall = f"{fmt_s(a['wall'])} ({fmt_n(a['min'])}-{fmt_n(a['max'])}, n={a['n']})"
                name = f"`{tool}`" if tool != "gcoauth" else "**gcoauth**"
                p(f"|{name}|{config}|{found}|{fps}|{wall}|{fmt_mb(a['rss_kb'])}|{a['cpu'] * 100:.0f}%|"
                  f"{','.join(map(str, a['exits']))}|")
            p("")

    # ---- target verdicts
    p(f"## Targets (gcoauth, {verdict_corpus} corpus)")
    p("")
    c = verdict_corpus
    if info["gcoauth"] == 0:
        p("_Pending: gcoauth was not measured in this run (`--peers-only`); all targets open._")
        p("")
        p("|target|state|plan|tree|")
        p("|---|---|---|---|")
        for name in ("every planted leak found, no false positive",
                     f"wall time within {RG_FACTOR}x of `rg -c client_secret` on the same files",
                     f"at least {PEER_FACTOR}x faster than the fastest peer scanner on the same files",
                     f"peak RSS under {RSS_LIMIT_MB} MB on the 200 MB state",
                     f"both cores used on the tree (CPU >= {CORES_MIN * 100:.0f}%)"):
            p(f"|{name}|pending|pending|pending|")
    else:
        p("|target|state|plan|tree|")
        p("|---|---|---|---|")

        def cell(target, fn):
            k = (c, target, "gcoauth", "audit --format json")
            if k not in rows:
                return "not run"
            return fn(target, rows[k], scores.get(k))

        def leaks(target, a, s):
            if a["timed_out"] or s is None or s.get("found") is None:
                return "**FAIL** (no report)"
            ok = s["found"] == s["planted"] and s["fp"] == 0 and a["exits"] == [1]
            return f"{'pass' if ok else '**FAIL**'}: {s['found']}/{s['planted']}, {s['fp']} FP, exit {','.join(map(str, a['exits']))}"

        def vs_rg(target, a, s):
            r = rows.get((c, target, "rg", "-c client_secret"))
            if not r:
                return "n/a"
            ratio = a["wall"] / r["wall"] if r["wall"] > 0 else float("inf")
            return f"{'pass' if ratio <= RG_FACTOR else '**FAIL**'}: {fmt_s(a['wall'])} vs {fmt_s(r['wall'])} = {ratio:.1f}x"

        def vs_peers(target, a, s):
            peers = [(v["wall"], k[2] + " " + k[3]) for k, v in rows.items()
                     if k[0] == c and k[1] == target and k[2] in PEER_TOOLS and not v["timed_out"]]
            if not peers:
                return "n/a (no peer run on this corpus)"
            w, who = min(peers)
            ratio = w / a["wall"] if a["wall"] > 0 else float("inf")
            cellv = f"{'pass' if ratio >= PEER_FACTOR else '**FAIL**'}: {ratio:.1f}x faster than {who} ({fmt_s(w)})"
            # The fastest peer may find nothing (kingfisher defaults): also say how gcoauth
            # compares with the fastest peer that found every planted leak.
            full = [(v["wall"], k[2] + " " + k[3]) for k, v in rows.items()
                    if k[0] == c and k[1] == target and k[2] in PEER_TOOLS and not v["timed_out"]
                    and scores.get(k, {}).get("found") is not None
                    and scores[k]["found"] == scores[k]["planted"]]
            if full and min(full)[1] != who:
                w2, who2 = min(full)
                cellv += f"; {w2 / a['wall']:.1f}x vs the fastest that found all, {who2} ({fmt_s(w2)})"
            return cellv

        def rss(target, a, s):
            if target != "state":
                return f"({fmt_mb(a['rss_kb'])})"
            mb = a["rss_kb"] / 1024
            big = truths[c]["state_bytes"] >= 150e6
            verdict = ("pass" if mb < RSS_LIMIT_MB else "**FAIL**") if big else "n/a (state < 150 MB)"
            return f"{verdict}: {mb:.0f} MB"

        def cores(target, a, s):
            if target != "tree":
                return f"({a['cpu'] * 100:.0f}%)"
            return f"{'pass' if a['cpu'] >= CORES_MIN else '**FAIL**'}: {a['cpu'] * 100:.0f}%"

        for name, fn in (("every planted leak found, no false positive (exit 1)", leaks),
                         (f"wall time within {RG_FACTOR}x of `rg -c client_secret`", vs_rg),
                         (f"at least {PEER_FACTOR}x faster than the fastest peer (any config)", vs_peers),
                         (f"peak RSS under {RSS_LIMIT_MB} MB on the 200 MB state", rss),
                         (f"both cores used on the tree (CPU >= {CORES_MIN * 100:.0f}%)", cores)):
            p(f"|{name}|{cell('state', fn)}|{cell('plan', fn)}|{cell('tree', fn)}|")
    p("")
    p("## Provisioning: create/destroy wall time (emulator, moto)")
    p("")
    prov = os.path.join(bench_dir, "results", "provision", "provision.json")
    if os.path.exists(prov):
        d = json.load(open(prov))
        p(f"`scripts/bench.sh --provision` (`scripts/bench/provision.sh`): each command run {d['runs']} times in a row "
          "(create, update, rotate, destroy per run) with the binary under test against `gcoauth-emulator` and moto on "
          "127.0.0.1, each a fresh process (token request included). Last run: "
          + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(prov))) + ".")
        p("")
        p("|command|median|min|max|runs|")
        p("|---|---|---|---|---|")
        for cmd, c in d["commands"].items():
            p(f"|`gcoauth client {cmd}`|{c['median_ms']:.0f} ms|{c['min_ms']} ms|{c['max_ms']} ms|{len(c['samples'])}|")
    else:
        p("_Not run yet:_ `scripts/bench.sh --provision`.")
    p("")
    sys.stdout.write("\n".join(o))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--run-line":
        run_line(*sys.argv[2:10])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "--report":
        report(*sys.argv[2:5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
