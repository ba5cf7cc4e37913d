"""Runs a delivery plan through the official Kaltura client, one journaled step at a time.

Why it exists: a delivery is a dozen calls (add an asset, upload its file, attach it, wait until READY,
update the task), and a crash, a kill or a flaky network can interrupt it anywhere. Each completed step is
recorded with the ids Kaltura returned (store/delivery_journal.py), so a re-run resumes after the last
completed step. No asset is ever created twice: ``add`` calls are never blindly retried, and before any
``add`` (its outcome may be unknown: sent, but no answer journaled; or the journal may be gone) the executor
looks for the object it would have created — every object carries a partnerData marker naming the task and
step — and adopts it instead. Known limit: an add that Kaltura processes only after the client gave up
waiting (a server stalled beyond the request timeout) can still land after our search; Kaltura offers no
idempotency key to close that window, so the extra copy is removed before READY (``reconcile``). Cue points
(chapters) close it: each carries a systemName derived from its marker, Kaltura refuses a second one
(CUE_POINT_SYSTEM_NAME_EXISTS naming the first), and the executor adopts the one named.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from KalturaClient.Plugins import Attachment, Caption, Core, CuePoint, Reach, ThumbCuePoint, Transcript

from reach_studio.domain.delivery_plan import (
    CUE_POINT_SERVICE,
    DeliveryError,
    DeliveryPlan,
    OwnershipLost,
    Ref,
    Step,
    merge_tag_string,
)
from reach_studio.domain.enums import AssetStatus, EntryStatus, TaskStatus, UploadTokenStatus
from reach_studio.domain.progress import Cancelled, CancelToken, ProgressCallback
from reach_studio.kaltura.chunked_upload import ChunkedUploader, error_code, is_transient, short_reason
from reach_studio.store.delivery_journal import DeliveryJournal

if TYPE_CHECKING:
    from reach_studio.domain.task import Task
    from reach_studio.kaltura.connection import ReachConnection

log = logging.getLogger(__name__)

_MODULES = (Core, Caption, Attachment, Transcript, CuePoint, ThumbCuePoint, Reach)
_LIST_FILTERS = {
    "caption.captionAsset": "KalturaCaptionAssetFilter",
    "attachment.attachmentAsset": "KalturaAttachmentAssetFilter",
    "flavorAsset": "KalturaFlavorAssetFilter",
    "cuePoint.cuePoint": "KalturaCuePointFilter",
    "media": "KalturaMediaEntryFilter",
}
_GET_ARG = {"caption.captionAsset", "attachment.attachmentAsset", "flavorAsset", "media", "baseEntry"}
_ENTRY_READY = EntryStatus.READY
# baseEntry/media.list without a status filter lists only READY entries (KalturaBaseEntryFilter::setDefaultStatus):
# our own entry may still be without content or converting, so the marker lookup asks for every status but DELETED.
_ENTRY_STATUSES_BUT_DELETED = ",".join(s.value for s in EntryStatus if s != EntryStatus.DELETED)
_ENTRY_ERRORS = {"-1": "conversion failed", "-2": "import failed", "virusScan.Infected": "infected"}
_FINAL_STATE_CODE = "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE"
# CuePointService::addAction: "Cue point system name already exists [@NAME@] with id [@ID@]"
_SYSTEM_NAME_EXISTS = "CUE_POINT_SYSTEM_NAME_EXISTS"
_SYSTEM_NAME_ID = re.compile(r"with id \[([^\]\s]+)\]")


@dataclass
class ExecutorHooks:
    """Observation points, used by the crash tests to kill the process at precise moments."""

    after_call: Callable[[Step], None] | None = None  # Kaltura answered; not yet journaled
    after_step: Callable[[Step, dict[str, Any]], None] | None = None  # journaled


@dataclass
class ExecutionResult:
    plan_hash: str
    results: dict[str, dict[str, Any]]
    output_object_id: str
    skipped: list[str] = field(default_factory=list)  # already done by an earlier run
    adopted: list[str] = field(default_factory=list)  # created by an earlier run but not journaled then
    # add steps whose outcome was unknown at some point (a lost answer, a crash): step key -> when (monotonic)
    # the uncertain call was sent, or 0.0 when an earlier process sent it. Reconciled before READY.
    uncertain: dict[str, float] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # extra marked objects removed by that reconciliation
    already_ready: bool = False  # Kaltura had the task READY with our output (a run killed after READY)


class DeliveryExecutor:
    """Executes plans for one vendor account; thread-safe as long as each task runs in one thread."""

    def __init__(
        self,
        connection: ReachConnection,
        journal: DeliveryJournal,
        *,
        chunk_size: int | None = None,
        step_retries: int = 5,
        backoff: float = 0.5,
        ready_timeout: float = 600.0,
        poll_interval: float = 0.2,
        hooks: ExecutorHooks | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection = connection
        self.journal = journal
        self.chunk_size = chunk_size
        self.step_retries = step_retries
        self.backoff = backoff
        self.ready_timeout = ready_timeout
        self.poll_interval = poll_interval
        self.hooks = hooks or ExecutorHooks()
        self._sleep = sleep

    # --- the run --------------------------------------------------------------------------------

    def run(
        self,
        plan: DeliveryPlan,
        task: Task,
        *,
        cancel: CancelToken | None = None,
        progress: ProgressCallback | None = None,
    ) -> ExecutionResult:
        if task.id != plan.task_id:
            raise DeliveryError(f"The plan is for task {plan.task_id}, not {task.id}")
        h = plan.plan_hash
        self.journal.begin_run(task.id, h, plan.describe())
        done = self.journal.completed(task.id, h)
        unknown = self.journal.started_not_done(task.id, h)
        earlier_plans = self.journal.has_other_runs(task.id, h)
        result = ExecutionResult(plan_hash=h, results=dict(done), output_object_id="")
        total = len(plan.steps) * 1000
        checked = False
        for index, step in enumerate(plan.steps):
            if step.key in done:
                result.skipped.append(step.key)
                continue
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress(index * 1000, total)
            if step.op == "finish":
                self.reconcile(plan, task, result)
            if step.op == "finish" or not checked:
                # Before the first write and again before READY: only the task's holder may write.
                checked = True
                if self.ensure_ours(plan, task, result):
                    self.journal.record(
                        task.id,
                        h,
                        plan.steps[-1].key,
                        {"id": result.output_object_id, "status": int(TaskStatus.READY)},
                    )
                    self.journal.finish_run(task.id, h, "done")
                    return result
            if step.op == "add" and step.key in unknown:
                result.uncertain.setdefault(step.key, 0.0)
            # An add always looks for its marker first: even with no journal (another machine, a deleted
            # data folder) an earlier delivery's object is adopted rather than created again.
            run = _StepRun(
                self,
                plan,
                task,
                step,
                result,
                cancel,
                progress,
                index,
                total,
                unknown=step.key in unknown or earlier_plans or step.op == "add",
            )
            self.journal.mark_started(task.id, h, step.key)
            outcome = run.execute()
            if self.hooks.after_call:
                self.hooks.after_call(step)
            self.journal.record(task.id, h, step.key, outcome)
            result.results[step.key] = outcome
            if self.hooks.after_step:
                self.hooks.after_step(step, outcome)
            log.info("Task %s: %s done", task.id, step.key)
        if progress is not None:
            progress(total, total)
        result.output_object_id = str(result.results[plan.output_step]["id"])
        self.journal.finish_run(task.id, h, "done")
        return result

    # --- ownership --------------------------------------------------------------------------------

    def ensure_ours(self, plan: DeliveryPlan, task: Task, result: ExecutionResult) -> bool:
        """Raise OwnershipLost unless the task is PROCESSING under the plan's externalTaskId. True when it is
        already READY under it with our output (an earlier run was killed after READY): nothing left to do.

        Reads with the vendor KS (entryVendorTask.list idEqual): the reach_vendor profile carries no
        externalTaskId, and the task's accessKey is dead once it is READY.
        """
        from reach_studio.kaltura import reach_api

        try:
            state = reach_api.read_state(self.connection, task)
        except Exception as exc:  # noqa: BLE001 - a transient failure leaves the delivery resumable
            raise DeliveryError(
                f"Could not check who holds the task: {short_reason(exc)}", retryable=is_transient(exc)
            ) from None
        claimant = plan.claimant
        ours = state.external_task_id == claimant
        if state.status == TaskStatus.PROCESSING and ours:
            return False
        journaled = str((result.results.get(plan.output_step) or {}).get("id") or "")
        if (
            state.status == TaskStatus.READY
            and ours
            and state.output_object_id
            and journaled in ("", state.output_object_id)
        ):
            result.output_object_id = state.output_object_id
            result.already_ready = True
            task.status = TaskStatus.READY
            log.info("Task %s is already READY with our output %s", task.id, state.output_object_id)
            return True
        raise OwnershipLost(task.id, state.external_task_id, state.status.name, ours=ours)

    def reconcile(self, plan: DeliveryPlan, task: Task, result: ExecutionResult) -> None:
        """After an add whose outcome was unknown, remove every other object carrying the same marker: a
        stalled add can land after the client gave up, and after the retry that created the object we use."""
        for key, sent_at in list(result.uncertain.items()):
            step = plan.step(key)
            kept = str((result.results.get(key) or {}).get("id") or "")
            if not kept or step.service == "media":  # the emulator and the guide give vendors no media.delete
                continue
            if sent_at:  # a stalled add of this run may still land: wait until it could have
                grace = sent_at + 2 * self.connection.request_timeout - time.monotonic()
                if grace > 0:
                    self._sleep(grace)
            run = _StepRun(self, plan, task, step, result, None, None, 0, 1, unknown=True)
            for extra in run.marked_objects():
                if extra == kept:
                    continue
                service = step.service
                self.task_call(
                    task, lambda c, extra=extra, service=service: _service(c, service).delete(extra)
                )
                result.removed.append(extra)
                log.warning(
                    "Task %s: removed %s, a second object made by %s whose answer was lost",
                    task.id,
                    extra,
                    key,
                )
            result.uncertain.pop(key, None)

    # --- client access --------------------------------------------------------------------------

    def task_call(self, task: Task, fn: Callable[[Any], Any], *, retries: int | None = None) -> Any:
        return self.connection.call(fn, task, retries=retries)

    def vendor_call(
        self, fn: Callable[[Any], Any], *, about: Task | None = None, retries: int | None = None
    ) -> Any:
        """Vendor KS; `about` tags the call with the task id (updateJob is a task call too)."""
        return self.connection.call(fn, about=about, retries=retries)

    def backoff_sleep(self, attempt: int) -> None:
        self._sleep(self.backoff * (2 ** min(attempt, 5)) * (0.75 + random.random() / 2))


class _StepRun:
    """One step of one run: resolves references, calls Kaltura, classifies failures."""

    def __init__(
        self,
        ex: DeliveryExecutor,
        plan: DeliveryPlan,
        task: Task,
        step: Step,
        result: ExecutionResult,
        cancel: CancelToken | None,
        progress: ProgressCallback | None,
        index: int,
        total: int,
        *,
        unknown: bool,
    ) -> None:
        self.ex, self.plan, self.task, self.step, self.result = ex, plan, task, step, result
        self.cancel, self.progress, self.index, self.total = cancel, progress, index, total
        self.unknown = unknown

    def execute(self) -> dict[str, Any]:
        op = getattr(self, f"_op_{self.step.op}", None)
        if op is None:
            raise DeliveryError(f"Unknown step kind {self.step.op!r}", step=self.step.key)
        attempt = 0
        while True:
            try:
                return op()
            except (Cancelled, OwnershipLost):
                raise  # the user stopped / the task is not ours: leave the task and the journal as they are
            except DeliveryError as exc:
                err = exc
            except Exception as exc:  # noqa: BLE001 - every failure becomes a DeliveryError below
                err = DeliveryError(
                    f"{_what(self.step)} failed: {short_reason(exc)}",
                    retryable=is_transient(exc),
                    step=self.step.key,
                )
            err.step = err.step or self.step.key
            if not err.retryable or attempt >= self.ex.step_retries:
                if err.retryable:
                    err = DeliveryError(
                        f"{err.message} (gave up after {attempt + 1} attempts)", retryable=True, step=err.step
                    )
                raise err
            attempt += 1
            self.unknown = True  # the call may have reached Kaltura: check before repeating it
            log.info("Task %s: %s failed (%s); retrying", self.task.id, self.step.key, err.message)
            self.ex.backoff_sleep(attempt - 1)

    # --- ops ------------------------------------------------------------------------------------

    def _op_add(self) -> dict[str, Any]:
        step = self.step
        if self.unknown:
            found = self._find_marked()
            if found is not None:
                self.result.adopted.append(step.key)
                log.info("Task %s: %s adopted existing object %s", self.task.id, step.key, found)
                self._refresh_cue_point(found)
                return {"id": found, "adopted": True}
        fields = dict(self._resolve(step.fields))
        if step.marker:
            fields["partnerData"] = step.marker
        obj = _make(step.object_type, fields)
        service = step.service
        entry = self._resolve(step.entry)

        def add(client: Any) -> Any:
            svc = _service(client, service)
            return svc.add(entry, obj) if entry is not None else svc.add(obj)

        # Never retried inside the connection: a lost answer would otherwise create a second object.
        sent_at = time.monotonic()
        try:
            created = self.ex.task_call(self.task, add, retries=0)
        except Exception as exc:
            if is_transient(exc):  # sent, but no answer: it may land later
                self.result.uncertain[step.key] = sent_at
            if error_code(exc) == _SYSTEM_NAME_EXISTS and fields.get("systemName"):
                return self._adopt_named(exc)
            raise
        return {"id": str(created.id)}

    def _adopt_named(self, exc: BaseException) -> dict[str, Any]:
        """Kaltura refused the add: a cue point with this step's systemName exists. It is the one an earlier
        attempt made (its answer lost, or the marker lookup missed it) when it carries our marker."""
        step = self.step
        found = _SYSTEM_NAME_ID.search(str(getattr(exc, "message", "") or exc))
        if found is None:
            raise DeliveryError(
                f"{_what(step)}: Kaltura names no existing cue point", step=step.key
            ) from None
        cue_id = found.group(1)
        service = step.service
        existing = self.ex.task_call(self.task, lambda c: _service(c, service).get(cue_id))
        if getattr(existing, "partnerData", None) != step.marker:
            raise DeliveryError(
                f"{_what(step).capitalize()} could not be added: the entry already has cue point {cue_id} "
                "under the same system name, not made by this delivery",
                step=step.key,
            ) from None
        self.result.adopted.append(step.key)
        self.result.uncertain.setdefault(step.key, 0.0)
        log.info(
            "Task %s: %s adopted existing cue point %s (same systemName)", self.task.id, step.key, cue_id
        )
        self._refresh_cue_point(cue_id)
        return {"id": cue_id, "adopted": True}

    def _refresh_cue_point(self, cue_id: str) -> None:
        """An adopted cue point gets this step's fields again: it may come from an earlier delivery of other
        chapters (the linguist edited them in between), and a cue point, unlike an asset, has no content step
        that would replace them. Harmless when they are the same (update changes only the fields sent)."""
        step = self.step
        if step.service != CUE_POINT_SERVICE:
            return
        fields = {k: v for k, v in self._resolve(step.fields).items() if k != "entryId"}
        obj = _make(step.object_type, fields)
        self.ex.task_call(self.task, lambda c: _service(c, step.service).update(cue_id, obj))

    def _op_upload(self) -> dict[str, Any]:
        step = self.step
        assert step.source is not None
        j, t, h = self.ex.journal, self.task, self.plan.plan_hash
        token_id = j.upload_token(t.id, h, step.key, step.source.fingerprint)

        def remember(new_id: str) -> None:
            j.set_upload_token(t.id, h, step.key, new_id, step.source.size, step.source.fingerprint)

        def on_progress(done: int, total: int) -> None:
            if self.progress is not None and total:
                self.progress(self.index * 1000 + int(999 * done / total), self.total)

        uploader = ChunkedUploader(
            lambda fn: self.ex.task_call(t, fn, retries=0),
            chunk_size=self.ex.chunk_size,
            backoff=self.ex.backoff,
            sleep=self.ex._sleep,
        )
        up = uploader.upload(
            step.source, token_id=token_id, on_token=remember, progress=on_progress, cancel=self.cancel
        )
        return {"id": up.token_id, "size": up.size, "resumedFrom": up.resumed_from}

    def _op_set_content(self) -> dict[str, Any]:
        step = self.step
        target = str(self._resolve(step.target))
        token_id = str(self._resolve(step.upload)) if step.upload is not None else None
        attach = True
        if token_id is not None:
            # Kaltura attaches any token that is not FULL_UPLOAD without a word — one still uploading, timed
            # out or already CLOSED — and the asset then waits IMPORTING for an upload that never ends
            # (docs/kaltura-contract.md, "Assets and cue points"). So look before attaching.
            token = self.ex.task_call(self.task, lambda c: c.uploadToken.get(token_id))
            status = _int(getattr(token, "status", None))
            if status == UploadTokenStatus.CLOSED:
                attached = getattr(token, "attachedObjectId", None)
                if attached and str(attached) not in (target,):
                    raise DeliveryError(f"The uploaded file went to {attached}, not {target}", step=step.key)
                attach = False  # an earlier run attached it; only the wait is left
            elif status != UploadTokenStatus.FULL_UPLOAD:
                token_id = self._upload_again(step.upload)
        if attach:
            if token_id is not None:
                resource = Core.KalturaUploadedFileTokenResource(token=token_id)
            else:
                assert step.source is not None and step.source.url is not None
                headers = [Core.KalturaString(value=h) for h in step.source.url.headers]
                resource = Core.KalturaUrlResource(
                    url=step.source.url.url,
                    forceAsyncDownload=False,
                    urlHeaders=headers if headers else NotImplemented,
                )
            service, action = step.service, step.action
            self.ex.task_call(
                self.task,
                lambda c: getattr(_service(c, service), action)(target, resource),
                retries=0 if token_id is not None else None,
            )
        if step.wait:
            self._wait_ready(target)
        return {"id": target}

    def _upload_again(self, upload: Any) -> str:
        """Finish (or redo, on a dead token) the upload step `upload` refers to; its journal entry follows."""
        key = upload.step if isinstance(upload, Ref) else str(upload)
        step = next((s for s in self.plan.steps if s.key == key and s.op == "upload"), None)
        if step is None:
            raise DeliveryError(f"Step {self.step.key}: the upload token is not finished", step=self.step.key)
        log.info(
            "Task %s: the upload of %s was not finished on the server; uploading again", self.task.id, key
        )
        run = _StepRun(
            self.ex,
            self.plan,
            self.task,
            step,
            self.result,
            self.cancel,
            None,
            self.index,
            self.total,
            unknown=True,
        )
        outcome = run._op_upload()
        self.ex.journal.record(self.task.id, self.plan.plan_hash, key, outcome)
        self.result.results[key] = outcome
        return str(outcome["id"])

    def _op_update(self) -> dict[str, Any]:
        step = self.step
        target = str(self._resolve(step.target))
        fields = self._resolve(step.fields)
        obj = _make(step.object_type, fields)
        service = step.service
        self.ex.task_call(self.task, lambda c: _service(c, service).update(target, obj))
        return {"id": target}

    def _op_merge_tags(self) -> dict[str, Any]:
        step = self.step
        target = str(self._resolve(step.target))
        service = step.service
        current = self.ex.task_call(self.task, lambda c: _service(c, service).get(target))
        existing = getattr(current, step.tag_field or "tags", "") or ""
        merged = merge_tag_string(existing if isinstance(existing, str) else "", step.append)
        fields = dict(self._resolve(step.fields))
        fields[step.tag_field or "tags"] = merged
        obj = _make(step.object_type, fields)
        self.ex.task_call(self.task, lambda c: _service(c, service).update(target, obj))
        return {"id": target, step.tag_field or "tags": merged}

    def _op_merge_multilingual_tags(self) -> dict[str, Any]:
        step = self.step
        target = str(self._resolve(step.target))
        service = step.service
        current = self.ex.task_call(self.task, lambda c: _service(c, service).get(target))
        existing = getattr(current, "multiLingual_tags", None)
        items = list(existing) if isinstance(existing, list) else []
        out: list[Any] = []
        mine = ""
        for item in items:
            lang = str(getattr(item, "language", "") or "")
            value = str(getattr(item, "value", "") or "")
            if lang.lower() == (step.language or "").lower():
                mine = value
            else:
                out.append(Core.KalturaMultiLingualString(language=lang, value=value))
        merged = merge_tag_string(mine, step.append)
        out.append(Core.KalturaMultiLingualString(language=step.language, value=merged))
        obj = _make(step.object_type, {"multiLingual_tags": out})
        self.ex.task_call(self.task, lambda c: _service(c, service).update(target, obj))
        return {"id": target, "language": step.language, "tags": merged}

    def _op_finish(self) -> dict[str, Any]:
        step = self.step
        fields = dict(self._resolve(step.fields))
        obj = Reach.KalturaEntryVendorTask(**fields)
        task_id = self.task.id
        try:
            self.ex.vendor_call(lambda c: c.reach.entryVendorTask.updateJob(task_id, obj), about=self.task)
        except Exception as exc:
            if error_code(exc) != _FINAL_STATE_CODE:
                raise
            # An earlier run may have finished it and died before journaling: check it is ours. With the
            # vendor KS: Kaltura killed the task's accessKey when it reached READY (kReachManager).
            from reach_studio.kaltura import reach_api

            current = reach_api.read_state(self.ex.connection, self.task)
            if current.status != TaskStatus.READY or current.output_object_id != str(
                fields.get("outputObjectId")
            ):
                raise DeliveryError(
                    f"The task is already closed ({current.status.name}); the delivery was not accepted",
                    step=step.key,
                ) from None
        self.task.status = TaskStatus.READY
        return {"id": str(fields.get("outputObjectId", "")), "status": int(TaskStatus.READY)}

    # --- helpers --------------------------------------------------------------------------------

    def _find_marked(self) -> str | None:
        """The id of the object an earlier, unjournaled attempt of this step created, if any."""
        found = self.marked_objects()
        if found:
            self.result.uncertain.setdefault(self.step.key, 0.0)
        return found[0] if found else None

    def marked_objects(self) -> list[str]:
        """Ids of the live objects carrying this step's marker (ours: it names our claim), oldest first."""
        step = self.step
        filter_name = _LIST_FILTERS.get(step.service)
        if filter_name is None or not step.marker:
            return []
        filt_fields: dict[str, Any]
        if step.service == "media":
            filt_fields = {"nameEqual": step.fields.get("name"), "statusIn": _ENTRY_STATUSES_BUT_DELETED}
        else:
            entry = self._resolve(step.entry) or step.fields.get("entryId") or self.plan.entry_id
            filt_fields = {"entryIdEqual": entry}
        filt = _make(filter_name, filt_fields)
        service = step.service
        page = 1
        found: list[str] = []
        while True:
            pager = Core.KalturaFilterPager(pageSize=500, pageIndex=page)
            listed = self.ex.task_call(
                self.task, lambda c, pager=pager: _service(c, service).list(filt, pager)
            )
            objects = list(getattr(listed, "objects", None) or [])
            for obj in objects:
                if getattr(obj, "partnerData", None) == step.marker:
                    status = _int(getattr(obj, "status", None))
                    if status == AssetStatus.DELETED:
                        continue
                    found.append(str(obj.id))
            total = _int(getattr(listed, "totalCount", None)) or 0
            if len(objects) < 500 or page * 500 >= total:
                return found
            page += 1

    def _wait_ready(self, target: str) -> None:
        step = self.step
        service = "media" if step.wait == "entry" else step.service
        deadline = time.monotonic() + self.ex.ready_timeout
        delay = self.ex.poll_interval
        while True:
            obj = self.ex.task_call(self.task, lambda c: _service(c, service).get(target))
            raw = getattr(obj, "status", None)
            raw = raw.getValue() if hasattr(raw, "getValue") else raw
            if step.wait == "entry":
                if str(raw) == _ENTRY_READY:
                    return
                if str(raw) in _ENTRY_ERRORS:
                    raise DeliveryError(
                        f"Kaltura could not process the uploaded video ({_ENTRY_ERRORS[str(raw)]})",
                        step=step.key,
                    )
            else:
                status = _int(raw)
                if status == AssetStatus.READY:
                    return
                if status == AssetStatus.ERROR:
                    raise DeliveryError(
                        f"Kaltura rejected the uploaded file for {_what(step)} (asset status ERROR)",
                        step=step.key,
                    )
            if time.monotonic() >= deadline:
                raise DeliveryError(
                    f"{_what(step)}: the asset was not READY after {int(self.ex.ready_timeout)} s",
                    retryable=False,
                    step=step.key,
                )
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            self.ex._sleep(delay)
            delay = min(delay * 1.5, 2.0)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            got = self.result.results.get(value.step)
            if got is None or value.attr not in got:
                raise DeliveryError(
                    f"Step {self.step.key} needs {value} which is missing", step=self.step.key
                )
            return got[value.attr]
        if isinstance(value, tuple):
            resolved = [self._resolve(v) for v in value]
            return ",".join(str(v) for v in resolved)  # Kaltura's comma-separated id lists
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if hasattr(value, "items") and not isinstance(value, (str, bytes)):
            return {k: self._resolve(v) for k, v in value.items()}
        return value


def _service(client: Any, path: str) -> Any:
    obj = client
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _make(type_name: str | None, fields: dict[str, Any]) -> Any:
    if not type_name:
        raise DeliveryError("A step has no object type")
    for module in _MODULES:
        cls = getattr(module, type_name, None)
        if cls is not None:
            return cls(**fields)
    raise DeliveryError(f"Unknown Kaltura object type {type_name}")


def _int(value: Any) -> int | None:
    if value is None:
        return None
    value = value.getValue() if hasattr(value, "getValue") else value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _what(step: Step) -> str:
    names = {
        "caption": "the caption",
        "transcript": "the transcript",
        "dub": "the dubbed audio track",
        "ad": "the audio-description track",
        "clear": "the clear audio track",
        "ead": "the extended audio description",
        "chapter": "a chapter",
        "signLang": "the sign-language video",
        "dubCaption": "the dub caption",
        "task": "the task update",
        "entry": "the entry tags",
    }
    return names.get(step.key.split(".")[0], step.key)
