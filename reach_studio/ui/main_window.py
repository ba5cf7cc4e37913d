"""The window a linguist lives in: the fair queue, "My tasks", task workspaces, menus and status bar.

It only presents and forwards: every REACH call, download and key extension goes through the
`TaskService` adapter (workers/), which runs it off the GUI thread and reports back with signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reach_studio import APP_NAME
from reach_studio.domain.enums import ProcessingRegion, ServiceFeature, ServiceType
from reach_studio.domain.task import Task
from reach_studio.domain.task_mapping import task_from_dict, task_to_dict
from reach_studio.redaction import redact
from reach_studio.secret_store import SecretStore
from reach_studio.settings import Settings, SettingsError
from reach_studio.store.drafts import DraftInfo, DraftStore
from reach_studio.ui.editors.registry import TaskContext, registered_features
from reach_studio.ui.editors.registry import prepare as prepare_editor_modules
from reach_studio.ui.log_window import LogWindow, install_log_buffer
from reach_studio.ui.player import PlayerError, create_player
from reach_studio.ui.player import warm_up as warm_up_player
from reach_studio.ui.queue_model import entry_label, service_label
from reach_studio.ui.queue_view import QueueView
from reach_studio.ui.style import plain, rich, set_tone
from reach_studio.ui.task_details import TaskDetails
from reach_studio.ui.task_workspace import TaskWorkspace, workspace_draft_key
from reach_studio.ui.team_tab import attach_team_mode
from reach_studio.workers.background import document_executor, run_in_background
from reach_studio.workers.task_service import TaskService, is_live_task

log = logging.getLogger(__name__)

TaskKey = tuple[str, int]
_editor_modules_frozen = False  # MainWindow._freeze_loaded ran in this process
GEOMETRY_SAVE_MS = 1000  # the window's size and place are kept this long after the last resize or move


class FailTaskDialog(QDialog):
    """Asks for the reason (sent to Kaltura as errDescription) and a confirmation."""

    def __init__(self, task: Task, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task = task
        self.setWindowTitle(f"Fail task {task.id}")
        text = rich(QLabel())
        text.setText(
            f"Mark task {task.id} as failed? Kaltura sets it to <b>Error</b> and the customer sees the reason "
            "below. This cannot be undone from Reach Studio."
        )
        text.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(
            "Reason, e.g. 'The audio is not in the ordered source language (Spanish)'"
        )
        self.reason.setMaximumHeight(90)
        self.buttons = QDialogButtonBox()
        self.confirm = self.buttons.addButton("Fail task", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm.setEnabled(False)
        self.reason.textChanged.connect(
            lambda: self.confirm.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        self.confirm.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()


class RestoreDraftsDialog(QDialog):
    """ "Restore open drafts?" after a crash or kill: one line per draft, all checked.

    Each line names the entry and the service as the queue does (`tasks`: draft key → the task, where it
    is known); never the draft store's internal kind ("audio_description")."""

    def __init__(
        self, drafts: list[DraftInfo], parent: QWidget | None = None, tasks: dict[str, Task] | None = None
    ) -> None:
        super().__init__(parent)
        import time

        self.setWindowTitle("Restore drafts")
        count = f"{len(drafts)} task draft" + ("s were" if len(drafts) != 1 else " was")
        them = "them" if len(drafts) != 1 else "it"
        intro = QLabel(f"{count} open when {APP_NAME} last stopped. Restore {them}?")
        intro.setWordWrap(True)
        self.list = QListWidget()
        for info in drafts:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.updated_at))
            task = (tasks or {}).get(info.task_key)
            if task is not None:
                what = f"{entry_label(task)} — {service_label(task)}, task {task.id}"
            else:  # the editor's own words ("Audio description · task 1008"), kept with the draft
                what = info.label or f"Draft {info.task_key}"
            item = QListWidgetItem(f"{what}, saved {when}")
            item.setData(Qt.ItemDataRole.UserRole, info.task_key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        # wide enough to read each line whole (up to a limit; longer ones still scroll)
        frame = 2 * self.list.frameWidth() + self.list.verticalScrollBar().sizeHint().width() + 8
        self.list.setMinimumWidth(min(self.list.sizeHintForColumn(0) + frame, 900))
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = self.buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)

    def chosen(self) -> list[str]:
        return [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


class MainWindow(QMainWindow):
    workspace_opened = Signal(object)  # TaskWorkspace

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        drafts: DraftStore,
        service: TaskService | None = None,
        *,
        demo: Callable | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.secrets = secrets
        self.drafts = drafts
        self.service = service or TaskService(parent=self)
        self.demo = demo
        self.workspaces: dict[TaskKey, TaskWorkspace] = {}
        self._prepared: set[ServiceFeature] = set()  # editor kinds whose modules are loaded or loading
        # players opening a task's stream while its claim is confirmed: handed to its editor, or dropped
        self._warm_players: dict[TaskKey, tuple[object, object]] = {}
        self.customer_names: dict[int, str] = {}
        self.log_buffer = install_log_buffer()
        self.log_window: LogWindow | None = None
        self.fail_dialog: FailTaskDialog | None = None
        self.claim_message: QMessageBox | None = None
        self.task_message: QMessageBox | None = None
        self.sign_in_dialog = None
        self.restore_dialog: RestoreDraftsDialog | None = None
        self._restore_offered = False
        self.setWindowTitle(APP_NAME)
        self.resize(1200, 720)
        self._restore_geometry()
        # kept a moment after each resize or move too, not only at a clean close: a crash or a kill -9
        # must not bring the window back at the default size
        self._geometry_timer = QTimer(self, singleShot=True, interval=GEOMETRY_SAVE_MS)
        self._geometry_timer.timeout.connect(self.save_geometry)

        self.queue = QueueView(empty_text="No tasks waiting")
        self.mine = QueueView(empty_text="You have not claimed any task")
        self.details = TaskDetails()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.addTab(self.queue, "Queue")
        self.tabs.addTab(self.mine, "My tasks")
        for i in (0, 1):  # the two lists cannot be closed
            self.tabs.tabBar().setTabButton(i, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.currentChanged.connect(self._tab_changed)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([880, 320])
        self.splitter = split
        self.setCentralWidget(split)
        self.team_tab = attach_team_mode(self)  # None unless a team store is configured (ui/team_tab.py)

        self.queue.current_task_changed.connect(self._selection_changed)
        self.mine.current_task_changed.connect(self._selection_changed)
        # A double click (or Return) opens one of my tasks; in the queue it only selects: claiming is an
        # explicit action (button, menu, Ctrl+Return), never a stray double click.
        self.mine.task_activated.connect(self.open_task)

        self._build_status_bar()
        self._build_actions()
        self._connect_service()
        self._apply_settings()

        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._countdown)
        self._tick.start()
        self._load_remembered_tasks()
        self.service.purge_media()  # media whose scheduled deletion (week/month policies) is due

    # -- construction ----------------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.activity = plain(QLabel("Not signed in"))  # shows Kaltura errors and entry names
        self.routine_label = plain(QLabel())  # "Queue updated at …": routine, never over `activity`
        set_tone(self.routine_label, "muted")
        # status texts may be cut short, never widen the window past a 1024 px screen (the voice panel)
        for label in (self.activity, self.routine_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.accounts_label = plain(QLabel())
        self.download_bar = QProgressBar()
        self.download_bar.setMaximumWidth(220)
        self.download_bar.setMaximumHeight(16)
        self.download_bar.hide()
        self.cancel_download_button = QPushButton("Cancel download")
        self.cancel_download_button.setFlat(True)
        self.cancel_download_button.hide()
        self.cancel_download_button.clicked.connect(self._cancel_current_download)
        bar.addWidget(self.activity, 1)
        bar.addPermanentWidget(self.download_bar)
        bar.addPermanentWidget(self.cancel_download_button)
        bar.addPermanentWidget(self.routine_label)
        bar.addPermanentWidget(self.accounts_label)
        self._status_download: TaskKey | None = None

    def _build_actions(self) -> None:
        hot = self.settings.get("hotkeys")
        menu = self.menuBar()

        def action(text: str, slot, key: str | None = None, tip: str = "") -> QAction:
            a = QAction(text, self)
            if key:
                a.setShortcut(QKeySequence(hot.get(key, "")))
            if tip:
                a.setStatusTip(tip)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        self.actions: dict[str, QAction] = {}
        file_menu = menu.addMenu("&File")
        self.actions["add_account"] = action("&Add account…", self.show_sign_in)
        self.actions["demo"] = action("Try the &demo", self.start_demo)
        self.actions["settings"] = action("&Settings…", self.show_settings, "settings")
        self.actions["quit"] = action("&Quit", self.close, "quit")
        for key in ("add_account", "demo", "settings"):
            file_menu.addAction(self.actions[key])
        file_menu.addSeparator()
        file_menu.addAction(self.actions["quit"])
        self.actions["demo"].setEnabled(self.demo is not None)

        task_menu = menu.addMenu("&Task")
        self.actions["refresh"] = action("&Refresh queue", lambda: self.service.poll_now(), "refresh")
        self.actions["claim"] = action(
            "&Claim",
            lambda: self.claim(self.queue.selected_task()),
            "claim",
            "Take the selected task: it moves to Processing (a live task: Scheduled) and into My tasks",
        )
        self.actions["open_task"] = action(
            "&Open", lambda: self.open_task(self.mine.selected_task()), "open_task"
        )
        self.actions["fail_task"] = action(
            "&Fail task…", lambda: self.request_fail(self._selected_mine()), "fail_task"
        )
        self.actions["cancel_download"] = action("Cancel &download", self._cancel_current_download)
        for key in ("refresh", "claim", "open_task", "fail_task", "cancel_download"):
            task_menu.addAction(self.actions[key])
        # Return / Ctrl+Return only where they mean something, so editors keep those keys for text
        for key, view in (("claim", self.queue), ("open_task", self.mine)):
            self.actions[key].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.removeAction(self.actions[key])
            view.addAction(self.actions[key])
        self.queue.add_button(self.actions["claim"])
        self.queue.add_button(self.actions["refresh"])
        self.mine.add_button(self.actions["open_task"])
        self.mine.add_button(self.actions["fail_task"])

        view_menu = menu.addMenu("&View")
        self.actions["show_log"] = action("&Log", self.show_log, "show_log")
        view_menu.addAction(self.actions["show_log"])
        self.actions["toggle_details"] = action(
            "Task &details", self._show_details, "toggle_details", "The pane beside the lists and editors"
        )
        self.actions["toggle_details"].setCheckable(True)
        self.actions["toggle_details"].setChecked(bool(self.settings.get("details_pane")))
        self.details.setVisible(self.actions["toggle_details"].isChecked())
        view_menu.addAction(self.actions["toggle_details"])
        help_menu = menu.addMenu("&Help")
        self.actions["shortcuts"] = action("&Keyboard shortcuts", self.show_shortcuts)
        help_menu.addAction(self.actions["shortcuts"])
        self.actions["about"] = action("&About Reach Studio", self.show_about)
        help_menu.addAction(self.actions["about"])

    def _connect_service(self) -> None:
        s = self.service
        s.queue_changed.connect(self.queue.set_tasks)
        s.my_tasks_changed.connect(self._my_tasks_changed)
        s.explanations_changed.connect(self._explanations)
        s.task_warnings_changed.connect(self.queue.model.set_warnings)
        s.task_warnings_changed.connect(self.details.set_warnings)
        s.activity.connect(self.activity.setText)
        s.routine.connect(self.routine_label.setText)
        s.error.connect(self._error)
        s.claimed.connect(self._claimed)
        s.claim_failed.connect(self._claim_failed)
        s.failed_task.connect(self._task_failed)
        s.task_updated.connect(self._task_updated)
        s.task_gone.connect(self._task_gone)
        s.download_started.connect(self._download_started)
        s.download_progress.connect(self._download_progress)
        s.download_finished.connect(self._download_finished)
        s.download_failed.connect(self._download_failed)
        s.download_cancelled.connect(self._download_cancelled)
        s.stream_ready.connect(self._stream_ready)
        s.stream_prepared.connect(self._stream_prepared)
        s.waveform_grew.connect(self._waveform_grew)
        s.live_ready.connect(self._live_ready)

    def _apply_settings(self) -> None:
        regions = frozenset(ProcessingRegion[r] for r in self.settings.get("processing_regions"))
        types = frozenset(ServiceType[t] for t in self.settings.get("service_types"))
        self.service.set_filters(types, regions)
        self.service.set_poll_interval(self.settings.get("poll_interval_s"))
        self.service.set_queue_order(self.settings.get("queue_order"))
        self.queue.set_regions(regions)
        warn = self.settings.get("countdown_warn_minutes") * 60
        self.queue.model.warn_seconds = self.mine.model.warn_seconds = warn
        if hasattr(self.service.ops, "media_dir"):
            self.service.ops.media_dir = self.settings.media_dir()
            self.service.ops.cache_bytes = self.settings.get("cache_size_mb") * 1024 * 1024
        hot = self.settings.get("hotkeys")
        for key, act in self.actions.items():
            if key in hot:
                act.setShortcut(QKeySequence(hot[key]))

    # -- accounts --------------------------------------------------------------------------------------

    def add_connection(self, connection, *, demo: bool = False) -> None:
        account = connection.account
        self.service.add_connection(connection)
        self.queue.model.account_names[account.key] = account.display_name()
        self.mine.model.account_names[account.key] = account.display_name()
        if not demo:
            self._remember_account(account)
        elif hasattr(self.demo, "customer_names"):
            names = self.demo.customer_names()
            for target in (
                self.queue.model.customer_names,
                self.mine.model.customer_names,
                self.details.customer_names,
            ):
                target.update(names)
        names = [c.account.display_name() for c in self.service.connections.values()]
        self.accounts_label.setText("Signed in: " + ", ".join(names))
        if not self.service._poll_timer.isActive():
            self.service.start(self.settings.get("poll_interval_s"))
        QTimer.singleShot(0, self.offer_draft_restore)
        QTimer.singleShot(0, lambda: self.prepare_editor(ServiceFeature.CAPTIONS))  # the most common kind

    def _remember_account(self, account) -> None:
        accounts = [
            a
            for a in self.settings.get("accounts")
            if a.get("service_url") != account.service_url
            or a.get("vendor_partner_id") != account.vendor_partner_id
        ]
        accounts.append(
            {
                "service_url": account.service_url,
                "vendor_partner_id": account.vendor_partner_id,
                "vendor_name": account.vendor_name,
                "app_token_id": account.app_token_id or "",
                "label": account.label,
            }
        )
        self.settings.set("accounts", accounts)

    def show_sign_in(self) -> None:
        from reach_studio.ui.sign_in_dialog import SignInDialog

        known = self.settings.get("accounts")
        dialog = SignInDialog(self.secrets, self, demo=self.demo, initial=known[-1] if known else None)
        dialog.signed_in.connect(lambda conn: self.add_connection(conn, demo=dialog.is_demo))
        self.sign_in_dialog = dialog
        dialog.open()

    def start_demo(self) -> None:
        from reach_studio.ui.sign_in_dialog import SignInDialog

        if self.demo is None:
            return
        dialog = SignInDialog(self.secrets, self, demo=self.demo)
        dialog.signed_in.connect(lambda conn: self.add_connection(conn, demo=True))
        self.sign_in_dialog = dialog
        dialog.open()
        dialog.try_demo()

    # -- queue actions ---------------------------------------------------------------------------------

    def claim(self, task: Task | None) -> None:
        if task is None:
            self.activity.setText("Select a task in the queue to claim it.")
            return
        self.prepare_editor(task.feature)  # while the claim's round trips run
        self.service.claim(task)

    def prepare_editor(self, feature: ServiceFeature | None) -> None:
        """Load, off the GUI thread, what opening a task of this kind would load on it: the editor's
        modules and the player's native libraries (a second or more on a first open, the window frozen)."""
        if feature is None or feature in self._prepared:
            return
        self._prepared.add(feature)
        warm_up_player()
        run_in_background(
            lambda token, progress: prepare_editor_modules(feature),
            on_done=lambda _result: self._freeze_loaded(),
            on_error=lambda exc: log.info("preparing the %s editor failed: %s", feature.name, exc),
        )

    def _freeze_loaded(self) -> None:
        """The editor's modules live as long as the app: out of the collector's full passes, as the start-up
        objects are (ui/app.freeze_startup_objects), once per process, before the first task opens (a full
        pass over them took 600 ms at Claim in bench_gui_stall)."""
        global _editor_modules_frozen
        if not _editor_modules_frozen:
            _editor_modules_frozen = True
            from reach_studio.ui.app import freeze_startup_objects

            freeze_startup_objects()

    def _store(self, fn, *args) -> None:
        """A drafts-store write off the GUI thread, in order with the editors' draft writes."""
        run_in_background(
            lambda token, progress: fn(*args),
            on_error=lambda exc: self._error(str(exc)),
            executor=document_executor(),
        )

    def _claimed(self, task: Task) -> None:
        self._store(self.drafts.remember_task, workspace_draft_key(task), task_to_dict(task))
        if is_live_task(task):  # scheduled, not downloaded: straight to its live console
            self.mine.select_task(task.account, task.id)
            self.open_task(task)
            return
        self.service.start_download(task)
        self.mine.select_task(task.account, task.id)
        # The editor opens at once: the draft is usable now and the stream plays while the media downloads.
        self.open_task(task)

    def _live_ready(self, key: TaskKey, session) -> None:
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.attach_live_session(session)

    def _claim_failed(self, key: TaskKey, message: str) -> None:
        self._drop_warm_player(key)  # the claim is lost: its stream is not ours to play
        self.activity.setText(message)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Task not claimed", message, QMessageBox.StandardButton.Ok, self
        )
        plain(box)
        self.claim_message = box
        box.open()  # not exec(): the queue keeps updating behind it

    def _selected_mine(self) -> Task | None:
        current = self.tabs.currentWidget()
        if isinstance(current, TaskWorkspace):
            return current.task
        return self.mine.selected_task()

    def request_fail(self, task: Task | None) -> None:
        if task is None:
            self.activity.setText("Select one of your tasks to fail it.")
            return
        dialog = FailTaskDialog(task, self)
        dialog.accepted.connect(lambda: self.service.fail(task, dialog.reason_text()))
        self.fail_dialog = dialog
        dialog.open()

    def _task_failed(self, task: Task) -> None:
        key = (task.account, task.id)
        ws = self.workspaces.pop(key, None)
        if ws is not None:
            ws.close_workspace()
            self.tabs.removeTab(self.tabs.indexOf(ws))
            ws.deleteLater()
        self._store(self.drafts.discard, workspace_draft_key(task))
        self._store(self.drafts.forget_task, workspace_draft_key(task))

    def _task_delivered(self, task: Task) -> None:
        key = (task.account, task.id)
        self.service.delivered(task)  # off "My tasks"; the profile's content deletion policy
        self._store(self.drafts.forget_task, workspace_draft_key(task))
        self.activity.setText(f"Task {task.id} delivered")
        ws = self.workspaces.pop(key, None)
        if ws is not None:
            ws.close_workspace()
            self.tabs.removeTab(self.tabs.indexOf(ws))
            ws.deleteLater()

    def _task_gone(self, key: TaskKey, message: str) -> None:
        """A task is no longer ours (aborted, failed by a check): off "My tasks"; its draft stays."""
        self._store(self.drafts.forget_task, f"{key[0] or 'default'}#{int(key[1])}")
        self.activity.setText(message)
        ws = self.workspaces.pop(key, None)
        if ws is not None:
            ws.close_workspace()
            self.tabs.removeTab(self.tabs.indexOf(ws))
            ws.deleteLater()
            box = QMessageBox(
                QMessageBox.Icon.Warning, f"Task {key[1]}", message, QMessageBox.StandardButton.Ok, self
            )
            plain(box)
            self.task_message = box
            box.open()

    def _task_updated(self, task: Task) -> None:
        ws = self.workspaces.get((task.account, task.id))
        if ws is not None:
            ws.update_task(task)
        self._refresh_details([task])

    def _refresh_details(self, tasks: list[Task]) -> None:
        """The pane shows a fresh copy of its task (a live task going Scheduled → Processing kept saying
        "Scheduled" while the console said Live)."""
        shown = self.details.task
        if shown is None:
            return
        for task in tasks:
            if (task.account, task.id) == (shown.account, shown.id) and task is not shown:
                self.details.show_task(task)
                return

    def _my_tasks_changed(self, tasks: list[Task]) -> None:
        self.mine.set_tasks(tasks)
        self._refresh_details(tasks)
        self.tabs.setTabText(
            self.tabs.indexOf(self.mine), f"My tasks ({len(tasks)})" if tasks else "My tasks"
        )

    def _explanations(self, explanations: dict) -> None:
        self.queue.model.explanations = explanations

    def _selection_changed(self, task: Task | None) -> None:
        # Only the list on screen speaks for the pane: a refresh of the queue while a task is open must
        # not replace the open task's details with the queue's selection.
        if self.sender() is self.tabs.currentWidget():
            self.details.show_task(task)

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.queue:
            self.details.show_task(self.queue.selected_task())
        elif widget is self.mine:
            self.details.show_task(self.mine.selected_task())
        elif isinstance(widget, TaskWorkspace):
            self.details.show_task(widget.task)
            widget.setFocus()  # the editor's keys work at once, without clicking a field first

    def _countdown(self) -> None:
        self.queue.tick()
        self.mine.tick()

    def _error(self, message: str) -> None:
        self.activity.setText(message)
        log.warning("%s", message)

    # -- workspaces ------------------------------------------------------------------------------------

    def open_task(self, task: Task | None) -> TaskWorkspace | None:
        if task is None:
            self.activity.setText("Select one of your tasks to open it.")
            return None
        key = (task.account, task.id)
        ws = self.workspaces.get(key)
        if ws is None:
            conn = self.service.connections.get(task.account)
            player, stream = self._warm_players.pop(key, (None, None))
            context = TaskContext(
                task=task,
                connection=conn,
                drafts=self.drafts,
                media_path=self.service.media.get(key),
                player=player,
                stream=stream,
            )
            ws = TaskWorkspace(context)
            if context.player is not None:  # no editor took it (the shell's notes pad plays on its own)
                context.player.close()
                context.player.deleteLater()
                context.take_player()
            ws.cancel_download_requested.connect(self.service.cancel_download)
            ws.retry_download_requested.connect(self._retry_download)
            ws.fail_requested.connect(self.request_fail)
            ws.delivered.connect(self._task_delivered)
            self.workspaces[key] = ws
            self.tabs.addTab(ws, f"Task {task.id}")
            if is_live_task(task):
                session = self.service.live_session(key)
                if session is not None:
                    ws.attach_live_session(session)
                elif conn is not None:  # not served by this app now: schedule it again (fresh token)
                    self.service.schedule_live(task, adopt=True)
            elif key in self.service.downloads:
                ws.download_started()
                if key in self.service.streams or stream is not None:  # the download's, or the claim's
                    ws.stream_ready(self.service.streams.get(key, stream))
                if key in self.service.partial_waveforms:
                    ws.waveform_progress(self.service.partial_waveforms[key])
            elif key not in self.service.media and conn is not None:
                self.service.start_download(task)
            elif conn is None:
                ws.download_failed("sign in to this task's account to download its media")
            if conn is not None and task.feature is not None and task.feature.name == "TRANSLATION":
                self.service.load_source_captions(task, lambda doc, ws=ws: self._source_captions(ws, doc))
            self.workspace_opened.emit(ws)
        self.tabs.setCurrentWidget(ws)
        ws.setFocus()
        return ws

    def _source_captions(self, ws: TaskWorkspace, doc) -> None:
        ws.context.source_captions = doc
        if ws.editor is not None:
            ws.editor.set_source_captions(doc)

    def _retry_download(self, task: Task) -> None:
        ws = self.workspaces.get((task.account, task.id))
        if ws is not None:
            ws.download_started()
        self.service.start_download(task)

    def _close_tab(self, index: int) -> None:
        ws = self.tabs.widget(index)
        if isinstance(ws, TaskWorkspace):
            ws.close_workspace()
            self.workspaces.pop(ws.key, None)
            self.tabs.removeTab(index)
            ws.deleteLater()

    # -- downloads -------------------------------------------------------------------------------------

    def _download_started(self, key: TaskKey) -> None:
        self._status_download = key
        self.download_bar.setRange(0, 0)
        self.download_bar.show()
        self.cancel_download_button.show()
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.download_started()

    def _download_progress(self, key: TaskKey, done: int, total: int) -> None:
        if key == self._status_download and total > 0:
            self.download_bar.setRange(0, 1000)
            self.download_bar.setValue(int(done * 1000 / total))
            self.download_bar.setFormat(f"Task {key[1]}: %p%")
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.download_progress(done, total)

    def _download_done_in_status(self, key: TaskKey) -> None:
        if key == self._status_download:
            others = [k for k in self.service.downloads if k != key]
            self._status_download = others[0] if others else None
            if self._status_download is None:
                self.download_bar.hide()
                self.cancel_download_button.hide()

    def _stream_ready(self, key: TaskKey, source) -> None:
        ws = self.workspaces.get(key)
        if ws is not None and self.service.streams.get(key) is source:  # not one the file already replaced
            ws.stream_ready(source)

    def _stream_prepared(self, key: TaskKey, source) -> None:
        """The claim is written and being confirmed: open its stream in a player now (paused, buffering),
        so it plays at once when the editor opens; the editor takes it over, a lost claim drops it."""
        ws = self.workspaces.get(key)
        if ws is not None:  # the editor opened first: it plays now rather than when the download offers it
            ws.stream_ready(source)
            return
        if key in self._warm_players:
            return
        player = create_player(self)
        if player is None:
            return
        try:
            player.play_stream(source.url, source.duration_ms)
        except PlayerError as exc:
            log.info("not opening the stream of task %s early: %s", key[1], redact(exc))
            player.close()
            return
        self._warm_players[key] = (player, source)

    def _drop_warm_player(self, key: TaskKey) -> None:
        player, _source = self._warm_players.pop(key, (None, None))
        if player is not None:
            player.close()
            player.deleteLater()

    def _waveform_grew(self, key: TaskKey, wave) -> None:
        ws = self.workspaces.get(key)
        if ws is not None and key in self.service.downloads:
            ws.waveform_progress(wave)

    def _download_finished(self, key: TaskKey, path: Path) -> None:
        self._download_done_in_status(key)
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.media_ready(path)

    def _download_failed(self, key: TaskKey, message: str) -> None:
        self._download_done_in_status(key)
        self.activity.setText(f"Download for task {key[1]} failed: {message}")
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.download_failed(message)

    def _download_cancelled(self, key: TaskKey) -> None:
        self._download_done_in_status(key)
        ws = self.workspaces.get(key)
        if ws is not None:
            ws.download_cancelled()

    def _cancel_current_download(self) -> None:
        current = self.tabs.currentWidget()
        key = current.key if isinstance(current, TaskWorkspace) else self._status_download
        if key is not None:
            self.service.cancel_download(key)

    # -- drafts ----------------------------------------------------------------------------------------

    def _load_remembered_tasks(self) -> None:
        tasks = []
        for key, data in self.drafts.remembered_tasks().items():
            try:
                tasks.append(task_from_dict(data))
            except Exception as exc:  # noqa: BLE001 - an unreadable record must not stop the start-up
                log.warning("forgetting unreadable remembered task %s: %s", key, exc)
                self.drafts.forget_task(key)
        if tasks:
            self.service.adopt(tasks)

    def offer_draft_restore(self) -> RestoreDraftsDialog | None:
        """After the first sign-in: offer every open draft (from a crash, a kill or a normal quit)."""
        if self._restore_offered or not self.settings.get("restore_drafts_prompt"):
            return None
        self._restore_offered = True
        infos = [
            i
            for i in self.drafts.open_drafts()
            if not any(workspace_draft_key(ws.task) == i.task_key for ws in self.workspaces.values())
        ]
        if not infos:
            return None
        known = {workspace_draft_key(t): t for t in self.service.mine.values()}
        dialog = RestoreDraftsDialog(infos, self, known)
        dialog.accepted.connect(lambda: self.restore_drafts(dialog.chosen()))
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def restore_drafts(self, keys: list[str]) -> list[TaskWorkspace]:
        remembered = {workspace_draft_key(t): t for t in self.service.mine.values()}
        opened = []
        for key in keys:
            task = remembered.get(key)
            if task is None:  # named as the dialog named it, never by the store's internal key
                labels = {i.task_key: i.label for i in self.drafts.open_drafts()}
                what = labels.get(key) or "one draft"
                self.activity.setText(
                    f"{what}: the task is no longer yours in Kaltura (delivered, taken or cancelled); "
                    "its draft is kept."
                )
                continue
            ws = self.open_task(task)
            if ws is not None:
                opened.append(ws)
        if opened:
            # The dialog just closed: X (without a window manager to hand it back) left the keyboard with
            # no window, so the restored editor's keys did nothing until a field was clicked.
            self.activateWindow()
            opened[-1].setFocus()
        return opened

    # -- dialogs ---------------------------------------------------------------------------------------

    def show_log(self) -> None:
        if self.log_window is None:
            self.log_window = LogWindow(self.log_buffer, self)
        self.log_window.show()
        self.log_window.raise_()

    def show_settings(self) -> None:
        from reach_studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(self._apply_settings)
        dialog.open()

    def show_shortcuts(self) -> None:
        from reach_studio.ui.editors.shortcuts import ShortcutListDialog

        self.shortcuts_dialog = ShortcutListDialog(self.settings.get("hotkeys"), self)
        self.shortcuts_dialog.open()

    def show_about(self) -> None:
        from reach_studio.ui.about import show_about

        show_about(self, self.secrets.describe(), [f.label for f in registered_features()])

    # -- closing ---------------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        """Size and position as the linguist left them (Qt keeps the window on a screen that exists)."""
        saved = self.settings.get("window_geometry")
        if saved:
            self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii")))

    def _show_details(self, shown: bool) -> None:
        """Hide the details pane to give an editor the whole width (a cue list's text column at 1200 px)."""
        self.details.setVisible(shown)
        try:
            self.settings.set("details_pane", bool(shown))
        except SettingsError as exc:
            log.warning("could not remember the details pane: %s", exc)

    def save_geometry(self) -> None:
        try:
            self.settings.set("window_geometry", bytes(self.saveGeometry().toBase64()).decode("ascii"))
        except SettingsError as exc:  # a read-only settings folder must not stop the app from closing
            log.warning("could not remember the window size: %s", exc)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._geometry_timer.start()

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        if self.isVisible():
            self._geometry_timer.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._geometry_timer.stop()
        self.save_geometry()
        for ws in list(self.workspaces.values()):
            ws.close_workspace()
        for key in list(self._warm_players):
            self._drop_warm_player(key)
        self.service.stop()
        from reach_studio.workers.background import wait_for_all

        wait_for_all(5000)  # let queued draft writes finish; downloads were cancelled
        super().closeEvent(event)
