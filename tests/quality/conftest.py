"""Quality tests reuse the channel tests' fixtures: settings and keys, the app client,
the world, a real SMTP server on loopback."""

from tests.channels.conftest import box, client, settings, smtp, world

__all__ = ["box", "client", "settings", "smtp", "world"]
