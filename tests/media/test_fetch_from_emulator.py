"""The fetchers against the emulator's packager: real playManifest/HLS/serveFlavor URLs with a task-like KS."""

from __future__ import annotations

from reach_studio.emulator.services.media import add_generated_entry
from reach_studio.emulator.services.session import sign
from reach_studio.media.hls_fetch import fetch_hls
from reach_studio.media.http_fetch import download
from reach_studio.media.probe import probe


def entry_and_key(emu, *, video: bool):
    pid = emu.info["customers"][0]["partnerId"]
    entry = add_generated_entry(emu, pid, "Clip", duration_s=6.0, video=video, variant=f"media-{video}")
    eid = entry["id"]
    privileges = (
        f"edit:{eid},setrole:REACH_VENDOR_ROLE,disableentitlementforentry:{eid},sview:{eid},download:{eid}"
    )
    ks = sign(emu.store.get("partner", pid), 0, "", 3600, privileges)
    return pid, entry, ks


def flavor_id(emu, entry, params_id: int) -> str:
    return next(iter(emu.store.find("flavor_asset", entryId=entry["id"], flavorParamsId=params_id)))["id"]


def test_audio_only_hls_from_the_emulator_with_segment_latency(emulator, tmp_path):
    pid, entry, ks = entry_and_key(emulator, video=True)
    emulator.faults.configure(segment_latency_ms=50)
    url = f"{emulator.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{entry['id']}/format/applehttp/protocol/http/ks/{ks}/a.m3u8"
    result = fetch_hls(url, tmp_path / "a.m4a", audio_only=True, expected_duration_ms=entry["msDuration"])
    assert not result.info.has_video and result.info.first("audio").codec == "aac"
    assert result.variant.audio_only


def test_small_video_over_hls_and_source_over_http(emulator, tmp_path):
    pid, entry, ks = entry_and_key(emulator, video=True)
    base = f"{emulator.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{entry['id']}"
    small = fetch_hls(
        f"{base}/format/applehttp/protocol/http/ks/{ks}/a.m3u8", tmp_path / "s.mp4", max_height=200
    )
    assert small.info.first("video").height == 180
    src = flavor_id(emulator, entry, 0)
    res = download(
        f"{base}/flavorIds/{src}/format/url/protocol/http/ks/{ks}/name/a.mp4", tmp_path / "src.mp4"
    )
    info = probe(res.path)
    assert info.first("video").width == 854 and abs(info.duration_ms - entry["msDuration"]) < 1000


def test_downloads_survive_the_emulator_faults(emulator, tmp_path):
    pid, entry, ks = entry_and_key(emulator, video=True)
    base = f"{emulator.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{entry['id']}"
    hls_url = f"{base}/format/applehttp/protocol/http/ks/{ks}/a.m3u8"
    src_url = f"{base}/flavorIds/{flavor_id(emulator, entry, 0)}/format/url/protocol/http/ks/{ks}/name/a.mp4"
    out = tmp_path / "out"
    fetch_hls(hls_url, out / "warm.m4a", audio_only=True)  # the packager cuts HLS on first use
    emulator.faults.configure(error_rate=0.2, drop_rate=0.1, latency_ms=50, seed=7)
    result = fetch_hls(hls_url, out / "a.m4a", audio_only=True, expected_duration_ms=entry["msDuration"])
    assert not result.info.has_video
    res = download(src_url, out / "src.mp4")
    assert abs(probe(res.path).duration_ms - entry["msDuration"]) < 1000
    assert sorted(p.name for p in out.iterdir()) == ["a.m4a", "src.mp4", "warm.m4a"]  # nothing half-written
