"""The reader on real files and on the ways Ukrainian exports go wrong."""

from __future__ import annotations

import gzip
import io

from pymarc import Field, Indicators, Leader, Record, Subfield

from marc.model import ReadRecord, RecordError
from marc.reader import read_bytes, read_path
from marc.writer import record_to_iso2709
from tests.shared_data import data_path


def read_all(path, **options) -> tuple[list[ReadRecord], list[RecordError]]:
    results = list(read_path(path, **options))
    return ([r for r in results if isinstance(r, ReadRecord)],
            [r for r in results if isinstance(r, RecordError)])


def make_record(title: str, leader9: str = " ", tag: str = "245") -> Record:
    record = Record()
    record.leader = Leader(f"00000nam {leader9}2200000   4500")
    record.fields = [
        Field(tag="001", data="ua-1"),
        Field(tag=tag, indicators=Indicators("1", "0"), subfields=[Subfield("a", title)]),
    ]
    return record


def test_cp1251_marc21_is_detected_although_the_leader_says_marc8() -> None:
    records, errors = read_all(data_path("edsu__pymarc/1251.dat"))
    assert not errors and len(records) == 6
    assert {r.encoding for r in records} == {"cp1251"}
    assert records[0].record["245"]["a"].startswith("Основы гидравлического расчета")
    assert records[0].record["100"]["a"] == "Ильина, Татьяна Николаевна"
    assert any("cp1251" in w for w in records[0].warnings)


def test_irbis_cp866_export_with_off_by_one_lengths_is_read() -> None:
    records, errors = read_all(data_path("ruby-marc__ruby-marc/cp866_multirecord.marc"))
    assert not errors and len(records) == 2
    assert {r.encoding for r in records} == {"cp866"}
    assert records[0].record.fields[0].data == "Никитенко Е. А."
    assert any("1167" in w for w in records[0].warnings)


def test_utf8_bytes_with_a_blank_leader09_are_read_as_utf8_and_said_so() -> None:
    records, _ = read_all(data_path("edsu__pymarc/utf8_without_leader_flag.dat"))
    assert records[0].encoding == "utf-8"
    assert any("valid UTF-8" in w for w in records[0].warnings)


def test_unimarc_serials_in_utf8_with_blank_leader() -> None:
    records, errors = read_all(data_path("xbib__marc/periouni.mrc"))
    assert not errors and len(records) == 3064
    assert {r.flavour for r in records} == {"unimarc"}
    assert {r.encoding for r in records} == {"utf-8"}


def test_rusmarc_unislim_xml_is_unimarc_with_its_holdings() -> None:
    records, errors = read_all(data_path("xbib__marc/rusmarc.xml"))
    assert not errors
    (result,) = records
    assert result.flavour == "unimarc"
    assert result.record["200"]["a"] == "Сучасна соціальна філософія"
    assert len(result.record.get_fields("995")) == 198
    assert any("leader" in w for w in result.warnings)


def test_xml_with_a_broken_record_yields_the_good_ones_around_it() -> None:
    records, errors = read_all(data_path("ruby-marc__ruby-marc/three-records-second-bad.xml"))
    assert [r.number for r in records] == [1, 3]
    (error,) = errors
    assert error.number == 2 and error.offset > 0
    assert "not well-formed" in error.reason
    assert error.raw.startswith(b"<record")


def test_xml_with_several_root_elements_is_read_whole() -> None:
    records, errors = read_all(data_path("evergreen-library-system__Evergreen/serials_marc21.xml"))
    assert len(records) == 7 and not errors


def test_truncated_last_record_is_an_error_with_its_bytes_and_position() -> None:
    path = data_path("xbib__marc/zdbtitutf8.mrc")
    records, errors = read_all(path)
    assert len(records) == 7
    (error,) = errors
    assert error.number == 8
    data = path.read_bytes()
    assert data[error.offset:error.offset + len(error.raw)] == error.raw
    assert "truncated" in error.reason


def test_a_wrong_record_length_does_not_stop_the_file() -> None:
    # Record lengths counted in characters: pymarc stops the stream, we read on.
    records, errors = read_all(data_path("marc4j__marc4j/008008027.mrc"))
    assert len(records) == 19 and not errors


def test_missing_record_terminator_is_read_with_a_warning() -> None:
    records, _ = read_all(data_path("xbib__marc/SWB1.marc21"))
    assert records and any("terminator" in w for w in records[0].warnings)


def test_gzip_compressed_files_are_opened_transparently() -> None:
    records, errors = read_all(data_path("pear__File_MARC/compressed.mrc.gz"))
    assert len(records) == 3 and not errors


def test_text_that_is_not_marc_is_one_error_at_offset_zero() -> None:
    records, errors = read_all(data_path("folio-org__mod-data-import/invalidMarcFile.mrc"))
    assert not records
    assert errors[0].offset == 0 and "not ISO 2709" in errors[0].reason


def test_an_empty_file_holds_nothing() -> None:
    assert list(read_bytes(b"")) == []


def test_leader_saying_utf8_over_cp1251_bytes_is_read_as_cp1251() -> None:
    data = record_to_iso2709(make_record("Кобзар. Повне видання творів", leader9="a"), "cp1251")
    (result,) = read_bytes(data)
    assert result.encoding == "cp1251"
    assert result.record["245"]["a"] == "Кобзар. Повне видання творів"
    assert any("cp1251" in w for w in result.warnings)


def test_each_record_of_a_mixed_encoding_file_gets_its_own_encoding() -> None:
    data = (record_to_iso2709(make_record("Тіні забутих предків", "a"), "utf-8")
            + record_to_iso2709(make_record("Лісова пісня"), "cp1251")
            + record_to_iso2709(make_record("Zori"), "utf-8"))
    results = list(read_bytes(data))
    assert [r.encoding for r in results] == ["utf-8", "cp1251", "marc-8"]
    assert results[1].record["245"]["a"] == "Лісова пісня"
    assert results[1].offset == len(record_to_iso2709(make_record("Тіні забутих предків", "a")))


def test_encoding_and_flavour_overrides_win_over_detection() -> None:
    data = record_to_iso2709(make_record("Лісова пісня"), "cp1251")
    (as_866,) = read_bytes(data, encoding="cp866", flavour="unimarc")
    assert as_866.encoding == "cp866" and as_866.flavour == "unimarc"
    assert as_866.record["245"]["a"] != "Лісова пісня"


def test_unimarc_record_is_recognised_by_its_tags() -> None:
    record = make_record("Енеїда", leader9=" ", tag="200")
    record.add_field(Field(tag="100", indicators=Indicators(" ", " "),
                           subfields=[Subfield("a", "20240101d2024    k  y0ukry50      ca")]))
    (result,) = read_bytes(record_to_iso2709(record, "utf-8"))
    assert result.flavour == "unimarc" and result.encoding == "utf-8"


def test_marcxml_entities_and_external_references_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<collection><record><leader>00000nam a2200000   4500</leader>'
            b'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&b;</subfield></datafield>'
            b'</record></collection>')
    results = list(read_bytes(bomb))
    assert len(results) == 1 and isinstance(results[0], RecordError)
    external = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<collection><record><leader>00000nam a2200000   4500</leader>'
                b'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&x;</subfield>'
                b'</datafield></record></collection>')
    (result,) = read_bytes(external)
    assert isinstance(result, RecordError)
    assert b"root:" not in result.raw


def test_json_records_are_read_from_arrays_ndjson_and_concatenated_objects() -> None:
    one = b'{"leader": "00000nam a2200000   4500", "fields": [{"001": "x"}]}'
    assert len(list(read_bytes(b"[" + one + b"," + one + b"]"))) == 2
    assert len(list(read_bytes(one + b"\n" + one + b"\n"))) == 2
    broken = one + b"\n{not json\n" + one
    results = list(read_bytes(broken))
    assert [type(r).__name__ for r in results] == ["ReadRecord", "RecordError", "ReadRecord"]


def test_stream_input_is_not_closed_or_copied_whole() -> None:
    data = record_to_iso2709(make_record("Zori"), "utf-8") * 3
    stream = io.BytesIO(gzip.compress(data))
    assert len([r for r in read_bytes(stream.getvalue())]) == 3
