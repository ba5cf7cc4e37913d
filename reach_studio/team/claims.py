"""Claiming through the team store: first the team row, then Kaltura; repair after a crash between the two.

Why it exists: the team store is the compare-and-set Kaltura lacks. Only the member whose row insert won
goes on to move the task in Kaltura (the existing `reach_api.claim`), so two linguists of one team never
both write PROCESSING. A crash after the row and before Kaltura leaves the row "claiming"; `repair` (run
at start) finishes or releases it by asking Kaltura what really happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection, ReachError
from reach_studio.team.store import Claim, TeamStore

log = logging.getLogger(__name__)


def claim_task(
    store: TeamStore, conn: ReachConnection, task: Task, external_task_id: str, settle: float = 0.3
) -> Task:
    """Team row (raises ClaimHeld naming the holder), then Kaltura PENDING → PROCESSING, then confirm.

    Kaltura refusing (someone outside the team took it: ClaimLost) releases the row; a transport failure
    leaves it "claiming" for `repair`, since the update may or may not have reached Kaltura.
    """
    account = task.account or conn.account.key
    store.take(task, account)
    try:
        claimed = reach_api.claim(conn, task, external_task_id, settle=settle)
    except reach_api.ClaimLost as exc:
        store.release(account, task.id, f"Kaltura: {exc.message}", failure="CLAIM_LOST")
        raise
    except ReachError as exc:
        if not exc.transient:
            store.release(account, task.id, f"Kaltura refused: {exc.code}", failure=exc.code)
        raise
    store.confirm(account, task.id, external_task_id)
    return claimed


def take_over_task(
    store: TeamStore, conn: ReachConnection, task: Task, external_task_id: str, *, force: bool = False
) -> Task:
    """Become the holder of a task whose holder went silent, in the team store and then in Kaltura
    (externalTaskId becomes ours, so ownership checks before delivery see us). Returns the fresh task."""
    account = task.account or conn.account.key
    claim = store.take_over(account, task.id, force=force)
    current = _kaltura_state(conn, task)
    if current is None or current.status == TaskStatus.PENDING:
        # the silent holder never reached Kaltura: claim it there now, as a normal claim would
        claimed = reach_api.claim(conn, task, external_task_id)
    else:
        claimed = reach_api.hand_over(conn, current, external_task_id)
    if claim.state == "claiming":
        store.confirm(account, task.id, external_task_id)
    else:
        store.set_external_id(account, task.id, external_task_id)
    return claimed


def _stub(task_id: int, status: TaskStatus, account: str) -> Task:
    return Task(
        id=task_id,
        partner_id=0,
        vendor_partner_id=0,
        entry_id="",
        status=status,
        catalog_item_id=0,
        reach_profile_id=0,
        account=account,
    )


def _kaltura_state(conn: ReachConnection, task: Task) -> Task | None:
    """The task as Kaltura has it now: PENDING (listed by getJobs) or, when claimed, read with a fresh key."""
    try:
        return reach_api.get_task(conn, task) if task.access_key else _read_claimed(conn, task.id)
    except ReachError:
        return None


def _read_claimed(conn: ReachConnection, task_id: int) -> Task | None:
    stub = _stub(task_id, TaskStatus.PROCESSING, conn.account.key)
    try:
        reach_api.extend_access_key(conn, stub)  # Kaltura extends PROCESSING/SCHEDULED tasks only
    except ReachError:
        return None
    return reach_api.get_task(conn, stub)


def repair(
    store: TeamStore,
    connection_for: Callable[[str], ReachConnection | None],
    external_id_for: Callable[[int], str],
) -> list[str]:
    """Finish or release my claims left "claiming" by a crash (at start, once signed in). Returns what it did."""
    done: list[str] = []
    pending_by_account: dict[str, set[int]] = {}
    for claim in store.unfinished_claims():
        conn = connection_for(claim.account)
        if conn is None:
            continue
        try:
            done.append(_repair_one(store, conn, claim, external_id_for(claim.task_id), pending_by_account))
        except ReachError as exc:  # Kaltura unreachable: try again on the next start
            log.warning("Could not repair the claim of task %s: %s", claim.task_id, exc)
    return done


def _repair_one(
    store: TeamStore, conn: ReachConnection, claim: Claim, external: str, pending: dict[str, set[int]]
) -> str:
    if claim.account not in pending:
        pending[claim.account] = {t.id for t in reach_api.get_jobs(conn)}
    if claim.task_id in pending[claim.account]:
        store.release(claim.account, claim.task_id, "repair: the claim never reached Kaltura")
        return f"task {claim.task_id}: released (still pending in Kaltura)"
    current = _read_claimed(conn, claim.task_id)
    if (
        current is not None
        and current.status == TaskStatus.PROCESSING
        and current.external_task_id == external
    ):
        store.confirm(claim.account, claim.task_id, external)
        return f"task {claim.task_id}: confirmed (Kaltura has it as ours)"
    holder = current.external_task_id if current is not None else "unknown"
    store.release(
        claim.account, claim.task_id, f"repair: Kaltura has it elsewhere ({holder})", failure="CLAIM_LOST"
    )
    return f"task {claim.task_id}: released (Kaltura has it elsewhere)"
