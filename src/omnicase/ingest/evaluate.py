"""``omnicase eval threading DIR``: how well messages are grouped into cases.

Replays labelled journeys (see tests/data/journeys/README.md) in time order through the
real pipeline on a fresh SQLite database, applies the agents' "resolve" actions, and
compares the resulting grouping with the labels: pairwise precision (of the message pairs
put in one case, how many belong together) and recall (of the pairs that belong together,
how many were put in one case), per split (``dev`` is for tuning, ``heldout`` never is).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select

from omnicase.ingest.pipeline import IngestStatus, ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Case, Message, Organisation
from omnicase.services.cases import do_patch_case, final_case
from omnicase.services.orgs import do_create_org
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade
from omnicase.store.scope import Principal

SYSTEM = Principal(user_id=0, organisation_id=0, org_kind="brand", role="admin", team_id=None)


@dataclass
class SplitFigures:
    journeys: int = 0
    messages: int = 0
    predicted_pairs: int = 0
    true_pairs: int = 0
    true_positive: int = 0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.true_pairs if self.true_pairs else 1.0


@dataclass
class ThreadingReport:
    splits: dict[str, SplitFigures] = field(default_factory=dict)
    mistakes: list[str] = field(default_factory=list)
    #: Per-message decisions of the traced journeys (dev split only).
    trace: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    at: datetime
    split: str
    journey: str
    label: str
    message: InboundMessage | None
    action: str | None
    #: The labeller could not tell which request this message is about ("ambiguous": true
    #: on the line); such messages are ingested but left out of the pair counts.
    ambiguous: bool = False


def load_journeys(directory: Path) -> list[_Line]:
    lines: list[_Line] = []
    for path in sorted(directory.rglob("*.jsonl")):
        split = path.parent.name if path.parent != directory else "all"
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            item: dict[str, Any] = json.loads(raw)
            where = f"{path.name}:{number}"
            if "message" in item:
                msg = InboundMessage.model_validate(item["message"])
                lines.append(
                    _Line(
                        msg.received_at,
                        split,
                        path.stem,
                        item["case"],
                        msg,
                        None,
                        bool(item.get("ambiguous", False)),
                    )
                )
            else:
                at = datetime.fromisoformat(item["at"])
                lines.append(_Line(at, split, path.stem, item["case"], None, item["action"]))
            if not item.get("case"):
                raise ValueError(f"{where}: every line needs a 'case' label")
    lines.sort(key=lambda line: line.at)
    return lines


def evaluate_threading(
    directory: Path, trace: frozenset[str] = frozenset(), splits: frozenset[str] | None = None
) -> ThreadingReport:
    """``trace``: journey numbers (``"07"``) whose every decision to print; dev only, so
    that nobody tunes on the held-out journeys. ``splits``: only these splits (a tuning
    run replays ``dev`` alone, so its author never sees the held-out figures move).

    Each split is replayed in a database of its own: the people of one split (a namesake,
    a shared landline) must not change the figures of the other.
    """
    brands = json.loads((directory / "brands.json").read_text(encoding="utf-8"))
    by_split: dict[str, list[_Line]] = {}
    for line in load_journeys(directory):
        if splits is None or line.split in splits:
            by_split.setdefault(line.split, []).append(line)
    held = by_split.get("heldout", [])
    if trace and any(li.journey.split("_")[0] in trace for li in held):
        raise ValueError("tracing held-out journeys is refused: they are never tuned on")
    report = ThreadingReport()
    for split, lines in sorted(by_split.items()):
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{tmp}/eval.db")
            try:
                upgrade(db)
                _create_brands(db, brands)
                part = _replay(db, lines)
                report.splits.update(part.splits)
                report.mistakes += part.mistakes
                if trace and split != "heldout":
                    report.trace += _trace(db, lines, trace)
            finally:
                db.dispose()
    return report


def _create_brands(db: Database, brands: list[dict[str, Any]]) -> None:
    with db.transaction() as session:
        for b in brands:
            if session.scalar(select(Organisation).where(Organisation.slug == b["slug"])):
                continue
            do_create_org(
                session,
                slug=b["slug"],
                name=b["name"],
                kind="brand",
                region=b["region"],
                timezone=b["timezone"],
                language=b["language"],
                settings={"order_patterns": b.get("order_patterns", [])},
            )


def _replay(db: Database, lines: list[_Line]) -> ThreadingReport:
    placed: list[tuple[_Line, int]] = []  # (line, message id)
    label_message: dict[str, int] = {}
    for line in lines:
        if line.message is not None:
            result = ingest(db, [line.message])[0]
            if result.status is IngestStatus.invalid or result.message_id is None:
                raise ValueError(f"{line.journey}: message refused: {result.errors}")
            placed.append((line, result.message_id))
            label_message.setdefault(line.label, result.message_id)
        elif line.action in ("resolve", "close"):
            mid = label_message.get(line.label)
            if mid is None:
                raise ValueError(
                    f"{line.journey}: '{line.action}' before any message of {line.label}"
                )
            with db.transaction() as session:
                message = session.get(Message, mid)
                assert message is not None
                case = session.get(Case, message.case_id)
                assert case is not None
                case = final_case(session, case)
                status = "resolved" if line.action == "resolve" else "closed"
                do_patch_case(session, case, {"status": status}, SYSTEM)
                case.resolved_at = line.at
                if status == "closed":
                    case.closed_at = case.resolved_at
    with db.reading() as session:
        case_of = dict(session.execute(select(Message.id, Message.case_id)).all())
        redirects = dict(session.execute(select(Case.id, Case.merged_into_id)).all())

    def final(case_id: int) -> int:
        seen = set()
        while (target := redirects.get(case_id)) is not None and case_id not in seen:
            seen.add(case_id)
            case_id = target
        return case_id

    report = ThreadingReport()
    by_split: dict[str, list[tuple[_Line, int]]] = {}
    for line, mid in placed:
        if line.ambiguous:
            continue
        by_split.setdefault(line.split, []).append((line, final(case_of[mid])))
    for split, items in sorted(by_split.items()):
        fig = SplitFigures(journeys=len({li.journey for li, _ in items}), messages=len(items))
        for (a, ca), (b, cb) in combinations(items, 2):
            same_true = a.label == b.label
            same_pred = ca == cb
            fig.true_pairs += same_true
            fig.predicted_pairs += same_pred
            fig.true_positive += same_true and same_pred
            if split == "heldout":
                continue  # never shown: nobody tunes on the held-out journeys
            if (same_true != same_pred and a.journey == b.journey) or (same_pred and not same_true):
                kind = "split apart" if same_true else "joined"
                report.mistakes.append(
                    f"[{split}] {kind}: {a.journey} {a.label}/{_ext(a)} ~ {b.journey} "
                    f"{b.label}/{_ext(b)}"
                )
        report.splits[split] = fig
    return report


def _ext(line: _Line) -> str:
    return f"{line.message.channel.value}:{line.message.external_id}" if line.message else "-"


def _trace(db: Database, lines: list[_Line], journeys: frozenset[str]) -> list[str]:
    out = []
    with db.reading() as session:
        for line in lines:
            if line.journey.split("_")[0] not in journeys:
                continue
            if line.split == "heldout":
                raise ValueError("tracing held-out journeys is refused: they are never tuned on")
            if line.message is None:
                out.append(f"  -- {line.action} {line.label} at {line.at:%m-%d %H:%M}")
                continue
            m = session.scalar(
                select(Message).where(Message.external_id == line.message.external_id)
            )
            assert m is not None
            detail = {k: v for k, v in m.link_detail.items() if k != "customer"}
            text = (m.text or m.subject or "")[:100].replace("\n", " ")
            out.append(
                f"{line.label:8s} case={m.case_id:<4d} customer={m.customer_id:<4d} "
                f"{m.channel:9s} {m.direction[:3]} {line.at:%m-%d %H:%M} {m.link_rule} "
                f"{detail} reason={m.reason} customer_rule={m.link_detail.get('customer')} "
                f"| {text}"
            )
    return out


def evaluate_synthetic(
    messages: int, seed: int = 3, show: int = 0
) -> tuple[SplitFigures, list[str]]:
    """The same figures on generated traffic (demo.generator's request labels).

    A second, larger check: the generator's customers sometimes switch identities with no
    clue a person could link, which caps recall; wrong joins are the figure to watch.
    ``show``: how many wrongly joined cases to print.
    """
    from collections import Counter, defaultdict

    from omnicase.benchmarks.ingest import _fresh
    from omnicase.demo.generator import demo_scale, generate

    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(f"sqlite:///{tmp}/synthetic.db")
        try:
            items = list(generate(customers=demo_scale(messages), messages=messages, seed=seed))
            parsed = [InboundMessage.model_validate(g.message) for g in items]
            results = []
            for start in range(0, len(parsed), 500):
                results += ingest(db, parsed[start : start + 500])
            label: dict[int, str] = {}
            for g, r in zip(items, results, strict=True):
                if r.message_id is not None:
                    label[r.message_id] = g.request
            with db.reading() as session:
                case_of = dict(session.execute(select(Message.id, Message.case_id)).all())
                fig = SplitFigures(journeys=len(set(label.values())), messages=len(label))

                def pairs(values: Counter[Any]) -> int:
                    return sum(n * (n - 1) // 2 for n in values.values())

                fig.true_pairs = pairs(Counter(label.values()))
                fig.predicted_pairs = pairs(Counter(case_of[m] for m in label))
                fig.true_positive = pairs(Counter((label[m], case_of[m]) for m in label))
                out: list[str] = []
                requests: dict[int, set[str]] = defaultdict(set)
                for m, lab in label.items():
                    requests[case_of[m]].add(lab)
                mixed = [c for c, labs in requests.items() if len(labs) > 1][:show]
                for case_id in mixed:
                    out.append(f"=== case {case_id}")
                    for row in session.scalars(
                        select(Message)
                        .where(Message.case_id == case_id)
                        .order_by(Message.received_at)
                    ):
                        detail = {k: v for k, v in row.link_detail.items() if k != "customer"}
                        text = (row.text or "")[:90].replace("\n", " ")
                        out.append(
                            f"  {label.get(row.id)} {row.channel:9s} {row.direction[:3]} "
                            f"{row.received_at:%m-%d %H:%M} {row.link_rule} {detail} "
                            f"{row.link_detail.get('customer')} | {text}"
                        )
            return fig, out
        finally:
            db.dispose()
