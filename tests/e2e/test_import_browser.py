"""Browser: a cataloguer uploads a MARC file, watches the job finish and opens its quarantine."""

from __future__ import annotations

import pytest

from marc.samples import sample_records
from marc.writer import record_to_iso2709
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_upload_watch_the_job_finish_and_open_the_quarantine(page, tmp_path):
    data = b"".join(record_to_iso2709(r) for r in sample_records(30, flavour="marc21"))
    data += b"00042nam  2200000   4500garbage that is not a record\x1d"
    path = tmp_path / "books.mrc"
    path.write_bytes(data)
    log_in(page, "admin", "demo-admin")
    page.get_by_role("link", name="Імпорт MARC").first.click()
    page.get_by_role("button", name="Імпортувати").click()
    assert page.locator("#file-error").is_visible()
    page.set_input_files("#f-file", str(path))
    page.get_by_role("button", name="Імпортувати").click()
    page.locator(".flash-success").wait_for()
    page.locator('#job-state[data-state="done"]').wait_for(timeout=30_000)
    assert page.locator("#count-created td").inner_text() == "30"
    assert page.locator("#count-errors td").inner_text() == "1"
    page.locator("#quarantine-link").click()
    assert page.locator("#quarantine tbody tr").count() == 1
    assert page.get_by_role("link", name="Завантажити").is_visible()
