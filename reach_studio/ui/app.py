"""`reach-studio gui`: builds the application, the main window and its services, then runs the event loop.

Qt is imported only inside the functions, because cli.py imports this module while parsing arguments
(and the headless commands must never load Qt).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from typing import Any

log = logging.getLogger(__name__)

STARTED = time.perf_counter()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quit-after", type=float, default=None, metavar="SECONDS", help=argparse.SUPPRESS)


def _file_logging() -> None:
    """A rotating log file under paths.log_dir(), redacted like the log window."""
    from logging.handlers import RotatingFileHandler

    from reach_studio import paths
    from reach_studio.ui.log_window import RedactingFormatter

    root = logging.getLogger()
    if any(getattr(h, "_reach_studio", False) for h in root.handlers):
        return
    handler = RotatingFileHandler(
        paths.log_dir() / "reach-studio.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    handler._reach_studio = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Records that reach other handlers (e.g. the console set up by cli.py) are redacted too.
    for h in root.handlers:
        if not isinstance(h.formatter, RedactingFormatter):
            fmt = h.formatter._fmt if h.formatter else "%(levelname)s %(name)s: %(message)s"
            h.setFormatter(RedactingFormatter(fmt))


def freeze_startup_objects() -> None:
    """Move everything built at start-up out of the garbage collector's full passes.

    A full (generation 2) collection walks every tracked object and pauses all threads, the GUI thread
    included: measured 40+ ms pauses while downloading (bench/bench_gui_stall.py). Start-up objects (Qt
    wrappers, the Kaltura client's classes, settings) live for the whole session, so they are frozen once.
    """
    import gc

    gc.collect()
    gc.freeze()


def build_window(demo: Any = None):
    """The main window with its settings, secrets, drafts and task service (the app minus the event loop)."""
    from reach_studio.secret_store import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    return MainWindow(Settings(), SecretStore(), DraftStore(), demo=demo)


def _auto_sign_in(window) -> bool:
    """Sign in, in the background, to every remembered account whose token the keyring still has.

    The keyring lookup itself runs in the background too (importing keyring and asking the OS
    keyring can take a noticeable moment); accounts without a saved token open the sign-in dialog.
    """
    from reach_studio.workers.background import run_in_background

    accounts = window.settings.get("accounts")
    if not accounts:
        return False

    def work(token, progress):
        from reach_studio.kaltura.connection import AccountConfig
        from reach_studio.secret_store import account_id
        from reach_studio.ui.sign_in_dialog import sign_in

        connections, problems = [], []
        for acct in accounts:
            secret = window.secrets.get(account_id(acct["service_url"], acct["vendor_partner_id"]))
            if not secret:
                continue
            account = AccountConfig(
                service_url=acct["service_url"],
                vendor_partner_id=int(acct["vendor_partner_id"]),
                vendor_name=acct.get("vendor_name", ""),
                app_token_id=acct.get("app_token_id") or None,
                app_token=secret,
                label=acct.get("label", ""),
            )
            try:
                connections.append(sign_in(account))
            except Exception as exc:  # noqa: BLE001 - reported in the status bar; other accounts still sign in
                problems.append((account, exc))
        return connections, problems

    def done(result) -> None:
        from reach_studio.ui.sign_in_dialog import explain_sign_in_error

        connections, problems = result
        for conn in connections:
            window.add_connection(conn)
        for account, exc in problems:
            window.activity.setText(
                f"{account.display_name()}: {explain_sign_in_error(exc, account.service_url)}"
            )
        if not connections:
            window.show_sign_in()

    window.activity.setText("Signing in…")
    run_in_background(work, done, lambda exc: window.show_sign_in())
    return True


def _ready_probe(window) -> None:
    """For the smoke test under X and the packaging benchmark: print when the window is up and when the
    queue first shows tasks, with where its first row is on screen (so a screenshot can be checked there).
    """
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: print(f"WINDOW {time.time():.6f}", flush=True))

    reported = []

    def queue_shown(tasks) -> None:
        if not tasks or reported:
            return
        reported.append(True)

        def report() -> None:  # after the rows are laid out
            table = window.queue.table
            row = table.visualRect(table.model().index(0, 0))
            corner = table.viewport().mapToGlobal(row.topLeft())
            where = f"{corner.x()} {corner.y()} {table.viewport().width()} {row.height()}"
            print(f"QUEUE {time.time():.6f} {len(tasks)} {where}", flush=True)

        QTimer.singleShot(0, report)

    window.service.queue_changed.connect(queue_shown)


def _version() -> str:
    from reach_studio import __version__

    return __version__


def load_media_libraries() -> None:
    """PyAV (probing, on workers) and Qt Multimedia (the player, on this thread) each load FFmpeg's
    libraries; two threads loading them at once hung both imports (seen with the demo's emulator probing
    a stream). Both load here, one after the other, before a claim can start any media work."""
    from reach_studio.media import probe
    from reach_studio.ui.player import qt_backend  # noqa: F401 - loads QtMultimedia

    probe.preload()


def run_app(args: argparse.Namespace, demo: Any = None, start_demo: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reach_studio import APP_NAME
    from reach_studio.ui.app_demo import DemoServer
    from reach_studio.ui.style import apply_app_style

    app = QApplication.instance() or QApplication([])
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("reach-studio")  # Wayland/X11 docks match the window to the .desktop entry
    apply_app_style(app)
    demo = demo or DemoServer()
    window = build_window(demo=demo)
    window.show()
    QTimer.singleShot(0, _file_logging)  # after the window is up: it only matters once work starts
    QTimer.singleShot(0, load_media_libraries)  # before any worker can probe media (see there)
    QTimer.singleShot(0, lambda: app.setApplicationVersion(_version()))  # importlib.metadata: after too
    QTimer.singleShot(
        2000, freeze_startup_objects
    )  # once start-up imports (sign-in, Kaltura client) are done
    log.info("window shown %.0f ms after start", (time.perf_counter() - STARTED) * 1000)
    probe = os.environ.get("REACH_STUDIO_STARTUP_PROBE")
    if probe:  # bench/bench_cold_start.py: the first turn of the event loop with the window shown
        QTimer.singleShot(0, lambda: print(f"INTERACTIVE {time.time():.6f}", flush=True))
    if os.environ.get("REACH_STUDIO_READY_PROBE"):
        _ready_probe(window)
    if start_demo:
        QTimer.singleShot(0, window.start_demo)
    elif not _auto_sign_in(window):
        QTimer.singleShot(0, window.show_sign_in)
    if probe:  # ... and the moment the sign-in dialog is up, then quit

        def dialog_up() -> None:
            dialog = window.sign_in_dialog
            if dialog is not None and dialog.isVisible():
                print(f"SIGNIN {time.time():.6f}", flush=True)
                app.quit()
            else:
                QTimer.singleShot(5, dialog_up)

        QTimer.singleShot(0, dialog_up)
    quit_after = getattr(args, "quit_after", None)
    if quit_after:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    try:
        return app.exec()
    finally:
        if isinstance(demo, DemoServer):
            demo.stop()


def run(args: argparse.Namespace) -> int:
    return run_app(args)
