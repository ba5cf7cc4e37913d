"""The settings dialog: a form over the declared options in `reach_studio.settings`.

It edits a copy and applies on OK, so a half-filled form never leaves settings in an odd state; each
value is validated by the declarations module and problems are shown next to the buttons.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reach_studio.settings import DEFAULT_HOTKEYS, OPTIONS, Settings, SettingsError
from reach_studio.ui.editors.shortcuts import EDITOR_ACTIONS, SHELL_ACTIONS
from reach_studio.ui.style import plain, set_tone


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings

        self.poll = QSpinBox(minimum=5, maximum=3600, suffix=" s")
        self.poll.setValue(settings.get("poll_interval_s"))
        self.cache = QSpinBox(minimum=100, maximum=2_000_000, suffix=" MB", singleStep=1000)
        self.cache.setValue(settings.get("cache_size_mb"))
        self.warn = QSpinBox(minimum=1, maximum=10_000, suffix=" min")
        self.warn.setValue(settings.get("countdown_warn_minutes"))
        self.queue_order = QComboBox()
        self.queue_order.addItem("Earliest deadline first, whatever the customer", "deadline")
        self.queue_order.addItem("Round-robin across customers (supervisor)", "customer_round_robin")
        self.queue_order.setCurrentIndex(max(0, self.queue_order.findData(settings.get("queue_order"))))
        self.media_dir = QLineEdit(settings.get("media_dir"))
        self.media_dir.setPlaceholderText(str(settings.media_dir()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        media_row = QHBoxLayout()
        media_row.addWidget(self.media_dir, 1)
        media_row.addWidget(browse)
        self.regions = {r: QCheckBox(r) for r in ("US", "EU", "CA")}
        region_row = QHBoxLayout()
        for r, box in self.regions.items():
            box.setChecked(r in settings.get("processing_regions"))
            region_row.addWidget(box)
        region_row.addStretch(1)
        self.types = {t: QCheckBox(t.title()) for t in ("HUMAN", "MACHINE", "HYBRID")}
        type_row = QHBoxLayout()
        for t, box in self.types.items():
            box.setChecked(t in settings.get("service_types"))
            type_row.addWidget(box)
        type_row.addStretch(1)
        self.restore = QCheckBox("Offer to restore open drafts at start-up")
        self.restore.setChecked(settings.get("restore_drafts_prompt"))

        general = QWidget()
        form = QFormLayout(general)
        form.addRow(OPTIONS["poll_interval_s"].label, self.poll)
        form.addRow(OPTIONS["media_dir"].label, media_row)
        form.addRow(OPTIONS["cache_size_mb"].label, self.cache)
        form.addRow(OPTIONS["processing_regions"].label, region_row)
        form.addRow(OPTIONS["service_types"].label, type_row)
        form.addRow(OPTIONS["queue_order"].label, self.queue_order)
        form.addRow(OPTIONS["countdown_warn_minutes"].label, self.warn)
        form.addRow("", self.restore)

        captions = QWidget()
        caption_form = QFormLayout(captions)
        self.caption_limits: dict[str, QSpinBox] = {}
        for key, maximum, suffix in (
            ("caption_max_cps", 60, " chars/s"),
            ("caption_min_duration_ms", 10_000, " ms"),
            ("caption_max_duration_ms", 60_000, " ms"),
            ("caption_min_gap_ms", 2_000, " ms"),
            ("caption_max_chars_per_line", 200, " chars"),
        ):
            box = QSpinBox(minimum=0, maximum=maximum, suffix=suffix)
            box.setSpecialValueText("guideline")  # 0: the guideline value for the language
            box.setValue(settings.get(key))
            self.caption_limits[key] = box
            caption_form.addRow(OPTIONS[key].label, box)
        note = QLabel(
            "Where the customer's REACH profile sets a value (characters per line), the profile wins."
        )
        note.setWordWrap(True)
        caption_form.addRow("", note)

        keys = QWidget()
        key_form = QFormLayout(keys)
        self.hotkeys: dict[str, QKeySequenceEdit] = {}
        current = settings.get("hotkeys")
        for action in DEFAULT_HOTKEYS:
            edit = QKeySequenceEdit(QKeySequence(current.get(action, DEFAULT_HOTKEYS[action])))
            self.hotkeys[action] = edit
            key_form.addRow(_label(action), edit)

        tabs = QTabWidget()
        tabs.addTab(general, "General")
        tabs.addTab(captions, "Captions")
        scroll = QScrollArea()
        scroll.setWidget(keys)
        scroll.setWidgetResizable(True)
        tabs.addTab(scroll, "Keyboard")
        self.error = plain(QLabel())
        set_tone(self.error, "error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Media cache folder", self.media_dir.text())
        if folder:
            self.media_dir.setText(folder)

    def values(self) -> dict:
        return {
            "poll_interval_s": self.poll.value(),
            "cache_size_mb": self.cache.value(),
            "countdown_warn_minutes": self.warn.value(),
            "media_dir": self.media_dir.text().strip(),
            "processing_regions": [r for r, b in self.regions.items() if b.isChecked()],
            "service_types": [t for t, b in self.types.items() if b.isChecked()],
            "restore_drafts_prompt": self.restore.isChecked(),
            "queue_order": self.queue_order.currentData(),
            "hotkeys": {a: e.keySequence().toString() or DEFAULT_HOTKEYS[a] for a, e in self.hotkeys.items()},
            **{key: box.value() for key, box in self.caption_limits.items()},
        }

    def apply(self) -> None:
        values = self.values()
        if not values["processing_regions"]:
            self.error.setText("Choose at least one processing region, or you will be offered no tasks.")
            return
        if not values["service_types"]:
            self.error.setText("Choose at least one service type.")
            return
        used: dict[str, str] = {}
        for action, key in values["hotkeys"].items():
            if key in used:
                self.error.setText(f"{key} is used for both '{_label(used[key])}' and '{_label(action)}'.")
                return
            used[key] = action
        try:
            for key, value in values.items():
                if self.settings.get(key) != value:
                    self.settings.set(key, value)
        except SettingsError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def _label(action: str) -> str:
    """What a key does, as the shortcut list (Help → Keyboard shortcuts) says it: one text per action."""
    if action in SHELL_ACTIONS:
        return SHELL_ACTIONS[action]
    if action in EDITOR_ACTIONS:
        return EDITOR_ACTIONS[action][1]
    return action.replace("editor_", "editor: ").replace("_", " ")
