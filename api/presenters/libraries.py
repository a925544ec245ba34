"""What a public library and an account look like outside: in REST answers and in CLI ``--json``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from api.auth.models import User
from distribution.libraries.models import Library


class LibraryOut(BaseModel):
    """A public library as the API and ``komplekt libraries list --json`` show it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    community: str
    district: str
    oblast: str
    status: str
    address: str
    carrier: str
    carrier_branch: str
    contact_person: str
    phone: str
    email: str
    preferred_flavour: str
    preferred_encoding: str


def library_out(library: Library) -> LibraryOut:
    """A library as the API shows it."""
    return LibraryOut.model_validate(library)


class Me(BaseModel):
    """The authenticated user."""

    username: str
    full_name: str
    role: str
    library: str | None


class UserOut(Me):
    """An account as ``komplekt users list --json`` shows it: who, which role, which library, active."""

    active: bool


def me_out(user: User) -> Me:
    """Who a token belongs to."""
    return Me(
        username=user.username, full_name=user.full_name, role=user.role,
        library=user.library.code if user.library else None,
    )  # fmt: skip


def user_out(user: User) -> UserOut:
    """An account and whether it may log in."""
    return UserOut(**me_out(user).model_dump(), active=user.active)
