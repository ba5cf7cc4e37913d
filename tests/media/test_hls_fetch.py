"""HLS downloads pick the right variant, fetch segments in parallel through failures, resume, refuse bad playlists."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from reach_studio.domain.progress import Cancelled, CancelToken
from reach_studio.emulator.media_factory import hls_rendition
from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg
from reach_studio.media.hls_fetch import fetch_hls
from reach_studio.media.probe import probe

from .faulty_server import FaultyServer

MASTER = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=260000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"
small/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=560000,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2"
large/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.2"
audio/index.m3u8
"""


@pytest.fixture(scope="module")
def hls_root(tmp_path_factory, av_media):
    root = tmp_path_factory.mktemp("hls-www")
    for name, fid, tracks in (("small", 301, "av"), ("large", 302, "av"), ("audio", 303, "a")):
        shutil.copytree(hls_rendition(av_media.flavor(fid), tracks, segment_s=2.0), root / name)
    (root / "master.m3u8").write_text(MASTER)
    return root


@pytest.fixture
def server(hls_root):
    with FaultyServer(hls_root) as srv:
        yield srv


def segment_requests(server: FaultyServer, folder: str) -> list[str]:
    return [path for path, _ in server.log if path.startswith(f"/{folder}/") and path.endswith(".ts")]


def test_audio_work_downloads_only_the_audio_variant(server, tmp_path):
    seen = []
    dest = tmp_path / "entry.m4a"
    result = fetch_hls(
        server.url("master.m3u8"),
        dest,
        audio_only=True,
        expected_duration_ms=6000,
        progress=lambda d, t: seen.append((d, t)),
    )
    info = probe(dest)
    assert not info.has_video and info.first("audio").codec == "aac"
    assert abs(info.duration_ms - 6000) < 1000
    assert result.variant.audio_only and result.variant.url.endswith("audio/index.m3u8")
    assert segment_requests(server, "small") == [] and segment_requests(server, "large") == []
    assert seen[-1] == (result.segments, result.segments)
    assert not (tmp_path / ".entry.m4a.segments").exists()


def test_picture_work_takes_the_small_or_the_best_video(server, tmp_path):
    small = fetch_hls(server.url("master.m3u8"), tmp_path / "small.mp4", max_height=200)
    assert (small.info.first("video").width, small.info.first("video").height) == (320, 180)
    assert small.info.has_audio
    best = fetch_hls(server.url("master.m3u8"), tmp_path / "best.mp4", highest=True)
    assert best.info.first("video").height == 360
    assert abs(best.info.duration_ms - 6000) < 1000


def test_media_playlist_url_works_directly(server, tmp_path):
    result = fetch_hls(server.url("large/index.m3u8"), tmp_path / "l.mp4")
    assert result.variant is None and result.info.first("video").width == 640


def test_server_errors_and_a_dropped_connection_are_survived(server, tmp_path):
    server.fail_next["/audio/seg_00000.ts"] = 2
    server.fail_next["/audio/seg_00002.ts"] = 1
    server.drop_after["/audio/seg_00001.ts"] = 500
    server.fail_next["/audio/index.m3u8"] = 1
    result = fetch_hls(
        server.url("master.m3u8"), tmp_path / "a.m4a", audio_only=True, expected_duration_ms=6000
    )
    assert result.segments >= 3
    assert abs(probe(tmp_path / "a.m4a").duration_ms - 6000) < 1000


def test_interrupted_download_resumes_from_segments_on_disk(server, tmp_path):
    dest = tmp_path / "big.mp4"
    token = CancelToken()

    def stop_after_two(done: int, total: int) -> None:
        if done >= 2:
            token.cancel()

    with pytest.raises(Cancelled):
        fetch_hls(server.url("large/index.m3u8"), dest, workers=1, progress=stop_after_two, token=token)
    assert not dest.exists()
    first = segment_requests(server, "large")
    result = fetch_hls(server.url("large/index.m3u8"), dest, workers=3)
    assert result.reused_segments >= 2
    again = segment_requests(server, "large")[len(first) :]
    assert set(first).isdisjoint(again)  # what was on disk was not fetched again
    assert abs(probe(dest).duration_ms - 6000) < 1000


def test_segments_on_another_host_are_fine(hls_root, tmp_path):
    with FaultyServer(hls_root) as playlists, FaultyServer(hls_root) as cdn:
        text = (hls_root / "audio" / "index.m3u8").read_text()
        absolute = "\n".join(cdn.url(f"audio/{ln}") if ln.endswith(".ts") else ln for ln in text.splitlines())
        playlists.routes["/abs.m3u8"] = (200, absolute.encode(), {})
        fetch_hls(playlists.url("abs.m3u8"), tmp_path / "a.m4a", audio_only=True)
        assert segment_requests(cdn, "audio") and not segment_requests(playlists, "audio")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Access denied</html>", "not an HLS playlist"),
        (b"\x00\xff\xfe garbage \x89PNG", "not an HLS playlist"),
        (b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-ENDLIST\n", "no segments"),
        (b"#EXTM3U\n#EXTINF:4,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n", "only http and https"),
        (b"#EXTM3U\n" + b"#EXTINF:1,\ns.ts\n" * 60_000, "more than 50000"),
        (b'#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:4,\na.ts\n', "encrypted"),
        (b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nbad.m3u8\n", "nest too deeply"),
    ],
)
def test_hostile_playlists_give_clear_errors(server, tmp_path, body, message):
    server.routes["/bad.m3u8"] = (200, body, {})
    with pytest.raises(MediaError, match=message):
        fetch_hls(server.url("bad.m3u8"), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_endless_playlist_body_is_cut_off(server, tmp_path):
    server.routes["/huge.m3u8"] = (200, b"#EXTM3U\n" + b"#" * (9 * 1024 * 1024), {})
    with pytest.raises(MediaError, match="larger than"):
        fetch_hls(server.url("huge.m3u8"), tmp_path / "x.mp4")


def test_wrong_duration_is_reported_and_no_file_left(server, tmp_path):
    with pytest.raises(MediaError, match="lasts 6"):
        fetch_hls(
            server.url("audio/index.m3u8"), tmp_path / "x.m4a", audio_only=True, expected_duration_ms=20_000
        )
    assert not (tmp_path / "x.m4a").exists()


def test_missing_segment_fails_with_a_clear_error(server, tmp_path):
    server.routes["/gap.m3u8"] = (
        200,
        b"#EXTM3U\n#EXTINF:2,\naudio/seg_00000.ts\n#EXTINF:2,\naudio/nope.ts\n",
        {},
    )
    with pytest.raises(MediaError, match="HLS segment 2/2.*404"):
        fetch_hls(server.url("gap.m3u8"), tmp_path / "x.m4a")


def test_cancel_is_honoured_while_a_segment_stalls(server, tmp_path):
    server.stall["/audio/seg_00001.ts"] = 20
    token = CancelToken()
    threading.Timer(0.5, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        fetch_hls(server.url("audio/index.m3u8"), tmp_path / "x.m4a", token=token)
    assert time.monotonic() - t0 < 3


def test_fmp4_segments_with_an_init_section(av_media, tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    run_ffmpeg(["-i", str(av_media.flavor(303).path), "-c", "copy", "-f", "hls", "-hls_time", "2",
                "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                "-hls_segment_filename", "s_%03d.m4s", "index.m3u8"], cwd=root)  # fmt: skip
    assert "#EXT-X-MAP" in (root / "index.m3u8").read_text()
    with FaultyServer(root) as srv:
        result = fetch_hls(
            srv.url("index.m3u8"), tmp_path / "a.m4a", audio_only=True, expected_duration_ms=6000
        )
    assert result.info.first("audio").codec == "aac"


def test_byte_range_segments_of_one_file(av_media, tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    run_ffmpeg(["-i", str(av_media.flavor(301).path), "-c", "copy", "-f", "hls", "-hls_time", "2",
                "-hls_playlist_type", "vod", "-hls_flags", "single_file", "index.m3u8"], cwd=root)  # fmt: skip
    assert "#EXT-X-BYTERANGE" in (root / "index.m3u8").read_text()
    with FaultyServer(root) as srv:
        result = fetch_hls(srv.url("index.m3u8"), tmp_path / "v.mp4", expected_duration_ms=6000)
        ranges = [rng for path, rng in srv.log if path.endswith(".ts")]
    assert result.info.has_video and result.info.has_audio
    assert len(ranges) == result.segments and all(r and r.startswith("bytes=") for r in ranges)


def test_failed_run_keeps_finished_segments_but_no_temp_files(server, tmp_path):
    server.routes["/gap2.m3u8"] = (
        200,
        b"#EXTM3U\n#EXTINF:2,\naudio/seg_00000.ts\n#EXTINF:2,\naudio/nope.ts\n",
        {},
    )
    with pytest.raises(MediaError):
        fetch_hls(server.url("gap2.m3u8"), tmp_path / "x.m4a", workers=1)
    left = sorted(p.name for p in (tmp_path / ".x.m4a.segments").iterdir())
    assert left == ["playlist.json", "seg_000000.bin"]
