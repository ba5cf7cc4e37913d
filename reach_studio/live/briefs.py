"""A captioner's briefs (their own abbreviations, expanded as they type) and speaker keys.

Why it exists: CART captioners write faster than they type by using briefs — "tq" becomes "thank
you" the moment the word ends. Each captioner keeps their own set across tasks, so the briefs live in
the user's config folder (`paths.config_dir()/live-briefs.json`), not in a task. The speaker keys
offer ">>" (speaker change) and the named speakers a task's notes and dictionary give. Qt-free.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from reach_studio import paths
from reach_studio.domain.task import Task

_WORD_END = re.compile(r"(?:^|(?<=\s))([^\s]+)([\s.,;:!?])$")
_SPEAKERS_IN_NOTES = re.compile(r"speakers?(?:\s+names?)?\s*:\s*([^\n]+)", re.IGNORECASE)
MAX_SPEAKER_KEYS = 7  # F2..F8 (F1 is ">>")


class BriefsError(ValueError):
    """A briefs file or line that cannot be read (the text says which)."""


class Briefs:
    """`Briefs.load()`; `expand("see tq ")` → "see thank you "; `save()`."""

    def __init__(self, entries: dict[str, str] | None = None, path: Path | None = None) -> None:
        self.entries = dict(entries or {})
        self.path = path

    @staticmethod
    def default_path() -> Path:
        return paths.config_dir() / "live-briefs.json"

    @classmethod
    def load(cls, path: Path | None = None) -> Briefs:
        path = path or cls.default_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls({}, path)
        except (OSError, ValueError) as exc:
            raise BriefsError(f"{path}: cannot read the briefs ({exc})") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise BriefsError(f"{path}: the briefs must be a JSON object of text to text")
        return cls(data, path)

    def save(self) -> None:
        path = self.path or self.default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        tmp.replace(path)

    def to_text(self) -> str:
        return "\n".join(f"{k} = {v}" for k, v in sorted(self.entries.items()))

    @classmethod
    def parse_text(cls, text: str) -> dict[str, str]:
        """ "abbr = expansion" per line (blank lines and # comments skipped)."""
        out: dict[str, str] = {}
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not key or not value or any(c.isspace() for c in key):
                raise BriefsError(f"line {n}: write a brief as 'abbr = expansion' (one word before '=')")
            out[key] = value
        return out

    def expand(self, text: str) -> str:
        """The text with the word just finished (followed by a space or punctuation) expanded."""
        m = _WORD_END.search(text)
        if not m or m.group(1) not in self.entries:
            return text
        return text[: m.start(1)] + self.entries[m.group(1)] + m.group(2)


def speaker_names(task: Task) -> list[str]:
    """Named speakers for the F-keys: "Speakers: A, B" in the notes, then names in the dictionary."""
    names: list[str] = []
    for m in _SPEAKERS_IN_NOTES.finditer(task.notes or ""):
        for part in re.split(r",|;|\band\b", m.group(1)):
            name = part.strip(" .")
            if name and name[0].isupper() and len(name) <= 40:
                names.append(name)
    for line in (task.dictionary or "").splitlines():
        term = line.strip()
        words = term.split()
        if 1 < len(words) <= 3 and all(w[:1].isupper() for w in words):  # "Prof. Okafor", "Ana Lima"
            names.append(term)
    seen: set[str] = set()
    unique = [n for n in names if not (n.lower() in seen or seen.add(n.lower()))]
    return unique[:MAX_SPEAKER_KEYS]
