"""The registry routes a task's service feature to the editor registered for it."""

from __future__ import annotations

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui.editors import registry as editor_registry


def test_registered_factory_is_found_per_feature_and_missing_is_none(monkeypatch):
    monkeypatch.setattr(editor_registry, "_registry", {})
    monkeypatch.setattr(editor_registry, "_loaded", True)

    def captions_editor(ctx):
        return ("captions", ctx)

    editor_registry.register_editor([ServiceFeature.CAPTIONS, ServiceFeature.ALIGNMENT], captions_editor)
    assert editor_registry.editor_for(ServiceFeature.CAPTIONS) is captions_editor
    assert editor_registry.editor_for(ServiceFeature.ALIGNMENT) is captions_editor
    assert editor_registry.editor_for(ServiceFeature.DUBBING) is None
    assert editor_registry.editor_for(None) is None
    # unknown feature values from newer servers do not crash the lookup
    assert editor_registry.editor_for(ServiceFeature(99)) is None
    assert editor_registry.registered_features() == [ServiceFeature.CAPTIONS, ServiceFeature.ALIGNMENT]


def test_every_builtin_row_names_an_editor_class_that_exists():
    """The explicit table is the only place that says which editor serves a feature: a row naming a module or
    class that is not there would only fail when a linguist opens such a task."""
    import importlib

    from reach_studio.ui.editors.base import EditorBase, TaskEditor

    for features, module, name in editor_registry._BUILTIN:
        cls = getattr(importlib.import_module(f"reach_studio.ui.editors.{module}"), name)
        assert issubclass(cls, TaskEditor), (module, name)
        assert features
        if issubclass(cls, EditorBase):  # what EditorBase leaves to each editor is there
            for method in ("_snapshot_payload", "delivery_problem", "delivery_work"):
                assert getattr(cls, method) is not getattr(EditorBase, method), (name, method)


def test_builtin_editors_are_registered_on_first_lookup(monkeypatch):
    monkeypatch.setattr(editor_registry, "_registry", {})
    monkeypatch.setattr(editor_registry, "_loaded", False)
    served = set(editor_registry.registered_features())
    assert {ServiceFeature.CAPTIONS, ServiceFeature.DUBBING, ServiceFeature.SIGN_LANGUAGE} <= served
    assert ServiceFeature.LIVE_CAPTION in served
    # a later registration replaces the built-in one
    editor_registry.register_editor([ServiceFeature.CAPTIONS], print)
    assert editor_registry.editor_for(ServiceFeature.CAPTIONS) is print
