"""The demo database: made by the project's own services, and reused when it is already there."""

from __future__ import annotations

from sqlalchemy import func, select

from api.auth.models import ROLES, User
from api.demo import ensure_demo_data
from collection.audit import AuditEntry
from distribution.libraries.models import Library


def test_demo_has_an_admin_users_of_every_role_and_luhansk_libraries(app, db):
    logins = ensure_demo_data(app.state.session_factory)
    assert {login.role for login in logins} == set(ROLES)
    assert {user.role for user in db.scalars(select(User))} == set(ROLES)
    statuses = {library.status for library in db.scalars(select(Library))}
    assert {"relocated", "occupied"} <= statuses
    assert all(lib.oblast == "Луганська" for lib in db.scalars(select(Library)))
    by_demo = select(func.count()).select_from(AuditEntry).where(AuditEntry.username == "demo")
    assert db.scalar(by_demo) > 10


def test_demo_is_reused_not_duplicated(app, db):
    ensure_demo_data(app.state.session_factory)
    ensure_demo_data(app.state.session_factory)
    assert db.scalar(select(func.count()).select_from(Library)) == 10


def test_demo_passwords_work(app, client):
    from tests.api.conftest import page_login

    logins = ensure_demo_data(app.state.session_factory)
    library_login = next(login for login in logins if login.role == "library")
    assert page_login(client, library_login.username, library_login.password).status_code == 303


def test_demo_has_a_state_programme_with_a_shipment_waiting_and_one_answered(app, db):
    from distribution.programmes.models import Programme
    from distribution.programmes.report import programme_report
    from distribution.shipping.queries import list_shipments

    ensure_demo_data(app.state.session_factory)
    programme = db.scalars(select(Programme).where(Programme.kind == "state")).one()
    totals = programme_report(db, programme.id)["totals"]
    assert totals["ordered"] > totals["allocated"] > 0  # one title arrived short
    assert totals["dispatched"] > totals["confirmed"] > 0
    states = {s.library_id: s.state for s in list_shipments(db, programme_id=programme.id)}
    by_code = dict(db.execute(select(Library.code, Library.id)).all())
    assert states[by_code["LG-STB-01"]] == "dispatched"
    assert "discrepancy" in states.values() and "planned" in states.values()


def test_demo_has_an_exchange_round_with_gifts_and_fund_duplicates_on_offer(app, db):
    from distribution.exchange.offers import offer_list
    from distribution.programmes.models import Programme

    ensure_demo_data(app.state.session_factory)
    programme = db.scalars(select(Programme).where(Programme.kind == "exchange")).one()
    rows = offer_list(db, programme.id)
    # 13 gift copies and five fund duplicates (six editions of two copies, one copy withdrawn)
    assert sum(r.offered for r in rows) == 13 + 5
    assert sum(r.requested for r in rows) == 2
