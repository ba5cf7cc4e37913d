"""Where the original audio is loud enough to be dialogue, from the waveform peaks the timeline already has.

An audio description must fit the pauses: a take that runs over speech hides what is said. Without a
transcript, the loud stretches of the sound track are the best sign of speech; quiet gaps shorter than
`merge_ms` belong to the same stretch (a breath between words), and blips shorter than `min_ms` are
ignored.
"""

from __future__ import annotations

import numpy as np


def loud_spans(
    waveform, threshold: float = 0.12, min_ms: int = 250, merge_ms: int = 400
) -> list[tuple[int, int]]:
    """[(start_ms, end_ms)] where the peaks exceed `threshold` of full scale (a `media.waveform.Waveform`)."""
    if waveform is None or not getattr(waveform, "levels", None):
        return []
    spp = min(waveform.levels)
    data = np.asarray(waveform.levels[spp], dtype=np.float32)
    if not len(data):
        return []
    per = waveform.ms_per_peak(spp)
    level = np.maximum(np.abs(data[:, 0]), np.abs(data[:, 1])) / 32768.0
    loud = level >= threshold
    if not loud.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    spans: list[list[int]] = []
    for a, b in zip(edges[::2], edges[1::2]):
        start, end = int(a * per), int(b * per)
        if spans and start - spans[-1][1] < merge_ms:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans if e - s >= min_ms]


def overlap_with(spans: list[tuple[int, int]], start_ms: int, end_ms: int) -> tuple[int, int] | None:
    """(first overlapping moment, total overlapping ms) of [start_ms, end_ms) with `spans`, or None."""
    first, total = None, 0
    for s, e in spans:
        lo, hi = max(s, start_ms), min(e, end_ms)
        if hi > lo:
            first = lo if first is None else first
            total += hi - lo
    return (first, total) if first is not None else None
