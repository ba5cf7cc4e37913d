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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.delivery_plan import (
    DeliveryError,
    DeliveryPlan,
    OwnershipLost,
    PlanContext,
    PlanError,
    UrlSource,
    WorkProduct,
    build_plan,
    claimant_of,
)
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.metadata_tags import extract_tags
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.domain.validation import errors, validate
from reach_studio.kaltura.chunked_upload import is_transient, short_reason
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


class TaskNotOurs(DeliveryBlocked):
    """The task is no longer PROCESSING under our externalTaskId (taken over, aborted, closed): nothing of it
    is touched, and the linguist is told who holds it; their draft stays."""

    def __init__(self, lost: OwnershipLost) -> None:
        super().__init__(lost.message)
        self.holder = lost.holder
        self.status_name = lost.status_name


class DeliveryInterrupted(DeliveryError):
    """Kaltura or the network failed for longer than the retries last. The task stays PROCESSING and the
    journal keeps every finished step, so Deliver again resumes where this run stopped (ERROR is final for
    Kaltura and would lose the linguist's work to the task)."""

    ui_prefix = "Delivery paused"

    def __init__(self, cause: DeliveryError) -> None:
        reason = _plain(cause.message)
        super().__init__(
            f"{reason}. The task stays in progress and your work is kept: deliver again to "
            "resume from where it stopped",
            retryable=True,
            step=cause.step,
        )


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

    def __init__(
        self,
        connection: ReachConnection,
        journal: DeliveryJournal | None = None,
        *,
        validator: Validator | None = None,
        **executor_options: Any,
    ) -> None:
        self.connection = connection
        self.journal = journal or DeliveryJournal()
        self.validator = validator or default_validator
        self.executor_options = executor_options

    def plan(self, task: Task, product: WorkProduct) -> DeliveryPlan:
        """Validate and plan without sending anything (raises DeliveryBlocked)."""
        self._validate(task, product)
        return self._build(task, product)

    def _validate(self, task: Task, product: WorkProduct) -> None:
        problems = [p for gate in _gates.copy() for p in gate(task, product)] + list(
            self.validator(task, product)
        )
        if problems:
            raise DeliveryBlocked(
                f"{len(problems)} problem(s) must be fixed before delivery: {problems[0]}", problems
            )

    def _build(self, task: Task, product: WorkProduct) -> DeliveryPlan:
        product = with_extracted_tags(task, product)
        try:
            return build_plan(task, product, self._context(task))
        except PlanError as exc:
            raise DeliveryBlocked(exc.message, [exc.message]) from None

    def deliver(
        self,
        task: Task,
        product: WorkProduct,
        *,
        cancel: CancelToken | None = None,
        progress: ProgressCallback | None = None,
        hooks: ExecutorHooks | None = None,
    ) -> DeliveryOutcome:
        """Validate → check the task is ours → plan → execute → READY.

        Raises DeliveryBlocked (nothing sent), TaskNotOurs (someone else holds it, or it is closed: nothing
        touched) and DeliveryInterrupted (transient failure: still PROCESSING, resumable). Only what cannot
        be delivered ends in ERROR, with a sentence the customer understands.
        """
        self._validate(task, product)
        delivered = self._already_delivered(task, product)
        if delivered is not None:
            return delivered
        plan = self._build(task, product)
        log.info("Delivering task %s:\n%s", task.id, plan.describe())
        executor = DeliveryExecutor(self.connection, self.journal, hooks=hooks, **self.executor_options)
        if not self.journal.acquire(task.id):
            raise DeliveryBlocked(f"Task {task.id} is already being delivered (another window or process)")
        try:
            result = executor.run(plan, task, cancel=cancel, progress=progress)
        except OwnershipLost as exc:
            self.journal.finish_run(task.id, plan.plan_hash, "lost", exc.message)
            log.warning("Delivery of task %s stopped: %s", task.id, exc.message)
            raise TaskNotOurs(exc) from None
        except DeliveryError as exc:
            if exc.retryable:
                interrupted = DeliveryInterrupted(exc)
                self.journal.finish_run(task.id, plan.plan_hash, "interrupted", interrupted.message)
                log.warning("Delivery of task %s interrupted: %s", task.id, exc.message)
                raise interrupted from None
            return _observe(task, self._fail(plan, task, exc))
        finally:
            self.journal.release(task.id)
        return _observe(
            task,
            DeliveryOutcome(
                task.id,
                TaskStatus.READY,
                result.output_object_id,
                plan=plan,
                adopted=result.adopted,
                skipped=result.skipped,
            ),
        )

    def _already_delivered(self, task: Task, product: WorkProduct) -> DeliveryOutcome | None:
        """Before planning (which may need the task's key): is the task READY under our externalTaskId? A run
        killed right after READY left its journal `running`; close it as delivered. Kaltura killed the key at
        READY, so this reads with the vendor KS. Raises TaskNotOurs when someone else holds the task."""
        from reach_studio.kaltura import reach_api

        try:
            state = reach_api.read_state(self.connection, task)
        except Exception as exc:  # noqa: BLE001 - transient: resumable; otherwise say what failed
            error = DeliveryError(
                f"Could not check who holds the task: {short_reason(exc)}", retryable=is_transient(exc)
            )
            raise (
                DeliveryInterrupted(error) if error.retryable else DeliveryBlocked(error.message)
            ) from None
        claimant = claimant_of(task, product)
        ours = state.external_task_id == claimant
        if state.status == TaskStatus.PROCESSING and ours:
            return None
        if state.status == TaskStatus.READY and ours and state.output_object_id:
            self.journal.close_delivered(task.id)
            task.status = TaskStatus.READY
            log.info("Task %s was already READY with our output %s", task.id, state.output_object_id)
            return _observe(task, DeliveryOutcome(task.id, TaskStatus.READY, state.output_object_id))
        raise TaskNotOurs(OwnershipLost(task.id, state.external_task_id, state.status.name, ours=ours))

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
        return DeliveryOutcome(
            task.id, TaskStatus.ERROR, err_description=description, plan=plan, task_updated=updated
        )

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
    language = task.target_language if task.feature == ServiceFeature.TRANSLATION else task.source_language
    tags = extract_tags(product.captions, language or product.captions.language)
    return replace(product, tags=tuple(tags))


_URL = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
_TECHNICAL = re.compile(
    r"\b\w*(?:Error|Exception|Traceback)\b|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|<[^>]*>|\bat \w+\.\w+"
)
_STEP_WORDS = {
    "caption": "captions",
    "transcript": "transcript",
    "dub": "dubbed audio track",
    "ad": "audio-description track",
    "clear": "clear audio track",
    "ead": "extended audio description",
    "chapter": "chapters",
    "signLang": "sign-language video",
    "dubCaption": "dub captions",
    "task": "delivery",
    "entry": "entry tags",
}


def _plain(text: str) -> str:
    """A message with internal addresses and technical tokens taken out."""
    text = " ".join(str(text).split())
    text = _URL.sub(
        "Kaltura", re.sub(r"\s+(?:at|from|to)\s+(?:https?|ftp)://\S+", "", text, flags=re.IGNORECASE)
    )
    return re.sub(r"\s+([,.;:)])", r"\1", _TECHNICAL.sub("", text)).strip(" :;,.") or "an unexpected problem"


def error_description(exc: DeliveryError) -> str:
    """errDescription for the customer: one sentence saying what could not be delivered and why, without
    internal URLs, step names, exception text or secrets."""
    what = _STEP_WORDS.get((exc.step or "").split(".")[0], "")
    reason = _plain(exc.message)
    head = (
        f"The vendor could not deliver the {what}"
        if what and what != "delivery"
        else "The vendor could not deliver"
    )
    text = f"{head}: {reason}."
    return text if len(text) <= ERR_DESCRIPTION_MAX else text[: ERR_DESCRIPTION_MAX - 1] + "…"


# --- the gate ------------------------------------------------------------------------------------


def default_validator(task: Task, product: WorkProduct) -> list[str]:
    """Blocking problems: caption validator errors and audio/video checks, per service feature."""
    feature = task.feature
    problems: list[str] = []
    kinds = {
        ServiceFeature.CAPTIONS: "captions",
        ServiceFeature.TRANSLATION: "translation",
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION: "ead",
    }
    if feature in kinds:
        doc = product.captions
        if feature == ServiceFeature.EXTENDED_AUDIO_DESCRIPTION and product.descriptions:
            doc = CaptionDocument(
                cues=[Cue(d.start_ms, d.end_ms, d.text) for d in product.descriptions],
                language=task.source_language,
            )
        if doc is not None:
            problems += caption_problems(task, doc, kinds[feature])
    if feature == ServiceFeature.DUBBING and product.dub_captions is not None:
        problems += caption_problems(task, product.dub_captions, "translation")
    if feature in (ServiceFeature.DUBBING, ServiceFeature.AUDIO_DESCRIPTION):
        for what, source in (("main", product.main_audio), ("clear", product.clear_audio)):
            if isinstance(source, Path | str):
                problems += [f"{what} audio: {p}" for p in audio_problems(Path(source))]
    if (
        feature == ServiceFeature.SIGN_LANGUAGE
        and product.sign_video is not None
        and not isinstance(product.sign_video, UrlSource)
    ):
        problems += video_problems(Path(product.sign_video))
    return problems


def caption_problems(task: Task, doc: CaptionDocument, kind: str) -> list[str]:
    """Errors (not warnings) from the caption core's validator."""
    fmt = "vtt" if kind == "ead" else None
    findings = errors(
        validate(
            doc,
            task.reach_profile,
            task.catalog_item,
            kind=kind,
            media_duration_ms=task.entry_duration_ms or None,
            output_format=fmt,
        )
    )
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
