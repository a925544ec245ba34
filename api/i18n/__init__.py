"""UI languages: Ukrainian (the source language of every message) and English.

Message ids are the Ukrainian texts themselves, so Ukrainian needs no catalogue; English comes
from the ``en/LC_MESSAGES/*.po`` files (one per area, merged), compiled in memory on first use
(no build step, no .mo to keep in sync). Dates and numbers follow the chosen locale through Babel.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from collection.errors import Message, Messages

LANGUAGES = ("uk", "en")
LANGUAGE_NAMES = {"uk": "Українська", "en": "English"}
CATALOGUES = Path(__file__).resolve().parent
COOKIE = "komplekt_lang"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``language`` (Ukrainian: the messages as written).

    Every ``.po`` file in the language's folder is merged, so each area keeps its own file.
    """
    folder = CATALOGUES / language / "LC_MESSAGES"
    po_paths = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if language == "uk" or not po_paths:
        return gettext.NullTranslations()
    catalogue = None
    for po_path in po_paths:
        with po_path.open("rb") as handle:
            part = read_po(handle, locale=language)
        if catalogue is None:
            catalogue = part
            continue
        for message in part:
            if message.id:
                catalogue[message.id] = message
    buffer = BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Messages, dates and numbers for one language; templates get it as ``t`` (and ``_``)."""

    def __init__(self, language: str, timezone: str = "Europe/Kyiv") -> None:
        self.language = language if language in LANGUAGES else "uk"
        self.locale = Locale.parse(self.language)
        self.tz = ZoneInfo(timezone)
        self._translations = translations(self.language)

    def gettext(self, message: str, **params: object) -> str:
        """``message`` in this language, with ``{placeholders}`` filled from ``params``.

        A parameter that is itself a ``Message`` (or ``Messages``) is translated too.
        """
        text = self._translations.gettext(message)
        return text.format(**{k: self._param(v) for k, v in params.items()}) if params else text

    def _param(self, value: object) -> object:
        if isinstance(value, Message):
            return self.gettext(value.text, **value.params)
        if isinstance(value, Messages):
            return "; ".join(self.gettext(m.text, **m.params) for m in value)
        return value

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        """The plural form for ``n`` (Ukrainian has three; the catalogue knows them)."""
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def date(self, value: date | datetime | None, format: str = "medium") -> str:
        """A date as this locale writes it (``21.11.2026`` / ``Nov 21, 2026``)."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return dates.format_date(value, format=format, locale=self.locale)

    def datetime(self, value: datetime | None, format: str = "short") -> str:
        """A timestamp in the configured time zone, as this locale writes it."""
        if value is None:
            return ""
        return dates.format_datetime(value, format=format, tzinfo=self.tz, locale=self.locale)

    def number(self, value: int | float | Decimal | None) -> str:
        """A number with this locale's grouping and decimal sign (``12 345,5`` / ``12,345.5``)."""
        if value is None:
            return ""
        return numbers.format_decimal(value, locale=self.locale)

    def money(self, value: Decimal | None, currency: str = "UAH") -> str:
        """An amount of money with two decimals, as this locale writes it."""
        if value is None:
            return ""
        return numbers.format_currency(value, currency, locale=self.locale)


def language_of(request: object) -> str:
    """The request's UI language: the language cookie, else the configured default."""
    chosen = request.cookies.get(COOKIE)  # type: ignore[attr-defined]
    if chosen in LANGUAGES:
        return chosen
    return request.app.state.settings.language  # type: ignore[attr-defined]


def translator_for(request: object) -> Translator:
    """The request's ``Translator`` (made once per request)."""
    state = request.state  # type: ignore[attr-defined]
    translator = getattr(state, "translator", None)
    if translator is None:
        settings = request.app.state.settings  # type: ignore[attr-defined]
        translator = state.translator = Translator(language_of(request), settings.timezone)
    return translator
