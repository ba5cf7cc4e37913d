"""Every user setting declared once, typed, with its default — and persisted across restarts.

One declarations module (as Picard's config does) means the settings dialog, the engine and the tests
all agree on names, types and defaults. Storage is a small JSON file under `paths.config_dir()`,
written atomically so a crash never leaves half a file. Secrets are never settings: the app token
lives in `reach_studio.secret_store`, and `Settings` refuses to store anything that looks like one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reach_studio import paths

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


class SettingsError(Exception):
    """A setting was given a value it cannot take (the message names the setting and why)."""


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    label: str
    check: Callable[[Any], str | None] | None = None  # returns an error message, or None when valid


def _range(lo: float, hi: float) -> Callable[[Any], str | None]:
    return lambda v: None if lo <= v <= hi else f"must be between {lo:g} and {hi:g}"


def _regions(value: list) -> str | None:
    allowed = {"US", "EU", "CA"}
    bad = [r for r in value if r not in allowed]
    return f"unknown processing regions {bad}; use US, EU or CA" if bad else None


def _queue_order(value: str) -> str | None:
    allowed = ("deadline", "customer_round_robin")
    return None if value in allowed else f"must be one of {', '.join(allowed)}"


def _service_types(value: list) -> str | None:
    bad = [t for t in value if t not in ("HUMAN", "MACHINE", "HYBRID")]
    return f"unknown service types {bad}" if bad else None


SECRET_FIELDS = ("app_token", "apptoken", "admin_secret", "adminsecret", "ks", "secret", "password", "token")


def _team_url(value: str) -> str | None:
    from urllib.parse import urlsplit

    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("postgresql", "postgres"):
        return "must be a postgresql:// URL"
    from reach_studio.team.config import carries_password

    if parts.password or carries_password(value):  # also ?password=, which urlsplit does not see
        return "must not contain a password: libpq reads it from ~/.pgpass or PGPASSWORD"
    return None


def _accounts(value: list) -> str | None:
    for account in value:
        if not isinstance(account, dict):
            return "each account must be a mapping"
        for field in account:
            if field.lower() in SECRET_FIELDS:
                return f"'{field}' is a secret and is kept in the keyring, never in the settings file"
        if not account.get("service_url") or not account.get("vendor_partner_id"):
            return "each account needs a service_url and a vendor_partner_id"
    return None


DEFAULT_HOTKEYS: dict[str, str] = {
    "refresh": "F5",
    "claim": "Ctrl+Return",
    "open_task": "Return",
    "fail_task": "Ctrl+Shift+F",
    "show_log": "Ctrl+L",
    "toggle_details": "Ctrl+Shift+I",
    "settings": "Ctrl+,",
    "quit": "Ctrl+Q",
    "play_pause": "Ctrl+Space",
    "editor_play_pause_space": "Space",
    "editor_play_cue": "Ctrl+Shift+Space",
    "editor_play_before": "Alt+Q",
    "editor_play_after": "Alt+W",
    "editor_back_and_play": "Alt+K",
    # timed-text editors (ui/editors/shortcuts.py describes each)
    "editor_insert_at_playhead": "Insert",
    "editor_set_start": "F11",
    "editor_set_end_next": "F12",
    "editor_nudge_start_back": "Alt+[",
    "editor_nudge_start_forward": "Alt+]",
    "editor_nudge_end_back": "Alt+Left",
    "editor_nudge_end_forward": "Alt+Right",
    "editor_frame_back": "Alt+,",
    "editor_frame_forward": "Alt+.",
    "editor_seek_back": "Alt+J",
    "editor_seek_forward": "Alt+L",
    "editor_loop_cue": "Ctrl+Shift+L",
    "editor_previous": "Alt+Up",
    "editor_next": "Alt+Down",
    "editor_delete": "Ctrl+Delete",
    "editor_split": "Alt+S",
    "editor_merge": "Alt+M",
    "editor_reflow": "Alt+R",
    "editor_speaker_change": "Alt+Shift+.",
    "editor_speaker_pick": "Alt+P",
    "editor_find": "Ctrl+F",
    "editor_spell_check": "F7",
    "editor_deliver": "Ctrl+Shift+D",
}


OPTIONS: dict[str, Option] = {
    o.key: o
    for o in (
        Option("media_dir", str, "", "Media cache folder (empty: the standard cache folder)"),
        Option("cache_size_mb", int, 20_000, "Media cache size limit (MB)", _range(100, 2_000_000)),
        Option("poll_interval_s", int, 30, "Poll for new tasks every (seconds)", _range(5, 3600)),
        Option("processing_regions", list, ["US", "EU", "CA"], "Regions I may process in", _regions),
        Option("service_types", list, ["HUMAN"], "Service types offered", _service_types),
        Option("queue_order", str, "deadline", "Queue order", _queue_order),
        Option("hotkeys", dict, dict(DEFAULT_HOTKEYS), "Keyboard shortcuts"),
        Option("accounts", list, [], "Vendor accounts (no secrets)", _accounts),
        Option(
            "countdown_warn_minutes",
            int,
            120,
            "Colour the countdown when less than (minutes)",
            _range(1, 10_000),
        ),
        Option("restore_drafts_prompt", bool, True, "Offer to restore open drafts at start-up"),
        Option(
            "team_db_url",
            str,
            "",
            "Team store (postgresql:// URL; empty: work alone) [env REACH_TEAM_DB]",
            _team_url,
        ),
        # The linguist's own caption guidelines (0 = the guideline default for the language). The REACH
        # profile's characters per line always wins where the profile sets one (editor/task_rules.py).
        Option(
            "caption_max_cps",
            int,
            0,
            "Reading speed: at most (characters per second; 0: guideline)",
            _range(0, 60),
        ),
        Option("caption_min_duration_ms", int, 0, "Shortest cue (ms; 0: guideline)", _range(0, 10_000)),
        Option("caption_max_duration_ms", int, 0, "Longest cue (ms; 0: guideline)", _range(0, 60_000)),
        Option("caption_min_gap_ms", int, 0, "Minimum gap between cues (ms; 0: guideline)", _range(0, 2_000)),
        Option(
            "caption_max_chars_per_line",
            int,
            0,
            "Characters per line (0: guideline; the profile wins)",
            _range(0, 200),
        ),
        Option("description_wpm", int, 160, "Description speaking rate (words per minute)", _range(60, 300)),
        Option("details_pane", bool, True, "Show the task details pane beside the lists and editors"),
        Option("import_dir", str, "", "Folder the last imported file (take, script, signed video) came from"),
        # Qt's saveGeometry() as base64: size, position and maximised state of the main window
        Option(
            "window_geometry",
            str,
            "",
            "Main window size and position (kept a second after each resize or move)",
        ),
    )
}


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older version up to SETTINGS_VERSION (explicit hooks, as Picard does)."""
    version = int(data.pop("_version", SETTINGS_VERSION))
    if version > SETTINGS_VERSION:
        log.warning(
            "settings were written by a newer Reach Studio (version %s); unknown keys are kept", version
        )
    return data


class Settings:
    """Typed access to the declared options; `set` validates and saves at once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self._unknown: dict[str, Any] = {}
        self._load()

    def _read(self) -> dict:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")  # noqa: TRY004 - handled with the parse errors
        return data

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = self._read()
        except (OSError, ValueError) as exc:
            # A damaged settings file must not stop the app: keep it aside and start from defaults.
            backup = self.path.with_suffix(".damaged.json")
            log.warning(
                "settings file %s is damaged (%s); using defaults, kept it as %s", self.path, exc, backup
            )
            try:
                self.path.replace(backup)
            except OSError:
                pass
            return
        self._apply(data)

    def _apply(self, data: dict) -> None:
        for key, value in _upgrade(data).items():
            option = OPTIONS.get(key)
            if option is None:
                self._unknown[key] = value
                continue
            try:
                self._values[key] = self._validated(option, value)
            except SettingsError as exc:
                log.warning("ignoring setting from file: %s", exc)

    def get(self, key: str) -> Any:
        option = self._option(key)
        value = self._values.get(key, option.default)
        # Hand out copies of mutable values so callers cannot change settings behind our back.
        return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value

    __getitem__ = get

    def set(self, key: str, value: Any) -> None:
        option = self._option(key)
        value = self._validated(option, value)
        self._refresh()
        self._values[key] = value
        self.save()

    def reset(self, key: str) -> None:
        self._option(key)
        self._refresh()
        self._values.pop(key, None)
        self.save()

    def _refresh(self) -> None:
        """Take what other Settings objects saved since this one was read (an editor keeps its own:
        import_dir, description_wpm), so that saving one key never puts their older values back."""
        try:
            data = self._read()
        except (OSError, ValueError):
            return  # absent or damaged: what this object holds is what gets saved
        self._values, self._unknown = {}, {}
        self._apply(data)

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in OPTIONS}

    def save(self) -> None:
        data = {"_version": SETTINGS_VERSION, **self._unknown, **self._values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise SettingsError(f"cannot save settings to {self.path}: {exc}") from exc

    # convenience for the engine and the shell
    def media_dir(self) -> Path:
        configured = self.get("media_dir")
        return Path(configured) if configured else paths.cache_dir() / "media"

    @staticmethod
    def _option(key: str) -> Option:
        try:
            return OPTIONS[key]
        except KeyError:
            raise SettingsError(f"there is no setting called '{key}'") from None

    @staticmethod
    def _validated(option: Option, value: Any) -> Any:
        if option.type is int and isinstance(value, bool) or not isinstance(value, option.type):
            if option.type is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            else:
                raise SettingsError(
                    f"setting '{option.key}' must be {option.type.__name__}, not {type(value).__name__}"
                )
        if option.key == "hotkeys":
            unknown = [k for k in value if k not in DEFAULT_HOTKEYS]
            if unknown or not all(isinstance(v, str) for v in value.values()):
                raise SettingsError(f"setting 'hotkeys' has unknown actions {unknown} or non-text keys")
            value = {**DEFAULT_HOTKEYS, **value}
        if option.check is not None:
            problem = option.check(value)
            if problem:
                raise SettingsError(f"setting '{option.key}' {problem}")
        return value
