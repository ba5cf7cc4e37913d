"""Caption core benchmark: read + validate + write a 10,000-cue document in SRT, VTT and DFXP, next to
reading/writing the same files with pysrt and webvtt-py alone (and defusedxml's ElementTree for DFXP).

Target (issue 4): read + write <= 100 ms per format. Run: .venv/bin/python bench/bench_captions.py [cues]
Figures are the median of several runs, measured in this process.
"""

# ruff: noqa: B023  (each lambda is timed inside the loop iteration that defines it)
from __future__ import annotations

import io
import os
import statistics
import sys
import time
from xml.etree.ElementTree import tostring

import pysrt
import webvtt
from defusedxml.ElementTree import fromstring as defused_fromstring

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import read_captions, write_captions
from reach_studio.domain.task import CatalogItem, Dictionary, ReachProfile
from reach_studio.domain.validation import Validator

RUNS = 7
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "captions",
    "keep",
    "pace",
    "with",
    "speech",
    "and",
    "music",
]


def make_document(n: int) -> CaptionDocument:
    cues = []
    for i in range(n):
        a = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4))
        b = " ".join(WORDS[(i * 3 + k) % len(WORDS)] for k in range(3))
        cues.append(
            Cue(
                i * 2500,
                i * 2500 + 2200,
                f"{a.capitalize()}\n{b} {i}.",
                f"Speaker {i % 3 + 1}" if i % 4 else None,
            )
        )
    return CaptionDocument(cues, language="English")


def median_ms(fn, runs: int = RUNS) -> float:
    """Median CPU time of `fn` in ms. CPU time, not wall time: this machine is shared (2 cores, several
    test runs at once), and wall time there measures the neighbours. Wall time is printed once per table."""
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times)


def wall_ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    doc = make_document(n)
    profile = ReachProfile(
        1,
        max_characters_per_caption_line=32,
        enable_profanity_removal=True,
        enable_speaker_change_indication=True,
        dictionaries=[Dictionary("English", "Kaltura\nREACH\nmachine learning")],
    )
    item = CatalogItem(1, 1, 1, 1, enable_speaker_id=True)
    validator = Validator(profile, item, media_duration_ms=n * 2500 + 10_000)
    files = {fmt: write_captions(doc, fmt) for fmt in ("srt", "vtt", "dfxp")}
    print(f"CPU time, median of {RUNS} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{n} cues; sizes: " + ", ".join(f"{k} {len(v) / 1024:.0f} KiB" for k, v in files.items()))
    print(
        f"{'format':6} {'read':>8} {'write':>8} {'read+write':>11} {'validate':>9} {'baseline read':>14} "
        f"{'baseline write':>15} {'baseline r+w':>13}  baseline"
    )
    for fmt, data in files.items():
        parsed = read_captions(data, fmt)
        assert len(parsed.cues) == n
        read = median_ms(lambda: read_captions(data, fmt))
        write = median_ms(lambda: write_captions(parsed, fmt))
        validate = median_ms(lambda: validator.document(parsed), runs=3)
        text = data.decode("utf-8")
        if fmt == "srt":
            name = "pysrt"
            ref = pysrt.from_string(text)
            b_read = median_ms(lambda: pysrt.from_string(text))
            b_write = median_ms(lambda: ref.write_into(io.StringIO()))
        elif fmt == "vtt":
            name = "webvtt-py (raw_text)"
            ref = webvtt.from_buffer(io.StringIO(text))
            b_read = median_ms(lambda: [c.raw_text for c in webvtt.from_buffer(io.StringIO(text)).captions])
            b_write = median_ms(lambda: ref.content)
        else:
            name = "defusedxml ElementTree parse + tostring (no caption model)"
            tree = defused_fromstring(data)
            b_read = median_ms(lambda: defused_fromstring(data))
            b_write = median_ms(lambda: tostring(tree))
        wall = wall_ms(lambda: write_captions(read_captions(data, fmt), fmt))
        verdict = "ok" if read + write <= 100 else "OVER 100 ms"
        print(
            f"{fmt:6} {read:7.1f}ms {write:7.1f}ms {read + write:9.1f}ms {validate:8.1f}ms {b_read:12.1f}ms "
            f"{b_write:13.1f}ms {b_read + b_write:11.1f}ms  {name}  [{verdict}; wall read+write {wall:.0f} ms]"
        )
    one = median_ms(lambda: [validator.cue(parsed, i) for i in (n // 2 - 1, n // 2, n // 2 + 1)], runs=50)
    print(f"live validation of one edited cue with its neighbours (3 cues): {one * 1000:.0f} µs")


if __name__ == "__main__":
    main()
