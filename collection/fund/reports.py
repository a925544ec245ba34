"""Fund registers as xlsx: the КСО (a sheet per part), the inventory book, a withdrawal act.

pandas builds the tables, openpyxl writes them. Headers are message ids translated by the
caller's ``gettext`` so the file speaks the user's language; money stays Decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from io import BytesIO

import pandas as pd

from collection.errors import N_
from collection.fund.models import Copy, WithdrawalAct
from collection.fund.rules import DIMENSIONS, Amount, Part, SummaryRegister, Totals

Gettext = Callable[[str], str]

DIMENSION_LABELS = {
    "doc_type": N_("Вид документа"),
    "content_branch": N_("Галузь знань"),
    "language": N_("Мова"),
}
VALUE_LABELS = {
    "book": N_("книги"),
    "serial": N_("серіальні видання"),
    "analytic": N_("аналітичні"),
    "audiovisual": N_("аудіовізуальні"),
    "electronic": N_("електронні"),
    "cartographic": N_("картографічні"),
    "music": N_("ноти"),
    "other": N_("інші"),
    "natural_sciences": N_("природничі науки"),
    "applied_sciences": N_("прикладні науки"),
    "social_sciences": N_("суспільні науки"),
    "humanities": N_("гуманітарні науки"),
    "arts_sport": N_("мистецтво, спорт"),
    "fiction": N_("художня література"),
    "children": N_("дитяча література"),
    "universal": N_("універсальний зміст"),
    "unclassified": N_("не систематизовано"),
    "": N_("не вказано"),
    "purchase": N_("купівля"),
    "gift": N_("дарунок"),
    "exchange": N_("обмін"),
    "state_programme": N_("державна програма"),
    "replacement": N_("заміна загублених"),
    "other_source": N_("інше"),
    "worn_out": N_("зношеність"),
    "obsolete": N_("застарілість за змістом"),
    "duplicate": N_("дублетність"),
    "lost_by_readers": N_("втрачено читачами"),
    "lost_occupied": N_("втрачено на окупованій території або знищено"),
    "transferred": N_("передано іншій бібліотеці або до обмінного фонду"),
    "in_fund": N_("у фонді"),
    "withdrawn": N_("списано"),
    "lost": N_("втрачено"),
    "draft": N_("чернетка"),
    "signed": N_("підписано"),
}


def label(value: str, gettext: Gettext) -> str:
    """A code as the user reads it (languages are shown as their codes)."""
    return gettext(VALUE_LABELS[value]) if value in VALUE_LABELS else value


def breakdown_keys(parts: Iterable[Totals]) -> dict[str, list[str]]:
    """Every value of each dimension that appears in ``parts``, sorted."""
    keys: dict[str, set[str]] = {d: set() for d in DIMENSIONS}
    for totals in parts:
        for dimension in DIMENSIONS:
            keys[dimension] |= totals.keys(dimension)
    return {d: sorted(values) for d, values in keys.items()}


def part_frame(part: Part, kind: str, gettext: Gettext) -> pd.DataFrame:
    """КСО part 1 or 2 as a table: a row per document, totals last, copies per breakdown."""
    keys = breakdown_keys([part.total])
    records = []
    for row in [*part.rows, None]:
        totals = row.totals if row else part.total
        doc = row.document if row else None
        record = {
            gettext(N_("Дата")): doc.date.isoformat() if doc else "",
            gettext(N_("Номер")): doc.number if doc else gettext(N_("Усього")),
            gettext(N_("Джерело") if kind == "received" else N_("Причина")): label(doc.label, gettext)
            if doc
            else "",
            gettext(N_("Документ")): doc.reference if doc else "",
            gettext(N_("Примірників")): totals.total.copies,
            gettext(N_("Сума, грн")): totals.total.money,
        }
        for dimension in DIMENSIONS:
            for key in keys[dimension]:
                column = f"{gettext(DIMENSION_LABELS[dimension])}: {label(key, gettext)}"
                record[column] = totals.get(dimension, key).copies
        records.append(record)
    return pd.DataFrame.from_records(records)


def _pick(dimension: str, key: str) -> Callable[[Totals], Amount]:
    """The amount of one breakdown cell, taken from any part's totals."""
    return lambda totals: totals.get(dimension, key)


def movement_frame(register: SummaryRegister, gettext: Gettext) -> pd.DataFrame:
    """КСО part 3: per breakdown value, start / received / withdrawn / end in copies and money."""
    m = register.movement
    columns = (
        (N_("На початок року"), m.start),
        (N_("Надійшло"), m.received),
        (N_("Вибуло"), m.withdrawn),
        (N_("На кінець року"), m.end),
    )
    rows: list[tuple[str, str, Callable[[Totals], Amount]]] = [(gettext(N_("Усього")), "", lambda t: t.total)]
    for dimension in DIMENSIONS:
        for key in m.keys(dimension):
            rows.append(
                (
                    gettext(DIMENSION_LABELS[dimension]),
                    label(key, gettext),
                    _pick(dimension, key),
                )
            )
    records = []
    for group, value, pick in rows:
        record: dict[str, object] = {gettext(N_("Розріз")): group, gettext(N_("Значення")): value}
        for title, totals in columns:
            amount = pick(totals)
            record[f"{gettext(title)}, {gettext(N_('прим.'))}"] = amount.copies
            record[f"{gettext(title)}, {gettext(N_('грн'))}"] = amount.money
        records.append(record)
    return pd.DataFrame.from_records(records)


def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    return buffer.getvalue()


def summary_register_xlsx(register: SummaryRegister, gettext: Gettext = str) -> bytes:
    """The КСО of a year: sheets "Part 1", "Part 2", "Part 3"."""
    return _workbook({
        gettext(N_("Частина 1. Надходження")): part_frame(register.received, "received", gettext),
        gettext(N_("Частина 2. Вибуття")): part_frame(register.withdrawn, "withdrawn", gettext),
        gettext(N_("Частина 3. Рух фонду")): movement_frame(register, gettext),
    })  # fmt: skip


def copies_frame(copies: Iterable[Copy], gettext: Gettext) -> pd.DataFrame:
    """Copies as inventory-book lines."""
    records = []
    for copy in copies:
        edition, receipt, act = copy.edition, copy.receipt, copy.withdrawal_act
        records.append({
            gettext(N_("Інвентарний номер")): copy.inventory_number,
            gettext(N_("Дата запису")): copy.acquired.isoformat() if copy.acquired else "",
            gettext(N_("Автор")): edition.authors if edition else "",
            gettext(N_("Назва")): edition.title if edition else "",
            gettext(N_("Рік")): edition.year if edition else "",
            gettext(N_("Ціна, грн")): copy.price if copy.price is not None else Decimal("0.00"),
            gettext(N_("Надходження")): receipt.number if receipt else "",
            gettext(N_("Місце")): copy.location,
            gettext(N_("Штрихкод")): copy.barcode or "",
            gettext(N_("Стан")): label(copy.status, gettext),
            gettext(N_("Акт вибуття")): act.number if act and act.state == "signed" else "",
        })  # fmt: skip
    return pd.DataFrame.from_records(records)


def inventory_book_xlsx(copies: Iterable[Copy], gettext: Gettext = str) -> bytes:
    """The inventory book (in the order given: inventory-number order)."""
    return _workbook({gettext(N_("Інвентарна книга")): copies_frame(copies, gettext)})


def act_xlsx(act: WithdrawalAct, gettext: Gettext = str) -> bytes:
    """A withdrawal act: header facts and its list of copies with the sum."""
    copies = sorted(act.copies, key=lambda c: (c.inventory_series, c.inventory_seq or -1, c.inventory_number))
    header = pd.DataFrame.from_records([
        {gettext(N_("Поле")): gettext(N_("Номер")), gettext(N_("Значення")): act.number},
        {gettext(N_("Поле")): gettext(N_("Дата")), gettext(N_("Значення")): act.date.isoformat()},
        {gettext(N_("Поле")): gettext(N_("Причина")), gettext(N_("Значення")): label(act.reason, gettext)},
        {gettext(N_("Поле")): gettext(N_("Стан")), gettext(N_("Значення")): label(act.state, gettext)},
        {gettext(N_("Поле")): gettext(N_("Примірників")), gettext(N_("Значення")): len(copies)},
        {gettext(N_("Поле")): gettext(N_("Сума, грн")),
         gettext(N_("Значення")): sum((c.price or Decimal("0")) for c in copies)},
    ])  # fmt: skip
    return _workbook({gettext(N_("Акт")): header, gettext(N_("Примірники")): copies_frame(copies, gettext)})
