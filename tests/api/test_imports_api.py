"""REST: upload a MARC file, watch the job, work the quarantine and alternatives, export."""

from __future__ import annotations

import io
import time

from marc.reader import read_bytes
from marc.samples import sample_records
from marc.writer import record_to_iso2709
from tests.api.test_programme_cli import env  # noqa: F401 - the CLI's database fixture
from tests.builders import make_user
from tests.shared_data import data_path


def wait_done(client, headers, job_id: int) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/imports/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("import did not finish")


def upload(client, headers, name: str, data: bytes, **form) -> dict:
    response = client.post("/api/v1/imports", headers=headers, data=form,
                           files={"file": (name, io.BytesIO(data), "application/octet-stream")})
    assert response.status_code == 202, response.text
    return response.json()


def test_upload_runs_in_the_background_and_reports_its_summary(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    data = data_path("edsu__pymarc/bad_records.mrc").read_bytes()
    job = wait_done(client, headers, upload(client, headers, "bad_records.mrc", data)["id"])
    assert job["state"] == "done"
    assert job["summary"]["errors"] == 2 and job["summary"]["created"] >= 5

    listed = client.get(f"/api/v1/imports/{job['id']}/quarantine", headers=headers).json()
    assert [item["state"] for item in listed] == ["open", "open"]
    first = listed[0]
    raw = client.get(f"/api/v1/imports/{job['id']}/quarantine/{first['record_number']}/raw",
                     headers=headers)
    assert raw.status_code == 200
    assert data[first["offset"]:first["offset"] + len(raw.content)] == raw.content
    retried = client.post(f"/api/v1/imports/{job['id']}/quarantine/{first['record_number']}/retry",
                          headers=headers, json={})
    assert retried.status_code in (200, 422)  # still unreadable is a named 422, not a crash
    if retried.status_code == 422:
        assert retried.json()["detail"]


def test_a_worse_record_waits_for_review_and_accepting_it_replaces_the_record(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    full = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    brief = next(sample_records(1, flavour="marc21", copies=(0, 0)))
    brief.remove_fields("650")
    wait_done(client, headers, upload(client, headers, "full.mrc", record_to_iso2709(full))["id"])
    job = wait_done(client, headers,
                    upload(client, headers, "brief.mrc", record_to_iso2709(brief))["id"])
    assert job["summary"]["alternatives"] == 1
    pending = client.get("/api/v1/alternatives", headers=headers).json()
    assert len(pending) == 1 and pending[0]["quality"] < pending[0]["stored_quality"]
    accepted = client.post(f"/api/v1/alternatives/{pending[0]['id']}/accept", headers=headers)
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    again = client.post(f"/api/v1/alternatives/{pending[0]['id']}/reject", headers=headers)
    assert again.status_code == 409


def test_export_streams_the_catalogue_with_holdings(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    records = list(sample_records(3, flavour="marc21", copies=(2, 2)))
    data = b"".join(record_to_iso2709(r) for r in records)
    job = wait_done(client, headers, upload(client, headers, "books.mrc", data, holdings="fund")["id"])
    assert job["summary"]["copies_created"] == 6
    response = client.get("/api/v1/export?with_holdings=true&flavour=unimarc", headers=headers)
    assert response.status_code == 200
    exported = [r for r in read_bytes(response.content) if hasattr(r, "record")]
    assert len(exported) == 3
    assert all(len(r.record.get_fields("995")) == 2 for r in exported)
    bad = client.get("/api/v1/export?format=marcxml&encoding=cp1251", headers=headers)
    assert bad.status_code == 422


def test_a_library_user_may_not_import(client, db):
    from tests.builders import make_library

    make_user(db, "stb", library=make_library(db))
    headers = bearer_for(client, "stb")
    response = client.post("/api/v1/imports", headers=headers,
                           files={"file": ("x.mrc", io.BytesIO(b"x"), "application/octet-stream")})
    assert response.status_code == 403


def bearer_for(client, username):
    from tests.api.conftest import bearer

    return bearer(client, username)


# --- pages -------------------------------------------------------------------------------------


def test_the_upload_page_names_a_missing_file_then_shows_the_job_and_its_quarantine(client, db, app):
    from tests.api.conftest import csrf_of, page_login

    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    form = client.get("/imports")
    assert form.status_code == 200
    token = csrf_of(form.text)
    missing = client.post("/imports", data={"csrf_token": token})
    assert missing.status_code == 422 and 'id="file-error"' in missing.text
    data = data_path("edsu__pymarc/bad_records.mrc").read_bytes()
    sent = client.post("/imports", data={"csrf_token": token},
                       files={"file": ("bad_records.mrc", io.BytesIO(data), "application/octet-stream")},
                       follow_redirects=False)
    assert sent.status_code == 303
    job_url = sent.headers["location"]
    assert app.state.import_runner.done.wait(30)
    page = client.get(job_url)
    assert 'data-state="done"' in page.text and 'id="count-errors"' in page.text
    polled = client.get(job_url, headers={"HX-Request": "true"})
    assert "<html" not in polled.text and "hx-trigger" not in polled.text  # finished: no polling
    quarantine = client.get(f"{job_url}/quarantine")
    assert quarantine.text.count('id="record-') == 2


def test_pages_are_closed_to_a_library_user(client, db):
    from tests.api.conftest import page_login
    from tests.builders import make_library

    make_user(db, "stb", library=make_library(db))
    page_login(client, "stb")
    assert client.get("/imports").status_code == 403


# --- imports keep a cataloguer's work (issue 10) -----------------------------------------------


def test_rest_import_takes_no_copies_by_default_and_the_fund_choice_takes_them(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    data = data_path("xbib__marc/rusmarc.xml").read_bytes()  # one record with 198 copies in 995
    job = wait_done(client, headers, upload(client, headers, "rusmarc.xml", data)["id"])
    assert job["summary"]["created"] == 1
    assert (job["summary"]["copies_created"], job["summary"]["holdings_ignored"]) == (0, 198)
    taken = wait_done(client, headers,
                      upload(client, headers, "rusmarc.xml", data, holdings="fund")["id"])
    assert taken["summary"]["copies_created"] == 197
    refused = client.post("/api/v1/imports", headers=headers, data={"holdings": "everything"},
                          files={"file": ("r.xml", io.BytesIO(data), "application/octet-stream")})
    assert refused.status_code == 422 and "holdings" in refused.text


def test_a_reimport_after_an_edit_keeps_the_edit_and_the_job_counts_it_apart(client, db, app):
    from sqlalchemy import select

    from collection.audit import Actor
    from collection.catalogue.models import Edition
    from collection.catalogue.services import edit_edition
    from tests.api.conftest import page_login

    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    data = data_path("edsu__pymarc/1251.dat").read_bytes()
    wait_done(client, headers, upload(client, headers, "1251.dat", data)["id"])
    edition_id = db.scalars(select(Edition.id).order_by(Edition.id)).first()
    edit_edition(db, Actor(None, "olena"), edition_id, [
        {"op": "set_subfield", "field": "245", "subfield": "a", "value": "Виправлена назва"}])
    db.commit()
    again = wait_done(client, headers, upload(client, headers, "1251.dat", data)["id"])
    assert again["summary"]["kept_local"] == 1 and again["summary"]["updated"] == 0
    detail = client.get(f"/api/v1/editions/{edition_id}", headers=headers).json()
    assert detail["title"].startswith("Виправлена назва")
    pending = client.get("/api/v1/alternatives", headers=headers).json()
    assert [item["edition_id"] for item in pending] == [edition_id]
    page_login(client, "olena")
    page = client.get(f"/imports/{again['id']}").text
    assert 'id="count-kept_local"' in page and "залишено правки каталогізатора" in page


def test_the_upload_page_offers_the_holdings_choice_and_keeps_it_in_the_job(client, db, app):
    from collection.imports.models import ImportJob
    from tests.api.conftest import csrf_of, page_login

    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    form = client.get("/imports")
    assert 'name="holdings"' in form.text and '<option value="ignore" selected>' in form.text
    data = data_path("xbib__marc/rusmarc.xml").read_bytes()
    sent = client.post("/imports", data={"csrf_token": csrf_of(form.text), "holdings": "fund"},
                       files={"file": ("rusmarc.xml", io.BytesIO(data), "application/octet-stream")},
                       follow_redirects=False)
    assert sent.status_code == 303
    assert app.state.import_runner.done.wait(30)
    job = db.get(ImportJob, int(sent.headers["location"].rsplit("/", 1)[1]))
    assert job.options["holdings"] == "fund" and job.count("copies_created") == 197


def test_the_counts_page_shows_imported_records_apart_from_the_plan(client, db):
    from tests.api.conftest import page_login

    make_user(db, "olena", "cataloguer")
    headers = bearer_for(client, "olena")
    data = data_path("edsu__pymarc/1251.dat").read_bytes()
    wait_done(client, headers, upload(client, headers, "1251.dat", data)["id"])
    page_login(client, "olena")
    page = client.get("/catalogue/counts").text
    assert 'id="imported"' in page and "не зараховано до плану" in page
    assert 'id="plan-imported"' not in page
    assert 'id="month-imported"' in page


def test_the_import_command_takes_holdings_only_with_holdings_fund(env, session, tmp_path):  # noqa: F811
    import json

    from typer.testing import CliRunner

    from api.cli import app as cli_app

    runner = CliRunner()
    path = str(data_path("xbib__marc/rusmarc.xml"))
    ignored = runner.invoke(cli_app, ["import", path, "--json"])
    assert ignored.exit_code == 0, ignored.output
    summary = json.loads(ignored.stdout.strip().splitlines()[-1])
    assert (summary["copies_created"], summary["holdings_ignored"], summary["kept_local"]) == (0, 198, 0)
    taken = runner.invoke(cli_app, ["import", path, "--holdings", "fund"])
    assert taken.exit_code == 0, taken.output
    assert "197 created" in taken.stderr and "kept a cataloguer's edits" in taken.stderr
    wrong = runner.invoke(cli_app, ["import", path, "--holdings", "all"])
    assert wrong.exit_code == 2
