"""Jobs on the real backends (SQLite runner, procrastinate on PostgreSQL): a job runs, a
failing one is retried with backoff and ends dead with its error, locks hold, a job
deferred by a failed transaction is never enqueued."""

from __future__ import annotations

from itertools import pairwise

import pytest
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.jobs import JobContext, RetryPolicy, defer, every, get_spec, job, periodic
from omnicase.jobs.service import do_retry_job, get_job, list_jobs
from omnicase.services.cases import ActionError
from omnicase.store.db import Database
from tests.jobs.helpers import drain, drain_until, events, failed_ids


def test_retry_policy_and_periods() -> None:
    policy = RetryPolicy(max_attempts=4, backoff=2, factor=3, max_delay=10)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [2, 6, 10, None]
    assert every(5) == "* * * * * */5" and every(300) == "*/5 * * * *"
    assert every(3600) == "0 * * * *"
    with pytest.raises(ValueError):
        every(7)
    assert get_spec("test.locked").lock_for({"mailbox_id": 3}) == "mailbox:3"
    with pytest.raises(KeyError):
        get_spec("no.such.job")


def test_kwargs_must_be_json(db: Database) -> None:
    with pytest.raises(ValueError, match="JSON"):
        defer(db, "test.record", value=object())


def test_a_deferred_job_runs(db: Database) -> None:
    job_id = defer(db, "test.record", value="hello")
    with db.reading() as s:
        assert get_job(s, None, job_id).status == "todo"
    drain(db)
    assert [e["value"] for e in events(db, "test.ran")] == ["hello"]
    with db.reading() as s:
        info = get_job(s, None, job_id)
    assert (info.status, info.attempts, info.name, info.queue) == (
        "succeeded",
        1,
        "test.record",
        "test",
    )


def test_a_job_deferred_in_a_failed_transaction_is_not_enqueued(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        defer(session, "test.record", value="never")
        raise RuntimeError("the request failed")
    with db.transaction() as session:
        kept = defer(session, "test.record", value="kept")
    with db.reading() as s:
        assert [j.id for j in list_jobs(s, None)] == [kept]
    drain(db)
    assert [e["value"] for e in events(db, "test.ran")] == ["kept"]


@pytest.mark.slow
def test_a_failing_job_is_retried_with_backoff_then_dead(db: Database) -> None:
    job_id = defer(db, "test.fail", brand_id=None)
    assert drain_until(db, lambda: failed_ids(db) == {job_id})  # 0.3 s, then 0.6 s apart
    runs = events(db, "test.attempt")
    assert [r["attempt"] for r in runs] == [1, 2, 3]
    gaps = [b["t"] - a["t"] for a, b in pairwise(runs)]
    assert gaps[0] >= 0.29 and gaps[1] >= 0.59, gaps
    with db.reading() as s:
        info = get_job(s, None, job_id)
        assert [j.id for j in list_jobs(s, None, status="failed")] == [job_id]
    assert info.status == "failed" and info.attempts == 3
    assert info.last_error is not None and info.last_error.startswith(
        "RuntimeError: boom on attempt 3"
    )


def test_retrying_a_dead_job_gives_it_one_more_run(db: Database) -> None:
    healed = defer(db, "test.fail", fail_times=3)
    broken = defer(db, "test.fail")
    assert drain_until(db, lambda: failed_ids(db) == {healed, broken})
    with db.transaction() as s:
        assert {j.id for j in list_jobs(s, None, status="failed")} == {healed, broken}
        assert do_retry_job(s, None, healed).status == "todo"
        assert do_retry_job(s, None, broken).status == "todo"
    drain(db)
    with db.reading() as s:
        ok, dead = get_job(s, None, healed), get_job(s, None, broken)
    assert (ok.status, ok.attempts) == ("succeeded", 4)
    assert (dead.status, dead.attempts) == ("failed", 4)
    assert dead.last_error is not None and "boom on attempt 4" in dead.last_error
    with db.transaction() as s, pytest.raises(ActionError, match="only a failed job"):
        do_retry_job(s, None, healed)


@pytest.mark.slow
def test_two_threads_never_run_one_lock_at_once(db: Database) -> None:
    for n in range(3):
        for mailbox in (1, 2):
            defer(db, "test.locked", mailbox_id=mailbox, n=n)
    drain(db, concurrency=4)
    runs = events(db, "test.locked")
    assert len(runs) == 6
    for mailbox in (1, 2):
        spans = sorted((r["start"], r["end"]) for r in runs if r["mailbox"] == mailbox)
        for (_, end), (start, _) in pairwise(spans):
            assert start >= end, f"mailbox {mailbox} ran twice at once"
        # one lock key runs in order of deferral
        assert [
            r["n"] for r in sorted(runs, key=lambda r: r["start"]) if r["mailbox"] == mailbox
        ] == [0, 1, 2]
    one = [r for r in runs if r["mailbox"] == 1]
    two = [r for r in runs if r["mailbox"] == 2]
    assert any(a["start"] < b["end"] and b["start"] < a["end"] for a in one for b in two), (
        "different locks should run side by side"
    )


def test_declaring_mistakes_are_refused() -> None:
    def stray(ctx: JobContext) -> None: ...

    with pytest.raises(ValueError, match="above @job"):
        periodic(cron="* * * * *")(stray)
    with pytest.raises(ValueError, match="either cron or every_seconds"):
        periodic(cron="* * * * *", every_seconds=5)
    with pytest.raises(ValueError, match="registered twice"):
        job("test.record")(stray)
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


def test_operator_defers_a_job_from_the_cli(db: Database) -> None:
    runner = CliRunner()
    env = {"OMNICASE_DATABASE_URL": db.url}
    done = runner.invoke(app, ["jobs", "defer", "test.record", '{"value": "cli"}'], env=env)
    assert done.exit_code == 0, done.stderr
    drain(db)
    assert [e["value"] for e in events(db, "test.ran")] == ["cli"]
    unknown = runner.invoke(app, ["jobs", "defer", "no.such"], env=env)
    assert unknown.exit_code == 2 and "no job named" in unknown.stderr
    bad = runner.invoke(app, ["jobs", "defer", "test.record", "[1]"], env=env)
    assert bad.exit_code == 2 and "JSON object" in bad.stderr


def test_a_unique_job_waits_once(db: Database) -> None:
    with db.transaction() as session:
        first = defer(session, "test.poll", mailbox_id=1)
        assert defer(session, "test.poll", mailbox_id=1) == first  # the caller's transaction
        other = defer(session, "test.poll", mailbox_id=2)  # goes on after the collision
    assert other != first
    assert defer(db, "test.poll", mailbox_id=1) == first
    drain(db)
    assert sorted(e["mailbox"] for e in events(db, "test.poll")) == [1, 2]
    assert defer(db, "test.poll", mailbox_id=1) not in (first, other)
