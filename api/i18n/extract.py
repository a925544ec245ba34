"""Find every UI message in the code and templates (``python -m api.i18n.extract``).

Python: strings wrapped in ``N_`` or ``_``; templates: ``_(...)`` calls. The i18n test uses
this to prove the English catalogue covers them all; run the module to list what is missing.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from api.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("collection", "distribution", "api")
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "N_": None, "gettext": None}


def ui_messages() -> dict[str, list[str]]:
    """Message id → places it is used (file:line)."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, METHOD_MAP, keywords=KEYWORDS,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
        ):  # fmt: skip
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"{package}/{filename}:{lineno}")
    return found


def untranslated(language: str = "en") -> dict[str, list[str]]:
    """Messages the ``language`` catalogue has no translation for."""
    catalogue = translations(language)
    return {
        msgid: places
        for msgid, places in ui_messages().items()
        if catalogue.gettext(msgid) == msgid
    }


if __name__ == "__main__":
    for msgid, places in sorted(untranslated().items()):
        print(f"{msgid!r}  # {places[0]}")
