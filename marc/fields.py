"""Building pymarc fields exactly as the input had them.

pymarc decides "control field or not" from the tag (below 010). Real data breaks that rule
(IRBIS data fields without subfields, MARCXML datafields with tag 005), and a faithful round
trip needs the field kept the way it came, so these builders set the kind explicitly.
"""

from __future__ import annotations

from pymarc import Field, Indicators, Subfield


def control_field(tag: str, data: str) -> Field:
    """A field holding plain data, whatever its tag."""
    field = Field(tag=tag, data=data)
    field.control_field = True
    field.data = data
    return field


def data_field(tag: str, ind1: str, ind2: str, subfields: list[Subfield]) -> Field:
    """A field with indicators and subfields, whatever its tag."""
    field = Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields)
    if field.control_field:
        field.control_field = False
        field.data = None
        field.subfields = subfields
        field.indicators = Indicators(ind1, ind2)
    return field
