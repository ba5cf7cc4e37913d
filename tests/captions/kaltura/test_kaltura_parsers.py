"""Kaltura's own server-side caption parsers (kaltura/server plugins/content/caption) on what we deliver:
what Kaltura's player (captionAsset.serveWebVTT), serveAsJson and search get from our SRT, WebVTT and
DFXP files.

Optional and slow: needs `php` (Debian php-cli, php-xml, php-mbstring) and a local git copy of
kaltura/server named by REACH_KALTURA_SERVER_GIT (e.g. /work/.mirror/kaltura+server/repo). The PHP
files are read from that repository at the pinned commit into a temporary folder for the run; they are
never stored in this project. Skipped when either is missing.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.formats import read_captions, write_captions

pytestmark = pytest.mark.slow

KALTURA_COMMIT = "c447fdb3eb6b67bf1e5dfc2a1cf186f5446c85d4"  # kaltura/server, 2026-04-27
_PHP_FILES = [  # in load order: base classes first
    "infra/general/kString.class.php",
    "infra/general/KDOMDocument.php",
    "infra/content/kXml.class.php",
    "plugins/content/caption/base/lib/kCaptionsContentManager.php",
    "plugins/content/caption/base/lib/captionManagers/srtCaptionsContentManager.php",
    "plugins/content/caption/base/lib/captionManagers/webVttCaptionsContentManager.php",
    "plugins/content/caption/base/lib/captionManagers/dfxpCaptionsContentManager.php",
    "plugins/content/caption/base/lib/kWebVTTGenerator.php",
]
HARNESS = Path(__file__).with_name("harness.php")


@pytest.fixture(scope="module")
def kaltura_php(tmp_path_factory) -> list[str]:
    repo = os.environ.get("REACH_KALTURA_SERVER_GIT")
    if not repo:
        pytest.skip("set REACH_KALTURA_SERVER_GIT to a local git copy of kaltura/server")
    if shutil.which("php") is None:
        pytest.skip("php is not installed (Debian: php-cli php-xml php-mbstring)")
    modules = subprocess.run(
        ["php", "-m"], check=False, capture_output=True, text=True, timeout=60
    ).stdout.lower()
    if "dom" not in modules.split() or "iconv" not in modules.split():
        pytest.skip("php lacks the dom or iconv extension (Debian: php-xml)")
    folder = tmp_path_factory.mktemp("kaltura-php")
    paths = []
    for name in _PHP_FILES:
        shown = subprocess.run(
            ["git", "-C", repo, "show", f"{KALTURA_COMMIT}:{name}"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        if shown.returncode != 0:
            pytest.skip(f"{name} at {KALTURA_COMMIT[:10]} is not in {repo}")
        path = folder / Path(name).name
        path.write_bytes(shown.stdout)
        paths.append(str(path))
    return paths


def kaltura(kaltura_php: list[str], fmt: str, data: bytes, tmp_path: Path) -> dict:
    """What Kaltura makes of a caption asset of `fmt` holding `data`."""
    path = tmp_path / f"asset.{fmt}"
    path.write_bytes(data)
    done = subprocess.run(
        ["php", str(HARNESS), fmt, str(path), *kaltura_php],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr or done.stdout
    return json.loads(done.stdout)


DOC = CaptionDocument(
    [
        Cue(1_000, 2_500, "<i>An italic line\nthat goes on</i> and plain", "Ann"),
        Cue(3_000, 4_000, "Fish & chips, a < b > c", None),
        Cue(4_000, 5_500, "漢字のテキスト\nשלום עולם", "דוד"),
        Cue(3_723_004, 3_725_999, "<b>Bold</b> after an hour", None),
    ],
    language="English",
)


def _visible(text: str) -> str:
    return re.sub(r"</?[a-z][^<>]*>", "", text)


def _item_text(item: dict) -> str:
    return "".join(chunk["text"] for chunk in item["content"]).strip()


@pytest.mark.parametrize("fmt", ["srt", "vtt", "dfxp"])
def test_kaltura_reads_every_cue_with_its_times_and_text(kaltura_php, fmt, tmp_path):
    data = write_captions(DOC, fmt)
    ours = read_captions(data, fmt)
    got = kaltura(kaltura_php, fmt, data, tmp_path)
    items = got["items"]
    assert [(i["startTime"], i["endTime"]) for i in items] == [(c.start_ms, c.end_ms) for c in DOC.cues]
    shown = [f"[{c.speaker}] {c.text}" if c.speaker else c.text for c in ours.cues]
    # WebVTT items keep the file's character references (Kaltura only strips the tags)
    assert [html.unescape(_visible(_item_text(i))) for i in items] == [_visible(t) for t in shown]
    search = html.unescape(got["search"])  # WebVTT assets are indexed with their character references
    assert "Fish & chips" in search and "漢字のテキスト" in search


@pytest.mark.parametrize("fmt", ["srt", "vtt", "dfxp"])
def test_kaltura_player_webvtt_shows_no_markup_as_text(kaltura_php, fmt, tmp_path):
    """Italics across a line break must reach the player as tags, never as a literal "</i>"."""
    served = kaltura(kaltura_php, fmt, write_captions(DOC, fmt), tmp_path)["webvtt"]
    player = read_captions(served, "vtt")  # the WebVTT Kaltura serves, read as a browser would
    assert [(c.start_ms, c.end_ms) for c in player.cues] == [(c.start_ms, c.end_ms) for c in DOC.cues]
    first = player.cues[0].text
    assert "<i>" in first and "</i>" in first
    assert "&lt;i&gt;" not in served and "&lt;/i&gt;" not in served and "&lt;b&gt;" not in served
    assert _visible(first) == "An italic line\nthat goes on and plain"
    assert _visible(player.cues[1].text) == "Fish & chips, a < b > c"
