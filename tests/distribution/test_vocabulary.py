"""The vocabulary: one label per value, shared by pages, documents and the CLI."""

from __future__ import annotations

from api.pages import document_pages, shipment_pages
from distribution.documents import xlsx
from distribution.shipping.models import CARRIERS
from distribution.vocabulary import CARRIER_LABELS, DOCUMENT_DISCREPANCY_LABELS, SHIPMENT_STATE_LABELS


def test_pages_and_documents_name_a_carrier_the_same_way() -> None:
    assert shipment_pages.CARRIER_LABELS is document_pages.CARRIER_LABELS
    assert xlsx.CARRIER_LABELS is CARRIER_LABELS is document_pages.CARRIER_LABELS
    assert set(CARRIER_LABELS) == set(CARRIERS)
    assert CARRIER_LABELS["meest"] == "Meest"


def test_documents_keep_the_formal_words_of_an_act_over_the_screens_labels() -> None:
    assert DOCUMENT_DISCREPANCY_LABELS["shortage"] == "недостача"
    assert DOCUMENT_DISCREPANCY_LABELS["damaged"] == "пошкоджено"
    assert SHIPMENT_STATE_LABELS["discrepancy"] == "розбіжність"
