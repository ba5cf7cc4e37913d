"""Small builders of tasks and work products shared by the delivery tests (no server needed)."""

from __future__ import annotations

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.enums import OutputFormat, ServiceFeature, ServiceType, TaskStatus, TurnAroundTime
from reach_studio.domain.task import CatalogItem, ReachProfile, Task


def make_task(
    feature: ServiceFeature,
    *,
    source: str = "English",
    target: str | None = None,
    output_format: OutputFormat | None = None,
    metadata: bool = False,
    task_id: int = 41,
    entry_id: str = "0_entry41",
    flavor_params_id: int | None = None,
    clear_audio_flavor_params_id: int | None = None,
    external_task_id: str = "",
) -> Task:
    item = CatalogItem(
        id=7,
        service_feature=feature,
        service_type=ServiceType.HUMAN,
        turn_around_time=TurnAroundTime.FIVE_DAYS,
        source_language=source,
        target_language=target,
        output_format=output_format,
        flavor_params_id=flavor_params_id,
        clear_audio_flavor_params_id=clear_audio_flavor_params_id,
    )
    profile = ReachProfile(id=3, enable_metadata_extraction=metadata)
    return Task(
        id=task_id,
        partner_id=101,
        vendor_partner_id=900,
        entry_id=entry_id,
        status=TaskStatus.PROCESSING,
        catalog_item_id=7,
        reach_profile_id=3,
        service_feature=feature,
        catalog_item=item,
        reach_profile=profile,
        external_task_id=external_task_id,
    )


def make_doc(n: int = 3, *, accuracy: int | None = 99, language: str = "English") -> CaptionDocument:
    cues = [Cue(i * 2000, i * 2000 + 1500, f"Line number {i + 1}") for i in range(n)]
    return CaptionDocument(cues=cues, language=language, accuracy=accuracy)


def our_marker(task_id: int, step_key: str, claimant: str = "acme-job-1") -> str:
    """The partnerData marker a delivery under `claimant` (the conftest's claim) puts on its objects;
    with no step key, the prefix every marker of the task starts with."""
    from reach_studio.domain.delivery_plan import marker

    return marker(task_id, step_key, claimant) if step_key else marker(task_id, "")
