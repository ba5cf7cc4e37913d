"""One delivery run: validate the work product, plan, execute, and leave the task READY or ERROR.

Why it exists: the GUI's Deliver button, `sync` and the tests all need the same sequence and the same
promise — a delivery either ends with the task READY (outputObjectId, accuracy, externalTaskId set) or,
when something fails that retrying cannot fix, with the task in ERROR and a short errDescription; it is
never left PROCESSING by a failed delivery. Problems found before anything is sent (validator errors,
an audio track that is not AAC-LC, missing files) block the delivery without touching the task, so the
linguist can fix them and press Deliver again. Qt-free: plain calls, a CancelToken and a progress callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.delivery_plan import (
    DeliveryError,
    DeliveryPlan,
    PlanContext,
    PlanError,
    UrlSource,
    WorkProduct,
    build_plan,
)
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.metadata_tags import extract_tags
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.domain.validation import errors, validate
from reach_studio.kaltura.chunked_upload import short_reason
from reach_studio.kaltura.delivery_executor import DeliveryExecutor, ExecutorHooks
from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.media.errors import MediaError
from reach_studio.media.probe import probe
from reach_studio.store.delivery_journal import DeliveryJournal

if TYPE_CHECKING:
    from reach_studio.domain.task import Task
    from reach_studio.kaltura.connection import ReachConnection

log = logging.getLogger(__name__)

ERR_DESCRIPTION_MAX = 250


class DeliveryBlocked(DeliveryError):
    """The work product is not deliverable yet; nothing was sent and the task was not changed."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class DeliveryOutcome:
    task_id: int
    status: TaskStatus  # READY, or ERROR
    output_object_id: str = ""
    err_description: str = ""
    plan: DeliveryPlan | None = None
    adopted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    task_updated: bool = True  # False when even moving the task to ERROR failed (Kaltura unreachable)

    @property
    def ok(self) -> bool:
        return self.status == TaskStatus.READY


Validator = Callable[["Task", WorkProduct], list[str]]
"""Returns blocking problems (empty list = deliverable)."""


# Checks and observers added by optional parts of the app (team mode: the review gate and its record), so
# every delivery path is gated the same way whichever editor builds its DeliveryService.
_gates: list[Validator] = []
_observers: list[Callable[[Task, DeliveryOutcome], None]] = []


def add_delivery_gate(gate: Validator) -> Callable[[], None]:
    """Run `gate` before every delivery (its problems block it like validator errors); returns the remover."""
    _gates.append(gate)
    return lambda: _gates.remove(gate) if gate in _gates else None


def add_delivery_observer(observer: Callable[[Task, DeliveryOutcome], None]) -> Callable[[], None]:
    """Call `observer(task, outcome)` after every delivery run that ended READY or ERROR; returns the remover."""
    _observers.append(observer)
    return lambda: _observers.remove(observer) if observer in _observers else None


def _observe(task: Task, outcome: DeliveryOutcome) -> DeliveryOutcome:
    for observer in _observers.copy():
        try:
            observer(task, outcome)
        except Exception as exc:  # noqa: BLE001 - an observer must not turn a delivered task into a failure
            log.warning("Delivery observer failed for task %s: %s", task.id, exc)
    return outcome


class DeliveryService:
    """Runs deliveries for one vendor account."""

    def __init__(self, connection: ReachConnection, journal: DeliveryJournal | None = None, *,
                 validator: Validator | None = None, **executor_options: Any) -> None:
        self.connection = connection
        self.journal = journal or DeliveryJournal()
        self.validator = validator or default_validator
        self.executor_options = executor_options

    def plan(self, task: Task, product: WorkProduct) -> DeliveryPlan:
        """Validate and plan without sending anything (raises DeliveryBlocked)."""
        problems = [p for gate in _gates.copy() for p in gate(task, product)] + list(self.validator(task, product))
        if problems:
            raise DeliveryBlocked(f"{len(problems)} problem(s) must be fixed before delivery: {problems[0]}",
                                  problems)
        product = with_extracted_tags(task, product)
        try:
            return build_plan(task, product, self._context(task))
        except PlanError as exc:
            raise DeliveryBlocked(exc.message, [exc.message]) from None

    def deliver(self, task: Task, product: WorkProduct, *, cancel: CancelToken | None = None,
                progress: ProgressCallback | None = None, hooks: ExecutorHooks | None = None) -> DeliveryOutcome:
        """Validate → plan → execute → READY; failures → ERROR with errDescription. Raises DeliveryBlocked."""
        plan = self.plan(task, product)
        log.info("Delivering task %s:\n%s", task.id, plan.describe())
        executor = DeliveryExecutor(self.connection, self.journal, hooks=hooks, **self.executor_options)
        if not self.journal.acquire(task.id):
            raise DeliveryBlocked(f"Task {task.id} is already being delivered (another window or process)")
        try:
            result = executor.run(plan, task, cancel=cancel, progress=progress)
        except DeliveryError as exc:
            return _observe(task, self._fail(plan, task, exc))
        finally:
            self.journal.release(task.id)
        return _observe(task, DeliveryOutcome(task.id, TaskStatus.READY, result.output_object_id, plan=plan,
                                              adopted=result.adopted, skipped=result.skipped))

    def _fail(self, plan: DeliveryPlan, task: Task, exc: DeliveryError) -> DeliveryOutcome:
        description = error_description(exc)
        self.journal.finish_run(task.id, plan.plan_hash, "failed", description)
        log.warning("Delivery of task %s failed: %s", task.id, description)
        from reach_studio.kaltura import reach_api

        try:
            reach_api.fail(self.connection, task, description)
            task.status = TaskStatus.ERROR
            updated = True
        except Exception as fail_exc:  # noqa: BLE001 - the task could not even be moved to ERROR
            log.error("Task %s could not be set to ERROR: %s", task.id, short_reason(fail_exc))
            updated = False
        return DeliveryOutcome(task.id, TaskStatus.ERROR, err_description=description, plan=plan,
                               task_updated=updated)

    def _context(self, task: Task) -> PlanContext:
        parent_name = ""
        if task.feature == ServiceFeature.SIGN_LANGUAGE:
            try:
                entry = self.connection.call(lambda c: c.baseEntry.get(task.entry_id), task)
            except Exception as exc:  # noqa: BLE001
                raise DeliveryBlocked(f"Could not read the entry's name: {short_reason(exc)}") from None
            parent_name = str(getattr(entry, "name", "") or "")
        return PlanContext(vendor_name=self.connection.account.vendor_name, parent_entry_name=parent_name)


def with_extracted_tags(task: Task, product: WorkProduct) -> WorkProduct:
    """When the profile enables metadata extraction and the linguist gave no tags, extract them from the
    captions (vendor guide: "the vendor needs to analyze the generated captions/transcript")."""
    profile = task.reach_profile
    if product.tags or product.captions is None or not (profile and profile.enable_metadata_extraction):
        return product
    if task.feature not in (ServiceFeature.CAPTIONS, ServiceFeature.TRANSLATION):
        return product
    language = (task.target_language if task.feature == ServiceFeature.TRANSLATION else task.source_language)
    tags = extract_tags(product.captions, language or product.captions.language)
    return replace(product, tags=tuple(tags))


def error_description(exc: DeliveryError) -> str:
    """Short errDescription for the customer: what failed, without secrets or stack traces."""
    text = " ".join(str(exc.message).split())
    if exc.step and exc.step not in text:
        text = f"Delivery failed at {exc.step}: {text}"
    elif not text.lower().startswith("delivery"):
        text = f"Delivery failed: {text}"
    return text if len(text) <= ERR_DESCRIPTION_MAX else text[:ERR_DESCRIPTION_MAX - 1] + "…"


# --- the gate ------------------------------------------------------------------------------------


def default_validator(task: Task, product: WorkProduct) -> list[str]:
    """Blocking problems: caption validator errors and audio/video checks, per service feature."""
    feature = task.feature
    problems: list[str] = []
    kinds = {ServiceFeature.CAPTIONS: "captions", ServiceFeature.TRANSLATION: "translation",
             ServiceFeature.EXTENDED_AUDIO_DESCRIPTION: "ead"}
    if feature in kinds:
        doc = product.captions
        if feature == ServiceFeature.EXTENDED_AUDIO_DESCRIPTION and product.descriptions:
            doc = CaptionDocument(cues=[Cue(d.start_ms, d.end_ms, d.text) for d in product.descriptions],
                                  language=task.source_language)
        if doc is not None:
            problems += caption_problems(task, doc, kinds[feature])
    if feature == ServiceFeature.DUBBING and product.dub_captions is not None:
        problems += caption_problems(task, product.dub_captions, "translation")
    if feature in (ServiceFeature.DUBBING, ServiceFeature.AUDIO_DESCRIPTION):
        for what, source in (("main", product.main_audio), ("clear", product.clear_audio)):
            if isinstance(source, Path | str):
                problems += [f"{what} audio: {p}" for p in audio_problems(Path(source))]
    if feature == ServiceFeature.SIGN_LANGUAGE and product.sign_video is not None and not isinstance(
            product.sign_video, UrlSource):
        problems += video_problems(Path(product.sign_video))
    return problems


def caption_problems(task: Task, doc: CaptionDocument, kind: str) -> list[str]:
    """Errors (not warnings) from the caption core's validator."""
    fmt = "vtt" if kind == "ead" else None
    findings = errors(validate(doc, task.reach_profile, task.catalog_item, kind=kind,
                               media_duration_ms=task.entry_duration_ms or None, output_format=fmt))
    out = []
    for f in findings:
        prefix = f"cue {f.cue_index + 1}: " if isinstance(f.cue_index, int) else ""
        out.append(f"{prefix}{f.message}")
    return out


def audio_problems(path: Path) -> list[str]:
    """MP4 with AAC-LC at 64 or 128 kbps, as the guide requires for dubbing and audio description."""
    if not path.is_file():
        return [f"file not found: {path.name}"]
    return list(check_aac_lc(path))


def video_problems(path: Path) -> list[str]:
    if not path.is_file():
        return [f"file not found: {path.name}"]
    try:
        info = probe(path)
    except MediaError as exc:
        return [f"{path.name} is not a readable video ({short_reason(exc)})"]
    if not any(s.kind == "video" for s in info.streams):
        return [f"{path.name} has no video stream"]
    return []
