"""Files that are not MARC, empty files and warnings: REST, the import pages and the CLI."""

from __future__ import annotations

import io
import random

from openpyxl import Workbook
from typer.testing import CliRunner

from api.cli import app as cli_app
from collection.imports.models import ImportJob, QuarantinedRecord
from tests.api.conftest import bearer, csrf_of, page_login
from tests.api.test_imports_api import upload, wait_done
from tests.api.test_programme_cli import env  # noqa: F401 - the CLI's database fixture
from tests.builders import make_user
from tests.shared_data import data_path

runner = CliRunner()
TEXT = "Це не MARC, а лист до бібліотеки.\nДругий рядок.\n".encode()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["Назва", "Рік"])
    book.active.append(["Кобзар¹", 1840])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post_file(client, headers, name: str, data: bytes):
    return client.post("/api/v1/imports", headers=headers,
                       files={"file": (name, io.BytesIO(data), "application/octet-stream")})


# --- REST --------------------------------------------------------------------------------------


def test_rest_refuses_an_xlsx_with_422_naming_what_it_looks_like(client, db):
    make_user(db, "olena", "cataloguer")
    response = post_file(client, bearer(client, "olena"), "list.xlsx", xlsx_bytes())
    assert response.status_code == 422
    assert response.json()["detail"] == "Це не MARC: схоже на таблицю xlsx (zip)"


def test_rest_job_of_an_empty_file_says_it_was_empty(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer(client, "olena")
    job = wait_done(client, headers, upload(client, headers, "empty.mrc", b"")["id"])
    assert job["state"] == "done"
    assert job["message"] == "Файл порожній: записів не знайдено"


def test_rest_job_lists_the_readers_warnings_with_record_numbers(client, db):
    make_user(db, "olena", "cataloguer")
    headers = bearer(client, "olena")
    data = data_path("edsu__pymarc/1251.dat").read_bytes()
    job = wait_done(client, headers, upload(client, headers, "1251.dat", data)["id"])
    assert job["state"] == "done" and job["message"] == ""
    assert job["warning_count"] >= 6
    assert job["warnings"][0][0] == 1 and any("cp1251" in text for _, text in job["warnings"])


# --- pages -------------------------------------------------------------------------------------


def test_the_upload_page_names_a_text_file_as_not_marc(client, db):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    token = csrf_of(client.get("/imports").text)
    sent = client.post("/imports", data={"csrf_token": token},
                       files={"file": ("letter.mrc", io.BytesIO(TEXT), "text/plain")})
    assert sent.status_code == 422
    assert "Це не MARC: схоже на звичайний текст" in sent.text


def test_the_job_page_lists_the_readers_warnings_with_record_numbers(client, db, app):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    token = csrf_of(client.get("/imports").text)
    data = data_path("edsu__pymarc/1251.dat").read_bytes()
    sent = client.post("/imports", data={"csrf_token": token}, follow_redirects=False,
                       files={"file": ("1251.dat", io.BytesIO(data), "application/octet-stream")})
    assert sent.status_code == 303
    assert app.state.import_runner.done.wait(30)
    page = client.get(sent.headers["location"]).text
    assert 'id="job-warnings"' in page
    assert "Запис 1:" in page and "cp1251" in page


def failed_job(db, message: str) -> ImportJob:
    job = ImportJob(file_name="x.mrc", sha256="0" * 64, origin="upload", state="failed",
                    message=message, counters={}, options={})
    db.add(job)
    db.commit()
    return job


def test_a_job_failed_as_not_marc_offers_no_continue_button_but_a_broken_one_does(client, db):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    not_marc = failed_job(db, "Це не MARC: схоже на звичайний текст")
    broken = failed_job(db, "OperationalError: database is locked")
    assert "/resume" not in client.get(f"/imports/{not_marc.id}").text
    assert f"/imports/{broken.id}/resume" in client.get(f"/imports/{broken.id}").text


def test_the_quarantine_shows_a_reason_in_its_real_encoding(client, db):
    make_user(db, "olena", "cataloguer")
    page_login(client, "olena")
    job = failed_job(db, "")
    db.add(QuarantinedRecord(job_id=job.id, record_number=1, offset=0, format="unknown",
                             reason="Ð¦Ðµ Ð½Ðµ MARC", raw=b"x", state="open"))
    db.commit()
    page = client.get(f"/imports/{job.id}/quarantine").text
    assert "Це не MARC" in page and "Ð¦" not in page


# --- CLI ---------------------------------------------------------------------------------------


def test_marc_commands_name_an_xlsx_in_one_line_and_exit_one(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes())
    for args in (["stats", str(path)], ["show", str(path)],
                 ["convert", str(path), str(tmp_path / "out.xml"), "--to", "marcxml"]):
        result = runner.invoke(cli_app, ["marc", *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Це не MARC: схоже на таблицю xlsx (zip)" in result.output
        assert "Traceback" not in result.output


def test_marc_stats_on_random_bytes_is_one_line_and_forced_iso2709_is_errors(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(random.Random(10).randbytes(1 << 20))
    named = runner.invoke(cli_app, ["marc", "stats", str(path)])
    assert named.exit_code == 1 and "двійкові дані" in named.output
    forced = runner.invoke(cli_app, ["marc", "stats", "--json", "--format", "iso2709", str(path)])
    assert forced.exit_code == 1  # every "record" in error, summarised
    assert forced.exception is None or isinstance(forced.exception, SystemExit)


def test_import_command_refuses_a_text_file_with_exit_one(env, tmp_path):  # noqa: F811
    path = tmp_path / "letter.mrc"
    path.write_bytes(TEXT)
    result = runner.invoke(cli_app, ["import", str(path)])
    assert result.exit_code == 1
    assert "Це не MARC: схоже на звичайний текст" in result.output


def test_import_command_summary_says_a_file_is_empty_and_counts_warnings(env, tmp_path):  # noqa: F811
    path = tmp_path / "empty.mrc"
    path.write_bytes(b"")
    empty = runner.invoke(cli_app, ["import", str(path)])
    assert empty.exit_code == 0 and "Файл порожній: записів не знайдено" in empty.output
    warned = runner.invoke(cli_app, ["import", str(data_path("edsu__pymarc/1251.dat"))])
    assert warned.exit_code == 0
    assert "6 read" in warned.output and "0 warnings" not in warned.output
    assert "warning: record 1:" in warned.output
