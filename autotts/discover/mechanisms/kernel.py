"""The template controller compiled: one numba loop that interprets a genome over every episode.

:func:`replay_genome` replays every (seed, question) episode of a
:class:`ReplayArrays` for one choice of variants and one :class:`Schedule`,
step for step as :func:`~autotts.discover.mechanisms.episode.run_episode`
does with those variants: the same tallies (floats summed in the same order,
ties to the first counted), the same stable orders, the same costs. The
readable Python stays the specification; evaluators replay sampled episodes
through it and require both to agree.

Variants are integer codes and knobs two packed arrays; both tables are
defined here, next to the code that reads them, so a compiled kernel in
numba's cache can never disagree with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numba
import numpy as np

from autotts.controllers.base import Controller
from autotts.controllers.kernels import conf_table
from autotts.discover.mechanisms.episode import MAX_STEPS, DiscoveredController
from autotts.discover.mechanisms.schedule import Schedule
from autotts.discover.mechanisms.slots import build_mechanisms
from autotts.replay.arrays import ReplayArrays
from autotts.replay.episode import QuestionView
from autotts.replay.kernels import (
    abandon_dissenters,
    ema_push,
    episode_outputs,
    explore,
    insert_ranked,
    probe_state,
    record_episode,
    tally_add,
    tally_reset,
    tally_stats,
)

__all__ = ["CODES", "FLOAT_KNOBS", "INT_KNOBS", "CompiledTemplate", "encode", "pack", "replay_genome"]

CODES: Mapping[str, tuple[str, ...]] = {  # slot -> its variants, by code
    "opening": ("probe", "whole", "whole_first"),
    "tally": ("completed", "completed+probes", "completed+settled", "completed+short", "completed+consistent",
              "latest"),
    "depth": ("most_invested", "aligned_focus", "uniform", "focus"),
    "dissent": ("off", "patience"),
    "overlong": ("off", "ratio"),
    "settle": ("off", "streak"),
    "stop": ("ema", "ema_stable", "raw", "window", "consensus"),
    "widen": ("flat_trend", "low_conf", "doubt", "refill+trend", "refill", "unsure", "disagreement", "none"),
    "answer": ("completed", "tally", "window"),
    "split": ("off", "finish"),
}
INT_KNOBS = ("n_init", "max_branches", "warm_up", "patience", "min_kept", "prune_after", "t_ema", "burst",
             "widen_burst", "min_complete", "max_complete", "stable_steps", "focus", "window", "settle_probes",
             "split_after")
FLOAT_KNOBS = ("prune_conf", "length_ratio", "alpha", "conf_thresh", "delta_slack", "trend_thresh", "probe_weight",
               "length_power", "consensus_share", "consistency_power", "split_conf")

_NONE = -1  # answer id of "no answer"


def encode(choice: Mapping[str, str]) -> np.ndarray:
    """Slot -> variant names as the kernel's codes, in slot order."""
    return np.array([CODES[slot].index(choice[slot]) for slot in CODES], dtype=np.int64)


def pack(schedule: Schedule) -> tuple[np.ndarray, np.ndarray]:
    """A schedule's integer and float knobs, in the kernel's order."""
    return (np.array([getattr(schedule, k) for k in INT_KNOBS], dtype=np.int64),
            np.array([getattr(schedule, k) for k in FLOAT_KNOBS], dtype=np.float64))


class CompiledTemplate(Controller):
    """A template controller with the kernel as its fast path.

    ``solve`` is the readable controller's (the package's, or a rendered file's); :meth:`replay_arrays` runs
    the kernel on the variants and knob lines it was built from, and
    :func:`~autotts.evaluate.runner.run_episodes` requires the two to agree on the traced seeds, as it does
    for the built-in controllers.
    """

    def __init__(self, readable: Controller, choice: Mapping[str, str], lines: Mapping[str, Sequence[float]],
                 beta: float) -> None:
        self.readable = readable
        self.choice = dict(choice)
        self.schedule = Schedule.from_lines(lines, beta)

    @classmethod
    def of(cls, choice: Mapping[str, str], lines: Mapping[str, Sequence[float]], beta: float) -> CompiledTemplate:
        """The package's own controller for these variants and knob lines."""
        return cls(DiscoveredController(beta, lines, build_mechanisms(choice)), choice, lines, beta)

    def solve(self, question: QuestionView) -> str | None:
        return self.readable.solve(question)

    def replay_arrays(self, arrays: ReplayArrays) -> tuple[np.ndarray, ...]:
        return replay_genome(arrays, self.choice, self.schedule)


def replay_genome(arrays: ReplayArrays, choice: Mapping[str, str], schedule: Schedule) -> tuple[np.ndarray, ...]:
    """``(answer_ids, tokens, sequential_tokens, opened)``, ``[seeds, questions]`` each, for every episode."""
    ints, floats = pack(schedule)
    return _kernel(arrays.probing(), arrays.err_ids, encode(choice), ints, floats, conf_table(arrays.orders.shape[2]),
                   MAX_STEPS)


@numba.njit(cache=True, nogil=True)
def _conf(conf, top1, top2):  # type: ignore[no-untyped-def]
    return conf[top1, top2] if top1 > 0 else 0.0


@numba.njit(cache=True, nogil=True)
def _leading(fcounts, fseen, n_fseen, conf):  # type: ignore[no-untyped-def]
    """(leader, confidence) of a weighted tally counted in ``fseen`` order; resets it."""
    winner = _NONE
    top1 = 0.0
    top2 = 0.0
    for i in range(n_fseen):
        c = fcounts[fseen[i]]
        if winner == _NONE or c > top1:
            top2 = top1 if winner != _NONE else 0.0
            top1 = c
            winner = fseen[i]
        elif c > top2:
            top2 = c
    for i in range(n_fseen):
        fcounts[fseen[i]] = 0.0
    if winner == _NONE:
        return _NONE, 0.0
    return winner, _conf(conf, int(np.rint(top1)), int(np.rint(top2)))


@numba.njit(cache=True, nogil=True)
def _fadd(answer, weight, fcounts, fseen, n_fseen, counted):  # type: ignore[no-untyped-def]
    if not counted[answer]:
        counted[answer] = True
        fseen[n_fseen] = answer
        n_fseen += 1
    fcounts[answer] += weight
    return n_fseen


@numba.njit(cache=True, nogil=True)
def _fclear(fseen, n_fseen, counted):  # type: ignore[no-untyped-def]
    for i in range(n_fseen):
        counted[fseen[i]] = False


@numba.njit(cache=True, nogil=True)
def _kernel(replay, err_ids, codes, ints, floats, conf, max_steps):  # type: ignore[no-untyped-def]
    probes, n_probes, tokens, finals, n_branches, orders, freq, vocab = replay
    n_s, n_q, width = orders.shape
    outputs = episode_outputs(n_s, n_q)
    cursor, charged, latest, finished = probe_state(width)
    previous = np.zeros(width, dtype=np.int32)
    abandoned = np.zeros(width, dtype=np.bool_)
    n_probed = np.zeros(width, dtype=np.int32)
    disagree = np.zeros(width, dtype=np.int32)
    streak = np.zeros(width, dtype=np.int32)
    pool = np.zeros(width, dtype=np.int32)
    live = np.zeros(width, dtype=np.int32)
    order = np.zeros(width, dtype=np.int32)
    counts = np.zeros(vocab, dtype=np.int32)
    seen = np.zeros(vocab, dtype=np.int32)
    scratch_counts = np.zeros(vocab, dtype=np.int32)
    scratch_seen = np.zeros(vocab, dtype=np.int32)
    fcounts = np.zeros(vocab, dtype=np.float64)
    fseen = np.zeros(vocab, dtype=np.int32)
    counted = np.zeros(vocab, dtype=np.bool_)
    t_ema = ints[6]
    history = np.zeros(max(t_ema, 1) + 1, dtype=np.float64)
    for s in range(n_s):
        for q in range(n_q):
            answer, total, n_open = _episode(
                probes[q], n_probes[q], tokens[q], finals[q], n_branches[q], orders[s, q], err_ids[q], freq, codes,
                ints, floats, conf, max_steps, cursor, charged, latest, previous, finished, abandoned, n_probed,
                disagree, streak, pool, live, order, counts, seen, scratch_counts, scratch_seen, fcounts, fseen,
                counted, history)
            record_episode(outputs, s, q, answer, total, charged, n_open)
    return outputs


@numba.njit(cache=True, nogil=True)
def _episode(probes_q, n_probes_q, tokens_q, finals_q, nb, order_q, err, freq, codes, ints, floats, conf,  # type: ignore[no-untyped-def]
             max_steps, cursor, charged, latest, previous, finished, abandoned, n_probed, disagree, streak, pool,
             live, order, counts, seen, scratch_counts, scratch_seen, fcounts, fseen, counted, history):
    opening, tally, depth, dissent, overlong, settle, stop, widen, answer, split = (
        codes[0], codes[1], codes[2], codes[3], codes[4], codes[5], codes[6], codes[7], codes[8], codes[9])
    n_init, max_branches, warm_up, patience, min_kept, prune_after, t_ema, burst = (
        ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], ints[6], ints[7])
    widen_burst, min_complete, max_complete, stable_steps, focus, window, settle_probes, split_after = (
        ints[8], ints[9], ints[10], ints[11], ints[12], ints[13], ints[14], ints[15])
    prune_conf, length_ratio, alpha, conf_thresh, delta_slack, trend_thresh = (
        floats[0], floats[1], floats[2], floats[3], floats[4], floats[5])
    probe_weight, length_power, consensus_share, consistency_power, split_conf = (
        floats[6], floats[7], floats[8], floats[9], floats[10])

    n_open = 0
    n_pool = 0
    n_seen = 0
    total = 0
    # opening n_init branches (initial)
    n_open, n_pool, n_seen, total = _open(
        n_init, True, opening, n_open, n_pool, n_seen, total, nb, probes_q, n_probes_q, tokens_q, finals_q, order_q,
        freq, cursor, charged, latest, previous, finished, abandoned, n_probed, disagree, streak, pool, counts, seen)
    if n_open == 0:
        tally_reset(counts, seen, n_seen)
        return _NONE, total, n_open
    ema = 0.0
    n_hist = 0
    stable = 0
    last_winner = _NONE
    for step in range(max_steps):
        winner, c = _tally(tally, n_open, n_pool, n_seen, pool, latest, previous, finished, abandoned, n_probed,
                           streak, counts, seen, scratch_counts, scratch_seen, fcounts, fseen, counted, err,
                           probe_weight, length_power, consistency_power, conf)
        warm = step >= warm_up
        ema = (1 - alpha) * ema + alpha * c
        n_hist = ema_push(history, n_hist, t_ema, ema)
        is_split = split == 1 and n_pool >= split_after and c < split_conf
        if warm and winner != _NONE and c >= prune_conf and n_pool >= prune_after and not is_split:
            if dissent == 1:
                n_live = _live(n_open, finished, abandoned, live)
                for j in range(n_live):
                    k = live[j]
                    disagree[k] = disagree[k] + 1 if latest[k] != winner else 0
                abandon_dissenters(live, n_live, disagree, patience, min_kept, order, abandoned)
            if overlong == 1:
                shortest = -1
                for k in range(n_open):
                    if finished[k] and (shortest < 0 or n_probed[k] < shortest):
                        shortest = n_probed[k]
                if shortest >= 0:
                    n_live = _live(n_open, finished, abandoned, live)
                    for j in range(n_live):
                        k = live[j]
                        if n_probed[k] > length_ratio * shortest:
                            abandoned[k] = True
        # deepen
        n_live = _live(n_open, finished, abandoned, live)
        n_deep = n_live
        if depth == 0 or depth == 3:  # most probed first (stable)
            for j in range(n_live):
                insert_ranked(order, j, live[j], n_probed)
            if depth == 3:
                n_deep = min(n_live, focus)
        elif depth == 1:  # agreeing with the leader first, then most probed (stable)
            for j in range(n_live):
                k = live[j]
                pos = j
                while pos > 0 and _aligned_after(order[pos - 1], k, latest, n_probed, winner):
                    order[pos] = order[pos - 1]
                    pos -= 1
                order[pos] = k
            n_deep = min(n_live, focus)
        else:
            for j in range(n_live):
                order[j] = live[j]
        for j in range(n_deep):
            k = order[j]
            reps = burst if depth != 2 and warm and latest[k] == winner else 1
            for _ in range(reps):
                a, fin, cost = explore(k, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged)
                total += cost
                streak[k] = streak[k] + 1 if a == latest[k] else 1
                previous[k] = latest[k]
                latest[k] = a
                n_probed[k] += 1
                if fin:
                    finished[k] = True
                    pool[n_pool] = a
                    n_pool += 1
                    n_seen = tally_add(a, counts, seen, n_seen)
                    break
        if settle == 1:
            n_live = _live(n_open, finished, abandoned, live)
            for j in range(n_live):
                k = live[j]
                if streak[k] >= settle_probes and latest[k] != err:
                    finished[k] = True
                    pool[n_pool] = latest[k]
                    n_pool += 1
                    n_seen = tally_add(latest[k], counts, seen, n_seen)
        winner, c = _tally(tally, n_open, n_pool, n_seen, pool, latest, previous, finished, abandoned, n_probed,
                           streak, counts, seen, scratch_counts, scratch_seen, fcounts, fseen, counted, err,
                           probe_weight, length_power, consistency_power, conf)
        ema = (1 - alpha) * ema + alpha * c
        history[n_hist - 1] = ema
        delta = history[n_hist - 1] - history[0] if n_hist >= 2 else 0.0
        stable = stable + 1 if winner == last_winner else 0
        last_winner = winner
        sure = False
        if warm and n_pool >= min_complete and not is_split:
            if stop == 0:
                sure = ema >= conf_thresh and delta >= -delta_slack
            elif stop == 1:
                sure = ema >= conf_thresh and delta >= -delta_slack and stable >= stable_steps
            elif stop == 2:
                sure = c >= conf_thresh and stable >= stable_steps
            elif stop == 3:
                sure = _window_agrees(pool, n_pool, window)
            else:
                kept = 0
                agreeing = 0
                for k in range(n_open):
                    if not abandoned[k]:
                        kept += 1
                        if latest[k] == winner:
                            agreeing += 1
                sure = winner != _NONE and agreeing >= consensus_share * kept and stable >= stable_steps
        if sure or n_pool >= max_complete:
            break
        n_live = _live(n_open, finished, abandoned, live)
        count = 0
        if not is_split:
            trend = delta <= trend_thresh and step >= max(1, warm_up // 2) and ema < conf_thresh
            if widen == 0:
                count = widen_burst if n_live > 0 and trend else 0
            elif widen == 1:
                count = widen_burst if n_live > 0 and step >= max(1, warm_up // 2) and ema < conf_thresh else 0
            elif widen == 2:
                count = widen_burst if n_live > 0 and 0.0 < ema < conf_thresh and step >= max(1, warm_up // 2) else 0
            elif widen == 3:
                count = max(n_init - n_live, widen_burst if n_live > 0 and trend else 0)
            elif widen == 4:
                count = n_init - n_live
            elif widen == 5:
                count = widen_burst
            elif widen == 6:
                top1 = tally_stats(counts, seen, n_seen)[1]
                count = n_init + widen_burst * (n_pool - top1) - n_live
            count = min(count, max_branches - n_open)
        if count > 0:
            n_open, n_pool, n_seen, total = _open(
                count, False, opening, n_open, n_pool, n_seen, total, nb, probes_q, n_probes_q, tokens_q, finals_q,
                order_q, freq, cursor, charged, latest, previous, finished, abandoned, n_probed, disagree, streak,
                pool, counts, seen)
        elif n_live == 0:
            break
    leader = _tally(tally, n_open, n_pool, n_seen, pool, latest, previous, finished, abandoned, n_probed, streak,
                    counts, seen, scratch_counts, scratch_seen, fcounts, fseen, counted, err, probe_weight,
                    length_power, consistency_power, conf)[0]
    result = _NONE
    if answer == 2 and _window_agrees(pool, n_pool, window):
        result = pool[n_pool - 1]
    elif answer == 1 and leader != _NONE:
        result = leader
    elif answer != 1 and n_pool > 0:
        result = tally_stats(counts, seen, n_seen)[0]
    else:
        n_kept = 0
        for k in range(n_open):
            if not abandoned[k]:
                n_kept = tally_add(latest[k], scratch_counts, scratch_seen, n_kept)
        result = tally_stats(scratch_counts, scratch_seen, n_kept)[0]
        tally_reset(scratch_counts, scratch_seen, n_kept)
    tally_reset(counts, seen, n_seen)
    return result, total, n_open


@numba.njit(cache=True, nogil=True)
def _live(n_open, finished, abandoned, live):  # type: ignore[no-untyped-def]
    n_live = 0
    for k in range(n_open):
        if not finished[k] and not abandoned[k]:
            live[n_live] = k
            n_live += 1
    return n_live


@numba.njit(cache=True, nogil=True)
def _aligned_after(a, b, latest, n_probed, winner):  # type: ignore[no-untyped-def]
    """Whether branch ``a`` sorts after ``b`` by (disagrees with the leader, fewer probes)."""
    a_off = latest[a] != winner
    b_off = latest[b] != winner
    if a_off != b_off:
        return a_off
    return n_probed[a] < n_probed[b]


@numba.njit(cache=True, nogil=True)
def _window_agrees(pool, n_pool, window):  # type: ignore[no-untyped-def]
    if n_pool < window:
        return False
    for j in range(n_pool - window, n_pool):  # noqa: SIM110  (numba compiles no generator)
        if pool[j] != pool[n_pool - 1]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _open(count, initial, opening, n_open, n_pool, n_seen, total, nb, probes_q, n_probes_q, tokens_q, finals_q,  # type: ignore[no-untyped-def]
          order_q, freq, cursor, charged, latest, previous, finished, abandoned, n_probed, disagree, streak, pool,
          counts, seen):
    whole = opening == 1 or (opening == 2 and initial)
    for _ in range(count):
        if n_open >= nb:
            break
        k = n_open
        n_open += 1
        cursor[k] = 0
        charged[k] = 0
        previous[k] = _NONE
        abandoned[k] = False
        n_probed[k] = 1
        disagree[k] = 0
        streak[k] = 1
        if whole:
            stored = order_q[k]
            cursor[k] = n_probes_q[stored]
            cost = tokens_q[stored]
            charged[k] = cost
            a = finals_q[stored]
            fin = True
        else:
            a, fin, cost = explore(k, probes_q, n_probes_q, tokens_q, finals_q, order_q, freq, cursor, charged)
        total += cost
        latest[k] = a
        finished[k] = fin
        if fin:
            pool[n_pool] = a
            n_pool += 1
            n_seen = tally_add(a, counts, seen, n_seen)
    return n_open, n_pool, n_seen, total


@numba.njit(cache=True, nogil=True)
def _tally(tally, n_open, n_pool, n_seen, pool, latest, previous, finished, abandoned, n_probed, streak, counts,  # type: ignore[no-untyped-def]
           seen, scratch_counts, scratch_seen, fcounts, fseen, counted, err, probe_weight, length_power,
           consistency_power, conf):
    if tally == 0:
        winner, top1, top2 = tally_stats(counts, seen, n_seen)
        return winner, _conf(conf, top1, top2)
    if tally == 5:
        n_kept = 0
        for k in range(n_open):
            if not abandoned[k]:
                n_kept = tally_add(latest[k], scratch_counts, scratch_seen, n_kept)
        winner, top1, top2 = tally_stats(scratch_counts, scratch_seen, n_kept)
        tally_reset(scratch_counts, scratch_seen, n_kept)
        return winner, _conf(conf, top1, top2)
    n_fseen = 0
    if tally == 1 or tally == 2:
        for j in range(n_pool):
            n_fseen = _fadd(pool[j], 1.0, fcounts, fseen, n_fseen, counted)
        for k in range(n_open):
            if (not finished[k] and not abandoned[k] and latest[k] != err
                    and (tally == 1 or latest[k] == previous[k])):
                n_fseen = _fadd(latest[k], probe_weight, fcounts, fseen, n_fseen, counted)
    elif tally == 3:
        shortest = -1
        for k in range(n_open):
            if finished[k] and (shortest < 0 or n_probed[k] < shortest):
                shortest = n_probed[k]
        for k in range(n_open):
            if finished[k]:
                n_fseen = _fadd(latest[k], (shortest / n_probed[k]) ** length_power, fcounts, fseen, n_fseen,
                                counted)
    else:
        for k in range(n_open):
            if finished[k]:
                n_fseen = _fadd(latest[k], (streak[k] / n_probed[k]) ** consistency_power, fcounts, fseen,
                                n_fseen, counted)
    _fclear(fseen, n_fseen, counted)
    return _leading(fcounts, fseen, n_fseen, conf)
