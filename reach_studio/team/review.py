"""The review step before delivery: only an approved task reaches Kaltura when its customer/service needs it.

Why it exists: in team mode every delivery of the app asks the team store first whether this member may
deliver the task now (through the engine's delivery gates, so every editor's path is gated the same way
without the engine knowing about teams); a blocked delivery leaves the task untouched (DeliveryBlocked),
exactly like a validation error. A READY outcome ends the team claim and is recorded in its history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reach_studio.team.store import TeamStore

if TYPE_CHECKING:
    from reach_studio.domain.delivery_plan import WorkProduct
    from reach_studio.domain.task import Task
    from reach_studio.engine.delivery import DeliveryOutcome, Validator


def team_gate(store: TeamStore) -> Validator:
    """The team's check before a delivery: review approved (when the customer/service needs it), else the
    holder. Runs in the delivery's worker thread (it asks the team store)."""

    def gate(task: Task, product: WorkProduct) -> list[str]:
        feature = int(task.feature) if task.feature is not None else None
        problem = store.may_deliver(task.account, task.id, task.partner_id, feature)
        return [problem] if problem else []

    return gate


def record_outcome(store: TeamStore, task: Task, outcome: DeliveryOutcome) -> None:
    """After a delivery run: READY ends the team claim (history: delivered); ERROR is counted as a failure."""
    if outcome.ok:
        store.delivered(task.account, task.id, outcome.output_object_id)
    else:
        store.record_failure(task.account, task.id, "DELIVERY_ERROR")


def install(store: TeamStore) -> Callable[[], None]:
    """Gate every delivery of this app and record its outcome in the team store; returns the uninstaller.
    The editors build their own DeliveryService, so the gate goes through the engine's hooks."""
    from reach_studio.engine.delivery import add_delivery_gate, add_delivery_observer

    remove_gate = add_delivery_gate(team_gate(store))
    remove_observer = add_delivery_observer(lambda task, outcome: record_outcome(store, task, outcome))

    def uninstall() -> None:
        remove_gate()
        remove_observer()

    return uninstall


def caption_document(draft, language: str | None = None):
    """The caption document a captions/translation draft describes (snapshot + ops replayed): what the
    reviewer opens is exactly what the linguist journaled."""
    from reach_studio.domain.captions import CaptionDocument
    from reach_studio.domain.edit_ops import item_from_dict, replay

    snapshot = draft.snapshot or {}
    items = [item_from_dict(d) for d in snapshot.get("items", [])]
    items = replay(items, draft.ops_after_snapshot)
    return CaptionDocument(cues=list(items), language=language or snapshot.get("language"))
