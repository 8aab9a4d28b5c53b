"""The attachment store: files on disk named by their sha256, never by what a sender
called them.

``put(data)`` writes ``<root>/ab/cd/<sha256>`` once (a temporary file renamed into place,
so a reader never sees half a file and two writers of the same bytes agree); the name a
sender gave is only metadata, cleaned by :func:`safe_filename`, so ``../../etc/passwd``
or ``C:\\evil.exe`` never reaches the filesystem. Content-addressing also stores a file
sent twice (a reply quoting the same PDF) once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

from omnicase.config import Settings

#: Default per-file limit (the usual mail providers' limit).
MAX_BYTES = 25 * 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


class AttachmentError(ValueError):
    """Refused: too large, or not an id of a stored file."""


def safe_filename(name: str | None, default: str = "attachment") -> str:
    """A file name safe to show and to offer for download: the last path component only
    (``/`` and ``\\`` both separate), no control or reserved characters, no leading dots,
    at most 200 characters (extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        return default
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 16 else name[:200]
    return name


class AttachmentStore:
    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> AttachmentStore:
        return cls(settings.attachments_dir)

    def path_of(self, sha256: str) -> Path:
        """Where a file lives; refuses anything that is not a lowercase sha256 hex."""
        if not SHA256_RE.match(sha256 or ""):
            raise AttachmentError("not an attachment id (a lowercase sha256)")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent); its sha256."""
        if len(data) > self.max_bytes:
            raise AttachmentError(
                f"attachment of {len(data)} bytes is over the limit of {self.max_bytes} bytes"
            )
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_of(sha256)
        if not path.is_file():
            raise AttachmentError(f"attachment {sha256} is not in the store")
        return path.open("rb")

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def add(self, data: bytes, filename: str | None, content_type: str | None) -> dict[str, Any]:
        """Store ``data``; the metadata a message keeps (canonical ``Attachment`` shape)."""
        return {
            "filename": safe_filename(filename),
            "content_type": clean_content_type(content_type),
            "size": len(data),
            "sha256": self.put(data),
        }


def clean_content_type(value: str | None) -> str:
    """``type/subtype`` in lowercase, or ``application/octet-stream``."""
    value = (value or "").split(";")[0].strip().lower()
    if re.fullmatch(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", value):
        return value
    return "application/octet-stream"
