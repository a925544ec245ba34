"""Writers: a record read and written back in the same format, flavour and encoding is unchanged."""

from __future__ import annotations

import io
import json

import pytest
from pymarc import Record

from marc.errors import EncodingError, WriteError
from marc.fitting import fit_record
from marc.model import ReadRecord
from marc.reader import read_bytes, read_path
from marc.samples import sample_records
from marc.writer import (
    mark_encoding,
    record_to_iso2709,
    write_records,
    writer_for,
)
from tests.shared_data import all_data_files, data_path

# Records damaged so that no writer can reproduce them, each announced by a warning on read:
# a stray 0x1F inside an East Asian MARC-8 character splits the text into a "subfield" whose code
# is a CJK character.
UNWRITABLE = {("indexdata__yaz/marc12.marc", 1)}


def field_list(record: Record) -> list[tuple]:
    """Everything a record holds, field by field, for comparison."""
    out = []
    for field in record.fields:
        if field.control_field:
            out.append((field.tag, field.data))
        else:
            out.append((field.tag, field.indicator1, field.indicator2,
                        tuple((s.code, s.value) for s in field.subfields)))
    return out


def leader_without_lengths(record: Record) -> str:
    """The leader minus record length (0-4) and base address (12-16), which writers compute."""
    leader = str(record.leader)
    return leader[5:12] + leader[17:]


def write_one(result: ReadRecord) -> bytes:
    stream = io.BytesIO()
    with writer_for(result.format, stream) as writer:
        writer.write(result.record, result.encoding)
    return stream.getvalue()


@pytest.mark.parametrize("relative", all_data_files())
def test_real_records_round_trip_field_for_field(relative: str) -> None:
    """Every readable record of every real file comes back identical in its own format/encoding."""
    results = [r for r in read_path(data_path(relative)) if isinstance(r, ReadRecord)]
    for result in results:
        if any("cannot be written back" in w for w in result.warnings):
            assert (relative, result.number) in UNWRITABLE
            continue
        if result.format == "iso2709" and len(write_probe(result)) > 99999:
            continue  # larger than ISO 2709 allows (bad_hathi_records); covered below
        (again,) = read_bytes(write_one(result), format=result.format, flavour=result.flavour,
                              encoding=result.encoding if result.format == "iso2709" else None)
        assert isinstance(again, ReadRecord), f"record {result.number}: {again}"
        assert field_list(again.record) == field_list(result.record), f"record {result.number}"
        assert leader_without_lengths(again.record) == leader_without_lengths(result.record)


def write_probe(result: ReadRecord) -> bytes:
    try:
        return write_one(result)
    except WriteError:
        return b"x" * 100000


def test_a_record_too_long_for_iso2709_is_refused_with_the_reason() -> None:
    results = [r for r in read_path(data_path("marc4j__marc4j/bad_hathi_records.mrc"))
               if isinstance(r, ReadRecord)]
    huge = max(results, key=lambda r: sum(len(str(f)) for f in r.record.fields))
    with pytest.raises(WriteError, match="ISO 2709 allows"):
        record_to_iso2709(huge.record, "utf-8")


def test_cyrillic_converts_between_utf8_and_cp1251() -> None:
    (record,) = sample_records(1, flavour="marc21")
    mark_encoding(record, "marc21", "cp1251")
    (read,) = read_bytes(record_to_iso2709(record, "cp1251"))
    assert read.encoding == "cp1251"
    assert field_list(read.record) == field_list(record)


def test_marc8_output_of_cyrillic_reads_back_the_same() -> None:
    (record,) = sample_records(1, flavour="marc21")
    mark_encoding(record, "marc21", "marc-8")
    (read,) = read_bytes(record_to_iso2709(record, "marc-8"))
    assert read.encoding == "marc-8"
    assert field_list(read.record) == field_list(record)


def test_a_character_cp1251_cannot_hold_is_an_error_naming_it() -> None:
    (record,) = sample_records(1, flavour="marc21")
    record["245"].subfields[0] = type(record["245"].subfields[0])("a", "Łódź")
    with pytest.raises(EncodingError, match="Ł"):
        record_to_iso2709(record, "cp1251")


def test_utf8_marks_the_leader_and_unimarc_100() -> None:
    (marc21,) = sample_records(1, flavour="marc21")
    mark_encoding(marc21, "marc21", "marc-8")
    assert str(marc21.leader)[9] == " "
    mark_encoding(marc21, "marc21", "utf-8")
    assert str(marc21.leader)[9] == "a"
    (unimarc,) = sample_records(1, flavour="unimarc")
    mark_encoding(unimarc, "unimarc", "cp1251")
    assert unimarc["100"]["a"][26:30] == "    "
    mark_encoding(unimarc, "unimarc", "utf-8")
    assert unimarc["100"]["a"][26:30] == "50  "


def _read_back(record: Record, flavour: str, encoding: str) -> ReadRecord:
    mark_encoding(record, flavour, encoding)
    (read,) = read_bytes(record_to_iso2709(record, encoding))
    assert isinstance(read, ReadRecord)
    return read


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_a_real_ukrainian_unimarc_record_declares_its_encoding_and_reads_back_unwarned(
    encoding: str,
) -> None:
    (source,) = read_path(data_path("xbib__marc/rusmarc.xml"))  # 100$a/26-29 says "50"
    read = _read_back(source.record, "unimarc", encoding)
    assert read.record["100"]["a"][26:30] == ("50  " if encoding == "utf-8" else "    ")
    assert (read.encoding, read.warnings) == (encoding, [])
    assert field_list(read.record)[1:] == field_list(source.record)[1:]  # all but 100 the same


@pytest.mark.parametrize("encoding", ["utf-8", "marc-8"])
def test_real_cp1251_marc21_records_written_as_unicode_or_marc8_say_so_in_leader_09(
    encoding: str,
) -> None:
    for source in read_path(data_path("edsu__pymarc/1251.dat")):
        text = field_list(source.record)
        read = _read_back(source.record, "marc21", encoding)
        assert str(read.record.leader)[9] == ("a" if encoding == "utf-8" else " ")
        assert (read.encoding, read.warnings) == (encoding, [])
        assert field_list(read.record) == text


def test_a_unimarc_record_without_100_gets_one_declaring_the_encoding() -> None:
    (record,) = sample_records(1, flavour="unimarc")
    record.remove_fields("100")
    read = _read_back(record, "unimarc", "cp1251")
    assert read.record["100"]["a"] == "|" * 26 + "    " + "|" * 6
    assert (read.encoding, read.warnings) == ("cp1251", [])


def test_fitting_to_cp1251_replaces_each_lacking_character_with_its_nearest_form() -> None:
    (source,) = read_path(data_path("xbib__marc/rusmarc.xml"))
    record = source.record
    record["200"].subfields[0] = type(record["200"].subfields[0])("a", "Пʼять пісень Éluard 中")
    fitted, replaced = fit_record(record, "cp1251")
    assert fitted["200"]["a"] == "П’ять пісень Eluard ?"
    assert replaced == {"ʼ": 1, "É": 1, "中": 1}
    assert record["200"]["a"] == "Пʼять пісень Éluard 中"  # the original is left as it was
    read = _read_back(fitted, "unimarc", "cp1251")
    assert (read.record["200"]["a"], read.warnings) == ("П’ять пісень Eluard ?", [])


@pytest.mark.parametrize("fmt", ["iso2709", "marcxml", "json"])
def test_generated_records_survive_every_format(fmt: str) -> None:
    records = list(sample_records(25, flavour="unimarc"))
    stream = io.BytesIO()
    assert write_records(records, stream, fmt) == 25
    back = list(read_bytes(stream.getvalue()))
    assert all(isinstance(r, ReadRecord) and r.format == fmt for r in back)
    assert [field_list(r.record) for r in back] == [field_list(r) for r in records]
    assert {r.flavour for r in back} == {"unimarc"}


def test_json_output_is_one_valid_json_document() -> None:
    stream = io.BytesIO()
    write_records(sample_records(3), stream, "json")
    parsed = json.loads(stream.getvalue())
    assert len(parsed) == 3 and parsed[0]["fields"][0] == {"001": "komplekt-sample-0000001"}


def test_xml_cannot_carry_control_characters_so_they_become_replacement_marks() -> None:
    (record,) = sample_records(1)
    record["200"].subfields[0] = type(record["200"].subfields[0])("a", "bad\x1bescape")
    stream = io.BytesIO()
    write_records([record], stream, "marcxml")
    (back,) = read_bytes(stream.getvalue())
    assert back.record["200"]["a"] == "bad\ufffdescape"
