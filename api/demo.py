"""Demo data for `komplekt serve --demo`: an admin, users of every role, Luhansk oblast libraries.

Made through the same services as real data (so it is validated and audited). Idempotent: a
database that already has the demo admin is reused as it is. The passwords are for the demo
only and are printed at start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.models import User
from api.auth.services import create_user
from api.demo_programme import create_exchange_demo, create_programme_demo
from collection.audit import Actor
from collection.catalogue.services import create_edition
from collection.db import unit_of_work
from collection.fund import acts as fund_acts
from collection.fund import receipts as fund_receipts
from distribution.libraries.services import create_library
from marc.samples import sample_records

DEMO_ACTOR = Actor(None, "demo")
DEMO_NOTE = (
    "Demo mode: open {url} and log in with one of these accounts (demo passwords only):"
)
OBLAST = "Луганська"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account to print at start."""

    username: str
    password: str
    role: str
    note: str = ""


# code, name, community (громада), district (район), status, address, phone, email
LIBRARIES = (
    ("LG-STB-01", "Старобільська міська публічна бібліотека", "Старобільська", "Старобільський",
     "relocated", "м. Київ, вул. Велика Васильківська, 12 (релоковано)", "+380 44 123 45 67",
     "starobilsk.library@example.org"),
    ("LG-BLV-01", "Біловодська публічна бібліотека", "Біловодська", "Старобільський",
     "occupied", "смт Біловодськ, вул. Центральна, 5", "", ""),
    ("LG-SVT-01", "Сватівська центральна публічна бібліотека", "Сватівська", "Сватівський",
     "occupied", "м. Сватове, пл. Злагоди, 3", "", ""),
    ("LG-SVD-01", "Сєвєродонецька міська публічна бібліотека", "Сєвєродонецька",
     "Сєвєродонецький", "relocated", "м. Дніпро, просп. Яворницького, 40 (релоковано)",
     "+380 56 765 43 21", "sievierodonetsk.library@example.org"),
    ("LG-LYS-01", "Лисичанська центральна бібліотека", "Лисичанська", "Сєвєродонецький",
     "destroyed", "м. Лисичанськ, вул. Григорія Сковороди, 8", "", ""),
    ("LG-RUB-01", "Рубіжанська міська публічна бібліотека", "Рубіжанська", "Сєвєродонецький",
     "destroyed", "м. Рубіжне, вул. Будівельників, 21", "", ""),
    ("LG-KRM-01", "Кремінська публічна бібліотека", "Кремінська", "Сєвєродонецький",
     "relocated", "м. Житомир, вул. Київська, 17 (релоковано)", "+380 41 222 33 44",
     "kreminna.library@example.org"),
    ("LG-NPS-01", "Новопсковська селищна публічна бібліотека", "Новопсковська", "Старобільський",
     "occupied", "смт Новопсков, вул. Шкільна, 2", "", ""),
    ("LG-MRK-01", "Марківська публічна бібліотека", "Марківська", "Старобільський",
     "closed", "смт Марківка, вул. Соборна, 9", "", ""),
    ("LG-SCH-01", "Щастинська міська публічна бібліотека", "Щастинська", "Щастинський",
     "working", "м. Щастя (тимчасово: м. Харків, вул. Сумська, 30)", "+380 57 700 10 20",
     "shchastia.library@example.org"),
)  # fmt: skip

USERS = (
    ("admin", "Адміністратор Демо", "admin", None, "demo-admin"),
    ("cataloguer", "Олена Каталогізаторка", "cataloguer", None, "demo-pass"),
    ("acquisitions", "Ірина Комплектаторка", "acquisitions", None, "demo-pass"),
    ("acquisitions2", "Петро Обліковець", "acquisitions", None, "demo-pass"),
    ("programme", "Максим Програмний", "programme", None, "demo-pass"),
    ("methodologist", "Наталія Методистка", "methodologist", None, "demo-pass"),
    ("starobilsk", "Бібліотекарка Старобільська", "library", "LG-STB-01", "demo-pass"),
    ("sievierodonetsk", "Бібліотекар Сєвєродонецький", "library", "LG-SVD-01", "demo-pass"),
)


def demo_logins() -> list[DemoLogin]:
    """The demo accounts and their passwords."""
    return [
        DemoLogin(username, password, role, library or "")
        for username, _name, role, library, password in USERS
    ]


def create_demo_data(session: Session) -> None:
    """Libraries and users of the demo, created through the services (audited as "demo")."""
    for code, name, community, district, status, address, phone, email in LIBRARIES:
        create_library(
            session, actor=DEMO_ACTOR, code=code, name=name, community=community,
            district=district, oblast=OBLAST, status=status, address=address, phone=phone,
            email=email, preferred_flavour="unimarc", preferred_encoding="utf-8",
        )  # fmt: skip
    for username, full_name, role, library, password in USERS:
        create_user(
            session, actor=DEMO_ACTOR, username=username, password=password, role=role,
            full_name=full_name, library_code=library,
        )  # fmt: skip
    create_fund_demo(session)
    create_demo_catalogue(session)
    create_programme_demo(session, DEMO_ACTOR)
    create_exchange_demo(session, DEMO_ACTOR)


def create_demo_catalogue(session: Session) -> None:
    """A small catalogue of generated Ukrainian book records, entered as the demo (so counted)."""
    for flavour, count, seed in (("unimarc", 12, 7), ("marc21", 4, 8)):
        for record in sample_records(count, flavour=flavour, seed=seed, copies=(0, 0)):
            create_edition(session, DEMO_ACTOR, record, flavour, source="demo")


def ensure_demo_data(session_factory: sessionmaker[Session]) -> list[DemoLogin]:
    """Fill an empty (migrated) database with the demo, or reuse one that has it.

    One unit of work: the demo's services only flush, so a failure half-way leaves no half demo.
    """
    with unit_of_work(session_factory) as session:
        if session.scalars(select(User.id).where(User.username == "admin")).first() is None:
            create_demo_data(session)
    return demo_logins()


def create_fund_demo(session: Session) -> None:
    """A few receipts with copies and a signed withdrawal act, so the fund pages are not empty."""
    from datetime import date

    from collection.catalogue.editions import edition_fields
    from collection.catalogue.models import Edition, EditionIsbn
    from marc.samples import sample_records

    editions = []
    for record in sample_records(6, seed=2026):
        fields = edition_fields(record, "unimarc")
        edition = Edition(source="demo", **fields.as_columns())
        edition.isbns = [EditionIsbn(isbn13=i) for i in fields.isbns]
        session.add(edition)
        editions.append(edition)
    session.commit()
    first = fund_receipts.create_receipt(
        session, actor=DEMO_ACTOR, receipt_date=date(2025, 11, 14), source="purchase",
        supplier="ТОВ «Книжкова палата»", document="видаткова накладна № 341")
    second = fund_receipts.create_receipt(
        session, actor=DEMO_ACTOR, receipt_date=date.today(), source="gift",
        supplier="Український інститут книги", document="акт приймання-передачі № 12")
    copies = []
    for index, edition in enumerate(editions):
        copies += fund_receipts.add_copies_to_receipt(
            session, actor=DEMO_ACTOR, receipt=first if index < 4 else second, edition_id=edition.id,
            quantity=2, price=f"{150 + 25 * index}.00", location="АБ" if index % 2 else "ЧЗ")
    act = fund_acts.create_withdrawal_act(
        session, actor=DEMO_ACTOR, act_date=date.today(), reason="worn_out", note="Демонстраційний акт")
    fund_acts.add_copies_to_act(session, actor=DEMO_ACTOR, act=act,
                                    inventory_numbers=[copies[0].inventory_number])
    fund_acts.sign_act(session, actor=DEMO_ACTOR, act=act)
