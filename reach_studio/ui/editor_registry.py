"""Which editor widget opens a claimed task: the one contract between the shell and the editors.

The shell (task workspace) knows nothing about captions or chapters; editors register a factory per
service feature here, and the workspace asks `editor_for(task.feature)`. Keeping this a tiny module of
its own lets editors and the shell be built and tested apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task

if TYPE_CHECKING:  # only for type hints: the registry must import without Qt or the engine
    from PySide6.QtWidgets import QWidget

    from reach_studio.kaltura.connection import ReachConnection
    from reach_studio.store.drafts import DraftStore


@dataclass
class TaskContext:
    """Everything an editor needs to work on one claimed task."""

    task: Task  # claimed (PROCESSING)
    connection: ReachConnection | None  # None in pure widget tests
    drafts: DraftStore
    media_path: Path | None = None  # None until the background download finished
    source_captions: CaptionDocument | None = None  # translations that require source captions


EditorFactory = Callable[[TaskContext], "QWidget"]

_registry: dict[int, EditorFactory] = {}


def register_editor(features: Iterable[ServiceFeature], factory: EditorFactory) -> None:
    """Make `factory` the editor for each of `features` (a later registration replaces an earlier one)."""
    for feature in features:
        _registry[int(feature)] = factory


def editor_for(feature: ServiceFeature | None) -> EditorFactory | None:
    """The registered editor factory for a service feature, or None when no editor handles it yet."""
    if feature is None:
        return None
    _load_editors()
    return _registry.get(int(feature))


def registered_features() -> list[ServiceFeature]:
    """Features that have an editor, for the About box and the 'missing editor' message."""
    _load_editors()
    return [ServiceFeature(v) for v in sorted(_registry)]


def unregister_all() -> None:
    """For tests: forget every registration (editors are re-imported on the next lookup only if not cached)."""
    _registry.clear()


_loaded = False


def _load_editors() -> None:
    """Import `reach_studio.ui.editors` once so that its modules register themselves."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    try:
        import reach_studio.ui.editors  # noqa: F401  (the editors package registers on import)
    except ImportError as exc:
        # Editors not built yet (or a missing optional dependency): the workspace says which editor is missing.
        import logging

        logging.getLogger(__name__).warning("no editors available: %s", exc)
