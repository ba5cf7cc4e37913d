"""Headless edit operations on a timed document (captions, descriptions or chapters).

Every edit an editor makes is one of these small, invertible, JSON-serialisable operations. The Qt undo
commands wrap them (redo = apply, undo = apply the inverse) and the draft journal stores the very same
dicts, so replaying the journal after a crash rebuilds exactly what the user saw. Keeping them here,
Qt-free, lets tests, the `sync` mode and crash recovery use them without a QApplication.

A document is a plain ``list`` of items: `Cue` (captions, translations), `DescriptionCue` (extended audio
description) or `Chapter`. Operations address items by index; `apply` checks that the item still holds
the value the operation expects, so a journal that does not match the document fails loudly instead of
silently corrupting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from reach_studio.domain.captions import Chapter, Cue, DescriptionCue
from reach_studio.domain.enums import ServiceFeature

Item = Cue | DescriptionCue | Chapter

DEFAULT_CUE_MS = 2000
MIN_CUE_MS = 100  # shortest cue an edit may leave behind


class EditError(ValueError):
    """An edit that cannot be made (bad index, bad times, journal out of sync). The message is for the user."""


# ----------------------------------------------------------------------------------------------- items

_TYPE_OF = {Cue: "cue", DescriptionCue: "description", Chapter: "chapter"}
_CLASS_OF = {v: k for k, v in _TYPE_OF.items()}
_FIELDS = {cls: {f.name for f in fields(cls)} for cls in _TYPE_OF}

KIND_ITEM = {"captions": Cue, "translation": Cue, "ead": DescriptionCue, "chapters": Chapter}


def kind_for_feature(feature: ServiceFeature | None) -> str:
    """Which editor mode a REACH service feature is worked in."""
    if feature == ServiceFeature.TRANSLATION:
        return "translation"
    if feature == ServiceFeature.EXTENDED_AUDIO_DESCRIPTION:
        return "ead"
    if feature == ServiceFeature.CHAPTERING:
        return "chapters"
    return "captions"


def item_to_dict(item: Item) -> dict[str, Any]:
    """A JSON-ready dict of an item, tagged with its type."""
    try:
        tag = _TYPE_OF[type(item)]
    except KeyError:
        raise EditError(f"not a document item: {type(item).__name__}") from None
    data = {name: getattr(item, name) for name in sorted(_FIELDS[type(item)])}
    data["type"] = tag
    return data


def item_from_dict(data: dict[str, Any]) -> Item:
    """The item a dict from `item_to_dict` describes."""
    if not isinstance(data, dict):
        raise EditError("an item must be a JSON object")
    cls = _CLASS_OF.get(data.get("type", ""))
    if cls is None:
        raise EditError(f"unknown item type {data.get('type')!r}")
    values = {k: v for k, v in data.items() if k in _FIELDS[cls]}
    try:
        item = cls(**values)
    except TypeError as exc:
        raise EditError(f"incomplete {data.get('type')} item: {exc}") from None
    check_item(item)
    return item


def end_of(item: Item) -> int:
    """End time of an item; a chapter is a point in time, so its end is its start."""
    return item.start_ms if isinstance(item, Chapter) else item.end_ms


def check_item(item: Item) -> None:
    """Raise EditError when an item's times cannot be right whatever the content."""
    if not isinstance(item.start_ms, int) or item.start_ms < 0:
        raise EditError(f"start time must be a whole number of milliseconds ≥ 0, got {item.start_ms!r}")
    if not isinstance(item, Chapter) and (not isinstance(item.end_ms, int) or item.end_ms <= item.start_ms):
        raise EditError(f"end ({_fmt(item.end_ms)}) must come after start ({_fmt(item.start_ms)})")


def _fmt(ms: Any) -> str:
    if not isinstance(ms, int):
        return repr(ms)
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    return f"{sign}{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


# ------------------------------------------------------------------------------------------ operations


@dataclass(frozen=True)
class Change:
    """Change some fields of the item at `index` from `before` to `after`."""

    index: int
    before: dict[str, Any]
    after: dict[str, Any]
    label: str = "Edit"

    def apply(self, items: list[Item]) -> None:
        item = _at(items, self.index)
        for name, value in self.before.items():
            if name not in _FIELDS[type(item)]:
                raise EditError(f"{_TYPE_OF[type(item)]} has no field {name!r}")
            if getattr(item, name) != value:
                raise EditError(f"item {self.index + 1} changed meanwhile ({name} is not {value!r})")
        new = replace(item, **self.after)
        check_item(new)
        items[self.index] = new

    def inverse(self) -> Change:
        return Change(self.index, dict(self.after), dict(self.before), self.label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": "change",
            "index": self.index,
            "before": self.before,
            "after": self.after,
            "label": self.label,
        }


@dataclass(frozen=True)
class Splice:
    """Replace the items `removed` at `index` with `inserted` (insert, delete, split, merge, reflow)."""

    index: int
    removed: tuple[Item, ...]
    inserted: tuple[Item, ...]
    label: str = "Edit"

    def apply(self, items: list[Item]) -> None:
        if not 0 <= self.index <= len(items):
            raise EditError(f"no position {self.index + 1} in a document of {len(items)} items")
        current = items[self.index : self.index + len(self.removed)]
        if tuple(current) != self.removed:
            raise EditError(f"items from {self.index + 1} changed meanwhile; cannot {self.label.lower()}")
        for item in self.inserted:
            check_item(item)
        items[self.index : self.index + len(self.removed)] = list(self.inserted)

    def inverse(self) -> Splice:
        return Splice(self.index, self.inserted, self.removed, self.label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": "splice",
            "index": self.index,
            "label": self.label,
            "removed": [item_to_dict(i) for i in self.removed],
            "inserted": [item_to_dict(i) for i in self.inserted],
        }


@dataclass(frozen=True)
class Batch:
    """Several operations that undo as one (replace all, shift all times)."""

    ops: tuple[Op, ...]
    label: str = "Edit"

    def apply(self, items: list[Item]) -> None:
        done: list[Op] = []
        try:
            for op in self.ops:
                op.apply(items)
                done.append(op)
        except EditError:
            for op in reversed(done):  # all or nothing
                op.inverse().apply(items)
            raise

    def inverse(self) -> Batch:
        return Batch(tuple(op.inverse() for op in reversed(self.ops)), self.label)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "batch", "label": self.label, "ops": [op.to_dict() for op in self.ops]}


Op = Change | Splice | Batch


def op_from_dict(data: dict[str, Any]) -> Op:
    """Rebuild an operation from its journal dict."""
    if not isinstance(data, dict):
        raise EditError("a journal entry must be a JSON object")
    kind = data.get("op")
    try:
        label = str(data.get("label", "Edit"))
        if kind == "change":
            return Change(int(data["index"]), dict(data["before"]), dict(data["after"]), label)
        if kind == "splice":
            return Splice(
                int(data["index"]),
                tuple(item_from_dict(d) for d in data["removed"]),
                tuple(item_from_dict(d) for d in data["inserted"]),
                label,
            )
        if kind == "batch":
            return Batch(tuple(op_from_dict(d) for d in data["ops"]), label)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, EditError):
            raise
        raise EditError(f"damaged journal entry ({kind}): {exc}") from None
    raise EditError(f"unknown journal operation {kind!r}")


def replay(items: list[Item], ops: Iterable[dict[str, Any] | Op]) -> list[Item]:
    """Apply journal entries in order to a copy of `items` and return it."""
    result = list(items)
    for entry in ops:
        op = entry if isinstance(entry, (Change, Splice, Batch)) else op_from_dict(entry)
        op.apply(result)
    return result


def _at(items: Sequence[Item], index: int) -> Item:
    if not isinstance(index, int) or not 0 <= index < len(items):
        raise EditError(f"there is no item {index + 1 if isinstance(index, int) else index!r}")
    return items[index]


# -------------------------------------------------------------------------------- building operations


def set_fields(items: Sequence[Item], index: int, label: str = "Edit", **after: Any) -> Change | None:
    """A Change that sets the given fields, or None when nothing would change."""
    item = _at(items, index)
    unknown = set(after) - _FIELDS[type(item)]
    if unknown:
        raise EditError(f"{_TYPE_OF[type(item)]} has no field {min(unknown)!r}")
    before = {k: getattr(item, k) for k in after if getattr(item, k) != after[k]}
    if not before:
        return None
    changed = {k: after[k] for k in before}
    check_item(replace(item, **changed))
    return Change(index, before, changed, label)


def set_fields_each(
    items: Sequence[Item], indexes: Iterable[int], label: str = "Edit", **after: Any
) -> Batch | None:
    """One undo step setting the same fields on several items (e.g. the speaker of the selected cues), or
    None when none of them would change."""
    ops = [set_fields(items, i, label, **after) for i in sorted(set(indexes))]
    done = tuple(op for op in ops if op is not None)
    return Batch(done, label) if done else None


def speakers_in(items: Iterable[Item], named: Iterable[str] = ()) -> list[str]:
    """The document's speakers, most frequent first (the speaker pick-list's order), then the `named` ones
    (the customer's, from the task's notes) not used yet: a new document has a list to pick from too."""
    counts: dict[str, int] = {}
    for item in items:
        speaker = getattr(item, "speaker", None)
        if speaker:
            counts[speaker] = counts.get(speaker, 0) + 1
    ordered = sorted(counts, key=lambda s: (-counts[s], s.lower()))
    seen = {s.lower() for s in ordered}
    for name in named:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            ordered.append(name)
    return ordered


def set_text(items: Sequence[Item], index: int, text: str) -> Change | None:
    field = "title" if isinstance(_at(items, index), Chapter) else "text"
    return set_fields(items, index, "Typing", **{field: text})


def set_times(
    items: Sequence[Item], index: int, start_ms: int, end_ms: int | None = None, label: str = "Change times"
) -> Change | None:
    """Move an item's start (and end); times are clamped at 0 and must leave a positive duration."""
    item = _at(items, index)
    start_ms = max(0, int(start_ms))
    if isinstance(item, Chapter):
        return set_fields(items, index, label, start_ms=start_ms)
    end_ms = item.end_ms if end_ms is None else int(end_ms)
    if end_ms - start_ms < 1:
        raise EditError(f"end ({_fmt(end_ms)}) must come after start ({_fmt(start_ms)})")
    return set_fields(items, index, label, start_ms=start_ms, end_ms=end_ms)


def set_start(items: Sequence[Item], index: int, ms: int) -> Change | None:
    """Set start at `ms`; when that passes the end, the cue keeps its duration (as Subtitle Edit does)."""
    item = _at(items, index)
    if isinstance(item, Chapter):
        return set_times(items, index, ms, label="Set start")
    end = item.end_ms if ms < item.end_ms else ms + (item.end_ms - item.start_ms)
    return set_times(items, index, ms, end, label="Set start")


def set_end(items: Sequence[Item], index: int, ms: int) -> Change | None:
    item = _at(items, index)
    if isinstance(item, Chapter):
        raise EditError("a chapter has no end time")
    if ms <= item.start_ms:
        raise EditError(f"end ({_fmt(ms)}) must come after start ({_fmt(item.start_ms)})")
    return set_times(items, index, item.start_ms, ms, label="Set end")


def move(
    items: Sequence[Item], index: int, delta_ms: int, edge: str = "both", min_gap_ms: int = 0
) -> Change | None:
    """Nudge one edge ("start"/"end") or the whole item ("both") by `delta_ms`.

    A cue never nudges into its neighbours: it stops `min_gap_ms` short of them (a cue that already
    overlaps may move away, never further in). Chapters have no end and move freely."""
    item = _at(items, index)
    end = end_of(item)
    if not isinstance(item, Chapter):
        delta_ms = _clamp_to_neighbours(items, index, delta_ms, edge, max(0, int(min_gap_ms)))
    if edge == "start":
        return set_times(items, index, item.start_ms + delta_ms, end, label="Nudge start")
    if edge == "end":
        return set_times(items, index, item.start_ms, end + delta_ms, label="Nudge end")
    if edge != "both":
        raise EditError(f"unknown edge {edge!r}")
    delta_ms = max(delta_ms, -item.start_ms)
    return set_times(items, index, item.start_ms + delta_ms, end + delta_ms, label="Move")


def _clamp_to_neighbours(items: Sequence[Item], index: int, delta: int, edge: str, gap: int) -> int:
    item = items[index]
    if delta < 0 and edge in ("start", "both") and index > 0:
        floor = end_of(items[index - 1]) + gap
        room = min(0, floor - item.start_ms)  # already closer than the gap: do not move further in
        if item.start_ms + delta < floor:
            if room == 0 and item.start_ms <= floor:
                raise EditError(f"cue {index + 1} already starts {gap} ms after cue {index} ends")
            delta = max(delta, floor - item.start_ms)
    if delta > 0 and edge in ("end", "both") and index + 1 < len(items):
        ceiling = items[index + 1].start_ms - gap
        if end_of(item) + delta > ceiling:
            if end_of(item) >= ceiling:
                raise EditError(f"cue {index + 1} already ends {gap} ms before cue {index + 2} starts")
            delta = min(delta, ceiling - end_of(item))
    return delta


def insertion_index(items: Sequence[Item], time_ms: int) -> int:
    """Where an item starting at `time_ms` goes so that the document stays in start order."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid].start_ms <= time_ms:
            lo = mid + 1
        else:
            hi = mid
    return lo


def insert_at(
    items: Sequence[Item],
    kind: str,
    time_ms: int,
    duration_ms: int = DEFAULT_CUE_MS,
    text: str = "",
    media_end_ms: int | None = None,
    min_gap_ms: int = 0,
) -> Splice:
    """Insert a new empty item at `time_ms`, shortened so it does not run into the next one.

    Inside a cue, the new cue goes after that cue (with `min_gap_ms` between them) instead of
    overlapping it; without room for a cue there, nothing is inserted (EditError says why)."""
    if kind not in KIND_ITEM:
        raise EditError(f"unknown document kind {kind!r}")
    time_ms = max(0, int(time_ms))
    index = insertion_index(items, time_ms)
    cls = KIND_ITEM[kind]
    if cls is Chapter:
        used = {c.title for c in items if isinstance(c, Chapter)}
        number = next(n for n in range(len(items) + 1, 2 * len(items) + 2) if f"Chapter {n}" not in used)
        new: Item = Chapter(time_ms, text or f"Chapter {number}")
    else:
        gap = max(0, int(min_gap_ms))
        if index > 0 and end_of(items[index - 1]) + gap > time_ms:
            time_ms = end_of(items[index - 1]) + gap  # inside (or too close after) a cue: go after it
            index = insertion_index(items, time_ms)
        end = time_ms + max(MIN_CUE_MS, int(duration_ms))
        if index < len(items):
            room = items[index].start_ms - gap - time_ms
            if room < MIN_CUE_MS:
                raise EditError(f"no room for a new cue between cue {index} and cue {index + 1}")
            end = min(end, items[index].start_ms - gap)
        if media_end_ms is not None:
            if media_end_ms - time_ms < MIN_CUE_MS:
                raise EditError("no room for a new cue before the media ends")
            end = min(end, media_end_ms)
        new = cls(time_ms, end, text)
    return Splice(index, (), (new,), "Insert")


def append_after(items: Sequence[Item], kind: str, index: int | None, gap_ms: int = 0) -> Splice:
    """Insert a new item right after item `index` (or at 0 when the document is empty)."""
    if index is None or not items:
        return insert_at(items, kind, 0)
    return insert_at(items, kind, end_of(_at(items, index)) + gap_ms)


def remove(items: Sequence[Item], indexes: Iterable[int]) -> Batch:
    """Delete the items at `indexes` (one undo step)."""
    chosen = sorted(set(indexes), reverse=True)
    if not chosen:
        raise EditError("nothing selected to delete")
    return Batch(tuple(Splice(i, (_at(items, i),), (), "Delete") for i in chosen), "Delete")


def replace_range(
    items: Sequence[Item], index: int, count: int, new_items: Sequence[Item], label: str
) -> Splice:
    """Replace `count` items at `index` with `new_items` (split, merge and reflow results)."""
    if count < 0 or index < 0 or index + count > len(items):
        raise EditError(f"items {index + 1}–{index + count} are not all in the document")
    return Splice(index, tuple(items[index : index + count]), tuple(new_items), label)


def shift_all(items: Sequence[Item], delta_ms: int, first: int = 0) -> Batch | None:
    """Shift every item from `first` on by `delta_ms` (never before 0)."""
    if first >= len(items) or delta_ms == 0:
        return None
    delta_ms = max(delta_ms, -min(i.start_ms for i in items[first:]))
    ops = [move(items, i, delta_ms) for i in range(first, len(items))]
    return Batch(tuple(op for op in ops if op is not None), "Shift times")


# -------------------------------------------------------------------------------- snapping and search


def snap(value_ms: int, candidates: Iterable[int], tolerance_ms: int) -> int:
    """The nearest candidate within `tolerance_ms` of `value_ms`, or `value_ms` itself."""
    best, best_d = value_ms, tolerance_ms + 1
    for c in candidates:
        d = abs(c - value_ms)
        if d < best_d:
            best, best_d = c, d
    return best


def snap_candidates(
    items: Sequence[Item], exclude: int | None, around_ms: int, window_ms: int, extra: Iterable[int] = ()
) -> list[int]:
    """Edges of items near `around_ms` (except item `exclude`) plus `extra` (e.g. the playhead)."""
    out = list(extra)
    lo = insertion_index(items, around_ms - window_ms) - 1
    for i in range(max(0, lo - 2), len(items)):
        item = items[i]
        if item.start_ms > around_ms + window_ms:
            break
        if i != exclude:
            out.append(item.start_ms)
            out.append(end_of(item))
    return out


def _pattern(query: str, case_sensitive: bool, whole_word: bool, regex: bool) -> re.Pattern[str]:
    if not query:
        raise EditError("type something to find")
    source = query if regex else re.escape(query)
    if whole_word:
        source = rf"\b(?:{source})\b"
    try:
        return re.compile(source, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise EditError(f"not a valid regular expression: {exc}") from None


def _text_field(item: Item) -> str:
    return "title" if isinstance(item, Chapter) else "text"


def find(
    items: Sequence[Item],
    query: str,
    start: int = 0,
    case_sensitive: bool = False,
    whole_word: bool = False,
    regex: bool = False,
    backwards: bool = False,
) -> int | None:
    """Index of the next item (wrapping around) whose text matches, or None."""
    pattern = _pattern(query, case_sensitive, whole_word, regex)
    n = len(items)
    order = range(n) if not backwards else range(n - 1, -1, -1)
    for k in order:
        i = (start + k) % n if not backwards else (start - (n - 1 - k)) % n
        if pattern.search(getattr(items[i], _text_field(items[i]))):
            return i
    return None


def replace_all(
    items: Sequence[Item],
    query: str,
    replacement: str,
    case_sensitive: bool = False,
    whole_word: bool = False,
    regex: bool = False,
) -> Batch | None:
    """One undoable Batch that replaces every match in every item's text; None when nothing matched."""
    pattern = _pattern(query, case_sensitive, whole_word, regex)
    ops: list[Op] = []
    for i, item in enumerate(items):
        field = _text_field(item)
        old = getattr(item, field)
        try:
            new = pattern.sub(replacement if regex else replacement.replace("\\", "\\\\"), old)
        except (re.error, IndexError) as exc:
            raise EditError(f"bad replacement: {exc}") from None
        if new != old:
            ops.append(Change(i, {field: old}, {field: new}, "Replace"))
    return Batch(tuple(ops), "Replace all") if ops else None


def item_at_time(items: Sequence[Item], time_ms: int) -> int | None:
    """Index of the item showing at `time_ms` (the last one to start, if several overlap)."""
    i = insertion_index(items, time_ms) - 1
    while i >= 0:
        item = items[i]
        if isinstance(item, Chapter):
            return i
        if item.start_ms <= time_ms < item.end_ms:
            return i
        if time_ms - item.start_ms > 60_000:  # nothing that old can still be showing in practice
            break
        i -= 1
    return None
