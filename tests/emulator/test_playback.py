"""Playback: getPlaybackContext, real HLS (master, variants, TS segments), track selection, MP4 with ranges."""

from __future__ import annotations

import logging
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import av
import imageio_ffmpeg
import m3u8
import pytest
import requests
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Caption import KalturaCaptionAsset
from KalturaClient.Plugins.Core import KalturaPlaybackContextOptions, KalturaStringResource

from reach_studio.domain.enums import TaskStatus
from reach_studio.engine.media_fetch import with_ks

from .entry_setup import access_key, key_client, media_entry


def _context(client, entry_id, **options):
    """getPlaybackContext, then the KS added to each source URL the way Kaltura's player does (the server's
    URLs carry none)."""
    ctx = client.baseEntry.getPlaybackContext(entry_id, KalturaPlaybackContextOptions(**options))
    for source in ctx.sources:
        assert "/ks/" not in source.url and "ks=" not in source.url
        source.url = with_ks(source.url, client.getKs())
    return ctx


def _source(ctx, fmt):
    return next((s for s in ctx.sources if s.format == fmt), None)


def _streams(url):
    with av.open(url, timeout=30) as container:
        kinds = sorted({s.type for s in container.streams if s.type in ("audio", "video")})
        duration = container.duration / 1_000_000 if container.duration else None
    return kinds, duration


def test_playback_context_lists_hls_and_http_sources_flavors_and_captions(emulator):
    entry = media_entry(emulator)
    client = key_client(emulator, entry)
    caption = client.caption.captionAsset.add(
        entry["id"], KalturaCaptionAsset(language="English", format="1", label="English", isDefault=1)
    )
    client.caption.captionAsset.setContent(
        caption.id, KalturaStringResource(content="1\n00:00:00,500 --> 00:00:01,500\nHi\n")
    )
    ctx = _context(client, entry["id"])
    assert [s.format for s in ctx.sources] == ["applehttp", "url"]
    by_params = {f.flavorParamsId: f for f in ctx.flavorAssets}
    # only the flavors the sources play (kPlaybackContextDataHelper::filterFlavorsBySources): never the source
    assert sorted(by_params) == [301, 302, 303]
    assert (by_params[301].width, by_params[301].height) == (320, 180)
    assert (by_params[302].width, by_params[302].height) == (640, 360)
    assert by_params[303].width == 0 and "audio_only" in by_params[303].tags
    assert not any(f.isOriginal for f in ctx.flavorAssets)
    assert all(
        f.bitrate > 0 and f.containerFormat == "mp4" and f.status.getValue() == 2 for f in ctx.flavorAssets
    )
    hls = _source(ctx, "applehttp")
    # HLS uses the flavors tagged applembr (not the source), like Kaltura's preference
    assert set(hls.flavorIds.split(",")) == {by_params[p].id for p in (301, 302, 303)}
    assert "/playManifest/entryId/" + entry["id"] in hls.url
    assert hls.url.split("?")[0].endswith("/format/applehttp/a.m3u8")
    assert [(c.language, c.label, c.isDefault, c.languageCode) for c in ctx.playbackCaptions] == [
        ("English", "English", True, "en")
    ]
    assert "Hi" in requests.get(ctx.playbackCaptions[0].url, timeout=10).text
    vtt = requests.get(ctx.playbackCaptions[0].webVttUrl, timeout=10)
    assert vtt.headers["Content-Type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT") and "00:00:00.500 --> 00:00:01.500\nHi" in vtt.text
    # streamerType and flavorAssetId narrow the answer
    only_http = _context(client, entry["id"], streamerType="http")
    assert [s.format for s in only_http.sources] == ["url"]
    one = _context(client, entry["id"], flavorAssetId=by_params[303].id)
    assert [f.flavorParamsId for f in one.flavorAssets] == [303]
    assert _source(one, "applehttp").flavorIds == by_params[303].id


def test_hls_master_variants_and_segments_are_real_and_play_end_to_end(emulator):
    entry = media_entry(emulator)
    ctx = _context(key_client(emulator, entry), entry["id"])
    url = _source(ctx, "applehttp").url
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    master = m3u8.loads(response.text, uri=url)
    assert master.is_variant
    resolutions = sorted(p.stream_info.resolution or (0, 0) for p in master.playlists)
    assert resolutions == [(0, 0), (320, 180), (640, 360)]
    audio_only = next(p for p in master.playlists if p.stream_info.resolution is None)
    assert audio_only.stream_info.codecs == "mp4a.40.2"
    media = m3u8.loads(
        requests.get(master.playlists[-1].absolute_uri, timeout=30).text,
        uri=master.playlists[-1].absolute_uri,
    )
    assert media.is_endlist and len(media.segments) >= 2
    segment = requests.get(media.segments[0].absolute_uri, timeout=30)
    assert segment.status_code == 200 and segment.content[:1] == b"\x47"  # MPEG-TS sync byte

    kinds, duration = _streams(url)
    assert kinds == ["audio", "video"]
    assert duration == pytest.approx(6.0, abs=1.0)
    # the whole HLS decodes through ffmpeg, as a player would read it
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    run = subprocess.run(
        [ffmpeg, "-v", "error", "-i", url, "-f", "null", "-"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_track_selection_in_the_url_path(emulator):
    entry = media_entry(emulator)
    url = _source(_context(key_client(emulator, entry), entry["id"]), "applehttp").url
    audio_url = url.replace("/format/applehttp/", "/tracks/a1/format/applehttp/")
    video_url = url.replace("/format/applehttp/", "/tracks/v1/format/applehttp/")
    assert _streams(audio_url)[0] == ["audio"]
    assert _streams(video_url)[0] == ["video"]
    video_master = m3u8.loads(requests.get(video_url, timeout=30).text)
    assert all(p.stream_info.resolution for p in video_master.playlists)  # the audio-only flavor is left out
    assert all("/tracks/v1/" in p.uri for p in video_master.playlists)
    assert requests.get(url.replace("/format/", "/tracks/x9/format/"), timeout=10).status_code == 400


def test_progressive_download_redirects_and_supports_ranges(emulator):
    entry = media_entry(emulator)
    client = key_client(emulator, entry)
    ctx = _context(client, entry["id"])
    small = next(f for f in ctx.flavorAssets if f.flavorParamsId == 301)
    url = _source(ctx, "url").url.replace(
        f"flavorIds/{_source(ctx, 'url').flavorIds}/", f"flavorIds/{small.id}/"
    )
    first = requests.get(url, allow_redirects=False, timeout=10)
    assert first.status_code == 302 and "/serveFlavor/" in first.headers["Location"]
    whole = requests.get(url, timeout=30)
    assert whole.status_code == 200
    on_disk = emulator.inspect.content(small.id)
    assert whole.content == on_disk
    assert _streams(first.headers["Location"])[0] == ["audio", "video"]
    # a download that broke after 1000 bytes resumes with a range request
    resumed = requests.get(first.headers["Location"], headers={"Range": "bytes=1000-"}, timeout=30)
    assert resumed.status_code == 206
    assert resumed.headers["Content-Range"] == f"bytes 1000-{len(on_disk) - 1}/{len(on_disk)}"
    assert on_disk[:1000] + resumed.content == on_disk
    from reach_studio.engine.media_fetch import with_ks

    served = with_ks(client.flavorAsset.getUrl(small.id), client.getKs())  # getUrl carries no KS
    assert requests.get(served, timeout=30).content == on_disk


def test_playback_urls_need_a_key_for_that_entry(emulator):
    entry, other = media_entry(emulator), media_entry(emulator, name="Other")
    url = _source(_context(key_client(emulator, entry), entry["id"]), "applehttp").url
    without, ks = url.split("?ks=")
    assert requests.get(without, timeout=10).status_code == 403
    assert requests.get(with_ks(without, access_key(emulator, other)), timeout=10).status_code == 403
    # the KS may also come as a path segment or in the X-Kaltura-Ks header (playManifestAction)
    assert requests.get(without.replace("/format/", f"/ks/{ks}/format/"), timeout=10).status_code == 200
    assert requests.get(without, headers={"X-Kaltura-Ks": ks}, timeout=10).status_code == 200
    ks_segment = quote(ks, safe="")  # as the packager writes it into variant URLs
    master = m3u8.loads(requests.get(url, timeout=10).text)
    variant = master.playlists[0].uri
    assert requests.get(variant, timeout=10).status_code == 200
    assert (
        requests.get(variant.replace(ks_segment, access_key(emulator, other)), timeout=10).status_code == 403
    )
    with pytest.raises(KalturaException) as exc:
        key_client(emulator, other).baseEntry.getPlaybackContext(entry["id"], KalturaPlaybackContextOptions())
    assert exc.value.code == "ENTRY_ID_NOT_FOUND"
    # an expired key no longer plays
    emulator.faults.expire_all_ks()
    assert requests.get(url, timeout=10).status_code == 403
    assert requests.get(variant, timeout=10).status_code == 403


def test_entry_without_hls_offers_only_progressive_http(emulator):
    entry = media_entry(emulator, video=False, hls=False, name="Radio")
    client = key_client(emulator, entry)
    ctx = _context(client, entry["id"])
    assert [s.format for s in ctx.sources] == ["url"]
    assert sorted(f.flavorParamsId for f in ctx.flavorAssets) == [303]  # tagged mbr; the source is not
    manifest = ctx.sources[0].url.replace("/format/url/name/a.mp4", "/format/applehttp/a.m3u8")
    assert requests.get(manifest, timeout=10).status_code == 404
    download = requests.get(ctx.sources[0].url, timeout=30)
    assert download.status_code == 200
    assert _streams(requests.get(ctx.sources[0].url, allow_redirects=False, timeout=10).headers["Location"])[
        0
    ] == ["audio"]


def test_segment_requests_get_the_segment_latency_fault(emulator, monkeypatch):
    entry = media_entry(emulator, video=False)
    url = _source(_context(key_client(emulator, entry), entry["id"]), "applehttp").url
    media_url = m3u8.loads(requests.get(url, timeout=10).text).playlists[0].uri
    media = m3u8.loads(requests.get(media_url, timeout=10).text, uri=media_url)
    slept: list[float] = []
    monkeypatch.setattr(emulator.faults, "sleep", lambda seconds: slept.append(seconds))
    emulator.faults.configure(segment_latency_ms=50)
    requests.get(media_url, timeout=10)  # playlists are not delayed per segment
    requests.get(media.segments[0].absolute_uri, timeout=10)
    requests.get(media.segments[1].absolute_uri, timeout=10)
    assert slept.count(0.05) == 2


def test_keys_in_playback_urls_stay_out_of_the_logs(emulator, caplog):
    entry = media_entry(emulator, video=False)
    url = _source(_context(key_client(emulator, entry), entry["id"]), "applehttp").url
    ks = url.split("?ks=")[1]
    caplog.set_level(logging.DEBUG)
    assert requests.get(url, timeout=10).status_code == 200
    assert requests.get(url.split("?")[0].replace("/format/", f"/ks/{ks}/format/"), timeout=10).ok
    assert requests.get(url.replace("/format/", "/tracks/x9/format/"), timeout=10).status_code == 400
    # (urllib3 in this test process logs its own request lines at DEBUG; the emulator's records are checked)
    emulator_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("urllib3")]
    assert ks[:40] not in "\n".join(emulator_lines)
    # werkzeug's own request lines (access log or errors) have the KS masked when they are written
    from reach_studio.emulator.routes.packager import RedactKs

    with_segment = url.split("?")[0].replace("/format/", f"/ks/{ks}/format/")

    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        "",
        0,
        '127.0.0.1 - - "%s" %s %s',
        (f"GET {with_segment.split('://', 1)[1].split('/', 1)[1]}?ks={ks} HTTP/1.1", "200", "-"),
        None,
    )
    assert any(isinstance(f, RedactKs) for f in logging.getLogger("werkzeug").filters)
    RedactKs().filter(record)
    assert ks[:40] not in record.getMessage() and "/ks/<ks>/" in record.getMessage()


def test_a_seeded_task_key_plays_its_own_entry_only(emulator):
    tasks = [
        t for t in emulator.inspect.objects("task", status=TaskStatus.PENDING) if t["serviceFeature"] == 1
    ]
    first, second = next((a, b) for a in tasks for b in tasks if a["entryId"] != b["entryId"])
    from .clients import new_client

    client = new_client(emulator, first["accessKey"])
    ctx = _context(client, first["entryId"])
    assert ctx.flavorAssets and ctx.sources
    url = ctx.sources[0].url
    assert requests.get(url, allow_redirects=False, timeout=30).status_code in (200, 302)
    with pytest.raises(KalturaException) as exc:
        _context(client, second["entryId"])
    assert exc.value.code == "ENTRY_ID_NOT_FOUND"
    foreign = with_ks(url.split("?")[0], second["accessKey"])
    assert requests.get(foreign, timeout=10).status_code == 403


def test_srt_to_webvtt_conversion():
    from reach_studio.emulator.routes.packager import srt_to_webvtt

    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:02,250\r\nLine one\r\nLine two\r\n\r\n2\r\n01:02:03,004 --> 01:02:04,000\r\n42\r\n"
    assert srt_to_webvtt(srt) == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.250\nLine one\nLine two\n\n01:02:03.004 --> 01:02:04.000\n42\n"
    )


def test_concurrent_first_requests_share_one_hls_cut(emulator, monkeypatch):
    import reach_studio.emulator.media_factory as factory
    from reach_studio.emulator.services.media import add_generated_entry

    from .entry_setup import customer

    entry = add_generated_entry(
        emulator, customer(emulator)["id"], "Cut race", duration_s=4.0, video=False, variant="test-cut-race"
    )
    flavor = emulator.inspect.objects("flavor_asset", entryId=entry["id"], flavorParamsId=303)[0]
    for old in Path(flavor["_path"]).parent.glob("audio.hls-*"):  # make the cut cold
        shutil.rmtree(old)
    cuts = []
    real = factory.run_ffmpeg
    monkeypatch.setattr(factory, "run_ffmpeg", lambda *a, **k: (cuts.append(1), real(*a, **k))[1])
    ctx = _context(key_client(emulator, entry), entry["id"], flavorAssetId=flavor["id"])
    master = m3u8.loads(requests.get(_source(ctx, "applehttp").url, timeout=30).text)
    variant = master.playlists[0].uri
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: requests.get(variant, timeout=120), range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert len(cuts) == 1  # one ffmpeg cut, the other requests waited for it
