"""Who may do what: role checks and the per-object rules, shared by REST and pages.

Per-object rule for libraries: staff see and edit every library; a ``library`` user sees and
edits only its own library, and only the fields in ``SELF_EDITABLE_FIELDS``. Anything else is
reported as "not found", so the existence of other libraries is never revealed.
"""

from __future__ import annotations

from api.auth.models import User
from distribution.libraries.models import EDITABLE_FIELDS, SELF_EDITABLE_FIELDS

# Which roles may use which area; checked by the ``require_roles`` dependencies.
MANAGE_USERS = ("admin",)
CREATE_LIBRARIES = ("admin",)
READ_AUDIT = ("admin", "methodologist")


def library_scope(user: User) -> int | None:
    """The only library id ``user`` may see, or None when it may see all."""
    return None if user.is_staff else user.library_id


def library_fields_editable_by(user: User) -> tuple[str, ...]:
    """The library fields ``user`` may change (on a library it can see)."""
    return EDITABLE_FIELDS if user.is_staff else SELF_EDITABLE_FIELDS


def has_role(user: User, roles: tuple[str, ...]) -> bool:
    """Whether ``user`` holds one of ``roles``."""
    return user.role in roles

# The programme flow (state programme, exchange fund, gift campaigns): who runs it, who watches it.
PROGRAMME_WRITE = ("admin", "programme", "acquisitions")
PROGRAMME_READ = (*PROGRAMME_WRITE, "methodologist")
