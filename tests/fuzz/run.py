"""Run a fuzz target for a bounded time: ``python -m tests.fuzz.run TARGET [SECONDS]``.

With atheris installed (``pip install -e '.[fuzz]'``) the run is coverage-guided
(libFuzzer, the omnicase channel packages instrumented); without it, a small mutation
fuzzer (no coverage feedback: byte flips, inserts, deletions, splices of corpus entries,
tokens of the target's format) does the same job more slowly. A crashing input is written
to ``$FUZZ_ARTIFACTS`` (default ``.fuzz/``) and the exit status is 1.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

TOKENS = (
    b"\r\n",
    b"\r\n\r\n",
    b"--",
    b"boundary=",
    b"Content-Type: multipart/mixed; boundary=b\r\n",
    b"=?utf-8?b?",
    b"=?x-unknown?q?",
    b"charset=",
    b"Content-Transfer-Encoding: base64\r\n",
    b"\x00",
    b"\xff\xfe",
    b"{",
    b"}",
    b"[",
    b"]",
    b"[" * 200,
    b'"',
    b"\\u0000",
    b"null",
    b"1e999",
    b"-1",
    b"99999999999999999999",
    b"%",
    b"&",
    b"=",
    b"+",
)


def mutate(data: bytes, corpus: list[bytes], rng: random.Random) -> bytes:
    """One to four random edits of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and buf:
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 3:
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 4 and buf:
            start = rng.randrange(len(buf))
            chunk = buf[start : start + rng.randint(1, 256)]
            buf[pos:pos] = chunk * rng.randint(1, 20)
        elif op == 5 and corpus:
            other = rng.choice(corpus)
            cut = rng.randint(0, len(other))
            buf = buf[:pos] + bytearray(other[cut:])
        elif op == 6 and buf:
            buf = buf[: rng.randint(0, len(buf))]
    return bytes(buf)


def mutation_fuzz(
    run: Callable[[bytes], bool], corpus: list[bytes], seconds: float, seed: int = 0
) -> tuple[int, bytes | None, str | None]:
    """Inputs tried, and the first crashing input with its traceback (or None)."""
    rng = random.Random(seed)
    pool = list(corpus) or [b""]
    deadline = time.monotonic() + seconds
    tried = 0
    for data in pool:  # every seed as it is, first
        tried += 1
        try:
            run(data)
        except Exception:
            return tried, data, traceback.format_exc()
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), pool, rng)
        tried += 1
        try:
            run(data)
        except Exception:
            return tried, data, traceback.format_exc()
        if len(pool) < 2000 and rng.random() < 0.02:
            pool.append(data)  # keep some mutants as new seeds
    return tried, None, None


def save_crash(name: str, data: bytes) -> Path:
    folder = Path(os.environ.get("FUZZ_ARTIFACTS", ".fuzz"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{name}-{hashlib.sha256(data).hexdigest()[:16]}"
    path.write_bytes(data)
    return path


def _atheris(name: str, seconds: int) -> int:
    import atheris

    with atheris.instrument_imports(
        include=["omnicase.channels", "omnicase.ingest", "email_validator"]
    ):
        from omnicase.channels.registry import load_adapters
        from tests.fuzz.targets import CORPUS, TARGETS

        load_adapters()  # the adapters are imported lazily: instrument them now
    target = TARGETS[name]
    work = tempfile.mkdtemp(prefix=f"fuzz-{name}-")
    artifacts = Path(os.environ.get("FUZZ_ARTIFACTS", ".fuzz"))
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        "-rss_limit_mb=2048",
        "-timeout=10",
        f"-artifact_prefix={artifacts}/crash-{name}-",
        work,
        str(CORPUS / name),
    ]
    atheris.Setup(argv, target.run)
    atheris.Fuzz()  # exits the process: 0 when the time is up, non-zero on a crash
    return 0


def main() -> int:
    name = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("FUZZ_SECONDS", "30"))
    engine = os.environ.get("FUZZ_ENGINE", "auto")
    if engine in ("auto", "atheris"):
        try:
            import atheris  # noqa: F401
        except ImportError:
            if engine == "atheris":
                raise
        else:
            return _atheris(name, seconds)
    from tests.fuzz.targets import TARGETS, corpus

    tried, crash, trace = mutation_fuzz(TARGETS[name].run, corpus(name), seconds)
    if crash is not None:
        path = save_crash(name, crash)
        print(f"{name}: CRASH after {tried} inputs, saved to {path}\n{trace}", file=sys.stderr)
        return 1
    print(f"{name}: {tried} inputs in {seconds}s, no crash (mutation fuzzer)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
