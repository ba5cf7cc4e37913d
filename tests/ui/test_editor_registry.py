"""The registry routes a task's service feature to the editor registered for it."""

from __future__ import annotations

from reach_studio.domain.enums import ServiceFeature
from reach_studio.ui import editor_registry


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
