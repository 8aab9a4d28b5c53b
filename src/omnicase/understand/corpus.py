"""The labelled reason corpus (``data/reasons``): reading it, and the digest that ties a
model to the exact rows it was trained on.

The layout is fixed by ``data/reasons/README.md``: ``train/*.jsonl`` (trained and tuned on,
by cross-validation) and ``heldout/*.jsonl`` (only ever scored). New authors' files are
picked up by reading the directories; nothing lists them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

SPLITS: Final = ("train", "heldout")


class CorpusError(ValueError):
    """A corpus row that cannot be used, named by file and line."""


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    reason: str
    language: str | None = None
    channel: str | None = None
    author: str = ""
    noise: tuple[str, ...] = field(default=())


def read_rows(path: Path) -> list[Row]:
    """Rows of one JSON Lines file; an unusable line raises with its position."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        text, reason = obj.get("text"), obj.get("reason")
        if not isinstance(text, str) or not text.strip() or not isinstance(reason, str):
            raise CorpusError(f"{path}:{n}: needs a non-empty text and a reason")
        rows.append(
            Row(
                text=text,
                reason=reason,
                language=obj.get("language") or None,
                channel=obj.get("channel") or None,
                author=str(obj.get("author") or path.stem),
                noise=tuple(obj.get("noise") or ()),
            )
        )
    return rows


def split_files(directory: Path, split: str) -> list[Path]:
    return sorted((directory / split).glob("*.jsonl"))


def load_split(directory: Path, split: str) -> list[Row]:
    """Every row of ``directory/split/*.jsonl``, files in name order."""
    if split not in SPLITS:
        raise CorpusError(f"split must be one of {SPLITS}, not {split!r}")
    rows: list[Row] = []
    for path in split_files(directory, split):
        rows.extend(read_rows(path))
    return rows


def corpus_digest(directory: Path, split: str = "train") -> str:
    """SHA-256 over the split's file names and bytes: which rows a model was built from."""
    digest = hashlib.sha256()
    for path in split_files(directory, split):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def authors(directory: Path, split: str) -> dict[str, int]:
    """Rows per author file of a split (reports say which authors a figure includes)."""
    return {p.stem: len(read_rows(p)) for p in split_files(directory, split)}
