"""Demo of the state replenishment programme: titles, orders, a delivery, allocation, shipments.

Made through the programme's own services (validated and audited as "demo") from csv files
written in memory, the same files staff would load. One shipment waits for the Starobilsk
library to confirm it, one came back with a shortage, the rest are planned, so every step of
the flow has something to show. The services only flush; ``api.demo.ensure_demo_data`` commits
the whole demo as one unit of work.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from collection.audit import Actor
from distribution.allocation.services import allocate_programme
from distribution.exchange.offer_files import parse_offer_file
from distribution.exchange.offers import load_offers, offer_fund_duplicates
from distribution.exchange.requests import request_copies
from distribution.libraries.models import Library
from distribution.programmes.deliveries import receive_delivery
from distribution.programmes.delivery_files import parse_delivery_file
from distribution.programmes.models import ProgrammeTitle
from distribution.programmes.order_files import parse_order_file
from distribution.programmes.orders import load_orders
from distribution.programmes.services import create_programme
from distribution.programmes.title_files import parse_title_file
from distribution.programmes.titles import load_titles
from distribution.shipping.acceptance import Discrepancy, accept_shipment
from distribution.shipping.dispatch import dispatch_shipment, mark_packed
from distribution.shipping.packing import pack_programme
from distribution.shipping.queries import list_shipments

# title, author, publisher, year, price (UAH); ISBNs are made valid from the row number
TITLES = (
    ("Кобзар", "Шевченко Т.", "Знання", "2025", "350.00"),
    ("Лісова пісня", "Українка Л.", "Фоліо", "2024", "210.50"),
    ("Тигролови", "Багряний І.", "Фоліо", "2023", "265.00"),
    ("Місто", "Підмогильний В.", "Віват", "2024", "298.00"),
    ("Хіба ревуть воли, як ясла повні?", "Мирний П.", "Знання", "2024", "240.00"),
    ("Захар Беркут", "Франко І.", "Школа", "2025", "185.00"),
    ("Інтернат", "Жадан С.", "Meridian Czernowitz", "2024", "330.00"),
    ("Felix Austria", "Рос С.", "Видавництво Старого Лева", "2023", "289.00"),
    ("Маруся Чурай", "Костенко Л.", "А-БА-БА-ГА-ЛА-МА-ГА", "2025", "420.00"),
    ("Чорний ворон. Я, Залізняк", "Шкляр В.", "Клуб сімейного дозвілля", "2024", "275.00"),
    ("Сад Гетсиманський", "Багряний І.", "Фоліо", "2024", "310.00"),
    ("Зачарована Десна", "Довженко О.", "Знання", "2025", "195.00"),
)
# library code → (title numbers ordered, copies each)
ORDERS = {
    "LG-STB-01": (range(12), 2),
    "LG-SVD-01": (range(0, 12, 2), 3),
    "LG-KRM-01": (range(1, 12, 2), 2),
    "LG-SCH-01": (range(8), 1),
    "LG-BLV-01": (range(4), 1),
}
SHORT = {2: 4}  # title number → copies that arrived (fewer than ordered)


def demo_isbn(n: int) -> str:
    """A valid ISBN-13 in the Ukrainian range for demo title ``n``."""
    base = f"978617{700 + n:06d}"
    check = (10 - sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(base)) % 10) % 10
    return base + str(check)


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> io.BytesIO:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def create_programme_demo(session: Session, actor: Actor) -> int:
    """The 2026 state programme taken as far as dispatch and acceptance; returns its id."""
    programme = create_programme(
        session, actor=actor, kind="state", year=2026,
        name="Державна програма поповнення фондів публічних бібліотек 2026",
    )  # fmt: skip
    titles = [(demo_isbn(n), *row) for n, row in enumerate(TITLES)]
    load_titles(
        session, actor=actor, programme_id=programme.id, titles=parse_title_file(
            _csv(("isbn", "title", "author", "publisher", "year", "price"), titles), "titles.csv"),
    )  # fmt: skip
    orders = [(code, demo_isbn(n), copies) for code, (numbers, copies) in ORDERS.items() for n in numbers]
    load_orders(
        session, actor=actor, programme_id=programme.id,
        orders=parse_order_file(_csv(("library_code", "isbn", "quantity"), orders), "orders.csv"),
    )  # fmt: skip
    ordered = {n: sum(c for code, (ns, c) in ORDERS.items() if n in ns) for n in range(len(TITLES))}
    received = [(demo_isbn(n), SHORT.get(n, total), 1 if n == 5 else 0) for n, total in ordered.items()]
    receive_delivery(
        session, actor=actor, programme_id=programme.id,
        lines=parse_delivery_file(_csv(("isbn", "received", "damaged"), received), "delivery.csv"),
        number="УІК-2026/0412", delivered_on=date.today() - timedelta(days=20),
        supplier="Український інститут книги",
    )  # fmt: skip
    allocate_programme(
        session, actor=actor, programme_id=programme.id, priority_statuses=("relocated",),
        held_statuses=("occupied", "destroyed", "closed"),  # Біловодськ's order waits
    )  # fmt: skip
    pack_programme(session, actor=actor, programme_id=programme.id)
    _dispatch_two(session, actor, programme.id)
    return programme.id


def _dispatch_two(session: Session, actor: Actor, programme_id: int) -> None:
    """Starobilsk's shipment is on its way; Sievierodonetsk's came with one copy short."""
    ids = dict(session.execute(select(Library.code, Library.id)).all())
    sent = date.today() - timedelta(days=6)
    for code, tracking in (("LG-STB-01", "20450123456789"), ("LG-SVD-01", "20450987654321")):
        (shipment,) = list_shipments(session, programme_id=programme_id, library_id=ids[code])
        mark_packed(session, actor=actor, shipment_id=shipment.id)
        dispatch_shipment(
            session, actor=actor, shipment_id=shipment.id, carrier="nova_poshta",
            tracking_number=tracking, dispatched_on=sent,
        )  # fmt: skip
    (shipment,) = list_shipments(session, programme_id=programme_id, library_id=ids["LG-SVD-01"])
    first_title = session.scalar(
        select(ProgrammeTitle.id).where(
            ProgrammeTitle.programme_id == programme_id, ProgrammeTitle.isbn == demo_isbn(0)
        )
    )
    accept_shipment(
        session, actor=Actor(None, "sievierodonetsk"), shipment_id=shipment.id,
        accepted_on=sent + timedelta(days=3), library_id=ids["LG-SVD-01"],
        discrepancies=[Discrepancy(first_title, "shortage", 1, "в упаковці 2 примірники замість 3")],
    )  # fmt: skip


# an exchange round: gifts offered by a publisher, plus the own fund's duplicates
OFFERS = (
    ("Тіні забутих предків", "Коцюбинський М.", "Фоліо", "2024", "180.00", 6),
    ("Intermezzo. Новели", "Коцюбинський М.", "Знання", "2023", "150.00", 4),
    ("Земля", "Кобилянська О.", "Фоліо", "2024", "230.00", 3),
)


def create_exchange_demo(session: Session, actor: Actor) -> int:
    """An exchange round collecting requests: a gift list, fund duplicates, one library's request."""
    programme = create_programme(session, actor=actor, kind="exchange", year=2026,
                                 name="Обмінний фонд: пропозиції, листопад 2026")  # fmt: skip
    rows = [(demo_isbn(40 + n), *row) for n, row in enumerate(OFFERS)]
    offers = _csv(("isbn", "title", "author", "publisher", "year", "price", "quantity"), rows)
    load_offers(
        session, actor=actor, programme_id=programme.id, offers=parse_offer_file(offers, "offers.csv"),
        source="gift",
    )  # fmt: skip
    offer_fund_duplicates(session, actor=actor, programme_id=programme.id, keep=1)
    first = session.scalar(
        select(ProgrammeTitle.id).where(
            ProgrammeTitle.programme_id == programme.id, ProgrammeTitle.isbn == demo_isbn(40)
        )
    )
    library = session.scalar(select(Library.id).where(Library.code == "LG-KRM-01"))
    request_copies(session, actor=Actor(None, "demo"), programme_id=programme.id, library_id=library,
                   quantities={first: 2})  # fmt: skip
    return programme.id
