"""Building pymarc fields exactly as the input had them, and quickly.

pymarc decides "control field or not" from the tag (below 010). Real data breaks that rule
(IRBIS data fields without subfields, MARCXML datafields with tag 005), and a faithful round
trip needs the field kept the way it came, so these builders set the kind explicitly. They
also skip ``Field.__init__``'s checks: readers build millions of fields, and the values they
pass are already of the right types.
"""

from __future__ import annotations

from pymarc import Field, Indicators, Subfield

_new = object.__new__


def control_field(tag: str, data: str) -> Field:
    """A field holding plain data, whatever its tag."""
    field = _new(Field)
    field.tag = tag
    field.data = data
    field._indicators = None
    field.subfields = []
    field.control_field = True
    return field


def data_field(tag: str, ind1: str, ind2: str, subfields: list[Subfield]) -> Field:
    """A field with indicators and subfields, whatever its tag."""
    field = _new(Field)
    field.tag = tag
    field.data = None
    field._indicators = Indicators(ind1, ind2)
    field.subfields = subfields
    field.control_field = False
    return field
