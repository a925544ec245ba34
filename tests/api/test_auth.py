"""Logging in (pages and tokens), CSRF, rate limiting, disabled accounts, password changes."""

from __future__ import annotations

import html

from api.auth.services import get_user, set_active
from collection.audit import entries_by_user
from tests.api.conftest import bearer, csrf_of, page_login, post_form
from tests.builders import PASSWORD, TEST_ACTOR, make_library, make_user


def test_pages_redirect_anonymous_visitors_to_the_login_page(client):
    response = client.get("/libraries", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/libraries"


def test_login_sets_an_httponly_samesite_session_cookie_and_audits_it(client, db):
    make_user(db, "olena", "acquisitions")
    response = page_login(client, "olena")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "Вітаємо" in client.get("/").text
    assert [e.action for e in entries_by_user(db, "olena")] == ["login"]


def test_session_cookie_is_secure_when_the_request_came_over_https(app, db):
    from tests.api.conftest import TestClient

    make_user(db, "olena")
    secure_client = TestClient(app, base_url="https://komplekt.example")
    response = page_login(secure_client, "olena")
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_shows_an_error_and_is_audited_as_failed(client, db):
    make_user(db, "olena")
    response = page_login(client, "olena", "wrong password")
    assert response.status_code == 401
    assert "Неправильне ім'я користувача або пароль" in html.unescape(response.text)
    assert [e.action for e in entries_by_user(db, "olena")] == ["login_failed"]


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, db):
    make_user(db, "olena")
    token = csrf_of(client.get("/login").text)
    data = {"username": "olena", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data={**data, "next": "/account"}, follow_redirects=False)
    assert response.headers["location"] == "/account"
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    data["csrf_token"] = token
    data["next"] = "//evil.example/"
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_a_form_without_the_csrf_token_is_rejected(client, db):
    make_user(db, "olena")
    client.get("/login")
    response = client.post("/login", data={"username": "olena", "password": PASSWORD})
    assert response.status_code == 403
    assert "Форма застаріла" in response.text


def test_a_form_with_another_sessions_csrf_token_is_rejected(client, app, db):
    from tests.api.conftest import TestClient

    make_user(db, "olena")
    page_login(client, "olena")
    foreign_token = csrf_of(TestClient(app).get("/login").text)
    response = client.post(
        "/account/password", follow_redirects=False,
        data={"current_password": PASSWORD, "new_password": "new password 1",
              "confirm_password": "new password 1", "csrf_token": foreign_token},
    )  # fmt: skip
    assert response.status_code == 403


def test_logout_needs_csrf_and_ends_the_session(client, db):
    make_user(db, "olena")
    page_login(client, "olena")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    response = post_form(client, "/logout", {}, page="/")
    assert response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    assert entries_by_user(db, "olena")[0].action == "logout"


def test_htmx_requests_may_send_the_csrf_token_as_a_header(client, db):
    make_user(db, "olena")
    page_login(client, "olena")
    token = csrf_of(client.get("/").text)
    response = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_five_failed_logins_lock_out_that_username_from_that_address(client, db):
    make_user(db, "olena")
    for _ in range(5):
        assert page_login(client, "olena", "wrong").status_code == 401
    locked = page_login(client, "olena", PASSWORD)
    assert locked.status_code == 429
    assert "Забагато невдалих спроб" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    api = client.post("/api/v1/auth/token", data={"username": "olena", "password": PASSWORD})
    assert api.status_code == 429


def test_the_lockout_ends_when_the_window_passes():
    from api.auth.ratelimit import LoginRateLimiter, TooManyAttempts

    now = [1000.0]
    limiter = LoginRateLimiter(attempts=2, window_seconds=60, clock=lambda: now[0])
    limiter.record_failure("olena", "1.2.3.4")
    limiter.record_failure("olena", "1.2.3.4")
    try:
        limiter.check("olena", "1.2.3.4")
        raise AssertionError("expected a lockout")
    except TooManyAttempts as error:
        assert error.retry_after == 61
    limiter.check("olena", "5.6.7.8")  # another address is not locked out
    now[0] += 61
    limiter.check("olena", "1.2.3.4")


def test_bearer_token_gives_access_to_the_api_and_can_be_revoked(client, db):
    make_user(db, "olena", "programme")
    headers = bearer(client, "olena")
    assert client.get("/api/v1/auth/me", headers=headers).json()["role"] == "programme"
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_api_rejects_missing_and_invented_tokens(client):
    assert client.get("/api/v1/libraries").status_code == 401
    response = client.get("/api/v1/libraries", headers={"Authorization": "Bearer kt_invented"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_ignores_the_page_session_cookie(client, db):
    make_user(db, "olena")
    page_login(client, "olena")
    assert client.get("/api/v1/libraries").status_code == 401


def test_token_endpoint_rejects_a_wrong_password(client, db):
    make_user(db, "olena")
    response = client.post("/api/v1/auth/token", data={"username": "olena", "password": "nope"})
    assert response.status_code == 401


def test_a_disabled_user_cannot_log_in_and_loses_sessions_and_tokens(client, db):
    make_user(db, "olena")
    headers = bearer(client, "olena")
    page_login(client, "olena")
    set_active(db, get_user(db, "olena"), actor=TEST_ACTOR, active=False)
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert page_login(client, "olena").status_code == 401
    assert client.post(
        "/api/v1/auth/token", data={"username": "olena", "password": PASSWORD}
    ).status_code == 401


def test_changing_the_password_shows_errors_next_to_the_fields_then_succeeds(client, db):
    make_user(db, "olena")
    page_login(client, "olena")
    response = post_form(client, "/account/password", {
        "current_password": "wrong", "new_password": "short", "confirm_password": "short",
    }, page="/account")  # fmt: skip
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.text
    assert "Пароль має містити щонайменше 8 символів" in response.text
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "a new password",
        "confirm_password": "a new password",
    }, page="/account")  # fmt: skip
    assert response.status_code == 303
    assert "Пароль змінено" in client.get("/account").text
    client.cookies.clear()
    assert page_login(client, "olena", "a new password").status_code == 303


def test_a_password_change_ends_the_users_other_sessions(client, app, db):
    from tests.api.conftest import TestClient

    make_user(db, "olena")
    other_browser = TestClient(app)
    page_login(other_browser, "olena")
    page_login(client, "olena")
    post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "a new password",
        "confirm_password": "a new password",
    }, page="/account")  # fmt: skip
    assert client.get("/account", follow_redirects=False).status_code == 200
    assert other_browser.get("/account", follow_redirects=False).status_code == 303


def test_admin_creates_a_user_after_fixing_the_errors_shown_next_to_fields(client, db):
    make_user(db, "boss", "admin")
    library = make_library(db, code="LG-NEW-01")
    page_login(client, "boss")
    response = post_form(client, "/admin/users", {
        "username": "x", "full_name": "", "role": "library", "library": "", "password": "123",
    })  # fmt: skip
    assert response.status_code == 422
    for field in ("username", "library", "password"):
        assert f'id="{field}-error"' in response.text
    response = post_form(client, "/admin/users", {
        "username": "newlib", "full_name": "Нова", "role": "library",
        "library": library.code, "password": "long enough",
    })  # fmt: skip
    assert response.status_code == 303
    page = client.get("/admin/users").text
    assert "Користувача newlib створено" in page
    assert get_user(db, "newlib").library_id == library.id


def test_admin_disables_a_user_from_the_users_page(client, db):
    make_user(db, "boss", "admin")
    make_user(db, "olena")
    page_login(client, "boss")
    response = post_form(client, "/admin/users/olena/active", {"active": "0"}, page="/admin/users")
    assert response.status_code == 303
    db.expire_all()
    assert get_user(db, "olena").active is False


def test_only_admins_reach_user_management(client, db):
    make_user(db, "olena", "methodologist")
    page_login(client, "olena")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Ваша роль не дає доступу" in response.text


def test_navigation_follows_the_role(client, db):
    library = make_library(db)
    make_user(db, "boss", "admin")
    make_user(db, "lib", library=library)
    page_login(client, "boss")
    admin_page = client.get("/").text
    assert 'href="/admin/users"' in admin_page and 'href="/audit"' in admin_page
    client.cookies.clear()
    page_login(client, "lib")
    library_page = client.get("/").text
    assert 'href="/admin/users"' not in library_page and 'href="/audit"' not in library_page
    assert f'href="/libraries/{library.code}"' in library_page
