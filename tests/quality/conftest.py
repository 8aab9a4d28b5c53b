"""The channel tests' fixtures (secret keys in the environment, box, client, world)."""

from tests.channels.conftest import box, client, settings, world

__all__ = ["box", "client", "settings", "world"]
