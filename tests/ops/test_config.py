"""Settings: environment over TOML file over defaults, every bad value named with its
reason, and ``omnicase config check`` as an operator runs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.config import OPTIONS, ConfigError, Settings, load, load_settings

runner = CliRunner()
READ_ONLY = Path("/proc/sys")  # a read-only mount, even for root


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(env: dict[str, str], config: Path | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        load(env, config)
    return {e.setting: e.reason for e in info.value.errors}


def test_defaults_and_the_existing_names_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("OMNICASE_"):
            monkeypatch.delenv(name)
    assert load_settings() == Settings()
    monkeypatch.setenv("OMNICASE_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("OMNICASE_THREAD_WINDOW_DAYS", "3")
    monkeypatch.setenv("OMNICASE_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path}/x.db"
    assert settings.thread_window_days == 3
    assert settings.data_dir == tmp_path / "data"


def test_file_then_environment_override(tmp_path: Path) -> None:
    toml = write(
        tmp_path / "omnicase.toml",
        f'database_url = "sqlite:///{tmp_path}/file.db"\n'
        "thread_window_days = 10\n"
        'log_level = "warning"\n'
        'log_format = "text"\n',
    )
    loaded = load({"OMNICASE_CONFIG": str(toml), "OMNICASE_LOG_LEVEL": "debug"})
    assert loaded.settings.database_url == f"sqlite:///{tmp_path}/file.db"
    assert loaded.settings.thread_window_days == 10
    assert loaded.settings.log_level == "DEBUG"  # the environment wins
    assert loaded.settings.log_format == "text"
    assert loaded.sources["log_level"] == "OMNICASE_LOG_LEVEL"
    assert loaded.sources["thread_window_days"] == str(toml)
    assert loaded.sources["data_dir"] == "default"


def test_unknown_keys_and_wrong_types_in_the_file_are_named(tmp_path: Path) -> None:
    toml = write(tmp_path / "bad.toml", 'databse_url = "x"\ncolour = "blue"\n')
    errors = errors_of({}, toml)
    assert set(errors) == {"databse_url", "colour"}
    assert "unknown setting" in errors["colour"]
    toml = write(tmp_path / "types.toml", 'thread_window_days = "7"\nlog_level = 3\n')
    errors = errors_of({}, toml)
    assert "whole number" in errors["thread_window_days"] and "str" in errors["thread_window_days"]
    assert "string" in errors["log_level"]


def test_broken_or_missing_file(tmp_path: Path) -> None:
    errors = errors_of({"OMNICASE_CONFIG": str(tmp_path / "nope.toml")})
    assert "no such file" in errors["OMNICASE_CONFIG"]
    toml = write(tmp_path / "broken.toml", "log_level = \n")
    assert "not valid TOML" in errors_of({}, toml)["OMNICASE_CONFIG"]


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    errors = errors_of(
        {
            "OMNICASE_DATABASE_URL": "mysql://u:pw@db/omnicase",
            "OMNICASE_THREAD_WINDOW_DAYS": "a week",
            "OMNICASE_DATA_DIR": str(write(tmp_path / "file", "")),
            "OMNICASE_LOG_LEVEL": "loud",
            "OMNICASE_LOG_FORMAT": "xml",
        }
    )
    assert set(errors) == {
        "database_url",
        "thread_window_days",
        "data_dir",
        "log_level",
        "log_format",
    }
    assert "scheme 'mysql' is not supported" in errors["database_url"]
    assert "whole number" in errors["thread_window_days"]
    assert "not a directory" in errors["data_dir"]
    assert "DEBUG, INFO" in errors["log_level"]
    assert "json, text" in errors["log_format"]
    assert (
        "between 0 and 365"
        in errors_of({"OMNICASE_THREAD_WINDOW_DAYS": "-1"})["thread_window_days"]
    )
    assert "not a database URL" in errors_of({"OMNICASE_DATABASE_URL": "::"})["database_url"]


@pytest.mark.skipif(os.access(READ_ONLY, os.W_OK), reason="needs a read-only directory")
def test_directories_that_cannot_be_written_are_refused() -> None:
    errors = errors_of(
        {
            "OMNICASE_DATABASE_URL": f"sqlite:///{READ_ONLY}/omnicase.db",
            "OMNICASE_DATA_DIR": str(READ_ONLY),
        }
    )
    assert "not writable" in errors["database_url"]
    assert "not writable" in errors["data_dir"]
    errors = errors_of({"OMNICASE_DATA_DIR": str(READ_ONLY / "omnicase" / "var")})
    assert "cannot be created" in errors["data_dir"]


def test_postgresql_urls_are_accepted(tmp_path: Path) -> None:
    for url in ("postgresql://u:pw@h/db", "postgres://h/db", "postgresql+psycopg://h/db"):
        assert load({"OMNICASE_DATABASE_URL": url}).settings.database_url == url


def check(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["config", "check", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_config_check_prints_settings_with_the_password_masked(tmp_path: Path) -> None:
    toml = write(tmp_path / "omnicase.toml", 'log_format = "text"\n')
    code, out, err = check(
        {"OMNICASE_DATABASE_URL": "postgresql://omnicase:s3cr3t-pw@db.internal/omnicase"},
        "--config",
        str(toml),
    )
    assert code == 0, err
    assert "s3cr3t-pw" not in out + err
    assert 'database_url = "postgresql://omnicase:***@db.internal/omnicase"' in out
    assert f'log_format = "text"  # {toml}' in out
    assert "thread_window_days = 7  # default" in out


def test_config_check_lists_each_error_and_exits_2(tmp_path: Path) -> None:
    toml = write(tmp_path / "omnicase.toml", 'log_format = "xml"\n')
    code, out, err = check(
        {
            "OMNICASE_CONFIG": str(toml),
            "OMNICASE_DATABASE_URL": "mysql://u:s3cr3t@h/db",
            "OMNICASE_LOG_LEVEL": "loud",
        }
    )
    assert code == 2
    text = " ".join(err.split())
    assert "log_format" in text and str(toml) in text
    assert "database_url (from OMNICASE_DATABASE_URL)" in text
    assert "log_level" in text
    assert "s3cr3t" not in out + err


def test_commands_refuse_to_start_on_bad_settings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={"OMNICASE_DATABASE_URL": "mysql://h/db"})
    assert result.exit_code == 2
    assert "database_url" in result.stderr


def test_the_deployment_guide_documents_every_setting() -> None:
    """docs/deployment.md's reference table stays true to config.OPTIONS."""
    guide = (Path(__file__).parents[2] / "docs" / "deployment.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in guide.splitlines() if "| `" in line}
    for option in OPTIONS:
        assert option.name in rows, option.name
        row = rows[option.name]
        assert f"`{option.env}`" in row
        default = option.default
        assert f"`{default if not isinstance(default, Path) else './' + str(default)}`" in row


def test_config_check_output_is_a_config_file_giving_the_same_settings(tmp_path: Path) -> None:
    env = {
        "OMNICASE_DATABASE_URL": f"sqlite:///{tmp_path}/omnicase.db",
        "OMNICASE_THREAD_WINDOW_DAYS": "5",
        "OMNICASE_DATA_DIR": str(tmp_path / "data"),
    }
    code, out, err = check(env)
    assert code == 0, err
    assert out.count("\n# ") == len(OPTIONS) - 1  # each setting with its meaning
    again = write(tmp_path / "from-check.toml", out)
    assert load({}, again).settings == load(env).settings
