"""The skeleton a user touches first: the command line and the enum values Kaltura sends."""

import subprocess
import sys

from reach_studio.domain.enums import ServiceFeature, TaskStatus, TurnAroundTime


def test_unknown_enum_values_from_a_newer_server_are_kept():
    assert TaskStatus(3) is TaskStatus.PROCESSING
    newer = ServiceFeature(99)
    assert int(newer) == 99 and "99" in newer.name


def test_business_day_turnaround_counts_days():
    assert TurnAroundTime(2).seconds == 2 * 86400
    assert TurnAroundTime(1800).seconds == 1800
    assert TurnAroundTime(-1).seconds is None


def test_cli_help_lists_commands_without_loading_qt():
    code = (
        "import sys; from reach_studio.cli import build_parser; build_parser(); "
        "print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_doctor_reports_the_kaltura_client_plugins_as_working():
    out = subprocess.run(
        [sys.executable, "-m", "reach_studio", "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    import json

    results = {r["check"]: r for r in json.loads(out.stdout)}
    assert out.returncode == 0
    assert results["kaltura-client"]["ok"], results["kaltura-client"]
    assert "reach" in results["kaltura-client"]["detail"]
    # Headless there is no OS keyring: doctor must say so instead of crashing.
    assert set(results) >= {"ffmpeg", "media-probe", "vlc", "qt-multimedia", "keyring"}
