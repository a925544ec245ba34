"""The words of distribution, defined once: states, carriers, kinds and their Ukrainian labels.

The value tuples stay beside the models whose CHECK constraints use them and are re-exported
here; every label (an ``N_`` msgid, translated by the reader's catalogue) is defined only here.
Pages, documents and the CLI import from this module and never restate a value or a label.
"""

from __future__ import annotations

from collection.errors import N_
from distribution.allocation.rules import SURPLUS_DESTINATIONS
from distribution.exchange.models import OFFER_SOURCES, RESERVATION_STATES
from distribution.libraries.models import STATUSES
from distribution.programmes.models import PROGRAMME_KINDS, PROGRAMME_STATES
from distribution.shipping.models import CARRIERS, DISCREPANCY_KINDS, PARCEL_STATES, SHIPMENT_STATES

__all__ = [
    "CARRIERS", "CARRIER_LABELS", "DISCREPANCY_KINDS", "DISCREPANCY_LABELS", "DOCUMENT_DISCREPANCY_LABELS",
    "DOCUMENT_STATE_LABELS", "LIBRARY_STATUS_LABELS", "OFFER_SOURCES", "PARCEL_STATES", "PARCEL_STATE_LABELS",
    "PROGRAMME_KINDS", "PROGRAMME_KIND_LABELS", "PROGRAMME_STATES", "PROGRAMME_STATE_LABELS",
    "RESERVATION_STATES", "SHIPMENT_STATES", "SHIPMENT_STATE_LABELS", "STATUSES", "SURPLUS_DESTINATIONS",
    "SURPLUS_LABELS",
]  # fmt: skip

# Meest is a brand, the same in every language; it is still a msgid so one table serves all.
CARRIER_LABELS = {
    "nova_poshta": N_("Нова пошта"),
    "ukrposhta": N_("Укрпошта"),
    "meest": "Meest",
    "own": N_("власний транспорт"),
}
PARCEL_STATE_LABELS = {
    "planned": N_("заплановано"),
    "packed": N_("упаковано"),
    "dispatched": N_("відправлено"),
    "delivered": N_("доставлено"),
    "confirmed": N_("підтверджено"),
    "discrepancy": N_("розбіжність"),
}
SHIPMENT_STATE_LABELS = PARCEL_STATE_LABELS  # a shipment's states are its parcels' states
DISCREPANCY_LABELS = {
    "shortage": N_("нестача"),
    "surplus": N_("надлишок"),
    "damaged": N_("пошкоджено"),
    "wrong_title": N_("інша назва"),
}
# Printed acts and registers keep the formal wording of an acceptance act (ДСТУ-style
# "недостача", "з розбіжностями"); they differ on purpose from the short words on screen.
DOCUMENT_STATE_LABELS = SHIPMENT_STATE_LABELS | {"discrepancy": N_("з розбіжностями")}
DOCUMENT_DISCREPANCY_LABELS = DISCREPANCY_LABELS | {
    "shortage": N_("недостача"),
    "wrong_title": N_("не та назва"),
}
PROGRAMME_KIND_LABELS = {
    "state": N_("державна програма"),
    "exchange": N_("обмінний фонд"),
    "gift": N_("благодійна акція"),
}
PROGRAMME_STATE_LABELS = {
    "collecting": N_("збір заявок"),
    "delivering": N_("надходження від постачальників"),
    "allocating": N_("розподіл"),
    "dispatching": N_("відправлення"),
    "closed": N_("закрита"),
}
SURPLUS_LABELS = {
    "": N_("не вирішено"),
    "own_fund": N_("у власний фонд"),
    "exchange_fund": N_("в обмінний фонд"),
}
LIBRARY_STATUS_LABELS = {
    "working": N_("працює"),
    "relocated": N_("релокована"),
    "occupied": N_("на окупованій території"),
    "destroyed": N_("зруйнована"),
    "closed": N_("закрита"),
}

# Every value has a label and every label a value: a new state cannot be left unnamed.
for _values, _labels in (
    (CARRIERS, CARRIER_LABELS), (PARCEL_STATES, PARCEL_STATE_LABELS),
    (SHIPMENT_STATES, SHIPMENT_STATE_LABELS), (DISCREPANCY_KINDS, DISCREPANCY_LABELS),
    (DISCREPANCY_KINDS, DOCUMENT_DISCREPANCY_LABELS),
    (SHIPMENT_STATES, DOCUMENT_STATE_LABELS), (PROGRAMME_KINDS, PROGRAMME_KIND_LABELS),
    (PROGRAMME_STATES, PROGRAMME_STATE_LABELS), (("", *SURPLUS_DESTINATIONS), SURPLUS_LABELS),
    (STATUSES, LIBRARY_STATUS_LABELS),
):  # fmt: skip
    assert set(_values) == set(_labels), (_values, _labels)
