"""Delivery plans: exactly which Kaltura calls deliver one REACH task, as plain data.

A plan is derived from the task, its catalog item, its REACH profile and the linguist's work product
(caption document, chapters, description cues, audio files, sign-language video). It is an ordered list
of steps, each with a stable key (``caption.add``, ``caption.setContent``, ``task.ready`` ...), the
service/action, the fields the vendor guide names, the file to upload and references to ids produced by
earlier steps. Plans are pure and hashable, so they can be read and tested without a server, and the
executor (``kaltura/delivery_executor.py``) can journal progress per step and resume after a crash.

Field choices follow shared/spec/kaltura-reach-vendor-guide.txt, "Uploading vendor REACH Job results"
to the end. Enum values are plain ints/strings (the official client refuses our IntEnum subclasses).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reach_studio.domain.captions import CaptionDocument, Chapter, Cue, DescriptionCue
from reach_studio.domain.enums import (
    CaptionAssetUsage,
    OutputFormat,
    ServiceFeature,
    ServiceType,
    TaskStatus,
    ThumbCuePointSubType,
    language_code,
)
from reach_studio.domain.formats import (
    caption_type_for,
    file_extension,
    output_format_for,
    speaker_style_for,
    write_captions,
)
from reach_studio.domain.formats.kaltura_parse import kaltura_parses
from reach_studio.domain.metadata_tags import merge_tags
from reach_studio.domain.task import Task


class DeliveryError(Exception):
    """A delivery could not be planned or carried out. ``retryable`` says whether trying again may help.

    The message is short and safe to show to the customer as the task's errDescription: it never holds a
    KS, an app token or URL auth headers.
    """

    def __init__(self, message: str, *, retryable: bool = False, step: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.step = step


class PlanError(DeliveryError):
    """The task or the work product cannot be turned into a delivery plan (bad or missing input)."""


class OwnershipLost(DeliveryError):
    """The task is no longer PROCESSING under our externalTaskId: nothing more may be written for it."""

    def __init__(self, task_id: int, holder: str, status_name: str, *, ours: bool = False) -> None:
        if ours:
            what = f"Task {task_id} is {status_name.lower()} on Kaltura"
        else:
            what = f"Task {task_id} is held by {holder or 'someone else'} ({status_name.lower()})"
        super().__init__(f"{what}: nothing more was delivered for it, and your work is kept")
        self.task_id = task_id
        self.holder = holder
        self.status_name = status_name


# Kaltura's KalturaAttachmentType values (docs/kaltura-contract.md#enums).
ATTACHMENT_TYPE_TEXT = "1"
ATTACHMENT_TYPE_DOCUMENT = "3"
NULLABLE_TRUE = 1
NULLABLE_FALSE = 0
MEDIA_TYPE_VIDEO = 1

MARKER_PREFIX = "reach-studio"


@dataclass(frozen=True)
class Ref:
    """The id (or another attribute) returned by an earlier step of the same plan."""

    step: str
    attr: str = "id"

    def __str__(self) -> str:
        return f"<{self.step}>" if self.attr == "id" else f"<{self.step}.{self.attr}>"


@dataclass(frozen=True)
class UrlSource:
    """Kaltura pulls the file from the vendor's URL (KalturaUrlResource). Headers are secret: never shown."""

    url: str
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSource:
    """One file to deliver: bytes made by the plan (captions), a file on disk (audio, video) or a URL."""

    name: str
    data: bytes | None = None
    path: str | None = None
    url: UrlSource | None = None
    size: int = 0
    fingerprint: str = ""

    @staticmethod
    def from_bytes(name: str, data: bytes) -> FileSource:
        return FileSource(name=name, data=data, size=len(data), fingerprint=hashlib.sha256(data).hexdigest())

    @staticmethod
    def from_path(path: str | os.PathLike[str], name: str | None = None) -> FileSource:
        p = Path(path)
        try:
            st = p.stat()
        except OSError as exc:
            raise PlanError(f"Cannot read the file to deliver: {p.name} ({exc.strerror})") from None
        if not p.is_file():
            raise PlanError(f"The file to deliver is not a regular file: {p.name}")
        # size + mtime: a file changed after an interrupted upload gets a new plan (and a new upload token).
        return FileSource(
            name=name or p.name, path=str(p), size=st.st_size, fingerprint=f"{st.st_size}:{st.st_mtime_ns}"
        )

    @staticmethod
    def from_url(name: str, source: UrlSource) -> FileSource:
        return FileSource(name=name, url=source, fingerprint="url:" + source.url)

    @property
    def is_url(self) -> bool:
        return self.url is not None

    def describe(self) -> str:
        if self.url is not None:
            auth = f", {len(self.url.headers)} auth header(s)" if self.url.headers else ""
            return f"{self.name} pulled by Kaltura from {self.url.url}{auth}"
        return f"{self.name} ({self.size:,} bytes)"


@dataclass(frozen=True)
class Step:
    """One Kaltura call (or a small fixed group, e.g. an upload in chunks) of a delivery.

    ``op`` tells the executor how to run it:
    - ``add``: ``service.add`` of ``object_type`` with ``fields``; the new id is the step result. ``entry``
      is the entryId argument (assets) or None (cue points, media entries carry it in the object).
      ``marker`` goes into partnerData so a re-run can find (adopt) an object whose creation was not journaled.
    - ``upload``: uploadToken.add + upload in chunks of ``source``; the token id is the result.
    - ``set_content``: ``service.<action>(target, resource)`` with an uploaded-token resource (``upload``)
      or a URL resource, then poll until READY (``wait``).
    - ``update``: ``service.update(target, object_type(fields))``.
    - ``merge_tags``: read ``service.get(target)``, append ``append`` to the comma-separated ``tag_field``
      without duplicates, and update it together with ``fields``.
    - ``merge_multilingual_tags``: same for ``multiLingual_tags`` of one language (translations).
    - ``finish``: entryVendorTask.updateJob with ``fields`` (vendor KS).
    """

    key: str
    op: str
    service: str
    action: str
    object_type: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    entry: str | Ref | None = None
    target: Ref | str | None = None
    upload: Ref | None = None
    source: FileSource | None = None
    marker: str | None = None
    wait: str | None = None  # "asset" | "entry"
    tag_field: str | None = None
    append: tuple[str, ...] = ()
    language: str | None = None
    note: str = ""

    def canonical(self) -> dict[str, Any]:
        """What identifies this step for the plan hash (no secrets, no file bytes)."""
        return {
            "key": self.key,
            "op": self.op,
            "service": self.service,
            "action": self.action,
            "object_type": self.object_type,
            "fields": _canon(dict(self.fields)),
            "entry": _canon(self.entry),
            "target": _canon(self.target),
            "upload": _canon(self.upload),
            "marker": self.marker,
            "source": None
            if self.source is None
            else {"name": self.source.name, "size": self.source.size, "fingerprint": self.source.fingerprint},
            "wait": self.wait,
            "tag_field": self.tag_field,
            "append": list(self.append),
            "language": self.language,
        }

    def describe(self) -> str:
        call = f"{self.service}.{self.action}"
        parts: list[str] = []
        if self.op == "upload" and self.source is not None:
            return f"{call}: upload {self.source.describe()} in chunks (resumable)"
        if self.entry is not None:
            parts.append(f"entryId={self.entry}")
        if self.target is not None:
            parts.append(f"id={self.target}")
        if self.object_type:
            parts.append(self.object_type)
        parts += [f"{k}={_show(v)}" for k, v in self.fields.items()]
        if self.op == "set_content":
            if self.upload is not None:
                parts.append(f"resource=KalturaUploadedFileTokenResource(token={self.upload})")
            elif self.source is not None:
                parts.append(f"resource=KalturaUrlResource({self.source.describe()})")
        if self.op in ("merge_tags", "merge_multilingual_tags"):
            where = self.tag_field if self.language is None else f"{self.tag_field}[{self.language}]"
            parts.append(f"append to {where}: {', '.join(self.append)} (no duplicates)")
        if self.marker:
            parts.append(f"partnerData={self.marker!r}")
        text = f"{call}  " + " ".join(parts)
        if self.wait:
            text += "; then wait until READY"
        if self.note:
            text += f"  [{self.note}]"
        return text


@dataclass(frozen=True)
class DeliveryPlan:
    task_id: int
    entry_id: str
    feature: ServiceFeature
    steps: tuple[Step, ...]
    output_step: str

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for step in self.steps:
            if step.key in seen:
                raise PlanError(f"Duplicate step key {step.key}")
            for ref in _refs(step):
                if ref.step not in seen:
                    raise PlanError(f"Step {step.key} refers to {ref.step}, which does not come before it")
            seen.add(step.key)

    @property
    def plan_hash(self) -> str:
        blob = json.dumps(
            {
                "task": self.task_id,
                "entry": self.entry_id,
                "feature": int(self.feature),
                "steps": [s.canonical() for s in self.steps],
            },
            sort_keys=True,
            ensure_ascii=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def step(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.steps]

    @property
    def claimant(self) -> str:
        """The externalTaskId this plan delivers under (its finish step's)."""
        for s in self.steps:
            if s.op == "finish":
                return str(s.fields.get("externalTaskId") or "")
        return ""

    def describe(self) -> str:
        head = (
            f"Delivery plan {self.plan_hash} for task {self.task_id} ({self.feature.label}) "
            f"on entry {self.entry_id}: {len(self.steps)} steps; outputObjectId = id from {self.output_step}"
        )
        width = max((len(s.key) for s in self.steps), default=0)
        lines = [head] + [
            f"{i:3d}. {s.key.ljust(width)}  {s.describe()}" for i, s in enumerate(self.steps, 1)
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class WorkProduct:
    """What the linguist produced for one task. Which fields are needed depends on the service feature."""

    captions: CaptionDocument | None = None  # captions, translation, EAD (alternative to `descriptions`)
    transcripts: tuple[str, ...] = ()  # "txt" and/or "dfxp": transcript attachments of `captions`
    chapters: tuple[Chapter, ...] = ()
    descriptions: tuple[DescriptionCue, ...] = ()
    main_audio: Path | UrlSource | None = None  # dubbed track, or audio-description track
    clear_audio: Path | UrlSource | None = None  # original audio without dub/description
    dub_captions: CaptionDocument | None = None  # optional caption aligned with the dubbed audio
    sign_video: Path | UrlSource | None = None
    tags: tuple[str, ...] = ()  # extracted metadata tags (used when the profile enables metadata extraction)
    accuracy: int | None = None  # overrides captions.accuracy for the task
    external_task_id: str = ""


@dataclass(frozen=True)
class PlanContext:
    """Facts about the account and the entry that the task itself does not hold."""

    vendor_name: str = ""
    parent_entry_name: str = ""  # sign language: the child entry is named after the parent
    output_format: OutputFormat | None = None  # None: catalog item, then profile, then SRT


def marker(task_id: int, step_key: str, claimant: str = "") -> str:
    """partnerData value that lets a re-run find an object it created but did not journal. It names the
    claimant (our externalTaskId), so an object another linguist's delivery made is never adopted or removed."""
    base = f"{MARKER_PREFIX}:task-{task_id}:{step_key}"
    return f"{base}:by:{claimant}" if claimant else base


SYSTEM_NAME_MAX = 127  # cue_point.system_name is varchar(127) (plugins/cue_points/base/config/schema.xml)
CUE_POINT_SERVICE = "cuePoint.cuePoint"


def cue_point_system_name(step_marker: str) -> str:
    """The systemName of a cue point a step adds, from the step's marker. Kaltura refuses a second cue point of
    the entry with a systemName the caller can see (CUE_POINT_SYSTEM_NAME_EXISTS, naming the first; chapters
    are public, so a task's key sees them all), so an add repeated after a lost answer cannot make a second
    chapter, even where the marker lookup misses the first (docs/kaltura-contract.md, "Assets and cue points")."""
    if len(step_marker) <= SYSTEM_NAME_MAX:
        return step_marker
    digest = hashlib.sha1(step_marker.encode("utf-8")).hexdigest()[:16]
    return f"{step_marker[: SYSTEM_NAME_MAX - len(digest) - 1]}:{digest}"


def claimant_of(task: Task, product: WorkProduct | None = None) -> str:
    """The externalTaskId the delivery is made under: the work product's, else the claim's."""
    return (
        (product.external_task_id if product else "") or task.external_task_id or f"{MARKER_PREFIX}-{task.id}"
    )


def output_format(task: Task) -> OutputFormat:
    """The guide's rule (owned by the caption core): catalog item's outputFormat, else the profile's, else SRT."""

    name = output_format_for(task.reach_profile, task.catalog_item)
    return {"srt": OutputFormat.SRT, "dfxp": OutputFormat.DFXP, "vtt": OutputFormat.VTT}[name]


def delivered_caption_format(task: Task) -> OutputFormat | None:
    """The caption file format this task's delivery uploads, which is not always the catalog item's: extended
    audio description is always WebVTT (the player reads it only from a WebVTT track), chapters, audio
    description and sign language upload no caption file; None then."""
    feature = task.feature
    if feature == ServiceFeature.EXTENDED_AUDIO_DESCRIPTION:
        return OutputFormat.VTT
    if feature in (ServiceFeature.CAPTIONS, ServiceFeature.TRANSLATION, ServiceFeature.DUBBING):
        return output_format(task)
    return None


def sign_language_suffix(target_language: str | None) -> str:
    """ "English (ASL)" -> "ASL"; the guide's admin tag is signLang<suffix>."""
    if not target_language:
        raise PlanError("The sign-language catalog item has no target language")
    text = target_language.strip()
    if "(" in text and text.endswith(")"):
        return text[text.rindex("(") + 1 : -1].strip().replace(" ", "")
    code = language_code(text)
    return (code or text).replace(" ", "").upper()


def sign_language_entry_name(parent_entry_name: str, suffix: str) -> str:
    """The child entry's name, as the plan sends it and the editor announces it."""
    return f"{parent_entry_name} child signLang{suffix}"


def sign_language_tags(suffix: str, vendor_name: str | None = None) -> list[str]:
    """The child entry's admin tags (signLang, signLang<suffix>, the vendor's name), as sent and announced."""
    return ["signLang", f"signLang{suffix}"] + ([vendor_name] if vendor_name else [])


def build_plan(task: Task, product: WorkProduct, context: PlanContext | None = None) -> DeliveryPlan:
    """The delivery plan for `task`, or PlanError saying what is missing."""
    context = context or PlanContext()
    feature = task.feature
    if not task.entry_id:
        raise PlanError(f"Task {task.id} has no entry id")
    builders = {
        ServiceFeature.CAPTIONS: _captions_plan,
        ServiceFeature.TRANSLATION: _captions_plan,
        ServiceFeature.DUBBING: _audio_plan,
        ServiceFeature.AUDIO_DESCRIPTION: _audio_plan,
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION: _ead_plan,
        ServiceFeature.CHAPTERING: _chapters_plan,
        ServiceFeature.SIGN_LANGUAGE: _sign_language_plan,
    }
    if feature not in builders:
        name = feature.label if feature is not None else "unknown"
        raise PlanError(f"Delivery of {name} tasks is not supported")
    steps, output_step = builders[feature](task, product, context)
    claimant = claimant_of(task, product)
    steps = [replace(s, marker=marker(task.id, s.key, claimant)) if s.marker else s for s in steps]
    steps = [_with_system_name(s) for s in steps]
    steps.append(_finish_step(task, product, output_step))
    return DeliveryPlan(
        task_id=task.id, entry_id=task.entry_id, feature=feature, steps=tuple(steps), output_step=output_step
    )


def _with_system_name(step: Step) -> Step:
    if step.op != "add" or step.service != CUE_POINT_SERVICE or not step.marker:
        return step
    return replace(step, fields={**step.fields, "systemName": cue_point_system_name(step.marker)})


# --- per service ---------------------------------------------------------------------------------


def _captions_plan(task: Task, product: WorkProduct, ctx: PlanContext) -> tuple[list[Step], str]:
    translation = task.feature == ServiceFeature.TRANSLATION
    doc = _require_doc(product.captions, "caption document")
    language = task.target_language if translation else task.source_language
    language = language or doc.language
    if not language:
        raise PlanError("The catalog item names no caption language")
    fmt = ctx.output_format or output_format(task)
    accuracy = _accuracy(product, doc, task)
    steps: list[Step] = []
    steps += _caption_steps(
        task,
        "caption",
        doc,
        fmt,
        language=language,
        label=language,
        is_default=not translation,
        accuracy=accuracy,
    )
    transcript_ids: list[Ref] = []
    for kind in product.transcripts:
        kind = kind.lower()
        if kind not in ("txt", "dfxp"):
            raise PlanError(f"Transcripts can be TXT or DFXP, not {kind!r}")
        key = f"transcript.{kind}"
        data = _write(task, doc, kind)
        steps.append(
            Step(
                key=f"{key}.add",
                op="add",
                service="attachment.attachmentAsset",
                action="add",
                object_type="KalturaTranscriptAsset",
                entry=task.entry_id,
                marker=marker(task.id, f"{key}.add"),
                fields=_drop_none(
                    {
                        "fileExt": kind,
                        "format": ATTACHMENT_TYPE_TEXT if kind == "txt" else ATTACHMENT_TYPE_DOCUMENT,
                        # KalturaTranscriptAsset.accuracy is 0..1 (the caption's is a percentage)
                        "accuracy": None if accuracy is None else round(accuracy / 100, 4),
                        "language": language,
                        "filename": f"transcript-{task.id}.{kind}",
                        "title": f"{language} transcript ({kind.upper()})",
                    }
                ),
            )
        )
        steps += _content_steps(
            task,
            key,
            "attachment.attachmentAsset",
            FileSource.from_bytes(f"transcript-{task.id}.{kind}", data),
        )
        transcript_ids.append(Ref(f"{key}.add"))
    if transcript_ids:
        steps.append(
            Step(
                key="caption.associateTranscripts",
                op="update",
                service="caption.captionAsset",
                action="update",
                object_type="KalturaCaptionAsset",
                target=Ref("caption.add"),
                fields={"associatedTranscriptIds": tuple(transcript_ids)},
            )
        )
    if _extract_metadata(task) and product.tags:
        if translation:
            steps.append(
                Step(
                    key="entry.multilingualTags",
                    op="merge_multilingual_tags",
                    service="baseEntry",
                    action="update",
                    object_type="KalturaBaseEntry",
                    target=task.entry_id,
                    tag_field="multiLingual_tags",
                    language=_multilingual_language(language),
                    append=_clean_tags(product.tags),
                )
            )
        else:
            steps.append(
                Step(
                    key="entry.tags",
                    op="merge_tags",
                    service="baseEntry",
                    action="update",
                    object_type="KalturaBaseEntry",
                    target=task.entry_id,
                    tag_field="tags",
                    append=_clean_tags(product.tags),
                )
            )
    return steps, "caption.add"


def _audio_plan(task: Task, product: WorkProduct, ctx: PlanContext) -> tuple[list[Step], str]:
    dubbing = task.feature == ServiceFeature.DUBBING
    item = task.catalog_item
    if item is None:
        raise PlanError("The task carries no catalog item (get it with the reach_vendor response profile)")
    if item.flavor_params_id is None or item.clear_audio_flavor_params_id is None:
        raise PlanError("The catalog item has no flavorParamsId / clearAudioFlavorParamsId")
    source_language = task.source_language
    if not source_language:
        raise PlanError("The catalog item names no source language")
    main_language = (task.target_language if dubbing else source_language) or ""
    if not main_language:
        raise PlanError("The dubbing catalog item names no target language")
    if product.main_audio is None or product.clear_audio is None:
        what = "dubbed" if dubbing else "audio-description"
        raise PlanError(f"Both the {what} track and the clear original audio are needed")
    main_key = "dub" if dubbing else "ad"
    label = main_language if dubbing else f"{main_language} - Audio description"
    steps: list[Step] = []
    for key, source, fields in (
        (
            f"{main_key}.flavor",
            product.main_audio,
            {
                "flavorParamsId": int(item.flavor_params_id),
                "isDefault": NULLABLE_FALSE,
                "language": main_language,
                "label": label,
                "fileExt": "mp4",
            },
        ),
        (
            "clear.flavor",
            product.clear_audio,
            {
                "flavorParamsId": int(item.clear_audio_flavor_params_id),
                "isDefault": NULLABLE_TRUE,
                "language": source_language,
                "label": source_language,
                "fileExt": "mp4",
            },
        ),
    ):
        fsource = _file_source(source, f"{key.split('.')[0]}-{task.id}.mp4")
        if not fsource.is_url and not fsource.name.lower().endswith((".mp4", ".m4a")):
            raise PlanError(f"Audio tracks must be MP4 files (AAC-LC), not {fsource.name}")
        steps.append(
            Step(
                key=f"{key}.add",
                op="add",
                service="flavorAsset",
                action="add",
                object_type="KalturaFlavorAsset",
                entry=task.entry_id,
                marker=marker(task.id, f"{key}.add"),
                fields=fields,
            )
        )
        steps += _content_steps(task, key, "flavorAsset", fsource)
    if dubbing and product.dub_captions is not None:
        doc = product.dub_captions
        accuracy = doc.accuracy if doc.accuracy is not None else 90
        if accuracy >= 99:
            raise PlanError("A dub-aligned caption must have an accuracy below 99")
        fmt = ctx.output_format or output_format(task)
        steps += _caption_steps(
            task,
            "dubCaption",
            doc,
            fmt,
            language=main_language,
            label=f"{main_language} (Dub translation)",
            accuracy=accuracy,
        )
    return steps, f"{main_key}.flavor.add"


def _ead_plan(task: Task, product: WorkProduct, ctx: PlanContext) -> tuple[list[Step], str]:
    if product.descriptions:
        cues = [Cue(d.start_ms, d.end_ms, d.text) for d in product.descriptions]
        doc = CaptionDocument(
            cues=cues, language=task.source_language, accuracy=product.accuracy, source_format="vtt"
        )
    else:
        doc = _require_doc(product.captions, "extended audio description")
    language = task.source_language or doc.language
    if not language:
        raise PlanError("The catalog item names no language for the extended audio description")
    steps = _caption_steps(
        task,
        "ead",
        doc,
        OutputFormat.VTT,
        language=language,
        label=f"{language} Extended Audio Description",
        display_on_player=False,
        usage=CaptionAssetUsage.EXTENDED_AUDIO_DESCRIPTION,
    )
    return steps, "ead.add"


def _chapters_plan(task: Task, product: WorkProduct, ctx: PlanContext) -> tuple[list[Step], str]:
    if not product.chapters:
        raise PlanError("There are no chapters to deliver")
    steps: list[Step] = []
    chapters = sorted(product.chapters, key=lambda c: c.start_ms)
    for i, chapter in enumerate(chapters, 1):
        if chapter.start_ms < 0:
            raise PlanError(f"Chapter {i} starts before 0")
        if not chapter.title.strip():
            raise PlanError(f"Chapter {i} has no title")
        key = f"chapter.{i:03d}.add"
        steps.append(
            Step(
                key=key,
                op="add",
                service=CUE_POINT_SERVICE,
                action="add",
                object_type="KalturaThumbCuePoint",
                marker=marker(task.id, key),
                fields={
                    "entryId": task.entry_id,
                    "startTime": int(chapter.start_ms),
                    "title": chapter.title.strip(),
                    "description": chapter.description,
                    "subType": int(ThumbCuePointSubType.CHAPTER),
                },
            )
        )
    return steps, steps[0].key


def _sign_language_plan(task: Task, product: WorkProduct, ctx: PlanContext) -> tuple[list[Step], str]:
    if product.sign_video is None:
        raise PlanError("There is no sign-language video to deliver")
    if not ctx.parent_entry_name:
        raise PlanError("The parent entry's name is needed to name the sign-language child entry")
    suffix = sign_language_suffix(task.target_language)
    steps = [
        Step(
            key="signLang.entry.add",
            op="add",
            service="media",
            action="add",
            object_type="KalturaMediaEntry",
            marker=marker(task.id, "signLang.entry.add"),
            fields={
                "name": sign_language_entry_name(ctx.parent_entry_name, suffix),
                "mediaType": MEDIA_TYPE_VIDEO,
            },
        ),
    ]
    source = _file_source(product.sign_video, f"signlanguage-{task.id}.mp4")
    steps += _content_steps(
        task,
        "signLang.entry",
        "media",
        source,
        target_step="signLang.entry.add",
        action="addContent",
        wait="entry",
    )
    tags = sign_language_tags(suffix, ctx.vendor_name)
    steps.append(
        Step(
            key="signLang.entry.link",
            op="merge_tags",
            service="media",
            action="update",
            object_type="KalturaMediaEntry",
            target=Ref("signLang.entry.add"),
            tag_field="adminTags",
            append=_clean_tags(tags),
            fields={"parentEntryId": task.entry_id},
        )
    )
    return steps, "signLang.entry.add"


# --- helpers -------------------------------------------------------------------------------------


def _caption_steps(
    task: Task,
    key: str,
    doc: CaptionDocument,
    fmt: OutputFormat | str,
    *,
    language: str,
    label: str,
    is_default: bool = False,
    display_on_player: bool = True,
    accuracy: int | None = None,
    usage: CaptionAssetUsage | None = None,
) -> list[Step]:
    """captionAsset.add with the fields Kaltura's player and REACH read, then its content."""
    caption_type, ext = caption_type_for(fmt).value, file_extension(fmt)
    fields = {
        "format": caption_type,
        "fileExt": ext,
        "accuracy": accuracy,
        "language": language,
        "isDefault": NULLABLE_TRUE if is_default else NULLABLE_FALSE,
        "displayOnPlayer": display_on_player,
        "label": label,
        "usage": usage.value if usage is not None else None,
    }
    data = _write(task, doc, ext)
    if not kaltura_parses(ext, data):  # Kaltura would end the caption asset in ERROR on READY
        raise PlanError(
            f"Kaltura would find no caption in this {ext.upper()} file (it checks every caption it receives); "
            "add at least one cue with a valid time"
        )
    add = Step(
        key=f"{key}.add",
        op="add",
        service="caption.captionAsset",
        action="add",
        object_type="KalturaCaptionAsset",
        entry=task.entry_id,
        marker=marker(task.id, f"{key}.add"),
        fields=_drop_none(fields),
    )
    return [add] + _content_steps(
        task, key, "caption.captionAsset", FileSource.from_bytes(f"{key}-{task.id}.{ext}", data)
    )


def _content_steps(
    task: Task,
    key: str,
    service: str,
    source: FileSource,
    *,
    target_step: str | None = None,
    action: str = "setContent",
    wait: str = "asset",
) -> list[Step]:
    target = Ref(target_step or f"{key}.add")
    if source.is_url:
        return [
            Step(
                key=f"{key}.{action}",
                op="set_content",
                service=service,
                action=action,
                target=target,
                source=source,
                wait=wait,
            )
        ]
    return [
        Step(key=f"{key}.upload", op="upload", service="uploadToken", action="upload", source=source),
        Step(
            key=f"{key}.{action}",
            op="set_content",
            service=service,
            action=action,
            target=target,
            upload=Ref(f"{key}.upload"),
            wait=wait,
        ),
    ]


def vouched_accuracy(task: Task) -> int:
    """The accuracy a delivery can vouch for when the work product names none (the guide sets
    entryVendorTask.accuracy on every READY but leaves the value open for audio, chapters and video):
    human work that passed the delivery checks is 100; machine or hybrid work 90, below a human's."""
    return 100 if task.service_type in (None, ServiceType.HUMAN) else 90


def _finish_step(task: Task, product: WorkProduct, output_step: str) -> Step:
    accuracy = product.accuracy
    if (
        accuracy is None
        and product.captions is not None
        and task.feature
        in (ServiceFeature.CAPTIONS, ServiceFeature.TRANSLATION, ServiceFeature.EXTENDED_AUDIO_DESCRIPTION)
    ):
        accuracy = product.captions.accuracy
    if accuracy is None:  # every READY carries one, whatever the service (guide, general flow)
        accuracy = vouched_accuracy(task)
    external = claimant_of(task, product)
    fields: dict[str, Any] = {
        "status": int(TaskStatus.READY),
        "outputObjectId": Ref(output_step),
        "externalTaskId": external,
    }
    if accuracy is not None:
        fields["accuracy"] = _check_accuracy(accuracy)
    return Step(
        key="task.ready",
        op="finish",
        service="reach.entryVendorTask",
        action="updateJob",
        object_type="KalturaEntryVendorTask",
        target=str(task.id),
        fields=fields,
        note="vendor KS; READY",
    )


def _file_source(source: Path | UrlSource | str, default_name: str) -> FileSource:
    if isinstance(source, UrlSource):
        if not source.url.lower().startswith(("http://", "https://")):
            raise PlanError("A URL resource must be an http(s) URL")
        return FileSource.from_url(default_name, source)
    return FileSource.from_path(source)


def _require_doc(doc: CaptionDocument | None, what: str) -> CaptionDocument:
    if doc is None or not doc.cues:
        raise PlanError(f"The {what} is empty")
    return doc


def _accuracy(product: WorkProduct, doc: CaptionDocument, task: Task) -> int:
    value = product.accuracy if product.accuracy is not None else doc.accuracy
    return vouched_accuracy(task) if value is None else _check_accuracy(value)


def _check_accuracy(value: int) -> int:
    if not 0 <= int(value) <= 100:
        raise PlanError(f"Accuracy must be between 0 and 100, not {value}")
    return int(value)


def _extract_metadata(task: Task) -> bool:
    return bool(task.reach_profile and task.reach_profile.enable_metadata_extraction)


def _multilingual_language(language: str) -> str:
    """The guide's example uses "FR" for French: the upper-case language code (as domain/metadata_tags does)."""
    code = language_code(language)
    if not code:
        return language
    return code.split("-")[0].upper()


def _clean_tags(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        tag = tag.replace(",", " ").strip()
        if tag and tag.lower() not in (t.lower() for t in out):
            out.append(tag)
    return tuple(out)


def merge_tag_string(existing: str | None, new: tuple[str, ...] | list[str]) -> str:
    """Append `new` to a comma-separated Kaltura tag string, keeping order and skipping duplicates."""

    return merge_tags(existing, new)


def _write(task: Task, doc: CaptionDocument, fmt: str) -> bytes:
    """The document in `fmt`, with speakers shown as the catalog item / profile ask (caption core rules)."""

    style = speaker_style_for(task.reach_profile, task.catalog_item)
    try:
        return write_captions(doc.sorted(), fmt, speaker_style=style)
    except Exception as exc:  # noqa: BLE001 - CaptionWriteError and friends: bad timing, bad format
        raise PlanError(f"Cannot write the {fmt.upper()} file: {exc}") from None


def _drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _refs(step: Step) -> list[Ref]:
    found: list[Ref] = []

    def walk(v: Any) -> None:
        if isinstance(v, Ref):
            found.append(v)
        elif isinstance(v, (tuple, list)):
            for x in v:
                walk(x)
        elif isinstance(v, Mapping):
            for x in v.values():
                walk(x)

    walk(dict(step.fields))
    walk([step.entry, step.target, step.upload])
    return found


def _canon(v: Any) -> Any:
    if isinstance(v, Ref):
        return {"$ref": v.step, "attr": v.attr}
    if isinstance(v, (tuple, list)):
        return [_canon(x) for x in v]
    if isinstance(v, Mapping):
        return {k: _canon(x) for k, x in v.items()}
    return v


def _show(v: Any) -> str:
    if isinstance(v, tuple):
        return ",".join(str(x) for x in v)
    if isinstance(v, str):
        return repr(v)
    return str(v)
