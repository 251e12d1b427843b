"""The run summary: per-round bests, how sure the pick is, and tokens saved against SC@64."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from autotts.controllers.self_consistency import SelfConsistency
from autotts.discover.budgets import BudgetRow, render_budget_table
from autotts.discover.history import History
from autotts.discover.selection import Comparison, CurvePoint, Objective
from autotts.evaluate.runner import run_episodes
from autotts.replay.matrix import ReplayMatrix

__all__ = ["budget_verdict", "sc_reference", "summarize", "summarize_search"]


def sc_reference(matrices: Sequence[ReplayMatrix], seeds: int) -> dict[str, tuple[float, float]]:
    """SC@64's (accuracy %, avg tokens) per search model: the yardstick for tokens saved."""
    out = {}
    for m in matrices:
        r = run_episodes(m, SelfConsistency(k=64), seeds=seeds, trace_seeds=0)
        out[m.model] = (r.accuracy, r.avg_tokens)
    return out


def _verdict(c: Comparison | None) -> str:
    if c is None:
        return "only one distinct finalist passed, nothing to compare it with"
    if c.p_tie >= 0.99:
        return "scores the same as the runner-up on these episodes"
    if c.p_better >= 0.95:
        return "clearly better than the runner-up"
    if c.p_better >= 0.75:
        return "probably better than the runner-up"
    return "not distinguishable from the runner-up (a coin toss on these questions)"


def _vs_sc(points: Sequence[CurvePoint], sc64: Mapping[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for model, (acc, tokens) in sc64.items():
        reaching = sorted((p.avg_tokens, p.beta, p.accuracy) for p in points if p.model == model and p.accuracy >= acc)
        entry: dict[str, Any] = {"sc64_accuracy": acc, "sc64_tokens": round(tokens, 1)}
        if reaching:
            t, beta, a = reaching[0]
            entry.update(beta=beta, accuracy=a, tokens=round(t, 1), saved=round(1 - t / tokens, 4))
        out[model] = entry
    return out


def summarize(*, config: dict[str, Any], history: History, goal: Objective, full: Mapping[str, Sequence[CurvePoint]],
              order: Sequence[str], sure: Comparison | None, stopped: str | None,
              sc64: Mapping[str, tuple[float, float]], wall_seconds: float) -> dict[str, Any]:
    """``summary.json``'s content, with a one-screen text report under ``report``."""
    records = sorted(history.records.values(), key=lambda r: r.candidate_id)
    best = order[0]
    rounds = []
    for round_ in sorted({r.round for r in records}):
        mine = [r for r in records if r.round == round_]
        ok = [r for r in mine if r.ok]
        top = max(ok, key=lambda r: r.score or 0.0, default=None)
        rounds.append({"round": round_, "candidates": len(mine), "rejected": len(mine) - len(ok),
                       "best": top and top.candidate_id, "score": top and round(top.score or 0.0, 4)})
    vs_sc = _vs_sc(full[best], sc64)
    finalists = {cid: {"search_score": history.records[cid].score, "full_score": goal.score(full[cid])}
                 for cid in order}
    summary: dict[str, Any] = {
        "run_id": history.run_id, "best_candidate": best, "objective": goal.name,
        "finalists": finalists,
        "confidence": None if sure is None else {
            "runner_up": order[1], "difference": sure.difference, "interval_90": [sure.low, sure.high],
            "p_better": sure.p_better, "p_tie": sure.p_tie, "draws": sure.draws},
        "verdict": _verdict(sure),
        "top_scorer": max(finalists, key=lambda cid: (finalists[cid]["full_score"], cid == best)),
        "rounds": rounds,
        "rejections": dict(Counter(r.failure.reason for r in records if r.failure)),
        "best_curve": [{"model": p.model, "beta": p.beta, "accuracy": p.accuracy, "avg_tokens": round(p.avg_tokens, 1)}
                       for p in full[best]],
        "vs_sc64": vs_sc,
        "seeds": config["seeds"], "search_seeds": config["search_seeds"],
        "stopped_early": stopped, "cost": history.spent(), "wall_seconds": round(wall_seconds, 1),
    }
    summary["report"] = _report(summary)
    return summary


def _report(s: dict[str, Any]) -> str:
    lines = [f"discovery: best {s['best_candidate']} by {s['objective']} ({s['verdict']})"]
    if s["confidence"]:
        c = s["confidence"]
        lines.append(f"  vs {c['runner_up']}: {c['difference']:+.3f} (90% interval {c['interval_90'][0]:+.3f} .. "
                     f"{c['interval_90'][1]:+.3f}, better in {c['p_better']:.0%} of {c['draws']} resamples)")
    if s["top_scorer"] != s["best_candidate"]:
        lines.append(f"  picked over the top scorer {s['top_scorer']}: level with it on these questions, "
                     "its best accuracy costs fewer tokens")
    lines.append("round  candidates  rejected  best     score")
    lines += [f"{r['round']:5d}  {r['candidates']:10d}  {r['rejected']:8d}  {r['best'] or '-':7s}  "
              f"{r['score'] if r['score'] is not None else '-'}" for r in s["rounds"]]
    lines.append(f"winner on {s['seeds']} seeds (accuracy % / avg tokens):")
    by_model: dict[str, list[str]] = {}
    for p in s["best_curve"]:
        shown = f"b={p['beta']:g}: {p['accuracy']:.2f}/{p['avg_tokens'] / 1000:.0f}k"
        by_model.setdefault(p["model"], []).append(shown)
    lines += [f"  {m:12s} " + "  ".join(v) for m, v in by_model.items()]
    lines.append("vs SC@64 at equal accuracy:")
    for model, e in s["vs_sc64"].items():
        head = f"  {model:12s} SC@64 {e['sc64_accuracy']:.2f}% at {e['sc64_tokens'] / 1000:.0f}k: "
        if "saved" in e:
            lines.append(head + f"reached at beta={e['beta']:g}, {e['tokens'] / 1000:.0f}k ({e['saved']:.0%} saved)")
        else:
            lines.append(head + "not reached")
    if s["rejections"]:
        lines.append("rejected: " + ", ".join(f"{k} {v}" for k, v in sorted(s["rejections"].items())))
    if s["stopped_early"]:
        lines.append(f"stopped early: {s['stopped_early']}")
    lines.append(f"wall time {s['wall_seconds']:.0f}s, LLM cost {s['cost']:.4f}")
    return "\n".join(lines)


def summarize_search(*, config: Any, records: Sequence[Any], goal: Objective,
                     finals: Mapping[str, Sequence[CurvePoint]], failed: Mapping[str, str], order: Sequence[str],
                     sure: Comparison | None, lineage: Sequence[Any], rounds: list[dict[str, Any]],
                     folds: dict[str, list[int]], tables: Mapping[str, dict[str, Any]],
                     sc64: Mapping[str, tuple[float, float]], search_seconds: tuple[float, float], evaluated: int,
                     episodes_per_candidate: int, wall_seconds: float) -> dict[str, Any]:
    """``summary.json`` of a template search run (``config`` a DiscoverConfig, ``records`` SearchRecords, the
    ``lineage`` the winner's ancestors), with its one-screen report under ``report``. ``search_seconds`` (wall,
    CPU) were spent evaluating the last ``evaluated`` records (fewer than all on a resumed run)."""
    best = order[0]
    by_id = {r.candidate_id: r for r in records}
    wall, cpu = (max(t, 1e-9) for t in search_seconds)
    finalists = {cid: {"search_score": by_id[cid].score, "full_score": goal.score(finals[cid]),
                       "operator": by_id[cid].operator} for cid in order}
    summary: dict[str, Any] = {
        "best_candidate": best, "objective": goal.name, "finalists": finalists, "failed_finalists": dict(failed),
        "confidence": None if sure is None else {
            "runner_up": order[1], "difference": sure.difference, "interval_90": [sure.low, sure.high],
            "p_better": sure.p_better, "p_tie": sure.p_tie, "draws": sure.draws},
        "verdict": _verdict(sure),
        "top_scorer": max(finalists, key=lambda cid: (finalists[cid]["full_score"], cid == best)),
        "winner_is_a_start": by_id[best].operator.startswith("start"),
        "lineage": [{"candidate": r.candidate_id, "generation": r.generation, "operator": r.operator,
                     "parents": list(r.parents), "search_score": r.score} for r in lineage],
        "rounds": rounds,
        "rejections": dict(Counter((r.failure or "").partition(":")[0] for r in records if not r.ok)),
        "search": {
            "candidates": len(records), "generations": config.generations, "population": config.population,
            "cells": len({r.cell for r in records if r.ok}), "episodes": len(records) * episodes_per_candidate},
        "speed": {  # how fast this machine ran the search (differs between two runs of the same inputs)
            "evaluated": evaluated, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
            "candidates_per_minute": round(evaluated / wall * 60, 1),
            "candidates_per_cpu_minute": round(evaluated / cpu * 60, 1),
            "episodes_per_cpu_second": round(evaluated * episodes_per_candidate / cpu)},
        "folds": folds,
        "best_curve": [{"model": p.model, "beta": p.beta, "accuracy": p.accuracy, "avg_tokens": round(p.avg_tokens, 1)}
                       for p in finals[best]],
        "vs_sc64": _vs_sc(finals[best], sc64),
        "budget_tables": dict(tables),
        "seeds": config.seeds, "search_seeds": config.search_seeds, "stopped_early": None, "cost": 0.0,
        "wall_seconds": round(wall_seconds, 1),
    }
    summary["report"] = _search_report(summary)
    return summary


def budget_verdict(table: Mapping[str, Any]) -> str:
    """Whether the winner beats CMC at every budget of a budget table, and where significantly."""
    rows = [BudgetRow(**{k: v for k, v in r.items() if k != "significant"}) for r in table["rows"]]
    ahead = [r for r in rows if r.gain > 0]
    significant = [f"{r.budget / 1000:.0f}k" for r in rows if r.significant and r.gain > 0]
    behind = [f"{r.budget / 1000:.0f}k ({r.gain:+.2f})" if r.gain == r.gain else f"{r.budget / 1000:.0f}k (no point)"
              for r in rows if not r.gain > 0]
    head = ("higher than CMC at every budget" if len(ahead) == len(rows)
            else f"not higher than CMC at {', '.join(behind)}")
    return head + (f"; significantly (95% interval above 0) at {', '.join(significant)}" if significant
                   else "; significant at no budget (every 95% interval includes 0)")


def _search_report(s: dict[str, Any]) -> str:
    search, speed = s["search"], s["speed"]
    lines = [f"discovery (evolve template search): winner {s['best_candidate']} by {s['objective']} on the pick "
             f"fold ({s['verdict']})"]
    if s["winner_is_a_start"]:
        lines.append("  the winner is one of the starting designs: every searched finalist failed on the pick fold")
    elif s["top_scorer"] != s["best_candidate"]:
        top = s["finalists"][s["top_scorer"]]
        lines.append(f"  the pick fold's top scorer is the start {s['top_scorer']} ({top['operator']}, "
                     f"{top['full_score']:.3f}): the search found nothing better on the pick fold")
    lines.append(f"search: {search['candidates']} candidates in {search['generations']} generations, "
                 f"{search['cells']} behaviour cells, {search['episodes']:,} episodes")
    lines.append(f"speed: {speed['evaluated']} candidates evaluated in {speed['wall_seconds']:.0f}s wall, "
                 f"{speed['cpu_seconds']:.0f}s CPU: "
                 f"{speed['candidates_per_cpu_minute']:.0f} candidates per CPU-minute, "
                 f"{speed['episodes_per_cpu_second']:,} episodes per CPU-second; the whole run "
                 f"{s['wall_seconds']:.0f}s wall")
    lines.append(f"folds: searched on {len(s['folds']['search'])} questions, picked on {len(s['folds']['pick'])}")
    lines.append("finalists (search score -> pick-fold score):")
    lines += [f"  {cid}  {f['search_score']:.3f} -> {f['full_score']:.3f}  {f['operator']}"
              for cid, f in s["finalists"].items()]
    lines.append("lineage of the winner (newest first):")
    lines += [f"  {r['candidate']}  {r['operator']}" + (f"  (parents {', '.join(r['parents'])})" if r["parents"]
                                                        else "") for r in s["lineage"]]
    for name, table in s["budget_tables"].items():
        rows = [BudgetRow(**{k: v for k, v in r.items() if k != "significant"}) for r in table["rows"]]
        lines.append(f"winner vs CMC at matched tokens, {name} ({table['questions']} questions, model mean, %):")
        lines += ["  " + line for line in render_budget_table(rows).splitlines()]
        lines.append(f"  -> {budget_verdict(table)}")
    return "\n".join(lines)
