"""The sum in words an act prints under its total ("сума прописом"), in Ukrainian.

Numbers agree in gender with what they count (одна гривня, дві тисячі, два мільйони), and the
noun after a number takes one of three forms (``plural_uk``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

_ONES_M = ("", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять")
_ONES_F = ("", "одна", "дві", *_ONES_M[3:])
_TEENS = ("десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять", "п'ятнадцять",
          "шістнадцять", "сімнадцять", "вісімнадцять", "дев'ятнадцять")  # fmt: skip
_TENS = ("", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят", "сімдесят", "вісімдесят",
         "дев'яносто")  # fmt: skip
_HUNDREDS = ("", "сто", "двісті", "триста", "чотириста", "п'ятсот", "шістсот", "сімсот", "вісімсот",
             "дев'ятсот")  # fmt: skip
# (forms for 1, 2-4, 5+; feminine?) per power of a thousand, from 10^3 up
_SCALES = (
    (("тисяча", "тисячі", "тисяч"), True),
    (("мільйон", "мільйони", "мільйонів"), False),
    (("мільярд", "мільярди", "мільярдів"), False),
    (("трильйон", "трильйони", "трильйонів"), False),
)


def plural_uk(n: int, forms: tuple[str, str, str]) -> str:
    """The Ukrainian form of a noun after ``n``: (одна) гривня, (дві) гривні, (п'ять) гривень."""
    n = abs(n)
    if 11 <= n % 100 <= 14:
        return forms[2]
    if n % 10 == 1:
        return forms[0]
    if 2 <= n % 10 <= 4:
        return forms[1]
    return forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    """Words for 1..999."""
    words = [_HUNDREDS[n // 100]]
    tens, ones = divmod(n % 100, 10)
    if tens == 1:
        words.append(_TEENS[ones])
    else:
        words += [_TENS[tens], (_ONES_F if feminine else _ONES_M)[ones]]
    return [w for w in words if w]


def number_in_words_uk(n: int, feminine: bool = False) -> str:
    """A whole number in Ukrainian words (``feminine`` for гривня: "одна", "дві")."""
    if n == 0:
        return "нуль"
    if n < 0:
        return "мінус " + number_in_words_uk(-n, feminine)
    words: list[str] = []
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    if len(groups) > len(_SCALES) + 1:
        raise ValueError("number too large to write in words")
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if not group:
            continue
        if power == 0:
            words += _triple(group, feminine)
        else:
            forms, scale_feminine = _SCALES[power - 1]
            words += _triple(group, scale_feminine)
            words.append(plural_uk(group, forms))
    return " ".join(words)


def amount_in_words_uk(amount: Decimal) -> str:
    """An amount of hryvnias as an accountant writes it in an act ("сума прописом").

    >>> amount_in_words_uk(Decimal("1750"))
    "Одна тисяча сімсот п'ятдесят гривень 00 копійок"
    """
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "мінус " if amount < 0 else ""
    hryvnias, kopiyky = divmod(int(abs(amount) * 100), 100)
    text = (
        f"{sign}{number_in_words_uk(hryvnias, feminine=True)} "
        f"{plural_uk(hryvnias, ('гривня', 'гривні', 'гривень'))} "
        f"{kopiyky:02d} {plural_uk(kopiyky, ('копійка', 'копійки', 'копійок'))}"
    )
    return text[0].upper() + text[1:]
