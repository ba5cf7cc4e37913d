"""Which editor widget opens a claimed task: the one contract between the shell and the editors.

The shell (task workspace) knows nothing about captions or chapters; it asks `editor_for(task.feature)`.
The built-in editors are listed explicitly in `_BUILTIN` (imported lazily, on first use, so that this
module imports without Qt); `register_editor` adds or replaces one (tests, plug-ins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.task import Task

if TYPE_CHECKING:  # only for type hints: the registry must import without Qt or the engine
    from reach_studio.kaltura.connection import ReachConnection
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.editors.base import TaskEditor


@dataclass
class TaskContext:
    """Everything an editor needs to work on one claimed task."""

    task: Task  # claimed (PROCESSING)
    connection: ReachConnection | None  # None in pure widget tests
    drafts: DraftStore
    media_path: Path | None = None  # None until the background download finished
    source_captions: CaptionDocument | None = None  # translations that require source captions
    # A player already opening the task's stream (made while the claim was confirmed) and that stream
    # (engine.media_fetch.StreamSource). An editor that plays it takes it (`take_player`); one left
    # here is closed by the shell once the editor is built.
    player: Any = None
    stream: Any = None

    def take_player(self) -> tuple[Any, Any]:
        """(player, stream) for the editor to adopt, or (None, None); the context keeps neither."""
        player, stream = self.player, self.stream
        self.player = self.stream = None
        return player, stream


EditorFactory = Callable[[TaskContext], "TaskEditor"]

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


def prepare(feature: ServiceFeature | None) -> None:
    """Import the built-in editor module for `feature` (and what it loads lazily, its `warm_up()`), so
    that opening a task of that kind builds widgets only. Called off the GUI thread while a claim runs."""
    from importlib import import_module

    for features, module, _name in _BUILTIN:
        if feature in features:
            loaded = import_module(f"reach_studio.ui.editors.{module}")
            warm = getattr(loaded, "warm_up", None)
            if callable(warm):
                warm()
            return


def _lazy(module: str, name: str) -> EditorFactory:
    """A factory that imports `reach_studio.ui.editors.<module>` only when a task of its kind opens."""

    def factory(ctx: TaskContext) -> TaskEditor:
        from importlib import import_module

        return getattr(import_module(f"reach_studio.ui.editors.{module}"), name)(ctx)

    return factory


# The built-in editors, one row per editor: the service features it serves and where it lives.
_BUILTIN: list[tuple[tuple[ServiceFeature, ...], str, str]] = [
    (
        (
            ServiceFeature.CAPTIONS,
            ServiceFeature.TRANSLATION,
            ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
            ServiceFeature.CHAPTERING,
        ),
        "timed_editor",
        "TimedEditor",
    ),
    ((ServiceFeature.DUBBING, ServiceFeature.AUDIO_DESCRIPTION), "voice_editor", "VoiceEditor"),
    ((ServiceFeature.SIGN_LANGUAGE,), "sign_language_editor", "SignLanguageEditor"),
    ((ServiceFeature.LIVE_CAPTION, ServiceFeature.LIVE_TRANSLATION), "live_console", "LiveConsole"),
]

_loaded = False


def _load_editors() -> None:
    """Register the built-in editors once (a test that set `_loaded` keeps only its own registrations)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for features, module, name in _BUILTIN:
        register_editor(features, _lazy(module, name))
