"""Split authors' labelled reason rows into data/reasons/train/ and data/reasons/heldout/.

python tools/split_reason_corpus.py AUTHOR.jsonl [...]

The split is fixed by a hash of the folded text (one row in five is held out), so adding
rows never moves an existing row from one split to the other, and the same text written
twice lands in one split only (no leak of a duplicate into the held-out part).
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "data" / "reasons"
REASONS = {
    "order", "delivery", "availability", "return", "refund",
    "promotion", "payment", "account", "product", "other",
}  # fmt: skip
REQUIRED = ("text", "reason", "language", "channel")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def held_out(text: str) -> bool:
    return int(hashlib.sha256(fold(text).encode()).hexdigest(), 16) % 5 == 0


def split(path: Path) -> tuple[int, int]:
    author = path.stem
    rows: dict[str, list[str]] = {"train": [], "heldout": []}
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = [k for k in REQUIRED if not row.get(k)]
        if missing or row["reason"] not in REASONS:
            raise SystemExit(f"{path}:{n}: missing {missing} or unknown reason {row['reason']!r}")
        key = fold(row["text"])
        if key in seen:
            continue  # an author's repeated row counts once
        seen.add(key)
        row = {"author": author, **row}
        rows["heldout" if held_out(row["text"]) else "train"].append(
            json.dumps(row, ensure_ascii=False)
        )
    for part, lines in rows.items():
        (ROOT / part).mkdir(parents=True, exist_ok=True)
        (ROOT / part / f"{author}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows["train"]), len(rows["heldout"])


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(arg, *split(Path(arg)))
