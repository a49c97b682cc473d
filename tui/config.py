"""The user's config file: default database, rep, theme, timezone and keymap.

``~/.config/legwork/config.toml`` (platformdirs' user config directory)::

    db = "postgresql+psycopg://legwork@crm.internal/legwork"
    rep = "alex"
    theme = "textual-dark"

    [keymap]
    move-forward = "L,greater_than_sign,ctrl+right"
    mode-today = "3,f3"
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "legwork"


class ConfigError(Exception):
    """The config file cannot be read; the message is one line."""


@dataclass(frozen=True)
class Config:
    db: str | None = None
    rep: str | None = None
    theme: str | None = None
    timezone: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    warning: str | None = None  # one line worth telling, not fatal


def config_path() -> Path:
    override = os.environ.get("LEGWORK_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ConfigError(f'{path}: [keymap] maps binding ids to keys, e.g. move-forward = "L,ctrl+right"')
    known = {"db", "rep", "theme", "timezone", "keymap"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    for key in ("db", "rep", "theme", "timezone"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string")
    return Config(
        db=data.get("db"),
        rep=data.get("rep"),
        theme=data.get("theme"),
        timezone=data.get("timezone"),
        keymap=dict(keymap),
        path=path,
        warning=_exposed_password(path, data.get("db")),
    )


def _exposed_password(path: Path, db: str | None) -> str | None:
    """A warning when the file holds a database password that other users can read."""
    if not db or "@" not in db:
        return None
    try:
        if not path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            return None
    except OSError:
        return None
    from store.db import url_has_password  # only for a config that names a server

    if not url_has_password(db):
        return None
    return f"{path} holds a database password and other users can read it: chmod 600 {path}"
