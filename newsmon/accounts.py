"""Analysts' accounts for the web workbench: argon2 password hashes, never the passwords."""
from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsmon.errors import NewsmonError
from newsmon.clock import utcnow
from storage.models import Analyst

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
MIN_PASSWORD = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("not a real password, only for timing")


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise NewsmonError(f"{name!r} is not a valid analyst name: letters, digits and . _ @ -, at most 100")
    return name


def add_analyst(session: Session, name: str, password: str) -> Analyst:
    """Create an account, or set a new password when the name exists; the caller commits."""
    check_name(name)
    if len(password) < MIN_PASSWORD:
        raise NewsmonError(f"the password is too short: at least {MIN_PASSWORD} characters")
    analyst = session.scalar(select(Analyst).where(Analyst.name == name))
    if analyst is None:
        analyst = Analyst(name=name, password_hash=_hasher.hash(password), created=utcnow())
        session.add(analyst)
    else:
        analyst.password_hash = _hasher.hash(password)
    session.flush()
    return analyst


def authenticate(session: Session, name: str, password: str) -> Analyst | None:
    """The analyst when ``password`` is theirs, else None (same cost for an unknown name)."""
    analyst = session.scalar(select(Analyst).where(Analyst.name == name)) if NAME.fullmatch(name or "") else None
    try:
        _hasher.verify(analyst.password_hash if analyst else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return analyst


def list_analysts(session: Session) -> list[Analyst]:
    return list(session.scalars(select(Analyst).order_by(Analyst.name)))
