from tests.web.conftest import web, world

__all__ = ["web", "world"]
