"""`komplekt marc stats|show|convert|sample` as a cataloguer runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from marc.model import ReadRecord
from marc.reader import read_path
from tests.shared_data import data_path

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["marc", *args])


def test_stats_json_counts_a_clean_file_and_exits_zero() -> None:
    result = run("stats", str(data_path("edsu__pymarc/1251.dat")), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 6 and summary["errors"] == 0
    assert summary["flavours"] == {"marc21": 6}
    assert summary["encodings"] == {"cp1251": 6}
    assert summary["formats"] == {"iso2709": 6}
    assert summary["tags"]["245"] == 6


def test_stats_exits_one_when_some_records_are_bad_and_still_summarises() -> None:
    result = run("stats", str(data_path("xbib__marc/zdbtitutf8.mrc")), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["records"] == 7 and summary["errors"] == 1
    assert summary["error_details"][0]["record"] == 8


def test_stats_on_a_missing_file_is_one_clear_line_and_exit_two(tmp_path: Path) -> None:
    result = run("stats", str(tmp_path / "nope.mrc"))
    assert result.exit_code == 2
    assert "file not found" in result.output
    assert "Traceback" not in result.output


def test_stats_text_output_names_the_errors_with_positions() -> None:
    result = run("stats", str(data_path("ruby-marc__ruby-marc/three-records-second-bad.xml")))
    assert result.exit_code == 1
    assert "2 records read, 1 in error" in result.output
    assert "record 2 at byte" in result.output


def test_stats_overrides_flavour_and_encoding() -> None:
    path = str(data_path("edsu__pymarc/1251.dat"))
    result = run("stats", path, "--json", "--from-flavour", "unimarc", "--from-encoding", "cp866")
    summary = json.loads(result.stdout)
    assert summary["flavours"] == {"unimarc": 6} and summary["encodings"] == {"cp866": 6}


def test_show_json_prints_one_normalised_object_per_record() -> None:
    result = run("show", str(data_path("edsu__pymarc/1251.dat")), "--json", "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    for key in ("control_number", "isbn", "title", "authors", "publisher", "year", "language",
                "udc", "bbk", "flavour", "encoding"):
        assert key in first
    assert first["title"] == "Основы гидравлического расчета инженерных сетей"
    assert first["authors"] == ["Ильина, Татьяна Николаевна"]
    assert first["encoding"] == "cp1251" and first["flavour"] == "marc21"
    assert first["year"] == "2005"


def test_convert_cp1251_marc21_to_utf8_unimarc_marcxml(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    result = run("convert", str(data_path("edsu__pymarc/1251.dat")), str(out), "--to", "marcxml",
                 "--flavour", "unimarc")
    assert result.exit_code == 0, result.output
    assert "6 records written" in result.output
    assert "not converted:" in result.output  # uncovered tags are reported, not dropped silently
    records = [r for r in read_path(out) if isinstance(r, ReadRecord)]
    assert len(records) == 6 and {r.flavour for r in records} == {"unimarc"}
    assert records[0].record["200"]["a"] == "Основы гидравлического расчета инженерных сетей"


def test_convert_keeps_each_records_source_encoding_without_encoding_option(tmp_path: Path) -> None:
    out = tmp_path / "same.mrc"
    result = run("convert", str(data_path("edsu__pymarc/1251.dat")), str(out), "--to", "iso2709")
    assert result.exit_code == 0
    assert {r.encoding for r in read_path(out)} == {"cp1251"}


def test_convert_to_cp1251_replaces_what_it_cannot_encode_and_keeps_every_record(
    tmp_path: Path,
) -> None:
    source = data_path("perl4lib__marc-perl/hebrew1.marc")
    out = tmp_path / "cp1251.mrc"
    result = run("convert", str(source), str(out), "--to", "iso2709", "--encoding", "cp1251")
    assert result.exit_code == 0, result.output
    read = [r for r in read_path(source) if isinstance(r, ReadRecord)]
    written = [r for r in read_path(out) if isinstance(r, ReadRecord)]
    assert len(written) == len(read) and f"{len(read)} records written, 0 not written" in result.output
    assert "запис 1: замінено" in result.output and "яких немає в cp1251" in result.output
    assert "ʼ (U+02BC)" in result.output  # each replaced character is named


def test_convert_to_unimarc_cp1251_declares_it_and_reads_back_without_warning(
    tmp_path: Path,
) -> None:
    # The case: a Ukrainian UNIMARC record (100$a says "50", UTF-8) written in cp1251.
    out = tmp_path / "cp1251.mrc"
    result = run("convert", str(data_path("xbib__marc/rusmarc.xml")), str(out), "--to", "iso2709",
                 "--encoding", "cp1251")
    assert result.exit_code == 0, result.output
    (source,) = read_path(data_path("xbib__marc/rusmarc.xml"))
    (back,) = read_path(out)
    assert back.record["100"]["a"][26:30] == "    "  # UNIMARC has no code for cp1251
    assert (back.encoding, back.warnings) == ("cp1251", [])
    assert back.record["200"]["a"] == source.record["200"]["a"] == "Сучасна соціальна філософія"


def test_convert_rejects_an_encoding_xml_cannot_have(tmp_path: Path) -> None:
    result = run("convert", str(data_path("edsu__pymarc/1251.dat")), str(tmp_path / "x.xml"),
                 "--to", "marcxml", "--encoding", "cp1251")
    assert result.exit_code == 2


def test_sample_writes_readable_ukrainian_records(tmp_path: Path) -> None:
    out = tmp_path / "sample.mrc"
    result = run("sample", str(out), "--count", "12", "--encoding", "cp1251")
    assert result.exit_code == 0
    records = [r for r in read_path(out) if isinstance(r, ReadRecord)]
    assert len(records) == 12
    assert {r.encoding for r in records} == {"cp1251"} and {r.flavour for r in records} == {"unimarc"}


def test_every_marc_command_has_help() -> None:
    for command in ("stats", "show", "convert", "sample"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
