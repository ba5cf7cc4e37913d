"""Benchmark: the emulator's packager (playManifest HLS, segments, serveFlavor with ranges) on a long flavor.

    .venv/bin/python bench/bench_packager.py [--seconds 3600] [--video]

Figures, each next to a baseline measured in the same run:
- cold HLS: first master + media playlist request (ffmpeg -c copy cut made on demand) vs running the same
  ffmpeg segmenting directly;
- warm playlists: master + media playlist round trip once the cut is cached;
- segments: every TS segment over HTTP, one after another, vs reading the same files from disk;
- progressive: the whole MP4 through playManifest format/url -> serveFlavor vs reading it from disk, and a
  resumed download (Range: bytes=N-) of the last 10 %.
The generated media is cached between runs (shared with bench_hls_fetch.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import m3u8
import requests

from reach_studio.emulator.server import Emulator
from reach_studio.emulator.services.media import add_generated_entry
from reach_studio.emulator.services.session import sign
from reach_studio.media.ffmpeg import run_ffmpeg


def _read(path: Path) -> int:
    total = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            total += len(chunk)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument(
        "--video", action="store_true", help="use the 640x360 video flavor instead of audio-only"
    )
    parser.add_argument(
        "--media-cache", type=Path, default=Path(tempfile.gettempdir()) / "reach-studio-bench-media"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-packager-") as tmp_name:
        tmp = Path(tmp_name)
        with Emulator(tmp / "emu", seed="minimal", media_cache=args.media_cache) as emu:
            t0 = time.perf_counter()
            pid = emu.info["customers"][0]["partnerId"]
            entry = add_generated_entry(
                emu,
                pid,
                "Bench hour",
                duration_s=args.seconds,
                video=args.video,
                variant="bench-av" if args.video else "bench-audio",
            )
            print(f"media ready in {time.perf_counter() - t0:.1f} s (cached after the first run)")
            eid = entry["id"]
            params_id = 302 if args.video else 303
            flavor = emu.store.find("flavor_asset", entryId=eid, flavorParamsId=params_id)[0]
            source = Path(flavor["_path"])
            ks = sign(emu.store.get("partner", pid), 0, "", 6 * 3600, f"sview:{eid},download:{eid}")
            base = f"{emu.url}/p/{pid}/sp/{pid}00/playManifest/entryId/{eid}/flavorIds/{flavor['id']}/ks/{ks}"
            master_url = f"{base}/format/applehttp/a.m3u8"

            # cold HLS cut: drop the cached rendition so the first request makes it
            for cached in source.parent.glob(f"{source.stem}.hls-*"):
                shutil.rmtree(cached, ignore_errors=True)
            t0 = time.perf_counter()
            master = m3u8.loads(requests.get(master_url, timeout=600).text)
            media_url = master.playlists[0].uri
            media = m3u8.loads(requests.get(media_url, timeout=600).text, uri=media_url)
            cold = time.perf_counter() - t0
            direct_dir = tmp / "direct"
            direct_dir.mkdir()
            t0 = time.perf_counter()
            run_ffmpeg(
                [
                    "-i",
                    str(source),
                    "-c",
                    "copy",
                    "-f",
                    "hls",
                    "-hls_time",
                    "4",
                    "-hls_playlist_type",
                    "vod",
                    "-hls_list_size",
                    "0",
                    "-hls_segment_filename",
                    "seg_%05d.ts",
                    "index.m3u8",
                ],
                cwd=direct_dir,
                timeout=600,
            )
            direct = time.perf_counter() - t0
            print(
                f"cold HLS (master + media playlist, cut on demand): {cold:.2f} s   "
                f"baseline ffmpeg -c copy alone: {direct:.2f} s   overhead {cold - direct:+.2f} s"
            )

            rounds = []
            for _ in range(20):
                t0 = time.perf_counter()
                requests.get(master_url, timeout=60).raise_for_status()
                requests.get(media_url, timeout=60).raise_for_status()
                rounds.append(time.perf_counter() - t0)
            print(f"warm playlists (master + media, median of 20): {statistics.median(rounds) * 1000:.1f} ms")

            session = requests.Session()
            t0 = time.perf_counter()
            http_bytes = sum(len(session.get(s.absolute_uri, timeout=60).content) for s in media.segments)
            http_s = time.perf_counter() - t0
            rendition = next(source.parent.glob(f"{source.stem}.hls-av-*"))
            t0 = time.perf_counter()
            disk_bytes = sum(_read(p) for p in sorted(rendition.glob("seg_*.ts")))
            disk_s = time.perf_counter() - t0
            print(
                f"segments: {len(media.segments)} over HTTP in {http_s:.2f} s "
                f"({http_bytes / http_s / 1e6:.1f} MB/s, {http_s / len(media.segments) * 1000:.1f} ms each)   "
                f"baseline disk read {disk_s:.3f} s ({disk_bytes / max(disk_s, 1e-6) / 1e6:.0f} MB/s)"
            )

            t0 = time.perf_counter()
            whole = session.get(f"{base}/format/url/name/a.mp4", timeout=600)
            whole.raise_for_status()
            prog_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            size = _read(source)
            disk_s = time.perf_counter() - t0
            start = int(size * 0.9)
            t0 = time.perf_counter()
            tail = session.get(whole.url, headers={"Range": f"bytes={start}-"}, timeout=600)
            range_s = time.perf_counter() - t0
            assert (
                tail.status_code == 206 and len(whole.content) == size and len(tail.content) == size - start
            )
            print(
                f"progressive {size / 1e6:.1f} MB via playManifest->serveFlavor: {prog_s:.2f} s "
                f"({size / prog_s / 1e6:.1f} MB/s)   baseline disk read {disk_s:.3f} s   "
                f"resumed last 10 % (206): {range_s * 1000:.0f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
