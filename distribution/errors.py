"""Exceptions raised by the distribution package."""

from __future__ import annotations

from collection.errors import CollectionError


class DistributionError(CollectionError):
    """Base class for every error the distribution package raises.

    It reuses the collection error shape (message, params, per-field errors, ``kind``) so the
    api layer maps both with one table.
    """


class LibraryNotFound(DistributionError):
    """No library with that code (or it is not visible to the asker)."""

    kind = "not_found"


class InvalidLibraryData(DistributionError):
    """A library's fields break the rules; ``errors`` says which and why."""

    kind = "invalid"


class DuplicateLibraryCode(DistributionError):
    """Another library already has this code."""

    kind = "conflict"


class ProgrammeNotFound(DistributionError):
    """No programme with that id."""

    kind = "not_found"


class InvalidProgrammeData(DistributionError):
    """A programme's fields break the rules; ``errors`` says which and why."""

    kind = "invalid"


class DuplicateDelivery(DistributionError):
    """This programme already has a delivery under that document number."""

    kind = "conflict"


class AllocationLimitExceeded(DistributionError):
    """A hand adjustment would allocate more than was received or ordered."""

    kind = "conflict"


class ShipmentNotFound(DistributionError):
    """No shipment with that id (or it is not visible to the asker)."""

    kind = "not_found"


class InvalidShipmentData(DistributionError):
    """A shipment's fields or a reported discrepancy break the rules; ``errors`` says which."""

    kind = "invalid"


class InvalidPackingInput(InvalidShipmentData):
    """Carrier limits or copies to pack that packing cannot work with; ``errors`` names the fields."""

    kind = "invalid"


class ShipmentStateError(DistributionError):
    """The shipment is not in a state that allows this step (e.g. changing a dispatched one)."""

    kind = "conflict"
