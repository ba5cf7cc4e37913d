"""Generated media for the emulator's entries: flavors like Kaltura's (source, two video sizes, audio-only) and HLS.

There is no internet and no real footage, so every entry's media is made with ffmpeg from a test pattern with
a running timecode and a speech-like audio track (voiced bursts and pauses, so a waveform looks like talk).
Everything is cached on disk by its parameters and written atomically (temp name, then rename), so tests and
restarts share one copy and a killed run never leaves a half file that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reach_studio.media.errors import MediaError
from reach_studio.media.ffmpeg import run_ffmpeg

GENERATOR_VERSION = 2
"""Bump when the generated media changes, so old caches are not reused."""

KEYFRAME_S = 2
"""A keyframe every 2 s: HLS with `-c copy` cuts cleanly at any segment length that is a multiple of it."""

SOURCE_ID, SMALL_ID, LARGE_ID, AUDIO_ID = 0, 301, 302, 303

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/consola.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


@dataclass
class GeneratedFlavor:
    flavor_params_id: int
    path: Path
    width: int
    height: int
    bitrate_kbps: int
    is_original: bool
    tags: str
    has_video: bool
    has_audio: bool
    container_format: str
    video_codec_id: str
    file_ext: str
    size: int


@dataclass
class GeneratedMedia:
    duration_ms: int
    flavors: list[GeneratedFlavor] = field(default_factory=list)

    def flavor(self, flavor_params_id: int) -> GeneratedFlavor | None:
        return next((f for f in self.flavors if f.flavor_params_id == flavor_params_id), None)


@dataclass(frozen=True)
class _Spec:
    flavor_params_id: int
    name: str
    width: int
    height: int
    video_kbps: int
    audio_kbps: int
    audio_channels: int
    tags: str


def _specs(video: bool) -> list[_Spec]:
    if not video:
        return [
            _Spec(SOURCE_ID, "source", 0, 0, 0, 128, 2, "source"),
            _Spec(AUDIO_ID, "audio", 0, 0, 0, 64, 1, "audio_only,web,mbr,applembr"),
        ]
    return [
        _Spec(SOURCE_ID, "source", 854, 480, 900, 128, 2, "source"),  # Kaltura tags the source "source" only
        _Spec(SMALL_ID, "small", 320, 180, 150, 64, 1, "mobile,web,mbr,iphone,iphonenew,applembr"),
        _Spec(LARGE_ID, "large", 640, 360, 400, 64, 1, "web,mbr,ipad,ipadnew,applembr"),
        _Spec(AUDIO_ID, "audio", 0, 0, 0, 64, 1, "audio_only,web,mbr,applembr"),
    ]


def _variant_seed(variant: str) -> int:
    return int.from_bytes(hashlib.sha256(variant.encode("utf-8")).digest()[:4], "big")


def _speech_expr(variant: str) -> str:
    """An aevalsrc expression: a voiced tone (fundamental + harmonics, slight vibrato) shaped into syllables
    (~4-5 per second) and phrases separated by irregular pauses, like someone talking."""
    seed = _variant_seed(variant)
    f0 = 110 + seed % 90  # 110-199 Hz: a speaking voice
    p1 = 2.9 + (seed >> 8) % 13 / 10  # two incommensurate periods make the pauses irregular
    p2 = 1.7 + (seed >> 16) % 11 / 10
    syl = 4.0 + (seed >> 24) % 10 / 10
    pitch = f"{f0}*(1+0.06*sin(2*PI*0.7*t))"
    voice = f"(sin(2*PI*{pitch}*t)+0.5*sin(4*PI*{pitch}*t)+0.25*sin(6*PI*{pitch}*t))"
    syllables = f"pow(0.5+0.5*sin(2*PI*{syl:.1f}*t),2)"
    phrases = f"gt(sin(2*PI*t/{p1:.1f})+0.8*sin(2*PI*t/{p2:.1f}),-0.35)"
    stress = "(0.65+0.35*sin(2*PI*t/1.3))"  # louder and softer syllables
    return f"0.4*{voice}*{syllables}*{stress}*{phrases}"


def _find_font() -> str | None:
    return next((p for p in _FONT_CANDIDATES if os.path.isfile(p)), None)


def _video_source(spec: _Spec, fps: int, label: str) -> str:
    """testsrc (which has its own frame counter) plus a drawn hh:mm:ss timecode and a label when a font exists."""
    chain = f"testsrc=size={spec.width}x{spec.height}:rate={fps}"
    font = _find_font()
    if font:
        esc = font.replace("\\", "/").replace(":", "\\:")
        chain += (
            f",drawtext=fontfile='{esc}':text='%{{pts\\:hms}}':fontsize=44:fontcolor=white:"
            "box=1:boxcolor=black@0.7:x=(w-tw)/2:y=h-th-24"
            f",drawtext=fontfile='{esc}':text='{label}':fontsize=24:fontcolor=white:box=1:"
            "boxcolor=black@0.6:x=16:y=16"
        )
    return chain + ",format=yuv420p"


def _fps_for(duration_s: float) -> int:
    # Long benchmark entries stay cheap to generate: a couple of frames per second is enough for a test pattern.
    return 15 if duration_s <= 120 else 5 if duration_s <= 900 else 2


def _cache_key(duration_s: float, video: bool, variant: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in variant)[:40] or "v"
    digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:8]
    kind = "av" if video else "a"
    return f"{safe}-{digest}-{round(duration_s * 1000)}ms-{kind}-g{GENERATOR_VERSION}"


def _load_manifest(folder: Path) -> GeneratedMedia | None:
    manifest = folder / "media.json"
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text("utf-8"))
        flavors = [GeneratedFlavor(**{**f, "path": folder / f["path"]}) for f in data["flavors"]]
    except (ValueError, KeyError, TypeError):
        return None
    if not all(f.path.is_file() and f.path.stat().st_size == f.size for f in flavors):
        return None
    return GeneratedMedia(duration_ms=int(data["duration_ms"]), flavors=flavors)


def _write_manifest(folder: Path, media: GeneratedMedia) -> None:
    flavors = [{**asdict(f), "path": f.path.name} for f in media.flavors]
    (folder / "media.json").write_text(
        json.dumps({"duration_ms": media.duration_ms, "flavors": flavors}, indent=1), "utf-8"
    )


def build_entry_media(
    cache_dir: Path, duration_s: float = 20.0, *, video: bool = True, variant: str = "default"
) -> GeneratedMedia:
    """Return the flavors of a generated entry, making them on first use (cached by all parameters).

    Flavor params ids: 0 = source, 301 = 320x180 video, 302 = 640x360 video, 303 = audio-only AAC-LC in MP4.
    With `video=False` only 0 (audio) and 303 exist. H.264 + AAC, a keyframe every 2 s.
    """
    if not duration_s or duration_s <= 0 or duration_s > 6 * 3600:
        raise MediaError(f"generated media length must be between 0 and 6 hours, not {duration_s!r} s")
    cache_dir = Path(cache_dir)
    key = _cache_key(duration_s, video, variant)
    final = cache_dir / key
    cached = _load_manifest(final)
    if cached is not None:
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=cache_dir))
    try:
        media = _generate(tmp, duration_s, video, variant)
        _write_manifest(tmp, media)
        if final.exists():
            # A broken leftover (manifest missing or sizes wrong) or a concurrent run that won: recheck.
            cached = _load_manifest(final)
            if cached is not None:
                return cached
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            cached = _load_manifest(final)
            if cached is not None:
                return cached
            raise
        return _load_manifest(final) or media
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


SPEECH_BED_S = 120.0
"""Longer entries loop a 2-minute speech bed: evaluating the audio expression for an hour would take a minute."""


def _generate(folder: Path, duration_s: float, video: bool, variant: str) -> GeneratedMedia:
    """Two ffmpeg runs: (1) encode every video size, the source's audio and the shared 64k mono audio;
    (2) mux that audio into the smaller video flavors by copy (one AAC encode serves three flavors)."""
    specs = _specs(video)
    fps = _fps_for(duration_s)
    duration_ms = round(duration_s * 1000)
    limit = max(120.0, duration_s * 2)
    t = f"{duration_s:.3f}"
    bed_s = min(duration_s, SPEECH_BED_S)
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{_speech_expr(variant)}':s=48000:c=mono",
            "-t",
            f"{bed_s:.3f}",
            "-c:a",
            "pcm_s16le",
            "speech.wav",
        ],
        cwd=folder,
        timeout=limit,
    )
    audio_in = ["-stream_loop", "-1", "-i", "speech.wav"] if duration_s > bed_s else ["-i", "speech.wav"]
    args: list[str] = []
    video_specs = [sp for sp in specs if sp.width]
    if video:
        label = "".join(c for c in variant if c.isalnum() or c in "-_")[:30] or "entry"
        graph = f"[0:v]split={len(video_specs)}" + "".join(f"[v{i}]" for i in range(len(video_specs)))
        graph += "".join(f";[v{i}]scale={sp.width}:{sp.height}[s{i}]" for i, sp in enumerate(video_specs))
        args += [
            "-f",
            "lavfi",
            "-i",
            _video_source(video_specs[0], fps, label),
            *audio_in,
            "-filter_complex",
            graph,
        ]
        audio_map = "1:a"
    else:
        args += audio_in
        audio_map = "0:a"
    gop = fps * KEYFRAME_S
    names: dict[int, str] = {}
    remux: list[_Spec] = []
    for i, spec in enumerate(video_specs):
        is_source = spec.flavor_params_id == SOURCE_ID
        name = f"{spec.name}.mp4" if is_source else f"{spec.name}.video.mp4"
        args += [
            "-map",
            f"[s{i}]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-pix_fmt",
            "yuv420p",
            "-b:v",
            f"{spec.video_kbps}k",
            "-maxrate",
            f"{spec.video_kbps * 2}k",
            "-bufsize",
            f"{spec.video_kbps * 2}k",
            "-g",
            str(gop),
            "-keyint_min",
            str(gop),
            "-sc_threshold",
            "0",
            "-force_key_frames",
            f"expr:gte(t,n_forced*{KEYFRAME_S})",
        ]
        if is_source:
            args += ["-map", audio_map, "-c:a", "aac", "-profile:a", "aac_low", "-b:a", "128k", "-ac", "2"]
        else:
            remux.append(spec)
        args += ["-t", t, "-movflags", "+faststart", "-f", "mp4", name]
        names[spec.flavor_params_id] = f"{spec.name}.mp4"
    if not video:
        args += [
            "-map",
            audio_map,
            "-c:a",
            "aac",
            "-profile:a",
            "aac_low",
            "-b:a",
            "128k",
            "-ac",
            "2",
            "-t",
            t,
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            "source.mp4",
        ]
        names[SOURCE_ID] = "source.mp4"
    args += [
        "-map",
        audio_map,
        "-c:a",
        "aac",
        "-profile:a",
        "aac_low",
        "-b:a",
        "64k",
        "-ac",
        "1",
        "-t",
        t,
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "audio.mp4",
    ]
    names[AUDIO_ID] = "audio.mp4"
    run_ffmpeg(args, duration_ms=duration_ms, cwd=folder, timeout=limit)
    if remux:
        args = ["-i", "audio.mp4"]
        for spec in remux:
            args += ["-i", f"{spec.name}.video.mp4"]
        for n, spec in enumerate(remux, start=1):
            args += [
                "-map",
                f"{n}:v",
                "-map",
                "0:a",
                "-c",
                "copy",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                f"{spec.name}.mp4",
            ]
        run_ffmpeg(args, cwd=folder, timeout=limit)
        for spec in remux:
            (folder / f"{spec.name}.video.mp4").unlink()
    (folder / "speech.wav").unlink()
    flavors = []
    for spec in specs:
        path = folder / names[spec.flavor_params_id]
        size = path.stat().st_size
        flavors.append(
            GeneratedFlavor(
                flavor_params_id=spec.flavor_params_id,
                path=path,
                width=spec.width,
                height=spec.height,
                bitrate_kbps=max(1, round(size * 8 / max(duration_s, 0.001) / 1000)),
                is_original=spec.flavor_params_id == SOURCE_ID,
                tags=spec.tags,
                has_video=bool(spec.width),
                has_audio=True,
                container_format="mp4",
                video_codec_id="avc1" if spec.width else "",
                file_ext="mp4",
                size=size,
            )
        )
    return GeneratedMedia(duration_ms=duration_ms, flavors=flavors)


def hls_rendition(flavor: GeneratedFlavor, tracks: str = "av", segment_s: float = 4.0) -> Path:
    """Folder with `index.m3u8` + `.ts` segments of `flavor`, cut with `-c copy` (made once, cached beside it).

    `tracks`: "av" (all), "a" (audio only) or "v" (video only), like the packager's track selection.
    """
    if tracks not in ("av", "a", "v"):
        raise MediaError(f"unknown HLS track selection {tracks!r}: use 'av', 'a' or 'v'")
    if not 0.5 <= segment_s <= 60:
        raise MediaError(f"HLS segment length must be between 0.5 and 60 s, not {segment_s!r}")
    if tracks == "v" and not flavor.has_video:
        raise MediaError(f"flavor {flavor.flavor_params_id} has no video track")
    source = Path(flavor.path)
    final = source.parent / f"{source.stem}.hls-{tracks}-{round(segment_s * 1000)}ms"
    if (final / "index.m3u8").is_file():
        return final
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=source.parent))
    try:
        maps: list[str] = []
        if tracks in ("av", "v") and flavor.has_video:
            maps += ["-map", "0:v:0"]
        if tracks in ("av", "a"):
            maps += ["-map", "0:a:0"]
        run_ffmpeg(
            [
                "-i",
                str(source.resolve()),
                *maps,
                "-c",
                "copy",
                "-f",
                "hls",
                "-hls_time",
                f"{segment_s:g}",
                "-hls_playlist_type",
                "vod",
                "-hls_list_size",
                "0",
                "-hls_segment_filename",
                "seg_%05d.ts",
                "index.m3u8",
            ],
            cwd=tmp,
            timeout=600,
        )
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / "index.m3u8").is_file():
                raise
        return final
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
