"""The fuzz targets in the suite: seeds parse, every crash found so far stays fixed, and
each target survives a bounded mutation run (~3 s); with atheris installed, a short
coverage-guided run of two targets through ``tests/fuzz/run.py`` as ``make fuzz`` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.run import mutation_fuzz
from tests.fuzz.targets import TARGETS, corpus

REGRESSIONS = Path(__file__).parent / "regressions"
SECONDS = float(os.environ.get("FUZZ_TEST_SECONDS", "3"))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_the_seed_corpus_is_mostly_accepted(name: str) -> None:
    """A corpus the parser refuses would only fuzz the first few bytes of the format."""
    seeds = corpus(name)
    assert len(seeds) >= 2
    accepted = sum(TARGETS[name].run(s) for s in seeds)
    assert accepted >= 0.8 * len(seeds), f"{accepted}/{len(seeds)}"


DEEP = b"[" * 50_000 + b"]" * 50_000
CRASHES = [
    # found by the mutation fuzzer: json.loads raised RecursionError past ParseError
    ("chat_frame", DEEP[:15_000]),
    ("chat", b'{"visitor": ' + DEEP + b"}"),
    ("meta", b'{"object": "page", "entry": ' + DEEP + b"}"),
    # found by atheris: out-of-range timestamps (OSError / OverflowError from datetime)
    *[(p.name.split("-")[0], p.read_bytes()) for p in sorted(REGRESSIONS.iterdir())],
    (
        "meta",
        json.dumps({"object": "page", "entry": [{"messaging": [{"timestamp": 1e300}]}]}).encode(),
    ),
    ("meta", b'{"object": "page", "entry": [{"messaging": [{"timestamp": NaN}]}]}'),
]


@pytest.mark.parametrize(
    ("name", "data"), CRASHES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CRASHES)]
)
def test_crashes_found_by_fuzzing_are_refused_now(name: str, data: bytes) -> None:
    assert TARGETS[name].run(data) in (True, False)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_bounded_mutation_run_finds_no_crash(name: str) -> None:
    tried, crash, trace = mutation_fuzz(TARGETS[name].run, corpus(name), SECONDS, seed=1)
    assert crash is None, f"crash after {tried} inputs: {crash[:200]!r}\n{trace}"
    assert tried > len(corpus(name))


@pytest.mark.slow
@pytest.mark.processes
@pytest.mark.parametrize("name", ["email", "meta"])
def test_make_fuzz_runs_a_target_for_a_bounded_time(name: str, tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="the optional extra `fuzz` is not installed")
    env = {**os.environ, "FUZZ_ARTIFACTS": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", name, "3"],
        cwd=Path(__file__).parent.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr and list(tmp_path.iterdir()) == []
