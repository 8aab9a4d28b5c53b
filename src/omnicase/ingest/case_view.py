"""``omnicase cases show REF``: one case as an agent would read it, in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from omnicase.model import Case, Customer, Identity, Message, Organisation
from omnicase.store.db import Database
from omnicase.store.references import format_reference, parse_reference

CHANNEL_STYLE = {
    "email": "blue",
    "chat": "green",
    "messenger": "magenta",
    "instagram": "bright_magenta",
    "whatsapp": "bright_green",
    "x": "white",
    "phone": "yellow",
    "sms": "cyan",
    "webform": "bright_blue",
}


def render_case(db: Database, reference: str, out: Console) -> bool:
    parsed = parse_reference(reference)
    with db.reading() as session:
        if parsed is not None:
            case = session.scalar(
                select(Case)
                .join(Organisation, Organisation.id == Case.brand_id)
                .where(Case.id == parsed[1], Organisation.case_prefix == parsed[0])
            )
        else:
            case = session.get(Case, int(reference)) if reference.isdigit() else None
        if case is None:
            return False
        brand = session.get(Organisation, case.brand_id)
        customer = session.get(Customer, case.customer_id)
        assert brand is not None and customer is not None
        ref = format_reference(brand.case_prefix or "", case.id)
        identities = session.scalars(
            select(Identity).where(Identity.customer_id == customer.id).order_by(Identity.id)
        )
        head = Text()
        head.append(f"{ref}", style="bold")
        head.append(
            f"  {brand.name} · {case.status} · reason {case.reason or '-'} · "
            f"language {case.language or '-'} · priority {case.priority}"
        )
        if case.order_numbers:
            head.append(f" · orders {', '.join(case.order_numbers)}")
        out.print(head)
        who = ", ".join(f"{i.kind} {i.value} ({i.rule})" for i in identities)
        out.print(Text(f"customer #{customer.id} {customer.name or ''}: {who}", style="dim"))
        table = Table(show_lines=False, expand=True, header_style="bold")
        table.add_column("received (UTC)", no_wrap=True)
        table.add_column("channel", no_wrap=True)
        table.add_column("", no_wrap=True)
        table.add_column("message", ratio=3)
        table.add_column("why it is here", ratio=2)
        for m in session.scalars(
            select(Message).where(Message.case_id == case.id).order_by(Message.received_at)
        ):
            body = " ".join((m.text or m.subject or "(no text)").split())
            detail = {k: v for k, v in (m.link_detail or {}).items() if k not in ("customer",)}
            why = f"{m.link_rule} {m.link_score:.2f}"
            if detail:
                why += " " + ", ".join(
                    f"{k}={v}" if v is not True else k for k, v in detail.items()
                )
            table.add_row(
                f"{m.received_at:%Y-%m-%d %H:%M}",
                Text(m.channel, style=CHANNEL_STYLE.get(m.channel, "")),
                "→" if m.direction == "outbound" else "←",
                body[:160] + ("…" if len(body) > 160 else ""),
                Text(why[:120], style="dim"),
            )
        out.print(table)
    return True
