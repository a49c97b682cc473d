"""The team's settings, one home each: timezone, currency, open editing.

Stored as rows of the ``setting`` table. Reading is for everyone; changing one is
a manager's job (store.permissions), recorded with who and when (store.audit).
"""

from __future__ import annotations

import re

import pendulum
from sqlmodel import Session, select

from store import audit, permissions
from store.errors import InvalidInput
from store.models import Setting
from store.money import DEFAULT_CURRENCY
from store.tx import write

DEFAULT_TIMEZONE = "UTC"
TIMEZONE = "timezone"
CURRENCY = "currency"
OPEN_EDITING = "team.open_editing"
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def get(session: Session, key: str) -> str | None:
    value = session.exec(select(Setting.value).where(Setting.key == key)).first()
    return value.strip() if value is not None else None


def _put(session: Session, key: str, value: str, by: int | None) -> None:
    """Inside the caller's transaction: write ``key`` and record who changed it from what."""
    before = get(session, key)
    session.merge(Setting(key=key, value=value))
    audit.record(session, by, "setting.changed", key, before=before, after=value)


# --- the team's timezone -------------------------------------------------------------------


def team_timezone(session: Session) -> str:
    """Setting ``timezone``; UTC when unset or not a zone pendulum knows."""
    value = get(session, TIMEZONE)
    if not value:
        return DEFAULT_TIMEZONE
    try:
        pendulum.timezone(value)
    except Exception:  # an unknown zone name typed into the database by hand
        return DEFAULT_TIMEZONE
    return value


def set_team_timezone(session: Session, tz: str, *, by: int | None = None) -> None:
    """Make ``tz`` the team's timezone: the periods of numbers, boards and the
    stand-up follow it, and the activity rollup is counted again in it."""
    from store import rollups

    try:
        pendulum.timezone(tz)
    except Exception:
        raise InvalidInput(f"{tz!r} is not a timezone name (e.g. Europe/Berlin)") from None
    with write(session):
        permissions.require_manager(session, by, "change the team's timezone")
        _put(session, TIMEZONE, tz, by)
        rollups.rebuild_activity_days(session, tz)


# --- currency ------------------------------------------------------------------------------


def currency(session: Session) -> str:
    """The database's currency code (one per database): read once per screen load or command."""
    return (get(session, CURRENCY) or "").upper() or DEFAULT_CURRENCY


def set_currency(session: Session, code: str, *, by: int | None = None) -> str:
    """Name the database's currency. Amounts are not converted: this names the
    unit they were entered in (a team that starts in EUR says so before importing)."""
    code = (code or "").strip().upper()
    if not _CURRENCY_CODE.match(code):
        raise InvalidInput(f"currency {code!r} must be a three-letter ISO code such as EUR or USD")
    with write(session):
        permissions.require_manager(session, by, "change the currency")
        _put(session, CURRENCY, code, by)
    return code


# --- who may edit --------------------------------------------------------------------------


def open_editing(session: Session) -> bool:
    """``team.open_editing``: when on, every rep changes every deal and task (a small
    team's choice); off (the default), reps change their own and managers their team's."""
    return (get(session, OPEN_EDITING) or "").lower() in _TRUE


def parse_flag(text: str, what: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"{what} must be true or false, not {text!r}")


def set_open_editing(session: Session, on: bool, *, by: int | None = None) -> None:
    with write(session):
        permissions.require_manager(session, by, "change who may edit deals")
        _put(session, OPEN_EDITING, "true" if on else "false", by)
