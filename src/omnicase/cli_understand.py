"""CLI commands of the understanding issue: ``model build|train|list|rollback``,
``eval reasons|language|signals``, ``bench understand`` (registered by ``cli.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from omnicase.store.db import Database

model_app = typer.Typer(no_args_is_help=True, help="Reason models: build, train, list, roll back.")

Corpus = Annotated[Path, typer.Argument(exists=True, file_okay=False, help="labelled corpus")]
PACKAGED = Path(__file__).parent / "understand" / "models" / "reasons.npz"
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="OMNICASE_DATABASE_URL",
        help="database URL (default: sqlite:///./omnicase.db)",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="one JSON line")]


def _db(url: str | None) -> Database:
    from omnicase import cli  # cli imports this module: resolved at call time

    return cli._db(url)


def _fail(message: str) -> NoReturn:
    from omnicase import cli

    cli._fail(message)


@model_app.command("build")
def model_build(
    directory: Corpus = Path("data/reasons"),
    out: Annotated[Path, typer.Option(help="where to write the archive")] = PACKAGED,
) -> None:
    """Train the packaged default model from DIR/train (no database) and write it."""
    from omnicase.understand.evaluate import build_default

    model = build_default(directory)
    out.write_bytes(model.to_bytes())
    meta = model.meta
    print(
        f"{out}: {len(model.vocabulary)} features, {len(model.labels)} reasons, "
        f"CV macro-F1 {meta['cv_macro_f1']:.4f}, triage below {model.threshold:.3f}, "
        f"corpus {meta['corpus_digest'][:12]} {meta['authors']}"
    )


@model_app.command("train")
def model_train(
    brand: Annotated[
        str | None, typer.Option(help="a brand's own model (needs corrections)")
    ] = None,
    corpus: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path("data/reasons"),
    min_corrections: Annotated[int, typer.Option(min=1)] = 20,
    database: DbUrl = None,
) -> None:
    """Retrain on the corpus plus agents' corrections; activate unless worse on held-out."""
    from omnicase.services.reason_models import ModelError, do_train

    try:
        outcome = do_train(_db(database), brand, corpus, min_corrections, actor="cli")
    except ModelError as exc:
        _fail(str(exc))
    scope = f"brand {brand}" if brand else "global"
    print(
        f"{scope} model version {outcome.version} (id {outcome.id}): {outcome.corrections} "
        f"corrections, CV macro-F1 {outcome.cv_macro_f1:.4f}, triage below "
        f"{outcome.triage_threshold:.3f}; {outcome.note}"
    )
    if not outcome.activated:
        raise typer.Exit(1)


@model_app.command("list")
def model_list(database: DbUrl = None, as_json: AsJson = False) -> None:
    """Every stored model version, the active ones marked."""
    from omnicase.services.reason_models import list_models

    rows = list_models(_db(database))
    if as_json:
        print(json.dumps([{**r.__dict__, "created_at": r.created_at.isoformat()} for r in rows]))
        return
    if not rows:
        print("no trained model stored: the packaged model is in use")
    for r in rows:
        print(
            f"{'*' if r.active else ' '} id={r.id} {r.brand or 'global'} v{r.version} "
            f"heldout={r.heldout_macro_f1:.4f} cv={r.cv_macro_f1:.4f} "
            f"triage<{r.triage_threshold:.3f} rows={r.corpus_rows} corrections={r.corrections} "
            f"{r.created_at:%Y-%m-%d %H:%M} {r.note}"
        )


@model_app.command("rollback")
def model_rollback(
    brand: Annotated[str | None, typer.Option()] = None, database: DbUrl = None
) -> None:
    """Deactivate the active model (of a brand, or the global one); the previous returns."""
    from omnicase.services.reason_models import ModelError, do_rollback

    try:
        print(do_rollback(_db(database), brand, actor="cli"))
    except ModelError as exc:
        _fail(str(exc))


def register(eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add this issue's ``eval`` and ``bench`` commands to the CLI's groups."""

    @eval_app.command("reasons")
    def eval_reasons(directory: Corpus = Path("data/reasons"), as_json: AsJson = False) -> None:
        """CV on DIR/train, then per-reason P/R/F1, macro-F1 and more on DIR/heldout."""
        from omnicase.understand.evaluate import evaluate_reasons

        report = evaluate_reasons(directory)
        print(json.dumps(report.figures) if as_json else "\n".join(report.lines))

    @eval_app.command("language")
    def eval_language(
        paths: Annotated[list[Path] | None, typer.Argument(exists=True)] = None,
    ) -> None:
        """Language accuracy per language and on short texts (corpus dirs or JSONL files)."""
        from omnicase.understand.evaluate import evaluate_language

        chosen = paths or [Path("data/reasons"), Path("tests/understand/data/languages.jsonl")]
        print("\n".join(evaluate_language(chosen).lines))

    @eval_app.command("signals")
    def eval_signals(
        path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)] = Path(
            "tests/understand/data/signals.jsonl"
        ),
    ) -> None:
        """Precision/recall of urgency signals on a labelled JSONL set."""
        from omnicase.understand.evaluate import evaluate_signals

        print("\n".join(evaluate_signals(path).lines))

    @bench_app.command("understand")
    def bench_understand(
        messages: Annotated[int, typer.Option(min=100)] = 20_000, as_json: AsJson = False
    ) -> None:
        """Reason + language + entities: batch throughput, single-message latency, model load."""
        from omnicase.benchmarks.understand import run_understand_bench

        result = run_understand_bench(messages)
        print(json.dumps(result) if as_json else "\n".join(f"{k}: {v}" for k, v in result.items()))
