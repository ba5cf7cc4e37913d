"""Server strings made safe for a terminal, a log line or a label: control characters shown, not obeyed.

Why it exists: text from Kaltura (an `externalTaskId`, an entry name, an error message) may carry CR/LF,
ANSI escape sequences or bidirectional overrides; printed raw, they forge rows in the `sync` table, fake
log lines or recolour the terminal. `printable` replaces each such character by a visible escape
(`\\r`, `\\n`, `\\x1b`, `\\u202e`), so every character the server sent is still there to read. JSON output
needs none of this (json.dumps escapes control characters itself).
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
# C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, BOM/zero-widths
_SPECIAL = (
    [chr(c) for c in range(0x20)]
    + [chr(0x7F)]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u2028", "\u2029", "\u200e", "\u200f", "\u061c", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_PLAIN_TABLE = {ord(ch): _escape(ch) for ch in _SPECIAL}
_TABLE = {**_PLAIN_TABLE, ord("\\"): "\\\\"}


def printable(text: object, *, escape_backslash: bool = False) -> str:
    """`text` with every control/bidi character replaced by a visible escape (one line, no terminal codes).

    `escape_backslash`: also double each backslash, so the output maps back to exactly one input.
    """
    return str(text).translate(_TABLE if escape_backslash else _PLAIN_TABLE)
