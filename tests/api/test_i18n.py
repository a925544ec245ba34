"""Ukrainian by default, English on request; dates and numbers follow the chosen locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from api.i18n import Translator
from api.i18n.extract import ui_messages, untranslated
from tests.api.conftest import page_login
from tests.builders import make_library, make_user


def test_pages_are_ukrainian_by_default(client):
    page = client.get("/login").text
    assert '<html lang="uk">' in page
    assert "Вхід до komplekt" in page


def test_the_language_switch_sets_a_cookie_and_returns_to_the_page(client, db):
    make_user(db, "boss", "admin")
    page_login(client, "boss")
    response = client.get("/lang/en?next=/libraries", follow_redirects=False)
    assert response.headers["location"] == "/libraries"
    assert "komplekt_lang=en" in response.headers["set-cookie"]
    page = client.get("/libraries").text
    assert '<html lang="en">' in page
    assert "Public libraries" in page and ">Libraries<" in page
    client.get("/lang/uk")
    assert "Публічні бібліотеки" in client.get("/libraries").text


def test_an_unknown_language_is_ignored_and_off_site_targets_refused(client):
    response = client.get("/lang/xx?next=https://evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"
    assert "set-cookie" not in response.headers


def test_the_default_language_comes_from_settings(app, client):
    app.state.settings = app.state.settings.with_(language="en")
    assert "Log in to komplekt" in client.get("/login").text


def test_field_errors_and_flashes_are_translated(client, db):
    library = make_library(db, code="LG-I18N-01")
    make_user(db, "lib", library=library)
    client.cookies.set("komplekt_lang", "en")
    page_login(client, "lib")
    from tests.api.conftest import post_form

    response = post_form(client, f"/libraries/{library.code}", {"email": "nope"})
    assert "Invalid email address" in response.text
    post_form(client, f"/libraries/{library.code}", {"email": "lib@example.org"})
    assert "Changes saved" in client.get(f"/libraries/{library.code}").text


def plain(text: str) -> str:
    """CLDR uses (narrow) no-break spaces; compare with ordinary ones."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_dates_and_numbers_follow_the_locale():
    uk, en = Translator("uk"), Translator("en")
    moment = datetime(2026, 3, 5, 22, 30, tzinfo=UTC)  # 6 March 00:30 in Kyiv
    assert uk.date(date(2026, 3, 5), "short") == "05.03.26"
    assert en.date(date(2026, 3, 5), "short") == "3/5/26"
    assert plain(uk.date(moment)) == "6 бер. 2026 р."
    assert en.date(moment) == "Mar 6, 2026"
    assert plain(uk.number(1234567.5)) == "1 234 567,5"
    assert en.number(1234567.5) == "1,234,567.5"
    assert plain(uk.money(Decimal("1234.5"))) == "1 234,50 ₴"
    assert en.money(Decimal("1234.5")) == "UAH1,234.50"


def test_messages_with_placeholders_are_filled_after_translation():
    assert Translator("en").gettext("Бібліотеку {code} додано", code="LG-1") == "Library LG-1 added"
    uk = Translator("uk").gettext("Бібліотеку {code} додано", code="LG-1")
    assert uk == "Бібліотеку LG-1 додано"


def test_every_ui_message_has_an_english_translation():
    assert len(ui_messages()) > 50
    assert untranslated("en") == {}
