"""Drafts journaled to the team store as well as locally, so a take-over gets the work.

Why it exists: a draft on one laptop is lost to the team when that laptop dies. `TeamDrafts` is the
desktop's DraftStore (same methods): every write goes to the local SQLite first (durable at once, works
offline), and a background pusher sends it to the team store within `push_interval` — ops as they come,
a whole-state write after a snapshot, after a conflict and after reconnecting (a linguist who worked
offline syncs then). Conflicts (someone else holds the task now, or changed the draft meanwhile) are
kept aside in the team store and reported to `on_conflict`, never dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from reach_studio.store.drafts import Draft, DraftStore
from reach_studio.team.store import TeamStore, TeamStoreError, split_draft_key

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0


class TeamDrafts:
    """A DraftStore that also journals to the team store (in a background thread; never blocks a writer)."""

    def __init__(
        self,
        local: DraftStore,
        store: TeamStore,
        *,
        push_interval: float = 0.1,
        on_conflict: Callable[[str, str], None] | None = None,
        on_online: Callable[[bool], None] | None = None,
    ) -> None:
        self.local = local
        self.store = store
        self.push_interval = push_interval
        self.on_conflict = on_conflict
        self.on_online = on_online
        self.online = True
        self._dirty: dict[str, bool] = {}  # draft key -> whole state needed (else: new ops only)
        self._synced: dict[str, tuple[int, int]] = {}  # draft key -> (team rev, local ops pushed)
        self._blocked: dict[str, str] = {}  # draft key -> why its pushes stopped (someone else holds it)
        self._cond = threading.Condition()
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="team-drafts", daemon=True)
        self._thread.start()

    # -- the DraftStore methods the editors and the shell use ----------------------------------------

    @property
    def path(self):
        return self.local.path

    def save_snapshot(self, task_key: str, kind: str, payload: dict, *, label: str = "") -> None:
        self.local.save_snapshot(task_key, kind, payload, label=label)
        self._mark(task_key, whole=True)

    def append_op(self, task_key: str, op: dict) -> None:
        self.local.append_op(task_key, op)
        self._mark(task_key, whole=False)

    def load(self, task_key: str) -> Draft | None:
        return self.local.load(task_key)

    def discard(self, task_key: str) -> None:
        self.local.discard(task_key)
        with self._cond:
            self._dirty.pop(task_key, None)
            self._synced.pop(task_key, None)

    def __getattr__(self, name: str) -> Any:  # open_drafts, remember_task, forget_task, ...
        return getattr(self.local, name)

    # -- team side -------------------------------------------------------------------------------

    def pull(self, task_key: str) -> Draft | None:
        """Make the team's version of a draft the local one (after a take-over, or to review it)."""
        team = self.store.draft(task_key)
        if team is None:
            return None
        with self._cond:
            self.local.discard(task_key)
            if team.snapshot is not None:
                self.local.save_snapshot(task_key, team.kind, team.snapshot, label=team.label)
            for op in team.ops:
                self.local.append_op(task_key, op)
            self._dirty.pop(task_key, None)
            self._blocked.pop(task_key, None)
            self._synced[task_key] = (team.rev, len(team.ops))
        return self.local.load(task_key)

    def resume(self, task_key: str) -> None:
        """Push this draft again after its pushes stopped (e.g. this member holds the task again)."""
        with self._cond:
            self._blocked.pop(task_key, None)
        self._mark(task_key, whole=True)

    def sync_all(self) -> None:
        """After a restart or reconnect: push every local draft the team store lacks or has older."""
        for info in self.local.open_drafts():
            if split_draft_key(info.task_key) is None:
                continue
            try:
                team = self.store.draft(info.task_key)
            except TeamStoreError:
                self._mark(info.task_key, whole=True)
                continue
            if team is None or info.updated_at > team.updated_at:
                self._mark(info.task_key, whole=True)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything written so far reached the team store (True) or the timeout passed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._cond.notify_all()
            while self._dirty or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def pending(self) -> int:
        with self._cond:
            return len(self._dirty)

    def close(self) -> None:
        self.flush(timeout=2.0)
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self.local.close()

    # -- the pusher ------------------------------------------------------------------------------

    def _mark(self, task_key: str, *, whole: bool) -> None:
        with self._cond:
            if task_key in self._blocked:
                return
            self._dirty[task_key] = self._dirty.get(task_key, False) or whole
            self._cond.notify_all()

    def _run(self) -> None:
        try:  # a restart after working offline: what the team lacks goes up first
            self.sync_all()
        except Exception as exc:  # noqa: BLE001 - unreachable now: the first failed push retries later
            log.info("Could not compare drafts with the team store yet: %s", exc)
        backoff = 0.0
        while True:
            with self._cond:
                while not self._dirty and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                work = dict(self._dirty)
                self._dirty.clear()
                self._busy = True
            failed: dict[str, bool] = {}
            for key, whole in work.items():
                try:
                    self._push(key, whole)
                except TeamStoreError as exc:
                    failed[key] = True  # whole state on the next attempt: we do not know what arrived
                    if self.online:
                        log.warning("Team store unreachable, drafts kept locally until it is back: %s", exc)
                except Exception:  # a damaged local draft must not stop the pusher for the others
                    log.exception("could not push draft %s", key)
            with self._cond:
                for key in failed:
                    self._dirty[key] = True
            self._set_online(not failed)
            with self._cond:
                self._busy = False
                self._cond.notify_all()
            if failed:
                backoff = min(MAX_BACKOFF_S, max(0.5, backoff * 2))
                with self._cond:
                    self._cond.wait(backoff)
            else:
                backoff = 0.0
                if self.push_interval > 0:
                    time.sleep(self.push_interval)  # batches the ops of a burst of typing into one write

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            if online:
                self.sync_all()  # reconnected: anything written meanwhile goes up whole
            if self.on_online is not None:
                self.on_online(online)

    def _push(self, key: str, whole: bool) -> None:
        draft = self.local.load(key)
        if draft is None:
            return
        with self._cond:
            rev, pushed = self._synced.get(key, (-1, 0))
        ops = draft.ops_after_snapshot
        if not whole and rev >= 0 and pushed <= len(ops):
            if pushed == len(ops):
                return
            result = self.store.push_draft(key, base_rev=rev, ops=ops[pushed:])
        else:
            result = self.store.push_draft(
                key,
                base_rev=rev,
                kind=draft.kind,
                label=draft.label,
                snapshot=draft.snapshot,
                ops=ops,
                replace=True,
            )
        with self._cond:
            if result.conflict:
                if "holds the task" in result.conflict:
                    self._blocked[key] = result.conflict
                    self._synced[key] = (result.rev, len(ops))
                else:  # ours goes up whole next time (last writer wins); the old base rev makes the
                    self._dirty[key] = True  # store keep the other writer's version aside first
            else:
                self._synced[key] = (result.rev, len(ops))
        if result.conflict and self.on_conflict is not None:
            self.on_conflict(key, result.conflict)
        if result.overwrote and self.on_conflict is not None:
            self.on_conflict(key, f"the team's previous version was kept aside ({result.overwrote})")
