"""The Team tab: who holds what, since when, due when; assign; take over; the review queue.

Presents the team store (reach_studio/team) and forwards the user's actions to it; every call runs off
the GUI thread through `run_in_background`. `attach_team_mode(window)` is the shell's one hook: without a
team store URL it does nothing and the app works alone as before.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reach_studio.domain.enums import TaskStatus
from reach_studio.domain.task import Task
from reach_studio.ui.style import plain
from reach_studio.workers.background import run_in_background

log = logging.getLogger(__name__)

REFRESH_MS = 15000
HOLDER_COLUMNS = ("Task", "Entry", "Holder", "State", "Since", "Due", "Last beat", "Reviewer")


def _clock(epoch: float | None) -> str:
    return time.strftime("%a %H:%M", time.localtime(epoch)) if epoch else "—"


def _ago(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


class TeamTab(QWidget):
    """Holders table + review queue; buttons act on the selected row."""

    message = Signal(str)  # for the status bar
    taken_over = Signal(object)  # Task now held by this desktop (with its draft pulled)

    def __init__(self, store, service, drafts=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.service = service
        self.drafts = drafts
        self.role = "linguist"
        self.claims: list[Any] = []
        self.reviews: list[Any] = []
        self.conflicts: list[Any] = []
        self._job = None

        self.summary = plain(QLabel("Team: connecting…"))
        self.holders = self._table(HOLDER_COLUMNS)
        self.review_table = self._table(("Task", "Entry", "Holder", "Submitted"))
        self.refresh_button = QPushButton("Refresh")
        self.take_over_button = QPushButton("Take over")
        self.take_over_button.setToolTip(
            "Become the holder of a task whose holder went silent, with its draft"
        )
        self.assign_button = QPushButton("Assign…")
        self.assign_button.setToolTip("Supervisors: reserve the selected task for a linguist")
        self.submit_button = QPushButton("Submit for review")
        self.approve_button = QPushButton("Approve")
        self.return_button = QPushButton("Return with comment…")
        self.refresh_button.clicked.connect(self.refresh)
        self.take_over_button.clicked.connect(self.take_over_selected)
        self.assign_button.clicked.connect(self._ask_assign)
        self.submit_button.clicked.connect(self.submit_selected)
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button.clicked.connect(self._ask_return)

        top = QHBoxLayout()
        for b in (self.refresh_button, self.take_over_button, self.assign_button, self.submit_button):
            top.addWidget(b)
        top.addStretch(1)
        review_buttons = QHBoxLayout()
        review_buttons.addWidget(self.approve_button)
        review_buttons.addWidget(self.return_button)
        review_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.holders, 3)
        layout.addWidget(QLabel("Review queue"))
        layout.addWidget(self.review_table, 1)
        layout.addLayout(review_buttons)
        self.holders.itemSelectionChanged.connect(self._update_buttons)
        self.review_table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    @staticmethod
    def _table(columns) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(list(columns))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- reading -----------------------------------------------------------------------------------

    def refresh(self):
        """Read holders, review queue and this member's role (off the GUI thread)."""
        if self._job is not None:
            return self._job

        def read(token, progress):
            conflicts = [c for c in self.store.draft_conflicts() if c.author == self.store.member]
            return self.store.claims(), self.store.review_queue(), self.store.role(), conflicts

        def done(result) -> None:
            self._job = None
            if self._alive():
                self.show_state(*result)

        def failed(exc: BaseException) -> None:
            self._job = None
            if self._alive():
                self.summary.setText(f"Team store unreachable: {exc} (working on; drafts are kept locally)")

        self._job = run_in_background(read, done, failed)
        return self._job

    def _alive(self) -> bool:
        """False once the window is gone (a background read may finish after it closed)."""
        return shiboken6.isValid(self) and shiboken6.isValid(self.holders)

    def show_state(self, claims, reviews, role: str, conflicts=()) -> None:
        self.claims, self.reviews, self.role = list(claims), list(reviews), role
        self.conflicts = list(conflicts)
        me = self.store.member
        self.holders.setRowCount(len(self.claims))
        for row, c in enumerate(self.claims):
            values = (
                str(c.task_id),
                c.label,
                c.holder + (" (you)" if c.holder == me else ""),
                c.state,
                _clock(c.since),
                _clock(c.expected_finish),
                _ago(c.silent_s),
                c.reviewer or "",
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 6 and c.silent_s >= self.store.stale_after_s and c.holder != me:
                    item.setForeground(Qt.GlobalColor.red)
                    item.setToolTip("Silent: this task can be taken over")
                self.holders.setItem(row, col, item)
        self.review_table.setRowCount(len(self.reviews))
        for row, c in enumerate(self.reviews):
            for col, value in enumerate((str(c.task_id), c.label, c.holder, _clock(c.heartbeat_at))):
                self.review_table.setItem(row, col, QTableWidgetItem(value))
        mine = sum(1 for c in self.claims if c.holder == me)
        self.summary.setText(
            f"Team: {len(self.claims)} task(s) held, {mine} by you ({me}, {role}); "
            f"{len(self.reviews)} waiting for review"
            + (
                f"; {len(self.conflicts)} of your draft edits were kept aside, not applied "
                f"({self.conflicts[-1].reason}) — nothing was lost, ask the holder"
                if self.conflicts
                else ""
            )
        )
        self._update_buttons()

    def selected_claim(self):
        rows = self.holders.selectionModel().selectedRows()
        return self.claims[rows[0].row()] if rows and rows[0].row() < len(self.claims) else None

    def selected_review(self):
        rows = self.review_table.selectionModel().selectedRows()
        return self.reviews[rows[0].row()] if rows and rows[0].row() < len(self.reviews) else None

    def _update_buttons(self) -> None:
        claim, review, me = self.selected_claim(), self.selected_review(), self.store.member
        silent = claim is not None and claim.holder != me and claim.silent_s >= self.store.stale_after_s
        self.take_over_button.setEnabled(
            claim is not None and claim.holder != me and (silent or self.role == "supervisor")
        )
        self.assign_button.setEnabled(claim is not None and self.role == "supervisor")
        self.submit_button.setEnabled(
            claim is not None and claim.holder == me and claim.state in ("working", "returned")
        )
        self.approve_button.setEnabled(review is not None)
        self.return_button.setEnabled(review is not None)

    # -- acting --------------------------------------------------------------------------------------

    def _run(self, what: str, fn, on_done=None):
        def done(result) -> None:
            if not self._alive():
                return
            self.message.emit(what)
            if on_done is not None:
                on_done(result)
            self.refresh()

        def failed(exc: BaseException) -> None:
            if self._alive():
                self.message.emit(f"Could not {what[0].lower()}{what[1:]}: {getattr(exc, 'message', exc)}")

        return run_in_background(lambda token, progress: fn(), done, failed)

    def take_over_selected(self):
        claim = self.selected_claim()
        if claim is None:
            return None
        conn = self.service.connections.get(claim.account)
        if conn is None:
            self.message.emit(f"Sign in to the account of task {claim.task_id} to take it over")
            return None
        force = claim.silent_s < self.store.stale_after_s  # only a supervisor gets here with an active holder

        def take():
            from reach_studio.store.drafts import draft_key
            from reach_studio.team.claims import take_over_task

            stub = Task(
                id=claim.task_id,
                partner_id=claim.partner_id,
                vendor_partner_id=conn.account.vendor_partner_id,
                entry_id="",
                status=TaskStatus.PROCESSING,
                catalog_item_id=0,
                reach_profile_id=0,
                account=claim.account,
            )
            task = take_over_task(self.store, conn, stub, f"{self.store.member}-{claim.task_id}", force=force)
            task.account = claim.account
            if self.drafts is not None and hasattr(self.drafts, "pull"):
                self.drafts.pull(draft_key(claim.account, claim.task_id))
            return task

        def done(task) -> None:
            self.service.adopt([task])
            self.taken_over.emit(task)

        return self._run(f"Took over task {claim.task_id} with its draft", take, done)

    def _ask_assign(self) -> None:
        claim = self.selected_claim()
        if claim is None:
            return
        member, ok = QInputDialog.getText(
            self, "Assign task", f"Assign task {claim.task_id} to (member name):"
        )
        if ok and member.strip():
            self.assign_selected(member.strip())

    def assign_selected(self, member: str):
        claim = self.selected_claim()
        if claim is None:
            return None
        return self._run(
            f"Task {claim.task_id} assigned to {member}",
            lambda: self.store.assign(claim.account, claim.task_id, to=member),
        )

    def submit_selected(self):
        claim = self.selected_claim()
        if claim is None:
            return None
        return self._run(
            f"Task {claim.task_id} submitted for review",
            lambda: self.store.submit(claim.account, claim.task_id),
        )

    def approve_selected(self):
        review = self.selected_review()
        if review is None:
            return None
        return self._run(
            f"Task {review.task_id} approved: it can be delivered now",
            lambda: self.store.approve(review.account, review.task_id),
        )

    def _ask_return(self) -> None:
        review = self.selected_review()
        if review is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self,
            "Return for fixes",
            f"What should be fixed in task {review.task_id}? (start with #N for cue N)",
        )
        if ok and text.strip():
            self.return_selected(text.strip())

    def return_selected(self, text: str):
        review = self.selected_review()
        if review is None:
            return None
        cue = None
        if text.startswith("#") and text[1:].split(" ", 1)[0].isdigit():
            number, _, text = text[1:].partition(" ")
            cue = int(number) - 1
        return self._run(
            f"Task {review.task_id} returned with comments",
            lambda: self.store.return_for_fixes(review.account, review.task_id, [(cue, text)]),
        )


def attach_team_mode(window) -> TeamTab | None:
    """Team mode for the shell when a team store is configured: the queue comes from the team store, claims
    go through it, drafts are journaled to it, deliveries wait for review; plus the Team tab."""
    from reach_studio.team.config import team_url

    url = team_url(window.settings)
    if not url:
        return None
    from reach_studio.team import review
    from reach_studio.team.desktop_ops import TeamEngineOps
    from reach_studio.team.drafts_sync import TeamDrafts
    from reach_studio.team.store import TeamStore

    ops = window.service.ops
    store = TeamStore(url, ops.linguist)  # connects on first use, off the GUI thread
    window.service.ops = TeamEngineOps(
        store, media_dir=ops.media_dir, cache_bytes=ops.cache_bytes, live=ops.live
    )
    window.team_uninstall = review.install(store)
    tab = TeamTab(store, window.service, None, parent=window)
    tab.message.connect(window.statusBar().showMessage)
    # the pusher thread reports conflicts through the tab's signal (queued to the GUI thread)
    window.drafts = tab.drafts = TeamDrafts(
        window.drafts,
        store,
        on_conflict=lambda key, why: tab.message.emit(f"Draft {key}: {why}; your version was kept aside"),
    )
    window.tabs.addTab(tab, "Team")
    window.tabs.tabBar().setTabButton(
        window.tabs.indexOf(tab), window.tabs.tabBar().ButtonPosition.RightSide, None
    )
    tab.refresh()
    return tab
