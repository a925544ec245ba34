"""Use cases on accounts: log in, create and disable users, set passwords, issue API tokens.

Every write is audited in the same transaction; every function commits its own work.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import passwords
from api.auth.errors import DuplicateUsername, InvalidUserData, LoginFailed, UserNotFound
from api.auth.models import ROLES, ApiToken, User
from api.auth.ratelimit import LoginRateLimiter
from collection.audit import REDACTED, Actor, created, record_change
from collection.db import now_utc
from collection.errors import N_
from distribution.libraries.models import Library

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")
TOKEN_PREFIX = "kt_"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # how stale last_used_at may get (fewer writes)


def get_user(session: Session, username: str) -> User:
    """The user called ``username`` (active or not)."""
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise UserNotFound(N_("Користувача {username} не знайдено"), params={"username": username})
    return user


def list_users(session: Session) -> list[User]:
    """All users, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def _library_by_code(session: Session, code: str) -> Library | None:
    return session.scalars(select(Library).where(Library.code == code.strip().upper())).first()


def create_user(
    session: Session, *, actor: Actor, username: str, password: str, role: str,
    full_name: str = "", library_code: str | None = None,
) -> User:  # fmt: skip
    """Create an account; a ``library`` user must name its library, staff must not."""
    username = username.strip().lower()
    library_code = (library_code or "").strip()
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = N_(
            "Ім'я користувача: 3–64 символи, латинські малі літери, цифри, . _ -; "
            "починається з літери"
        )
    elif session.scalars(select(User.id).where(User.username == username)).first():
        raise DuplicateUsername(
            N_("Користувач {username} вже існує"), field="username", params={"username": username}
        )
    if role not in ROLES:
        errors["role"] = N_("Недопустима роль")
    library = None
    if role == "library":
        if not library_code:
            errors["library"] = N_("Для ролі «публічна бібліотека» вкажіть бібліотеку")
        else:
            library = _library_by_code(session, library_code)
            if library is None:
                errors["library"] = N_("Бібліотеки з таким кодом немає")
    elif library_code:
        errors["library"] = N_("Бібліотеку вказують лише для ролі «публічна бібліотека»")
    if len(full_name) > 255:
        errors["full_name"] = N_("Занадто довге значення")
    problem = passwords.password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise InvalidUserData(N_("Перевірте виділені поля"), errors=errors)
    user = User(
        username=username, full_name=full_name.strip(), role=role, library=library,
        password_hash=passwords.hash_password(password), active=True,
    )  # fmt: skip
    session.add(user)
    session.flush()
    changes = created(user, ["username", "full_name", "role", "active"])
    if library is not None:
        changes["library"] = [None, library.code]
    record_change(
        session, actor=actor, action="create", obj_type="user", obj_id=user.username,
        changes=changes,
    )  # fmt: skip
    session.commit()
    return user


def set_password(session: Session, user: User, *, actor: Actor, password: str) -> None:
    """Give ``user`` a new password (admin reset or the user's own change)."""
    problem = passwords.password_problem(password)
    if problem:
        raise InvalidUserData(problem, field="password")
    user.password_hash = passwords.hash_password(password)
    record_change(
        session, actor=actor, action="set_password", obj_type="user", obj_id=user.username,
        changes={"password": [REDACTED, REDACTED]},
    )  # fmt: skip
    session.commit()


def change_own_password(
    session: Session, user: User, *, current: str, new: str, confirm: str
) -> None:
    """The "my account" use case: check the current password, then set the new one."""
    errors: dict[str, str] = {}
    if not passwords.verify_password(user.password_hash, current):
        errors["current_password"] = N_("Поточний пароль неправильний")
    problem = passwords.password_problem(new)
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = N_("Паролі не збігаються")
    if errors:
        raise InvalidUserData(N_("Перевірте виділені поля"), errors=errors)
    set_password(session, user, actor=user.actor, password=new)


def set_active(session: Session, user: User, *, actor: Actor, active: bool) -> None:
    """Disable (or re-enable) an account; a disabled user's sessions and tokens stop working."""
    if user.active == active:
        return
    if not active and actor.user_id == user.id:
        raise InvalidUserData(N_("Не можна вимкнути власний обліковий запис"), field="username")
    user.active = active
    record_change(
        session, actor=actor, action="enable" if active else "disable", obj_type="user",
        obj_id=user.username, changes={"active": [not active, active]},
    )  # fmt: skip
    session.commit()


def login(
    session: Session, *, limiter: LoginRateLimiter, username: str, password: str, ip: str
) -> User:
    """Check credentials under the rate limit; audit success and failure alike.

    Raises ``TooManyAttempts`` (before checking anything) or ``LoginFailed``.
    """
    username = username.strip().lower()
    limiter.check(username, ip)
    user = session.scalars(select(User).where(User.username == username)).first()
    valid = user is not None and passwords.verify_password(user.password_hash, password)
    if user is None or not user.active or not valid:
        if user is None:
            passwords.verify_password(_DUMMY_HASH, password)  # same time whether or not it exists
        limiter.record_failure(username, ip)
        record_change(
            session, actor=Actor(user.id if user else None, username[:64]),
            action="login_failed", obj_type="user", obj_id=username[:64], changes={},
        )  # fmt: skip
        session.commit()
        raise LoginFailed(username)
    limiter.reset(username, ip)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    record_change(
        session, actor=user.actor, action="login", obj_type="user", obj_id=user.username,
        changes={},
    )  # fmt: skip
    session.commit()
    return user


def logout(session: Session, user: User) -> None:
    """Record that ``user`` ended a page session (the caller clears the cookie)."""
    record_change(
        session, actor=user.actor, action="logout", obj_type="user", obj_id=user.username,
        changes={},
    )  # fmt: skip
    session.commit()


_DUMMY_HASH = passwords.hash_password("not a real password")


def _token_digest(raw: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, *, name: str = "") -> str:
    """A new bearer token for ``user``; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=_token_digest(raw), user=user, name=name[:64], revoked=False)
    session.add(token)
    session.flush()
    record_change(
        session, actor=user.actor, action="issue_token", obj_type="api_token", obj_id=token.id,
        changes={"name": [None, token.name]},
    )  # fmt: skip
    session.commit()
    return raw


def user_for_token(session: Session, raw: str) -> tuple[User, ApiToken] | None:
    """The active user a non-revoked token belongs to, or None."""
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(raw))
    ).first()
    if token is None or token.revoked or not token.user.active:
        return None
    now = now_utc()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now  # bookkeeping, not a change of data: not audited
        session.commit()
    return token.user, token


def revoke_token(session: Session, token: ApiToken, *, actor: Actor) -> None:
    """Revoke a token for good."""
    if token.revoked:
        return
    token.revoked = True
    record_change(
        session, actor=actor, action="revoke_token", obj_type="api_token", obj_id=token.id,
        changes={"revoked": [False, True]},
    )  # fmt: skip
    session.commit()
