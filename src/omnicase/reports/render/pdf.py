"""HTML → PDF with headless Chromium (``--print-to-pdf``): the page's print CSS decides
the layout (A4, margins, no table row or chart cut across pages)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
TIMEOUT_S = 120


class PdfError(RuntimeError):
    """Chromium is missing or failed: the report's other formats still exist."""


def chromium_path() -> str:
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    found = shutil.which("chromium")
    if found:
        return found
    raise PdfError("headless Chromium not found (apt-get install -y chromium)")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained page (no network: every chart is inline)."""
    with tempfile.TemporaryDirectory(prefix="omnicase-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [
            chromium_path(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--blink-settings=imagesEnabled=true",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish within {TIMEOUT_S} s") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace")[-500:]
            raise PdfError(f"Chromium produced no PDF (exit {done.returncode}): {tail}")
        return out.read_bytes()


_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it (uncompressed page objects)."""
    return len(_PAGE.findall(pdf))
