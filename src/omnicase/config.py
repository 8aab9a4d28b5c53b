"""Settings, read in one place: ``OMNICASE_*`` environment variables over an optional TOML
file (``OMNICASE_CONFIG`` or ``omnicase config check --config``), over the defaults.

Every value is checked when it is loaded, and every problem is reported at once, naming
the setting and the reason, so a bad deployment fails at start rather than at the first
request that needs the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: Environment variable naming the TOML file.
CONFIG_ENV = "OMNICASE_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./omnicase.db"
    #: Days after resolution during which a new message about the same request reopens it.
    thread_window_days: int = 7
    data_dir: Path = Path("./var")
    log_level: str = "INFO"
    log_format: str = "json"
    #: Fernet keys, comma-separated: the first encrypts channel secrets, all decrypt.
    secret_keys: str = ""
    #: Where attachments are stored, content-addressed by sha256.
    attachments_dir: Path = Path("./attachments")
    #: Web sessions end after this many hours without a request...
    web_session_idle_hours: int = 8
    #: ...and this many hours after login, whatever happens.
    web_session_absolute_hours: int = 24
    #: ``auto``: the session cookie is Secure when the request came over https;
    #: ``always`` / ``never`` force it.
    web_cookie_secure: str = "auto"
    #: Requests per minute per API token, and per client IP (API, webhooks, forms); 0 = off.
    rate_limit_per_token: int = 1200
    rate_limit_per_ip: int = 6000
    #: Where the rate counters live: memory (one process), database (shared), auto.
    rate_limit_backend: str = "auto"
    #: Failed logins of one account before it is locked (then exponential backoff).
    login_max_failures: int = 5


class SettingError(ValueError):
    """One bad setting: which one, where it came from, and why."""

    def __init__(self, setting: str, reason: str, source: str = "") -> None:
        self.setting = setting
        self.reason = reason
        self.source = source
        where = f" (from {source})" if source else ""
        super().__init__(f"{setting}{where}: {reason}")


class ConfigError(ValueError):
    """Every problem found while loading the settings (raised with all of them)."""

    def __init__(self, errors: list[SettingError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


# ---- checks: each returns the clean value or raises ValueError with the reason ---------


def check_database_url(value: Any) -> str:
    try:
        url = make_url(str(value))
    except ArgumentError as exc:
        raise ValueError(f"not a database URL ({exc})") from exc
    if url.drivername not in DATABASE_SCHEMES:
        raise ValueError(
            f"scheme {url.drivername!r} is not supported; use sqlite:/// or postgresql://"
        )
    if url.drivername == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ValueError(f"the directory of the SQLite file does not exist: {folder}")
        if not os.access(folder, os.W_OK):
            raise ValueError(f"the directory of the SQLite file is not writable: {folder}")
    return str(value)


def check_window(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a whole number of days, got {value!r}")
    try:
        days = int(value)
    except ValueError as exc:
        raise ValueError(f"must be a whole number of days, got {value!r}") from exc
    if not 0 <= days <= 365:
        raise ValueError(f"must be between 0 and 365 days, got {days}")
    return days


def check_data_dir(value: Any) -> Path:
    path = Path(str(value)).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{path} exists and is not a directory")
        if not os.access(path, os.W_OK):
            raise ValueError(f"directory {path} is not writable")
        return path
    parent = next((p for p in path.resolve().parents if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK):
        raise ValueError(f"directory {path} does not exist and cannot be created in {parent}")
    return path


def check_log_level(value: Any) -> str:
    level = str(value).upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def check_log_format(value: Any) -> str:
    fmt = str(value).lower()
    if fmt not in LOG_FORMATS:
        raise ValueError(f"must be one of {', '.join(LOG_FORMATS)}, got {value!r}")
    return fmt


def check_per_minute(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a whole number of requests per minute, got {value!r}")
    try:
        number = int(value)
    except ValueError as exc:
        raise ValueError(f"must be a whole number of requests per minute, got {value!r}") from exc
    if not 0 <= number <= 1_000_000:
        raise ValueError(f"must be between 0 (off) and 1000000, got {number}")
    return number


def check_rate_backend(value: Any) -> str:
    backend = str(value).lower()
    if backend not in ("auto", "memory", "database"):
        raise ValueError(f"must be auto, memory or database, got {value!r}")
    return backend


def check_max_failures(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a whole number of failures, got {value!r}")
    try:
        number = int(value)
    except ValueError as exc:
        raise ValueError(f"must be a whole number of failures, got {value!r}") from exc
    if not 1 <= number <= 100:
        raise ValueError(f"must be between 1 and 100, got {number}")
    return number


def parse_secret_keys(value: str) -> list[str]:
    """``OMNICASE_SECRET_KEYS`` as a list (blanks dropped)."""
    return [k.strip() for k in value.split(",") if k.strip()]


def check_secret_keys(value: Any) -> str:
    """Each key must be a Fernet key (32 bytes, url-safe base64); the reason never
    repeats a key."""
    keys = parse_secret_keys(str(value))
    for position, key in enumerate(keys, 1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                f"key {position} is not a Fernet key (32 bytes, url-safe base64; "
                "make one with `omnicase secrets generate-key`)"
            )
    return ",".join(keys)


def check_hours(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be a whole number of hours, got {value!r}")
    try:
        hours = int(value)
    except ValueError as exc:
        raise ValueError(f"must be a whole number of hours, got {value!r}") from exc
    if not 1 <= hours <= 24 * 30:
        raise ValueError(f"must be between 1 and 720 hours, got {hours}")
    return hours


COOKIE_SECURE = ("auto", "always", "never")


def check_cookie_secure(value: Any) -> str:
    mode = str(value).lower()
    if mode not in COOKIE_SECURE:
        raise ValueError(f"must be one of {', '.join(COOKIE_SECURE)}, got {value!r}")
    return mode


@dataclass(frozen=True)
class Option:
    """One setting: its TOML key (the field name), its environment variable, how it is
    checked, and what it means. Adding a setting = a Settings field + one Option here + a
    row in docs/deployment.md (a test compares them)."""

    name: str
    kind: type
    check: Callable[[Any], Any]
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return f"OMNICASE_{self.name.upper()}"

    @property
    def default(self) -> Any:
        return getattr(Settings, self.name)


OPTIONS: tuple[Option, ...] = (
    Option(
        "database_url",
        str,
        check_database_url,
        "SQLAlchemy URL: sqlite:///path.db (one machine) or postgresql://user:pw@host/db",
        secret=True,
    ),
    Option(
        "thread_window_days",
        int,
        check_window,
        "days after resolution during which a message about the same request reopens it",
    ),
    Option(
        "data_dir",
        Path,
        check_data_dir,
        "directory for files omnicase writes (must be writable, or creatable)",
    ),
    Option("log_level", str, check_log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    Option("log_format", str, check_log_format, "json (one object per line) or text"),
    Option(
        "secret_keys",
        str,
        check_secret_keys,
        "Fernet keys, comma-separated: the first encrypts channel secrets, all decrypt",
        secret=True,
    ),
    Option(
        "attachments_dir",
        Path,
        check_data_dir,
        "directory of attachments, stored by sha256 (must be writable, or creatable)",
    ),
    Option(
        "web_session_idle_hours",
        int,
        check_hours,
        "hours without a request after which a web session ends (1-720)",
    ),
    Option(
        "web_session_absolute_hours",
        int,
        check_hours,
        "hours after login after which a web session ends, active or not (1-720)",
    ),
    Option(
        "web_cookie_secure",
        str,
        check_cookie_secure,
        "session cookie Secure flag: auto (when served over https), always or never",
    ),
    Option(
        "rate_limit_per_token",
        int,
        check_per_minute,
        "requests per minute per API token (0 = no limit); over it: 429 with Retry-After",
    ),
    Option(
        "rate_limit_per_ip",
        int,
        check_per_minute,
        "requests per minute per client IP on the API, webhooks and forms (0 = no limit)",
    ),
    Option(
        "rate_limit_backend",
        str,
        check_rate_backend,
        "auto, memory (one process) or database (shared by every process)",
    ),
    Option(
        "login_max_failures",
        int,
        check_max_failures,
        "failed logins of one account before it is locked (then exponential backoff)",
    ),
)
BY_NAME = {o.name: o for o in OPTIONS}


# ---- loading --------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The settings and where each value came from (``default``, the file, or ``env``)."""

    settings: Settings
    sources: dict[str, str]


def read_toml(path: Path) -> dict[str, Any]:
    """The file's keys; unknown keys and TOML syntax errors are refused by name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError([SettingError(CONFIG_ENV, f"no such file: {path}")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([SettingError(CONFIG_ENV, f"cannot read {path}: {exc}")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([SettingError(CONFIG_ENV, f"{path} is not valid TOML: {exc}")]) from exc
    unknown = sorted(set(data) - set(BY_NAME))
    if unknown:
        known = ", ".join(BY_NAME)
        raise ConfigError(
            [
                SettingError(key, f"unknown setting in {path} (known: {known})", str(path))
                for key in unknown
            ]
        )
    return data


def _check_file_type(option: Option, value: Any, source: str) -> SettingError | None:
    """TOML has types: a string where a number belongs is a mistake worth naming."""
    wanted = int if option.kind is int else str
    if isinstance(value, bool) or not isinstance(value, wanted):
        return SettingError(
            option.name,
            f"must be a {'whole number' if wanted is int else 'string'}, "
            f"got {type(value).__name__} {value!r}",
            source,
        )
    return None


def load(env: Mapping[str, str] | None = None, config_file: Path | None = None) -> Loaded:
    """Defaults, then the TOML file, then ``OMNICASE_*`` variables; all values checked.

    Raises :class:`ConfigError` listing every bad value.
    """
    env = os.environ if env is None else env
    if config_file is None and env.get(CONFIG_ENV):
        config_file = Path(env[CONFIG_ENV])
    file_values = read_toml(config_file) if config_file is not None else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    errors: list[SettingError] = []
    for option in OPTIONS:
        raw: Any = option.default
        source = "default"
        if option.name in file_values:
            raw, source = file_values[option.name], str(config_file)
            bad = _check_file_type(option, raw, source)
            if bad is not None:
                errors.append(bad)
                continue
        if option.env in env:
            raw, source = env[option.env], option.env
        try:
            values[option.name] = option.check(raw)
        except ValueError as exc:
            errors.append(SettingError(option.name, str(exc), source))
        sources[option.name] = source
    if errors:
        raise ConfigError(errors)
    return Loaded(Settings(**values), sources)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The effective settings (environment over ``OMNICASE_CONFIG`` over defaults)."""
    return load(env).settings


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (for printing and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def describe(settings: Settings) -> dict[str, str]:
    """Every setting as a TOML value (so ``config check`` output can seed a file), secrets
    masked."""
    out: dict[str, str] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if BY_NAME[f.name].secret:
            value = mask_url(value) if f.name == "database_url" else ("***" if value else "")
        out[f.name] = str(value) if isinstance(value, int) else json.dumps(str(value))
    return out
