"""Index of the shipment and programme documents, for callers that take them all from one place.

The documents live in ``distribution.shipment_documents`` (transfer act, packing list, labels,
act of acceptance) and ``distribution.programme_documents`` (register, library summary); their
shared parts in ``distribution.document_parts`` and the sum in words in
``distribution.amount_words``. New code imports from those modules.
"""

from __future__ import annotations

from distribution.amount_words import amount_in_words_uk
from distribution.document_parts import CARRIER_LABELS, DISCREPANCY_LABELS, STATE_LABELS, Party
from distribution.programme_documents import (
    LibrarySummary,
    ShipmentRegister,
    library_summary,
    shipment_register,
)
from distribution.shipment_documents import (
    AcceptanceAct,
    LabelSheet,
    PackingList,
    TransferAct,
    acceptance_act,
    packing_list,
    programme_labels,
    shipment_labels,
    transfer_act,
)

__all__ = [
    "CARRIER_LABELS",
    "DISCREPANCY_LABELS",
    "STATE_LABELS",
    "AcceptanceAct",
    "LabelSheet",
    "LibrarySummary",
    "PackingList",
    "Party",
    "ShipmentRegister",
    "TransferAct",
    "acceptance_act",
    "amount_in_words_uk",
    "library_summary",
    "packing_list",
    "programme_labels",
    "shipment_labels",
    "shipment_register",
    "transfer_act",
]
