"""The review step before delivery: only an approved task reaches Kaltura when its customer/service needs it.

Why it exists: the delivery engine (`engine.delivery.DeliveryService`) takes a validator; in team mode
that validator also asks the team store whether this member may deliver the task now. So every path that
delivers (editor, sync, tests) is gated the same way, without the engine knowing about teams, and a
blocked delivery leaves the task untouched (DeliveryBlocked), exactly like a validation error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reach_studio.team.store import TeamStore

if TYPE_CHECKING:
    from reach_studio.domain.delivery_plan import WorkProduct
    from reach_studio.domain.task import Task
    from reach_studio.engine.delivery import DeliveryOutcome, Validator


def team_validator(store: TeamStore, base: Validator | None = None) -> Validator:
    """The engine's validator plus the team's gate (review approved, or the holder when none is needed)."""
    from reach_studio.engine.delivery import default_validator

    check = base or default_validator

    def validate(task: Task, product: WorkProduct) -> list[str]:
        problems = list(check(task, product))
        feature = int(task.feature) if task.feature is not None else None
        gate = store.may_deliver(task.account, task.id, task.partner_id, feature)
        if gate:
            problems.insert(0, gate)
        return problems

    return validate


def record_outcome(store: TeamStore, task: Task, outcome: DeliveryOutcome) -> None:
    """After a delivery run: READY ends the team claim (history: delivered); ERROR is counted as a failure."""
    if outcome.ok:
        store.delivered(task.account, task.id, outcome.output_object_id)
    else:
        store.record_failure(task.account, task.id, "DELIVERY_ERROR")


def caption_document(draft, language: str | None = None):
    """The caption document a captions/translation draft describes (snapshot + ops replayed): what the
    reviewer opens is exactly what the linguist journaled."""
    from reach_studio.domain.captions import CaptionDocument
    from reach_studio.domain.edit_ops import item_from_dict, replay

    snapshot = draft.snapshot or {}
    items = [item_from_dict(d) for d in snapshot.get("items", [])]
    items = replay(items, draft.ops_after_snapshot)
    return CaptionDocument(cues=list(items), language=language or snapshot.get("language"))
