"""A delivery run in its own process, for the crash tests: it can SIGKILL itself at a chosen moment.

Usage: python -m tests.delivery.child SPEC.json   (prints one JSON line with the outcome)
SPEC: {"account": {...AccountConfig fields}, "task": task_to_dict(task), "product": product_to_json(...),
       "journal": path, "kill": {"when": "after_step"|"after_call"|"mid_upload", "n": N} | null,
       "executor": {...DeliveryExecutor options}}
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from reach_studio.domain.captions import CaptionDocument, Chapter, Cue, DescriptionCue
from reach_studio.domain.delivery_plan import UrlSource, WorkProduct


def product_to_json(p: WorkProduct) -> dict[str, Any]:
    def doc(d: CaptionDocument | None) -> Any:
        if d is None:
            return None
        return {
            "language": d.language,
            "accuracy": d.accuracy,
            "cues": [[c.start_ms, c.end_ms, c.text, c.speaker] for c in d.cues],
        }

    def src(s: Any) -> Any:
        if s is None:
            return None
        if isinstance(s, UrlSource):
            return {"url": s.url, "headers": list(s.headers)}
        return str(s)

    return {
        "captions": doc(p.captions),
        "transcripts": list(p.transcripts),
        "chapters": [[c.start_ms, c.title, c.description] for c in p.chapters],
        "descriptions": [[d.start_ms, d.end_ms, d.text] for d in p.descriptions],
        "main_audio": src(p.main_audio),
        "clear_audio": src(p.clear_audio),
        "dub_captions": doc(p.dub_captions),
        "sign_video": src(p.sign_video),
        "tags": list(p.tags),
        "accuracy": p.accuracy,
        "external_task_id": p.external_task_id,
    }


def product_from_json(d: dict[str, Any]) -> WorkProduct:
    def doc(x: Any) -> CaptionDocument | None:
        if x is None:
            return None
        return CaptionDocument(
            cues=[Cue(*c) for c in x["cues"]], language=x["language"], accuracy=x["accuracy"]
        )

    def src(x: Any) -> Any:
        if x is None:
            return None
        if isinstance(x, dict):
            return UrlSource(x["url"], tuple(x["headers"]))
        return Path(x)

    return WorkProduct(
        captions=doc(d["captions"]),
        transcripts=tuple(d["transcripts"]),
        chapters=tuple(Chapter(*c) for c in d["chapters"]),
        descriptions=tuple(DescriptionCue(*c) for c in d["descriptions"]),
        main_audio=src(d["main_audio"]),
        clear_audio=src(d["clear_audio"]),
        dub_captions=doc(d["dub_captions"]),
        sign_video=src(d["sign_video"]),
        tags=tuple(d["tags"]),
        accuracy=d["accuracy"],
        external_task_id=d["external_task_id"],
    )


def main(spec_path: str) -> int:
    from reach_studio.domain.task_mapping import task_from_dict
    from reach_studio.engine.delivery import DeliveryBlocked, DeliveryService
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection
    from reach_studio.kaltura.delivery_executor import ExecutorHooks
    from reach_studio.store.delivery_journal import DeliveryJournal

    spec = json.loads(Path(spec_path).read_text())
    conn = ReachConnection(AccountConfig(**spec["account"]), retries=4, backoff=0.05)
    task = task_from_dict(spec["task"])
    product = product_from_json(spec["product"])
    kill = spec.get("kill") or {}
    counter = {"n": 0}

    def die() -> None:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    def count(when: str) -> None:
        if kill.get("when") == when:
            counter["n"] += 1
            if counter["n"] >= kill["n"]:
                die()

    hooks = ExecutorHooks(
        after_call=lambda step: count("after_call"), after_step=lambda step, result: count("after_step")
    )

    def progress(done: int, total: int) -> None:
        # Inside an upload step: done is step_index * 1000 + the per-mille uploaded.
        if kill.get("when") == "mid_upload" and 300 <= done % 1000 <= 990:
            counter["n"] += 1
            if counter["n"] >= kill["n"]:
                die()

    service = DeliveryService(conn, DeliveryJournal(spec["journal"]), **spec.get("executor", {}))
    try:
        outcome = service.deliver(task, product, hooks=hooks, progress=progress)
    except DeliveryBlocked as exc:
        print(json.dumps({"blocked": exc.message, "problems": exc.problems}))
        return 3
    print(
        json.dumps(
            {
                "status": int(outcome.status),
                "output": outcome.output_object_id,
                "error": outcome.err_description,
                "adopted": outcome.adopted,
                "skipped": outcome.skipped,
            }
        )
    )
    return 0 if outcome.ok else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
