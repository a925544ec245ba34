"""`komplekt programme to-fund`: the left-over copies into the fund from the command line."""

from __future__ import annotations

from sqlalchemy import func, select

from collection.fund.models import Copy
from distribution.allocation.services import allocate_programme
from tests.api.test_programme_cli import env, invoke  # noqa: F401 - the CLI's database fixture
from tests.builders import TEST_ACTOR
from tests.distribution.programme_builders import A, B, programme_with_orders


def test_to_fund_takes_what_is_asked_or_refuses_and_changes_nothing(env, session):  # noqa: F811
    programme = programme_with_orders(session, [["LG-A01", A, 3]], received=[[A, 5, 0], [B, 1, 0]])
    allocate_programme(session, actor=TEST_ACTOR, programme_id=programme.id)
    session.commit()
    refused = invoke("programme", "to-fund", programme.id, "--take", f"{A}=3")
    assert refused.exit_code == 1 and "quantities" in refused.output
    assert invoke("programme", "to-fund", programme.id, "--take", "123=1").exit_code == 1
    assert session.scalar(select(func.count()).select_from(Copy)) == 0
    result = invoke("programme", "to-fund", programme.id, "--take", f"{A}=2", "--date", "2026-11-04")
    assert result.exit_code == 0, result.output
    assert "2 copies into the fund (3 were left over)" in result.stdout
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Copy)) == 2
