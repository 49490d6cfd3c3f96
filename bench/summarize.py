"""Median of several benchmark runs.

    .venv/bin/python bench/run.py --out bench/results/run-1.json   # ... run-2, run-3
    .venv/bin/python bench/summarize.py bench/results/run-*.json

On a shared machine one run's p95 can be an outlier; this prints the same
tables as bench/run.py with every figure replaced by its median over the runs
(per-workload p50/p95, cold-start medians, memory, the long session, check
throughput) and checks the targets against those medians.  ``bench/run.py
--runs 3`` does the same in one command.  ``--out`` writes the merged JSON.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import ratios, tables, targets, workloads  # noqa: E402


def med(values: list) -> float | None:
    vs = [v for v in values if v is not None]
    return statistics.median(vs) if vs else None


def merge_workload(rs: list[dict]) -> dict:
    """One workload (a server.xml size or the CSD extract) over several runs:
    every figure the median of the runs' figures."""
    s = copy.deepcopy(rs[0])
    for part in ("edit", "completion", "hover", "lxml"):
        if part not in s:
            continue
        for stat in ("p50_ms", "p95_ms"):
            s[part][stat] = med([x[part][stat] for x in rs])
        s[part]["samples_ms"] = []
    s["edit"]["n"] = min(x["edit"]["n"] for x in rs)
    for k in ("open_to_first_diagnostics_ms", "rss_open_mb", "rss_edited_mb", "rss_end_mb", "rss_peak_mb"):
        s[k] = med([x.get(k) for x in rs])
    if "lxml" in s:
        floor = s["lxml"]["p50_ms"]
        s["edit_over_lxml_p50"] = s["edit"]["p50_ms"] / floor if s["edit"]["p50_ms"] is not None else None
        s["edit_over_lxml_p95"] = s["edit"]["p95_ms"] / floor if s["edit"]["p95_ms"] is not None else None
    s["per_run"] = [{"edit_p50_ms": x["edit"]["p50_ms"], "edit_p95_ms": x["edit"]["p95_ms"], "edits": x["edit"]["n"]} for x in rs]
    return s


def merge(results: list[dict]) -> dict:
    out = copy.deepcopy(results[0])
    out["runs"] = len(results)
    out["started"] = f"{results[0]['started']} … {results[-1]['started']} (median of {len(results)} runs)"
    for group in ("sizes", "listeners"):
        keys = set().union(*(r.get(group, {}).keys() for r in results))
        if keys:
            out[group] = {key: merge_workload([r[group][key] for r in results if key in r.get(group, {})]) for key in sorted(keys, key=int)}
    csd = [r["csd"] for r in results if "csd" in r]
    if csd:
        out["csd"] = merge_workload(csd)
    ss = [r["session"] for r in results if "session" in r]
    if ss:
        s = out["session"] = copy.deepcopy(ss[0])
        for k in ("seconds", "rss_open_mb", "rss_end_mb", "rss_peak_mb", "rss_max_sampled_mb", "growth_pct", "growth_after_first_sample_pct"):
            s[k] = med([x.get(k) for x in ss])
        for stat in ("p50_ms", "p95_ms"):
            s["edit"][stat] = med([x["edit"][stat] for x in ss])
        s["edit"]["samples_ms"] = []
        s["per_run"] = [{"rss_open_mb": x["rss_open_mb"], "rss_end_mb": x["rss_end_mb"], "growth_pct": x["growth_pct"]} for x in ss]
    cs = [r["cold_start"] for r in results if "cold_start" in r]
    if cs:
        c = out["cold_start"] = copy.deepcopy(cs[0])
        c["runs"] = sum(x["runs"] for x in cs)
        for k in ("bare_init", "zcsec_init", "zcsec_first_diagnostics_1k"):
            c[k]["p50_ms"] = med([x[k]["p50_ms"] for x in cs])
            c[k]["samples_ms"] = []
    ck = [r["check"] for r in results if "check" in r]
    if ck:
        c = out["check"] = copy.deepcopy(ck[0])
        c["runs"] = sum(x["runs"] for x in ck)
        c["median_s"] = med([x["median_s"] for x in ck])
        c["mb_per_s"] = med([x["mb_per_s"] for x in ck])
        if all("serial_s" in x for x in ck):
            c["serial_s"] = med([x["serial_s"] for x in ck])
            c["same_report_as_serial"] = all(x["same_report_as_serial"] for x in ck)
    out["duration_s"] = sum(r.get("duration_s", 0) for r in results)
    # Ratios are taken within each run (numerator and denominator under the
    # same load), then the median over the runs.
    per_run = [ratios(r) for r in results]
    out["ratios"] = {k: med([x.get(k) for x in per_run]) for k in set().union(*per_run)}
    out["ratios_per_run"] = per_run
    out["targets"] = targets(out)
    out["targets_per_run"] = [[t["value"] for t in targets(r)] for r in results]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--out")
    args = ap.parse_args()
    results = []
    for f in args.files:
        with open(f, encoding="utf-8") as fh:
            results.append(json.load(fh))
    merged = merge(results)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(merged, fh, indent=2)
    print(tables(merged))
    for name, s in workloads(merged):
        runs = ", ".join(f"{x['edit_p50_ms']:.1f}/{x['edit_p95_ms']:.1f} ms ({x['edits']})" for x in s["per_run"] if x["edit_p50_ms"] is not None)
        print(f"edit p50/p95 per run, {name}: {runs}")
    for k, v in sorted(merged["ratios"].items()):
        print(f"ratio {k}: median {v:.2f} (runs: {', '.join(f'{x[k]:.2f}' for x in merged['ratios_per_run'] if k in x)})")
    print(f"\n{sum(1 for t in merged['targets'] if t['pass'])} of {len(merged['targets'])} targets met (medians of {len(results)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
