"""A linguist's desktop in its own process, for the team tests: claims through the team store, then Kaltura.

Usage: python -m tests.team.child SPEC.json
SPEC: {"mode": "claim" | "work", "team_url", "member", "account": {AccountConfig fields}, "task": task_to_dict,
       "drafts": local drafts file (work), "stale_after_s"}
"claim": prints READY, waits for a line on stdin (all children start together), claims, prints one JSON line.
"work": claims, then journals one edit every 20 ms to its drafts (local + team) and beats every 0.2 s, printing
one WORKING line once the first edit reached the team store; runs until killed.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path


def main(path: str) -> int:
    from reach_studio.domain.task_mapping import task_from_dict
    from reach_studio.kaltura.connection import AccountConfig, ReachConnection
    from reach_studio.store.drafts import DraftStore, draft_key
    from reach_studio.team.claims import claim_task
    from reach_studio.team.drafts_sync import TeamDrafts
    from reach_studio.team.store import ClaimHeld, TeamStore

    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    conn = ReachConnection(AccountConfig(**spec["account"]), request_timeout=30)
    task = task_from_dict(spec["task"])
    store = TeamStore(spec["team_url"], spec["member"]).open()
    external = f"{spec['member']}-{task.id}"
    if spec["mode"] == "claim":
        print("READY", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        try:
            claimed = claim_task(store, conn, task, external)
            out = {"won": True, "external": claimed.external_task_id}
        except ClaimHeld as exc:
            out = {"won": False, "holder": exc.holder, "message": str(exc)}
        out["seconds"] = time.perf_counter() - started
        print(json.dumps(out), flush=True)
        return 0
    claim_task(store, conn, task, external)
    drafts = TeamDrafts(DraftStore(spec["drafts"]), store, push_interval=0.05)
    key = draft_key(task.account, task.id)
    drafts.save_snapshot(key, "captions", {"version": 1, "kind": "captions", "items": []}, label="work")

    def beat() -> None:
        while True:
            store.heartbeat()
            time.sleep(0.2)

    threading.Thread(target=beat, daemon=True).start()
    n = 0
    while True:
        drafts.append_op(key, {"op": "edit", "n": n, "at": time.time()})
        n += 1
        if n == 10:
            drafts.flush()
            print("WORKING", flush=True)
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
