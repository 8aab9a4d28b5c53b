"""``omnicase gdpr …``: a customer's data on request (export, erase) and retention."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

gdpr_app = typer.Typer(no_args_is_help=True, help="Personal data: export, erase, retention.")
console = Console(stderr=True)
DbOption = Annotated[
    str | None,
    typer.Option("--database", envvar="OMNICASE_DATABASE_URL", help="database URL"),
]
Brand = Annotated[str, typer.Option("--brand", help="the brand's slug")]
CustomerId = Annotated[int, typer.Option("--customer", help="the customer's id")]


def _operator(brand_id: int) -> object:
    """The operator at the command line acts as an admin of the brand."""
    from omnicase.store.scope import Principal

    return Principal(0, brand_id, "brand", "admin", None)


@gdpr_app.command("export")
def export(
    brand: Brand,
    customer: CustomerId,
    out: Annotated[Path, typer.Option("--out", help="the zip file to write")],
    database: DbOption = None,
) -> None:
    """Write everything held about one customer to a zip archive."""
    from omnicase.channels.attachments import AttachmentStore
    from omnicase.cli import _db, _fail, _settings
    from omnicase.model import Customer, Organisation
    from omnicase.services.gdpr import export_customer
    from omnicase.store.scope import Principal

    store = AttachmentStore.from_settings(_settings())
    with _db(database).transaction() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == brand))
        row = session.get(Customer, customer)
        if org is None or row is None or row.brand_id != org.id:
            _fail(f"no customer {customer} in brand {brand}")
        who = _operator(org.id)
        assert isinstance(who, Principal)
        data = export_customer(session, who, row, store, client="cli")
    out.write_bytes(data)
    console.print(f"customer {customer}: {len(data)} bytes written to {out}")


@gdpr_app.command("erase")
def erase(brand: Brand, customer: CustomerId, database: DbOption = None) -> None:
    """Erase one customer's personal data (the contacts still count)."""
    from omnicase.channels.attachments import AttachmentStore
    from omnicase.cli import _db, _fail, _settings
    from omnicase.model import Customer, Organisation
    from omnicase.services.erasure import do_erase_customer

    store = AttachmentStore.from_settings(_settings())
    with _db(database).transaction() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == brand))
        row = session.get(Customer, customer)
        if org is None or row is None or row.brand_id != org.id:
            _fail(f"no customer {customer} in brand {brand}")
        result = do_erase_customer(session, row, store, actor="cli")
    console.print(f"customer {customer} erased: {result.counts()}")


@gdpr_app.command("retention")
def retention(database: DbOption = None) -> None:
    """Apply every brand's retention policy now (the daily job does the same)."""
    from omnicase.channels.attachments import AttachmentStore
    from omnicase.cli import _db, _settings
    from omnicase.services.retention import apply_all

    store = AttachmentStore.from_settings(_settings())
    done = apply_all(_db(database), datetime.now().astimezone(), store)
    console.print(f"retention applied: {done or 'nothing to do'}")
