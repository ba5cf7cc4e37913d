"""The delivery tests' own builder: the marker a delivery puts on its objects (tasks and documents: tests/factories.py)."""

from __future__ import annotations


def our_marker(task_id: int, step_key: str, claimant: str = "acme-job-1") -> str:
    """The partnerData marker a delivery under `claimant` (the conftest's claim) puts on its objects;
    with no step key, the prefix every marker of the task starts with."""
    from reach_studio.domain.delivery_plan import marker

    return marker(task_id, step_key, claimant) if step_key else marker(task_id, "")
