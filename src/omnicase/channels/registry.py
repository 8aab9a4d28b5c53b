"""Channel name → adapter. Each adapter package registers itself when imported;
:func:`load_adapters` imports every package listed in ``ADAPTER_MODULES``."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from omnicase.channels.base import Adapter

#: Packages that register an adapter (each channel issue adds its own line).
ADAPTER_MODULES = (
    "omnicase.channels.email.adapter",
    "omnicase.channels.meta.adapter",
    "omnicase.channels.sms.adapter",
    "omnicase.channels.phone.adapter",
    "omnicase.channels.x.adapter",
    "omnicase.channels.chat.adapter",
    "omnicase.channels.webform.adapter",
)

#: Channels a reply cannot go out on, and the channel that answers them instead.
REPLY_INSTEAD = {"webform": "email"}

_ADAPTERS: dict[str, Adapter] = {}


class UnknownChannel(LookupError):
    pass


def register(adapter: Adapter) -> Adapter:
    """Serve each of ``adapter.channels`` with it (a second adapter for a channel is a
    programming error)."""
    for channel in adapter.channels:
        existing = _ADAPTERS.get(channel)
        if existing is not None and type(existing) is not type(adapter):
            raise ValueError(f"channel {channel!r} already has the {type(existing).__name__}")
        _ADAPTERS[channel] = adapter
    return adapter


def unregister(adapter: Adapter) -> None:
    for channel in adapter.channels:
        if _ADAPTERS.get(channel) is adapter:
            del _ADAPTERS[channel]


@contextmanager
def registered(adapter: Adapter) -> Iterator[Adapter]:
    """Register for the duration of a block (tests' own adapters)."""
    register(adapter)
    try:
        yield adapter
    finally:
        unregister(adapter)


def load_adapters() -> dict[str, Adapter]:
    for module in ADAPTER_MODULES:
        importlib.import_module(module)
    return dict(_ADAPTERS)


def get_adapter(channel: str) -> Adapter:
    load_adapters()
    try:
        return _ADAPTERS[channel]
    except KeyError:
        known = ", ".join(sorted(_ADAPTERS)) or "none"
        raise UnknownChannel(f"no adapter for channel {channel!r} (known: {known})") from None
