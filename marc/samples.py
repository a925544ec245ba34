"""Generated sample records: Ukrainian books in UNIMARC or MARC21, with copy-level holdings.

The project ships no real records (those belong to their libraries); demos, the README's
first command and benchmarks use these instead. Generation is deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from pymarc import Field, Indicators, Leader, Record, Subfield

from marc.fields import control_field

_AUTHORS = [
    ("Шевченко", "Тарас Григорович"), ("Українка", "Леся"), ("Франко", "Іван Якович"),
    ("Коцюбинський", "Михайло Михайлович"), ("Стефаник", "Василь Семенович"),
    ("Жадан", "Сергій Вікторович"), ("Забужко", "Оксана Стефанівна"),
    ("Андрухович", "Юрій Ігорович"), ("Кідрук", "Макс"), ("Малярчук", "Таня"),
    ("Вдовиченко", "Галина"), ("Винничук", "Юрій Павлович"), ("Рафєєнко", "Володимир"),
    ("Матіос", "Марія Василівна"), ("Дочинець", "Мирослав Іванович"),
    ("Грицак", "Ярослав Йосипович"), ("Плохій", "Сергій Миколайович"),
    ("Слабошпицький", "Михайло Федотович"), ("Роздобудько", "Ірен Віталіївна"),
    ("Карпа", "Ірена"),
]
_TITLE_WORDS = [
    "Тіні", "забутих", "предків", "Лісова", "пісня", "Інтернат", "Ворошиловград",
    "Польові", "дослідження", "з", "українського", "сексу", "Московіада", "Місто",
    "Вічне", "село", "Брама", "Європи", "Ключ", "Бот", "Доця", "Сад", "Гетсиманський",
    "Мисливці", "на", "снігу", "Історія", "України", "Степ", "Карпати", "Донбас",
    "Луганськ", "Старобільськ", "Сіверськодонецьк", "бібліотека", "без", "стін", "Книга",
    "пам'яті", "Сторінки", "минулого", "Дорога", "додому",
]
_PUBLISHERS = [
    ("Львів", "Видавництво Старого Лева"), ("Київ", "А-ба-ба-га-ла-ма-га"),
    ("Харків", "Фоліо"), ("Київ", "Наш формат"), ("Харків", "Віват"), ("Харків", "Ранок"),
    ("Брустурів", "Discursus"), ("Київ", "Лабораторія"), ("Київ", "Темпора"),
    ("Тернопіль", "Богдан"), ("Чернівці", "Книги – XXI"), ("Київ", "Yakaboo Publishing"),
]
_SUBJECTS = [
    ("Українська література", "821.161.2", "84(4Укр)6"), ("Історія України", "94(477)", "63.3(4Укр)"),
    ("Краєзнавство -- Луганська область", "908(477.61)", "26.89(4Укр-4Луг)"),
    ("Дитяча література", "821.161.2-93", "84(4Укр)6-44"), ("Бібліотечна справа", "02", "78.3"),
    ("Економіка", "33", "65"), ("Психологія", "159.9", "88"),
]
_LOCATIONS = ["АБ", "ЧЗ", "ВДЛ", "ДФ", "КХ"]


def isbn13(rng: random.Random) -> str:
    """A valid Ukrainian ISBN-13 (prefix 978-617 or 978-966)."""
    digits = rng.choice(["978617", "978966"]) + "".join(rng.choice("0123456789") for _ in range(6))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _title(rng: random.Random) -> str:
    words = rng.sample(_TITLE_WORDS, rng.randint(1, 4))
    return " ".join(words).capitalize()


def sample_records(
    count: int, *, flavour: str = "unimarc", seed: int = 1, copies: tuple[int, int] = (1, 3),
    first_inventory: int = 100001,
) -> Iterator[Record]:
    """Yield ``count`` book records with holdings (995 for UNIMARC, 952 for MARC21).

    Inventory numbers go where Koha's Ukrainian frameworks keep them: 995$j and 952$i.
    """
    rng = random.Random(seed)
    inventory = first_inventory
    for number in range(1, count + 1):
        book = _book(rng, number)
        holdings = []
        for _ in range(rng.randint(*copies)):
            holdings.append((str(inventory), f"2{inventory:011d}", rng.choice(_LOCATIONS)))
            inventory += 1
        if flavour == "unimarc":
            yield _unimarc(book, holdings)
        else:
            yield _marc21(book, holdings)


def _book(rng: random.Random, number: int) -> dict[str, str]:
    surname, forenames = rng.choice(_AUTHORS)
    place, publisher = rng.choice(_PUBLISHERS)
    subject, udc, bbk = rng.choice(_SUBJECTS)
    return {
        "id": f"komplekt-sample-{number:07d}", "isbn": isbn13(rng), "title": _title(rng),
        "surname": surname, "forenames": forenames, "place": place, "publisher": publisher,
        "year": str(rng.randint(1995, 2025)), "pages": f"{rng.randint(48, 640)} с.",
        "subject": subject, "udc": udc, "bbk": bbk,
        "price": f"{rng.randint(80, 650)}.{rng.choice(['00', '50'])}",
        "acquired": f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
    }


def _df(tag: str, subfields: list[tuple[str, str]], ind1: str = " ", ind2: str = " ") -> Field:
    return Field(tag=tag, indicators=Indicators(ind1, ind2),
                 subfields=[Subfield(code, value) for code, value in subfields])


def _unimarc(book: dict[str, str], holdings: list[tuple[str, str, str]]) -> Record:
    record = Record()
    record.leader = Leader("00000nam0 2200000   450 ")
    general = f"{book['acquired']}d{book['year']}    k  y0ukry50      ca"
    record.fields = [
        control_field("001", book["id"]),
        _df("010", [("a", book["isbn"]), ("d", f"{book['price']} грн")]),
        _df("100", [("a", general)]),
        _df("101", [("a", "ukr")], ind1="0"),
        _df("200", [("a", book["title"]), ("f", f"{book['forenames']} {book['surname']}")], ind1="1"),
        _df("210", [("a", book["place"]), ("c", book["publisher"]), ("d", book["year"])]),
        _df("215", [("a", book["pages"])]),
        _df("606", [("a", book["subject"])], ind1="0"),
        _df("675", [("a", book["udc"])]),
        _df("686", [("a", book["bbk"]), ("2", "rubbk")]),
        _df("700", [("a", book["surname"]), ("b", book["forenames"]), ("4", "070")], ind2="1"),
    ]
    for inventory, barcode, location in holdings:
        record.fields.append(_df("995", [("b", "ЛОУНБ"), ("e", location), ("f", barcode),
                                         ("j", inventory), ("5", book["acquired"]),
                                         ("p", book["price"])]))
    return record


def _marc21(book: dict[str, str], holdings: list[tuple[str, str, str]]) -> Record:
    record = Record()
    record.leader = Leader("00000nam a2200000 i 4500")
    fixed = f"{book['acquired'][2:]}s{book['year']}    un            000 1 ukr d"
    record.fields = [
        control_field("001", book["id"]),
        control_field("008", fixed),
        _df("020", [("a", book["isbn"]), ("c", f"{book['price']} грн")]),
        _df("041", [("a", "ukr")], ind1="0"),
        _df("080", [("a", book["udc"])]),
        _df("084", [("a", book["bbk"]), ("2", "rubbk")]),
        _df("100", [("a", f"{book['surname']}, {book['forenames']}."), ("e", "author.")], ind1="1"),
        _df("245", [("a", f"{book['title']} /"), ("c", f"{book['forenames']} {book['surname']}.")],
            ind1="1", ind2="0"),
        _df("264", [("a", f"{book['place']} :"), ("b", f"{book['publisher']},"),
                    ("c", f"{book['year']}.")], ind2="1"),
        _df("300", [("a", book["pages"])]),
        _df("650", [("a", book["subject"])], ind2="4"),
    ]
    acquired = f"{book['acquired'][:4]}-{book['acquired'][4:6]}-{book['acquired'][6:]}"
    for inventory, barcode, location in holdings:
        record.fields.append(_df("952", [("a", "LOUNB"), ("c", location), ("d", acquired),
                                         ("g", book["price"]), ("i", inventory), ("p", barcode)]))
    return record
