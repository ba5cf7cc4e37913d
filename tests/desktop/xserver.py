"""A real X server (Xvfb) for the window smoke test, and its screen as pixels.

Xvfb keeps its screen in an XWD file when started with `-fbdir`, so a screenshot is a read of that
file: no screenshot tool, and nothing of the app under test (Qt) is used to look at the app.
Also a command line, used by packaging/ to photograph a run in a clean Debian root:
    python tests/desktop/xserver.py shot FRAMEBUFFER OUT.png
"""

from __future__ import annotations

import os
import select
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

SCREEN = "1280x800x24"


class XServer:
    """Xvfb on a display number it picks itself (-displayfd), stopped by close()."""

    def __init__(self, fbdir: Path, screen: str = SCREEN, timeout_s: float = 30.0) -> None:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise FileNotFoundError("Xvfb is not installed (Debian package xvfb)")
        fbdir.mkdir(parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [
                xvfb,
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                screen,
                "-fbdir",
                str(fbdir),
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        # Xvfb writes "N\n" once it accepts clients, in two writes: read up to the newline before
        # closing the pipe, or the second write kills it with SIGPIPE.
        text, deadline = b"", time.monotonic() + timeout_s
        try:
            while not text.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read_fd, 32) if ready else b""
                if ready and not chunk:
                    break  # Xvfb exited
                text += chunk
        finally:
            os.close(read_fd)
        number = text.decode().strip()
        if not number:
            self.close()
            raise TimeoutError(f"Xvfb did not start within {timeout_s} s")
        self.display = f":{number}"
        self.framebuffer = fbdir / "Xvfb_screen0"

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def read_xwd(path: Path) -> np.ndarray:
    """The screen as an (height, width, 3) RGB array, from Xvfb's XWD framebuffer file (24/32 bpp)."""
    data = path.read_bytes()
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    byte_order, bits_per_pixel, bytes_per_line, ncolors = header[7], header[11], header[12], header[19]
    if bits_per_pixel != 32:
        raise ValueError(f"{path}: {bits_per_pixel} bits per pixel, expected 32")
    start = header_size + 12 * ncolors
    pixels = np.frombuffer(data, np.uint8, bytes_per_line * height, start).reshape(height, bytes_per_line)
    pixels = pixels[:, : width * 4].reshape(height, width, 4)
    return pixels[:, :, [2, 1, 0]] if byte_order == 0 else pixels[:, :, [1, 2, 3]]  # LSB first: B G R x


def distinct_colours(rgb: np.ndarray) -> int:
    flat = rgb.reshape(-1, 3).astype(np.uint32)
    return len(np.unique((flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]))


def save_png(rgb: np.ndarray, path: Path) -> None:
    """A plain RGB PNG (zlib + CRC chunks), so no imaging library is needed."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\0" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def settled_screen(framebuffer: Path, deadline: float, check=lambda rgb: True) -> np.ndarray:
    """The screen once two reads in a row are equal and `check` accepts it (painting is done).

    Polls until `deadline` (a time.monotonic() value); raises TimeoutError with what it saw last.
    """
    previous = None
    while True:
        rgb = read_xwd(framebuffer)
        if previous is not None and np.array_equal(rgb, previous) and check(rgb):
            return rgb
        if time.monotonic() > deadline:
            raise TimeoutError(f"screen did not settle: {distinct_colours(rgb)} colours at the end")
        previous = rgb
        time.sleep(0.25)  # a poll interval, bounded by the deadline; nothing signals "X server repainted"


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "shot":
        raise SystemExit(__doc__)
    screen = settled_screen(Path(sys.argv[2]), time.monotonic() + 60)
    save_png(screen, Path(sys.argv[3]))
    print(f"{sys.argv[3]}: {screen.shape[1]}x{screen.shape[0]}, {distinct_colours(screen)} colours")
