"""The caption thresholds one task is edited against: guideline defaults for the language, then the
linguist's own settings (reading speed, durations, gap, characters per line), then the REACH profile,
which wins wherever it sets a value (today: characters per line).

One place, so the problems list, the fixes, the nudges and the timeline's minimum gap agree.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from reach_studio.domain.caption_rules import CaptionRules
from reach_studio.domain.task import Task

log = logging.getLogger(__name__)

SETTING_FIELDS = {
    "caption_max_cps": "max_chars_per_second",
    "caption_min_duration_ms": "min_duration_ms",
    "caption_max_duration_ms": "max_duration_ms",
    "caption_min_gap_ms": "min_gap_ms",
    "caption_max_chars_per_line": "max_chars_per_line",
}


def user_overrides(settings=None) -> dict[str, float]:
    """The non-zero caption settings as CaptionRules fields."""
    try:
        if settings is None:
            from reach_studio.settings import Settings

            settings = Settings()
        return {field: settings.get(key) for key, field in SETTING_FIELDS.items() if settings.get(key)}
    except Exception as exc:  # noqa: BLE001 - damaged settings must not stop the editor
        log.warning("using guideline caption rules: %s", exc)
        return {}


def task_rules(task: Task | None, language: str | None = None, settings=None) -> CaptionRules:
    profile = task.reach_profile if task is not None else None
    rules = CaptionRules.from_profile(None, language)
    overrides = user_overrides(settings)
    if overrides:
        rules = replace(rules, **overrides)
    limit = getattr(profile, "max_characters_per_caption_line", None) if profile is not None else None
    if isinstance(limit, int) and limit > 0:
        rules = replace(rules, max_chars_per_line=limit)  # the customer's profile wins
    return rules
