"""The access rules of ``api.access``: every area's roles, the library scope, and that REST and
pages apply the same scope (another library's shipment is not found on both)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api import access
from api.access import (
    Forbidden,
    check_programme_document,
    document_shipment,
    exchange_scope,
    library_fields_editable_by,
    library_scope,
    may,
    require,
    require_staff_area,
    shipment_scope,
)
from api.auth.models import ROLES, STAFF_ROLES, User
from collection.errors import NotFoundError
from distribution.allocation.services import allocate_programme
from distribution.errors import ShipmentNotFound
from distribution.libraries.models import EDITABLE_FIELDS, SELF_EDITABLE_FIELDS, Library
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments
from tests.api.conftest import bearer, page_login
from tests.builders import TEST_ACTOR, make_user
from tests.distribution.programme_builders import A, programme_with_orders

API = "/api/v1"
OWN_LIBRARY_ID = 7
# Who may use each area: the table a librarian would read, written out here on purpose.
MATRIX = {
    "MANAGE_USERS": {"admin"},
    "CREATE_LIBRARIES": {"admin"},
    "READ_AUDIT": {"admin", "methodologist"},
    "CATALOGUE_READ": {"admin", "cataloguer", "acquisitions", "programme", "methodologist"},
    "CATALOGUE_EDIT": {"admin", "cataloguer"},
    "PLAN_EDIT": {"admin", "methodologist"},
    "IMPORT_EXPORT": {"admin", "cataloguer", "acquisitions"},
    "FUND_READ": {"admin", "acquisitions", "methodologist"},
    "FUND_WRITE": {"admin", "acquisitions"},
    "PROGRAMME_READ": {"admin", "programme", "acquisitions", "methodologist"},
    "PROGRAMME_WRITE": {"admin", "programme", "acquisitions"},
    "LIBRARY_SIDE_READ": {"admin", "programme", "acquisitions", "methodologist", "library"},
    "LIBRARY_SIDE_WRITE": {"admin", "programme", "acquisitions", "library"},
}


def user_with(role: str, library_code: str = "LG-A01") -> User:
    """A user in memory (no database): a library user is bound to library ``OWN_LIBRARY_ID``."""
    if role != "library":
        return User(username=role, role=role, library_id=None)
    library = Library(id=OWN_LIBRARY_ID, code=library_code, name="Тестова бібліотека")
    return User(username="lib", role=role, library_id=OWN_LIBRARY_ID, library=library)


# --- roles per area -------------------------------------------------------------------------------


def test_the_matrix_covers_every_area_and_names_only_known_roles():
    areas = {name for name, kind in access.__annotations__.items() if kind == "Roles"}
    assert areas == set(MATRIX)
    assert all(roles <= set(ROLES) for roles in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("area", sorted(MATRIX))
def test_a_role_may_use_exactly_the_areas_of_the_matrix(area, role):
    user = user_with(role)
    allowed = role in MATRIX[area]
    assert may(user, getattr(access, area)) is allowed
    if allowed:
        require(user, getattr(access, area))
    else:
        with pytest.raises(Forbidden):
            require(user, getattr(access, area))


def test_every_staff_role_reads_the_catalogue_so_only_a_library_user_finds_it_absent():
    assert set(access.CATALOGUE_READ) == set(STAFF_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_a_staff_area_is_absent_for_a_library_and_forbidden_for_staff_outside_it(role):
    user = user_with(role)
    if role == "library":
        with pytest.raises(NotFoundError):
            require_staff_area(user, access.FUND_READ)
    elif role in access.FUND_READ:
        require_staff_area(user, access.FUND_READ)
    else:
        with pytest.raises(Forbidden):
            require_staff_area(user, access.FUND_READ)


# --- the library scope ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_see_every_library_and_edit_every_field(role):
    user = user_with(role)
    assert library_scope(user) is None
    assert library_fields_editable_by(user) == EDITABLE_FIELDS


def test_a_library_user_sees_only_its_own_library_and_edits_only_its_own_fields():
    user = user_with("library")
    assert library_scope(user) == OWN_LIBRARY_ID
    assert library_fields_editable_by(user) == SELF_EDITABLE_FIELDS


def test_a_library_user_without_a_library_sees_nothing_rather_than_everything():
    user = User(username="lost", role="library", library_id=None)
    with pytest.raises(NotFoundError):
        library_scope(user)


@pytest.mark.parametrize("scope", [shipment_scope, exchange_scope])
@pytest.mark.parametrize("write", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_shipments_and_exchange_requests_are_scoped_to_the_library_and_checked_by_role(scope, write, role):
    user = user_with(role)
    allowed = access.PROGRAMME_WRITE if write else access.PROGRAMME_READ
    if role == "library":
        assert scope(user, write=write) == OWN_LIBRARY_ID
    elif role in allowed:
        assert scope(user, write=write) is None
    else:
        with pytest.raises(Forbidden):
            scope(user, write=write)


def test_a_library_may_not_see_address_labels_even_of_its_own_shipment():
    with pytest.raises(ShipmentNotFound):
        document_shipment(None, user_with("library"), 1, "labels")  # refused before any lookup


def test_a_library_reads_only_its_own_library_summary():
    user = user_with("library", library_code="LG-A01")
    check_programme_document(user, " lg-a01 ")
    for other in ("LG-B01", None):
        with pytest.raises(NotFoundError):
            check_programme_document(user, other)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_read_programme_documents_by_programme_role(role):
    user = user_with(role)
    if role in access.PROGRAMME_READ:
        check_programme_document(user, "LG-B01")
    else:
        with pytest.raises(Forbidden):
            check_programme_document(user)


# --- one rule for REST and pages -----------------------------------------------------------------


def test_another_librarys_shipment_is_not_found_over_rest_and_on_its_page_alike(client, db):
    programme = programme_with_orders(db, [["LG-A01", A, 2], ["LG-B01", A, 1]], received=[[A, 3, 0]])
    allocate_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    pack_programme(db, actor=TEST_ACTOR, programme_id=programme.id)
    libraries = {lib.code: lib for lib in db.scalars(select(Library))}
    make_user(db, "olha", "programme")
    make_user(db, "liba", library=libraries["LG-A01"])
    libb = make_user(db, "libb", library=libraries["LG-B01"])
    db.commit()
    (theirs,) = list_shipments(db, programme_id=programme.id, library_id=libraries["LG-A01"].id)
    staff = bearer(client, "olha")
    assert client.post(f"{API}/shipments/{theirs.id}/pack", headers=staff).status_code == 200
    body = {"carrier": "nova_poshta", "tracking_number": "20400000000001", "dispatched_on": "2026-11-20"}
    sent = client.post(f"{API}/shipments/{theirs.id}/dispatch", headers=staff, json=body)
    assert sent.status_code == 200, sent.text

    assert shipment_scope(libb) == libraries["LG-B01"].id != theirs.library_id
    assert client.get(f"{API}/shipments/{theirs.id}", headers=bearer(client, "liba")).status_code == 200
    assert client.get(f"{API}/shipments/{theirs.id}", headers=bearer(client, "libb")).status_code == 404
    page_login(client, "libb")
    assert client.get(f"/shipments/{theirs.id}").status_code == 404
    page_login(client, "liba")
    assert client.get(f"/shipments/{theirs.id}").status_code == 200
