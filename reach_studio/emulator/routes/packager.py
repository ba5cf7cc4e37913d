"""The emulator's delivery side: playManifest, serveFlavor (progressive, with ranges), HLS and asset content.

Real Kaltura hands playback to a CDN and nginx-vod-module; here one blueprint plays both parts so that
the app's media fetchers meet the same shapes:
- `/p/{pid}/sp/{pid}00/playManifest/entryId/{id}/[flavorIds/{a,b}/][tracks/a1/].../format/applehttp/a.m3u8`
  answers a real HLS master playlist whose variants are per-flavor media playlists of TS segments cut
  by ffmpeg (media_factory.hls_rendition); `format/url/...` redirects to serveFlavor.
- `/p/{pid}/sp/{pid}00/serveFlavor/entryId/{id}/v/1/flavorId/{fid}/name/a.mp4` serves the MP4 with HTTP
  range requests (206 + Content-Range), so downloads can resume.
- `/hls/p/{pid}/sp/{pid}00/serveFlavor/.../tracks/{a1|v1|v1-a1}/name/a.mp4/index.m3u8` and its segments:
  the nginx-vod-module `tracks` selection (audio only, video only).
- `/api_v3/index.php/service/caption_captionAsset/action/serve/captionAssetId/{id}/ks/{ks}/a.srt` (and the
  attachment twin): what captionAsset.getUrl / attachmentAsset.getUrl return; and the GET URLs the client's
  captionAsset.serve(id) / attachmentAsset.serve(id) build (`/api_v3/service/.../action/serve?...&ks=`).
Every URL needs a KS that reaches the entry: a `ks/{ks}` path segment, a `ks` query parameter or an
`X-Kaltura-Ks` header; anything else gets 403. Segment requests get the fault switch `segment_latency_ms`.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, request, send_file

from reach_studio.domain.enums import AssetStatus
from reach_studio.emulator.errors import ApiError

log = logging.getLogger(__name__)

blueprint = Blueprint("emulator_packager", __name__)

_KS_IN_URL = re.compile(r"(/ks/|[?&]ks=)[^/?&\s\"]+", re.IGNORECASE)


class RedactKs(logging.Filter):
    """Keep KSs that ride in playback and serve URLs out of the HTTP access log (werkzeug logs each path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _KS_IN_URL.sub(r"\1<ks>", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str) and ("/ks/" in record.msg or "ks=" in record.msg):
            record.msg = _KS_IN_URL.sub(r"\1<ks>", record.msg)
        return True


_werkzeug_log = logging.getLogger("werkzeug")
if not any(isinstance(f, RedactKs) for f in _werkzeug_log.filters):
    _werkzeug_log.addFilter(RedactKs())

_SEGMENT_NAME = re.compile(r"^seg_\d{1,6}\.ts$")
_H264_PROFILES = {"Baseline": "4200", "Constrained Baseline": "42C0", "Main": "4D40", "High": "6400"}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@blueprint.errorhandler(Refused)
def _refused(exc: Refused) -> Response:
    return Response(exc.message + "\n", status=exc.status, mimetype="text/plain")


def _emu() -> Any:
    return current_app.extensions["reach_emulator"]


def parse_path_params(rest: str) -> tuple[dict[str, str], str]:
    """Kaltura-style "key/value/key/value[/file]" path → (params, trailing file name or "")."""
    parts = [p for p in rest.split("/") if p != ""]
    params: dict[str, str] = {}
    tail = ""
    if len(parts) % 2 == 1:
        tail = parts.pop()
    for key, value in zip(parts[0::2], parts[1::2]):
        params.setdefault(key, value)
    return params, tail


def _context(params: dict[str, str]) -> Any:
    """A CallContext for the KS of this request (path segment, query or X-Kaltura-Ks header), or 403."""
    from reach_studio.emulator.registry import CallContext, load_session

    emu = _emu()
    ks = params.get("ks") or request.args.get("ks") or request.headers.get("X-Kaltura-Ks") or ""
    if not ks:
        raise Refused(403, "Access denied: a KS is required")
    try:
        session = load_session(emu, ks)
    except ApiError as err:
        raise Refused(403, f"Access denied: {err.code}") from None
    return CallContext(emu, emu.store, session, "packager", request.endpoint or "")


def _entry_for(ctx: Any, entry_id: str | None) -> dict[str, Any]:
    from reach_studio.emulator.content import can_reach

    entry = ctx.store.get("entry", entry_id) if entry_id else None
    if entry is None or ctx.session is None or not can_reach(ctx, entry):
        raise Refused(403, "Access denied: the KS does not reach this entry")
    return entry


def _flavor(ctx: Any, entry: dict[str, Any], flavor_id: str) -> dict[str, Any]:
    flavor = ctx.store.get("flavor_asset", flavor_id)
    if flavor is None or flavor.get("entryId") != entry["id"] or flavor.get("status") != AssetStatus.READY:
        raise Refused(404, f"Flavor {flavor_id} not found")
    return flavor


def _track_selection(value: str | None) -> str:
    """nginx-vod-module tracks ("a1", "v1", "v1-a1") → media_factory's "a" / "v" / "av"."""
    if not value:
        return "av"
    kinds = {part[:1] for part in value.split("-") if part}
    if not kinds <= {"a", "v"} or not kinds:
        raise Refused(400, f"Bad tracks selection {value!r}")
    return "av" if kinds == {"a", "v"} else kinds.pop()


def _tracks_segment(tracks: str) -> str:
    return {"a": "tracks/a1/", "v": "tracks/v1/"}.get(tracks, "")


@lru_cache(maxsize=256)
def _codecs(path: str, mtime: float) -> tuple[str | None, str | None]:
    """RFC 6381 codec strings of a flavor file (for CODECS= in the master playlist)."""
    from reach_studio.media.errors import MediaError
    from reach_studio.media.probe import probe

    try:
        info = probe(path)
    except MediaError:  # CODECS is optional; a file that cannot be read simply gets none
        return None, None
    video = audio = None
    for stream in info.streams:
        if stream.kind == "video" and video is None and stream.codec == "h264":
            profile = _H264_PROFILES.get(stream.profile or "", "6400")
            video = f"avc1.{profile}{stream.level or 30:02X}".lower()
        if stream.kind == "audio" and audio is None and stream.codec == "aac":
            audio = "mp4a.40.5" if (stream.profile or "").startswith("HE") else "mp4a.40.2"
    return video, audio


def _flavor_path(ctx: Any, flavor: dict[str, Any]) -> Path:
    from reach_studio.emulator.services.flavor import flavor_file

    path = flavor_file(ctx.store, flavor)
    if path is None:
        raise Refused(404, f"Flavor {flavor['id']} has no content")
    return path


def _generated(flavor: dict[str, Any], path: Path) -> Any:
    from reach_studio.emulator.media_factory import GeneratedFlavor
    from reach_studio.emulator.services.flavor import flavor_has_video

    return GeneratedFlavor(
        flavor_params_id=int(flavor.get("flavorParamsId") or 0),
        path=path,
        width=int(flavor.get("width") or 0),
        height=int(flavor.get("height") or 0),
        bitrate_kbps=int(flavor.get("bitrate") or 0),
        is_original=bool(flavor.get("isOriginal")),
        tags=flavor.get("tags") or "",
        has_video=flavor_has_video(flavor),
        has_audio=bool(flavor.get("_hasAudio", True)),
        container_format=flavor.get("containerFormat") or "mp4",
        video_codec_id=flavor.get("videoCodecId") or "",
        file_ext=flavor.get("fileExt") or "mp4",
        size=path.stat().st_size,
    )


_CUT_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_CUT_LOCKS_GUARD = threading.Lock()


def _cut_lock(path: Path, tracks: str) -> threading.Lock:
    with _CUT_LOCKS_GUARD:
        return _CUT_LOCKS.setdefault((str(path), tracks), threading.Lock())


def _variant_url(emu: Any, flavor: dict[str, Any], ks: str, tracks: str) -> str:
    pid = flavor["partnerId"]
    return (
        f"{emu.url}/hls/p/{pid}/sp/{pid}00/serveFlavor/entryId/{flavor['entryId']}/v/1/flavorId/{flavor['id']}"
        f"/ks/{quote(ks, safe='')}/{_tracks_segment(tracks)}name/a.mp4/index.m3u8"
    )


def master_playlist(emu: Any, ctx: Any, flavors: list[dict[str, Any]], tracks: str) -> str:
    """An HLS master playlist: one variant per flavor (those without the selected tracks are left out)."""
    from reach_studio.emulator.services.flavor import flavor_has_video

    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    ks = ctx.session.ks
    ordered = sorted(flavors, key=lambda f: int(f.get("bitrate") or 0))
    for flavor in ordered:
        has_video = flavor_has_video(flavor)
        has_audio = bool(flavor.get("_hasAudio", True))
        if (tracks == "v" and not has_video) or (tracks == "a" and not has_audio):
            continue
        path = _flavor_path(ctx, flavor)
        video_codec, audio_codec = _codecs(str(path), path.stat().st_mtime)
        codecs = []
        if has_video and tracks in ("av", "v") and video_codec:
            codecs.append(video_codec)
        if has_audio and tracks in ("av", "a") and audio_codec:
            codecs.append(audio_codec)
        bandwidth = max(1, int(flavor.get("bitrate") or 1)) * 1000
        attrs = [f"BANDWIDTH={bandwidth}"]
        if has_video and tracks != "a" and flavor.get("width") and flavor.get("height"):
            attrs.append(f"RESOLUTION={int(flavor['width'])}x{int(flavor['height'])}")
        if codecs:
            attrs.append(f'CODECS="{",".join(codecs)}"')
        lines.append("#EXT-X-STREAM-INF:" + ",".join(attrs))
        lines.append(_variant_url(emu, flavor, ks, tracks))
    if len(lines) == 3:
        raise Refused(404, "No flavor has the selected tracks")
    return "\n".join(lines) + "\n"


@blueprint.route("/p/<int:pid>/sp/<spid>/playManifest/<path:rest>", methods=["GET", "HEAD"])
@blueprint.route("/p/<int:pid>/playManifest/<path:rest>", methods=["GET", "HEAD"])
def play_manifest(pid: int, rest: str, spid: str = "") -> Response:
    from reach_studio.emulator.services.baseentry import entry_has_hls, hls_flavors, ready_flavors

    params, _tail = parse_path_params(rest)
    for key in ("entryId", "flavorIds", "flavorId", "format", "tracks", "ks"):
        if key not in params and request.args.get(key):
            params[key] = request.args[key]
    ctx = _context(params)
    entry = _entry_for(ctx, params.get("entryId"))
    if int(entry["partnerId"]) != pid:
        raise Refused(403, "Access denied: wrong partner for this entry")
    flavors = ready_flavors(ctx.store, entry["id"])
    wanted = params.get("flavorIds") or params.get("flavorId")
    if wanted:
        ids = [i for i in wanted.split(",") if i]
        by_id = {f["id"]: f for f in flavors}
        if any(i not in by_id for i in ids):
            raise Refused(404, "Flavor not found")
        flavors = [by_id[i] for i in ids]
    if not flavors:
        raise Refused(404, "No flavors found")
    fmt = params.get("format", "")
    emu = _emu()
    ks = ctx.session.ks
    if fmt == "applehttp":
        if not entry_has_hls(entry):
            raise Refused(404, "HLS is not available for this entry")
        tracks = _track_selection(params.get("tracks"))
        chosen = flavors if wanted else hls_flavors(flavors)
        body = master_playlist(emu, ctx, chosen, tracks)
        return Response(body, mimetype="application/vnd.apple.mpegurl")
    if fmt in ("url", "download", "http"):
        if wanted:
            flavor = flavors[0]
        else:
            web = [f for f in flavors if not f.get("isOriginal")] or flavors
            flavor = max(web, key=lambda f: int(f.get("bitrate") or 0))
        from reach_studio.emulator.services.flavor import serve_flavor_url

        return redirect(serve_flavor_url(emu, flavor, ks), code=302)
    raise Refused(400, f"Unsupported format {fmt!r}")


@blueprint.route("/p/<int:pid>/sp/<spid>/serveFlavor/<path:rest>", methods=["GET", "HEAD"])
def serve_flavor(pid: int, spid: str, rest: str) -> Response:
    params, _tail = parse_path_params(rest)
    ctx = _context(params)
    entry = _entry_for(ctx, params.get("entryId"))
    flavor = _flavor(ctx, entry, params.get("flavorId", ""))
    path = _flavor_path(ctx, flavor)
    mimetype = "video/mp4" if (flavor.get("fileExt") or "mp4") == "mp4" else "application/octet-stream"
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=0)
    response.headers["Accept-Ranges"] = "bytes"
    return response


@blueprint.route("/hls/p/<int:pid>/sp/<spid>/serveFlavor/<path:rest>", methods=["GET", "HEAD"])
def serve_hls(pid: int, spid: str, rest: str) -> Response:
    from reach_studio.emulator.media_factory import hls_rendition
    from reach_studio.media.errors import MediaError

    params, tail = parse_path_params(rest)
    ctx = _context(params)
    entry = _entry_for(ctx, params.get("entryId"))
    flavor = _flavor(ctx, entry, params.get("flavorId", ""))
    tracks = _track_selection(params.get("tracks"))
    path = _flavor_path(ctx, flavor)
    is_segment = bool(_SEGMENT_NAME.match(tail))
    if tail != "index.m3u8" and not is_segment:
        raise Refused(404, "Not found")
    try:
        with _cut_lock(path, tracks):  # concurrent first requests wait for one cut instead of each making one
            folder = hls_rendition(_generated(flavor, path), tracks)
    except MediaError as exc:
        log.info("HLS packaging of flavor %s failed: %s", flavor["id"], exc)
        raise Refused(404, "This flavor cannot be packaged as HLS with the selected tracks") from None
    if is_segment:
        _emu().faults.segment_delay()
        segment = folder / tail
        if not segment.is_file():
            raise Refused(404, "Segment not found")
        return send_file(segment, mimetype="video/mp2t", conditional=True, max_age=0)
    return send_file(folder / "index.m3u8", mimetype="application/vnd.apple.mpegurl", max_age=0)


_ASSET_SERVE = {
    "caption_captionasset": ("caption_asset", "captionAssetId"),
    "attachment_attachmentasset": ("attachment_asset", "attachmentAssetId"),
}
_TEXT_TYPES = {
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "dfxp": "application/ttml+xml",
    "xml": "application/xml",
    "txt": "text/plain",
    "json": "application/json",
}


@blueprint.route("/api_v3/index.php/service/<service>/action/serve/<path:rest>", methods=["GET", "HEAD"])
def serve_asset(service: str, rest: str) -> Response:
    return _serve_asset(service, parse_path_params(rest)[0])


# What the client's captionAsset.serve(id) / attachmentAsset.serve(id) return: a GET URL with query params.
@blueprint.route(
    "/api_v3/service/caption_captionasset/action/serve",
    methods=["GET", "HEAD"],
    defaults={"service": "caption_captionasset"},
)
@blueprint.route(
    "/api_v3/service/attachment_attachmentasset/action/serve",
    methods=["GET", "HEAD"],
    defaults={"service": "attachment_attachmentasset"},
)
def serve_asset_query(service: str) -> Response:
    return _serve_asset(service, {k: v for k, v in request.args.items()})


def _serve_asset(service: str, params: dict[str, str]) -> Response:
    kind_field = _ASSET_SERVE.get(service.lower())
    if kind_field is None:
        raise Refused(404, "Not found")
    kind, id_field = kind_field
    ctx = _context(params)
    asset = ctx.store.get(kind, params.get(id_field, ""))
    if asset is None or asset.get("status") != AssetStatus.READY or not asset.get("_blob"):
        raise Refused(404, "Asset not found")
    _entry_for(ctx, asset.get("entryId"))
    ext = (asset.get("fileExt") or "").lower()
    mimetype = _TEXT_TYPES.get(ext, "application/octet-stream")
    return send_file(
        ctx.store.blob_path(asset["_blob"]),
        mimetype=mimetype,
        conditional=True,
        max_age=0,
        download_name=asset.get("filename") or f"{asset['id']}.{ext or 'bin'}",
    )


_SRT_TIME = re.compile(r"(\d{1,2}:\d{2}:\d{2}),(\d{3})")


def srt_to_webvtt(text: str) -> str:
    """SRT as WebVTT (what webVttUrl serves): a WEBVTT header, '.' before the milliseconds, no cue numbers."""
    blocks = [b for b in re.split(r"\r?\n\s*\r?\n", text.lstrip("\ufeff").strip()) if b.strip()]
    out = ["WEBVTT", ""]
    for block in blocks:
        lines = block.splitlines()
        if lines and lines[0].strip().isdigit() and len(lines) > 1 and "-->" in lines[1]:
            lines = lines[1:]
        if lines and "-->" in lines[0]:
            lines[0] = _SRT_TIME.sub(r"\1.\2", lines[0])
        out.extend(lines)
        out.append("")
    return "\n".join(out)


@blueprint.route(
    "/api_v3/index.php/service/caption_captionAsset/action/serveWebVTT/<path:rest>", methods=["GET", "HEAD"]
)
def serve_webvtt(rest: str) -> Response:
    """A caption as WebVTT: VTT content as is, SRT converted; other formats are not converted (404)."""
    params, _tail = parse_path_params(rest)
    ctx = _context(params)
    asset = ctx.store.get("caption_asset", params.get("captionAssetId", ""))
    if asset is None or asset.get("status") != AssetStatus.READY or not asset.get("_blob"):
        raise Refused(404, "Asset not found")
    _entry_for(ctx, asset.get("entryId"))
    data = ctx.store.read_blob(asset["_blob"]).decode("utf-8", "replace")
    caption_format = str(asset.get("format") or "")
    if caption_format == "1":
        data = srt_to_webvtt(data)
    elif caption_format != "3":
        raise Refused(404, "Only SRT and WebVTT captions are served as WebVTT")
    return Response(data, mimetype="text/vtt")
