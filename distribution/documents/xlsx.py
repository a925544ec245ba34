"""Shipment and programme documents as xlsx (openpyxl): the same data the print pages show.

Each writer takes a dataclass from ``distribution.documents.shipments`` or
``distribution.documents.programmes`` and the caller's ``gettext``
(message, **params) so the file speaks the user's language; amounts stay numbers (two decimals
shown), so a bookkeeper can add them up again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from collection.errors import N_
from distribution.documents.parts import Party, ProgrammeRef
from distribution.documents.programmes import LibrarySummary, ShipmentRegister
from distribution.documents.shipments import AcceptanceAct, LabelSheet, PackingList, TransferAct
from distribution.vocabulary import CARRIER_LABELS
from distribution.vocabulary import DOCUMENT_DISCREPANCY_LABELS as DISCREPANCY_LABELS
from distribution.vocabulary import DOCUMENT_STATE_LABELS as STATE_LABELS

Gettext = Callable[..., str]
MONEY_FORMAT = "#,##0.00"
WEIGHT_FORMAT = "0.000"
BOLD = Font(bold=True)


def _plain(message: str, **params: object) -> str:
    return message.format(**params) if params else message


class _Sheet:
    """A worksheet filled top to bottom: heading lines, facts, a table with a totals row."""

    def __init__(self, sheet: Worksheet, title: str) -> None:
        self.sheet = sheet
        sheet.title = title[:31]
        self.row = 1
        self.widths: dict[int, int] = {}

    def line(self, *values: Any, bold: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(self.row, column, value)
            if bold:
                cell.font = BOLD
        self.row += 1

    def gap(self) -> None:
        self.row += 1

    def fact(self, label: str, value: Any) -> None:
        if value not in ("", None):
            self.line(label, value)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        money: Sequence[int] = (),
        weight: Sequence[int] = (),
        totals: Sequence[Any] | None = None,
    ) -> None:
        """Header, rows and a bold totals row; columns (0-based) in ``money``/``weight`` formatted."""
        self.line(*header, bold=True)
        for column, text in enumerate(header, start=1):
            self.widths[column] = max(self.widths.get(column, 8), min(len(str(text)) + 2, 50))
        for values in [*rows, *([totals] if totals is not None else [])]:
            is_total = totals is not None and values is totals
            for column, value in enumerate(values, start=1):
                cell = self.sheet.cell(self.row, column, value)
                if column - 1 in money:
                    cell.number_format = MONEY_FORMAT
                elif column - 1 in weight:
                    cell.number_format = WEIGHT_FORMAT
                elif isinstance(value, date):
                    cell.number_format = "DD.MM.YYYY"
                if is_total:
                    cell.font = BOLD
                if isinstance(value, str):
                    self.widths[column] = max(self.widths.get(column, 8), min(len(value) + 2, 60))
            self.row += 1

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        self.sheet.column_dimensions["A"].width = max(self.widths.get(1, 8), 16)
        for row in self.sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str))


class _Book:
    """A workbook of ``_Sheet``s: the first one is the workbook's own, the rest are added."""

    def __init__(self) -> None:
        self.workbook = Workbook()
        self.sheets: list[_Sheet] = []

    def sheet(self, title: str) -> _Sheet:
        worksheet = self.workbook.create_sheet() if self.sheets else self.workbook.active
        self.sheets.append(_Sheet(worksheet, title))
        return self.sheets[-1]

    def content(self) -> bytes:
        """The finished workbook as xlsx bytes."""
        for sheet in self.sheets:
            sheet.finish()
        buffer = BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _party(party: Party) -> str:
    code = f" ({party.code})" if party.code else ""
    return f"{party.name}{code}"


def _address(party: Party) -> str:
    return ", ".join(p for p in (party.address, party.community, party.district, party.oblast) if p)


def author_title(author: str, title: str) -> str:
    """ "Шевченко Т. Кобзар": the author with one full stop, then the title."""
    if not author:
        return title
    return f"{author} {title}" if author.endswith(".") else f"{author}. {title}"


def _programme(programme: ProgrammeRef) -> str:
    return f"{programme.name} ({programme.year})"


def _title_header(gettext: Gettext) -> list[str]:
    """The columns that open every table of titles: №, author, title, ISBN."""
    return ["№", gettext(N_("Автор")), gettext(N_("Назва")), "ISBN"]


def _total_label(gettext: Gettext) -> list[str]:
    """The start of a titles table's totals row, under its first four columns."""
    return ["", gettext(N_("Разом")), "", ""]


def _carrier(carrier: str, gettext: Gettext) -> str:
    return gettext(CARRIER_LABELS[carrier]) if carrier in CARRIER_LABELS else carrier


def _signatures(out: _Sheet, gettext: Gettext, left: str, right: str) -> None:
    out.gap()
    out.line(f"{gettext(left)}: ____________________", "", "", f"{gettext(right)}: ____________________")
    out.line(gettext(N_("(посада, підпис, ПІБ)")), "", "", gettext(N_("(посада, підпис, ПІБ)")))


def transfer_act_xlsx(act: TransferAct, gettext: Gettext = _plain) -> bytes:
    """The transfer act (or a correction to one) on one sheet."""
    book = _Book()
    out = book.sheet(gettext(N_("Акт")))
    if act.correction_of:
        out.line(gettext(N_("Акт виправлення до акта № {number}"), number=act.correction_of), bold=True)
        out.line(f"№ {act.number}", act.date)
    else:
        out.line(gettext(N_("Акт приймання-передачі № {number}"), number=act.number), bold=True)
        out.line(gettext(N_("Дата")), act.date)
    if act.draft:
        out.line(gettext(N_("ЧЕРНЕТКА: відправлення ще не відправлено")), bold=True)
    out.gap()
    out.fact(gettext(N_("Програма")), _programme(act.programme))
    out.fact(gettext(N_("Передає")), _party(act.sender))
    out.fact(gettext(N_("Приймає")), _party(act.recipient))
    out.fact(gettext(N_("Адреса")), _address(act.recipient))
    out.fact(gettext(N_("Перевізник")), _carrier(act.carrier, gettext))
    out.fact(gettext(N_("Номер відстеження (ТТН)")), act.tracking_number)
    out.fact(gettext(N_("Посилок")), act.parcels)
    out.fact(gettext(N_("Примітка")), act.note)
    out.gap()
    out.table(
        [*_title_header(gettext), gettext(N_("Примірників")),
         gettext(N_("Ціна, грн")), gettext(N_("Сума, грн"))],
        ([line.number, line.author, line.title, line.isbn, line.copies, line.price, line.total]
         for line in act.lines),
        money=(5, 6),
        totals=[*_total_label(gettext), act.total_copies, "", act.total_sum],
    )  # fmt: skip
    out.gap()
    out.line(gettext(N_("Сума прописом")), act.sum_in_words)
    _signatures(out, gettext, N_("Передав"), N_("Прийняв"))
    return book.content()


def packing_list_xlsx(packing: PackingList, gettext: Gettext = _plain) -> bytes:
    """One sheet per parcel, as printed one page per parcel."""
    book = _Book()
    for parcel in packing.parcels or ():
        out = book.sheet(gettext(N_("Посилка {index}"), index=parcel.index))
        out.line(gettext(N_("Пакувальний лист")), bold=True)
        out.fact(gettext(N_("Відправлення")), packing.number)
        if packing.draft:
            out.line(gettext(N_("ЧЕРНЕТКА: відправлення ще не відправлено")), bold=True)
        out.fact(gettext(N_("Програма")), _programme(packing.programme))
        out.fact(gettext(N_("Відправник")), _party(packing.sender))
        out.fact(gettext(N_("Одержувач")), _party(packing.recipient))
        out.fact(gettext(N_("Адреса")), _address(packing.recipient))
        of = gettext(N_("{index} з {count}"), index=parcel.index, count=parcel.count)
        out.fact(gettext(N_("Посилка")), of)
        out.fact(gettext(N_("Вага, кг")), parcel.weight)
        out.fact(gettext(N_("Номер відстеження (ТТН)")), parcel.tracking_number)
        out.gap()
        out.table(
            [*_title_header(gettext), gettext(N_("Примірників"))],
            ([line.number, line.author, line.title, line.isbn, line.copies] for line in parcel.lines),
            totals=[*_total_label(gettext), parcel.copies],
        )  # fmt: skip
    if not packing.parcels:
        out = book.sheet(gettext(N_("Пакувальний лист")))
        out.line(gettext(N_("Пакувальний лист")), packing.number, bold=True)
        out.line(gettext(N_("У відправленні немає посилок")))
    return book.content()


def labels_xlsx(sheet: LabelSheet, gettext: Gettext = _plain) -> bytes:
    """The labels as a table, one row per parcel (for a carrier's bulk upload or a mail merge)."""
    book = _Book()
    out = book.sheet(gettext(N_("Адресні ярлики")))
    out.table(
        [gettext(N_("Відправлення")), gettext(N_("Посилка")), gettext(N_("Код")), gettext(N_("Одержувач")),
         gettext(N_("Адреса")), gettext(N_("Контакт")), gettext(N_("Телефон")), gettext(N_("Перевізник")),
         gettext(N_("Відділення")), gettext(N_("Вага, кг")), gettext(N_("Примірників")),
         gettext(N_("Номер відстеження (ТТН)")), gettext(N_("Відправник"))],
        ([label.shipment_number, f"{label.index}/{label.count}", label.recipient.code, label.recipient.name,
          _address(label.recipient), label.recipient.contact_person, label.recipient.phone,
          _carrier(label.carrier, gettext), label.carrier_branch, label.weight, label.copies,
          label.tracking_number, label.sender.name] for label in sheet.labels),
        weight=(9,),
    )  # fmt: skip
    return book.content()


def register_xlsx(register: ShipmentRegister, gettext: Gettext = _plain) -> bytes:
    """The shipment register with its totals row."""
    book = _Book()
    out = book.sheet(gettext(N_("Реєстр відправлень")))
    out.line(gettext(N_("Реєстр відправлень")), _programme(register.programme), bold=True)
    if register.states:
        out.line(gettext(N_("Стан")), ", ".join(gettext(STATE_LABELS[s]) for s in register.states))
    if register.date_from or register.date_to:
        out.line(gettext(N_("Відправлено")), register.date_from or "", register.date_to or "")
    out.gap()
    totals = register.totals
    out.table(
        [gettext(N_("Номер")), gettext(N_("Код")), gettext(N_("Бібліотека")), gettext(N_("Район")),
         gettext(N_("Перевізник")), gettext(N_("Номер відстеження (ТТН)")), gettext(N_("Посилок")),
         gettext(N_("Примірників")), gettext(N_("Вага, кг")), gettext(N_("Сума, грн")), gettext(N_("Стан")),
         gettext(N_("Відправлено")), gettext(N_("Доставлено")), gettext(N_("Прийнято"))],
        ([row.number + (f" ({gettext(N_('виправлення до {number}'), number=row.correction_of)})"
                        if row.correction_of else ""),
          row.library_code, row.library_name, row.district, _carrier(row.carrier, gettext),
          row.tracking_number, row.parcels, row.copies, row.weight, row.total_sum,
          gettext(STATE_LABELS.get(row.state, row.state)), row.dispatched_on, row.delivered_on,
          row.accepted_on]
         for row in register.rows),
        money=(9,), weight=(8,),
        totals=[gettext(N_("Разом")), "", gettext(N_("Відправлень: {count}"), count=totals.shipments), "", "",
                "", totals.parcels, totals.copies, totals.weight, totals.total_sum, "", "", "", ""],
    )  # fmt: skip
    return book.content()


def library_summary_xlsx(summary: LibrarySummary, gettext: Gettext = _plain) -> bytes:
    """The per-library summary with its totals row."""
    book = _Book()
    out = book.sheet(gettext(N_("Зведення")))
    out.line(gettext(N_("Зведення по бібліотеці")), _party(summary.library), bold=True)
    out.fact(gettext(N_("Програма")), _programme(summary.programme))
    out.fact(gettext(N_("Відправлення")), ", ".join(summary.shipments))
    out.gap()
    t = summary.totals
    out.table(
        [*_title_header(gettext), gettext(N_("Ціна, грн")),
         gettext(N_("Замовлено")), gettext(N_("Розподілено")), gettext(N_("Відправлено")),
         gettext(N_("Підтверджено")), gettext(N_("Недостача")), gettext(N_("Пошкоджено")),
         gettext(N_("Сума розподілу, грн")), gettext(N_("Сума відправленого, грн")),
         gettext(N_("Сума підтвердженого, грн"))],
        ([line.number, line.author, line.title, line.isbn, line.price, line.ordered, line.allocated,
          line.dispatched, line.confirmed, line.shortage, line.damaged, line.allocated_sum,
          line.dispatched_sum, line.confirmed_sum] for line in summary.lines),
        money=(4, 11, 12, 13),
        totals=[*_total_label(gettext), "", t.ordered, t.allocated, t.dispatched, t.confirmed,
                t.shortage, t.damaged, t.allocated_sum, t.dispatched_sum, t.confirmed_sum],
    )  # fmt: skip
    return book.content()


def acceptance_act_xlsx(act: AcceptanceAct, gettext: Gettext = _plain) -> bytes:
    """The act of acceptance: what was received per title, then the discrepancies."""
    book = _Book()
    out = book.sheet(gettext(N_("Акт приймання")))
    out.line(gettext(N_("Акт приймання № {number}"), number=act.acceptance_number), bold=True)
    out.line(gettext(N_("Дата")), act.accepted_on)
    out.gap()
    out.fact(gettext(N_("До акта приймання-передачі")), act.shipment_number)
    out.fact(gettext(N_("Виправлення до акта")), act.correction_of)
    out.fact(gettext(N_("Відправлено")), act.dispatched_on)
    out.fact(gettext(N_("Програма")), _programme(act.programme))
    out.fact(gettext(N_("Відправник")), _party(act.sender))
    out.fact(gettext(N_("Одержувач")), _party(act.recipient))
    out.fact(gettext(N_("Стан")), gettext(STATE_LABELS.get(act.state, act.state)))
    out.gap()
    out.table(
        [*_title_header(gettext), gettext(N_("Надіслано")),
         gettext(N_("Недостача")), gettext(N_("Не та назва")), gettext(N_("Пошкоджено")),
         gettext(N_("Отримано")), gettext(N_("Ціна, грн")), gettext(N_("Сума, грн"))],
        ([line.number, line.author, line.title, line.isbn, line.sent, line.shortage, line.wrong_title,
          line.damaged, line.received, line.price, line.total] for line in act.lines),
        money=(9, 10),
        totals=[*_total_label(gettext), act.total_sent, act.total_shortage, act.total_wrong_title,
                act.total_damaged, act.total_received, "", act.total_sum],
    )  # fmt: skip
    out.gap()
    out.line(gettext(N_("Сума прописом")), act.sum_in_words)
    if act.discrepancies:
        out.gap()
        out.line(gettext(N_("Розбіжності")), bold=True)
        out.table(
            [gettext(N_("Назва")), "ISBN", gettext(N_("Вид")), gettext(N_("Кількість")),
             gettext(N_("Примітка"))],
            ([author_title(d.author, d.title), d.isbn,
              gettext(DISCREPANCY_LABELS.get(d.kind, d.kind)), d.quantity, d.note]
             for d in act.discrepancies),
        )  # fmt: skip
    _signatures(out, gettext, N_("Передав"), N_("Прийняв"))
    return book.content()
