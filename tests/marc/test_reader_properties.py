"""Property-based tests: damaged input never breaks the reader; valid records round-trip."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Leader, Record, Subfield

from marc.model import ReadRecord, RecordError
from marc.reader import read_bytes
from marc.writer import write_records
from tests.shared_data import data_path

REAL = "traject__traject/test_data.utf8.mrc"


def real_bytes() -> bytes:
    return data_path(REAL).read_bytes()[:20000]


def consume(data: bytes, **options) -> list:
    results = list(read_bytes(data, **options))
    for result in results:
        assert isinstance(result, ReadRecord | RecordError)
    return results


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    consume(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["iso2709", "marcxml", "json"]))
def test_random_bytes_in_a_forced_format_never_raise(data: bytes, fmt: str) -> None:
    consume(data, format=fmt)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_truncated_real_files_never_raise_and_keep_the_records_before_the_cut(data) -> None:
    whole = real_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(whole)))
    complete = whole[:cut].count(b"\x1d")
    results = consume(whole[:cut])
    good = [r for r in results if isinstance(r, ReadRecord)]
    assert len(good) >= complete


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_bit_flipped_real_files_never_raise(data) -> None:
    damaged = bytearray(real_bytes())
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        position = data.draw(st.integers(min_value=0, max_value=len(damaged) - 1))
        damaged[position] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
    results = consume(bytes(damaged))
    assert results  # something is always accounted for


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20000), max_size=3))
def test_xml_with_junk_inserted_never_raises(positions: list[int]) -> None:
    text = bytearray(data_path("traject__traject/test_data.utf8.marc.xml").read_bytes()[:20000])
    for position in positions:
        text[min(position, len(text)):min(position, len(text))] = b"<&junk>"
    consume(bytes(text))


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40
).filter(lambda s: "\x1f" not in s and "\x1e" not in s and "\x1d" not in s)
_code = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789"))
_ind = st.sampled_from(list(" 0123456789"))


@st.composite
def records(draw) -> Record:
    record = Record()
    record.leader = Leader("00000nam a2200000   4500")
    fields = [Field(tag="001", data=draw(_text.filter(bool)))]
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        tag = draw(st.integers(min_value=10, max_value=999).map(lambda n: f"{n:03d}"))
        subfields = [Subfield(draw(_code), draw(_text))
                     for _ in range(draw(st.integers(min_value=1, max_value=4)))]
        fields.append(Field(tag=tag, indicators=Indicators(draw(_ind), draw(_ind)),
                            subfields=subfields))
    record.fields = fields
    return record


def as_tuples(record: Record) -> list[tuple]:
    return [(f.tag, f.data) if f.control_field
            else (f.tag, f.indicator1, f.indicator2, tuple(f.subfields)) for f in record.fields]


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), min_size=1, max_size=4), st.sampled_from(["iso2709", "marcxml", "json"]))
def test_valid_generated_records_round_trip(batch: list[Record], fmt: str) -> None:
    stream = io.BytesIO()
    write_records(batch, stream, fmt, "utf-8")
    back = list(read_bytes(stream.getvalue(), flavour="marc21"))
    assert [as_tuples(r.record) for r in back] == [as_tuples(r) for r in batch]


def test_a_document_that_looks_like_xml_but_holds_no_marc_is_reported_not_ignored() -> None:
    # what a flipped bit in an ISO 2709 file's first digit ("0" -> "<") made of it
    results = consume(b"<0526cam  2200169 a 4500" + bytes(range(32, 127)))
    assert len(results) == 1 and isinstance(results[0], RecordError)
    assert "no MARCXML record" in results[0].reason
    assert consume(b'<?xml version="1.0"?><collection xmlns="http://www.loc.gov/MARC21/slim"/>') == []
