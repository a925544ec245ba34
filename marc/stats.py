"""Counting what a MARC file holds: records, errors, flavours, encodings, formats and tags."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from marc.model import ReadRecord, ReadResult, RecordError


@dataclass
class FileStats:
    """Running totals over the results of one read."""

    records: int = 0
    errors: int = 0
    warnings: int = 0
    flavours: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    error_list: list[RecordError] = field(default_factory=list)
    warning_kinds: Counter[str] = field(default_factory=Counter)

    def add(self, result: ReadResult) -> None:
        """Count one record or error."""
        if isinstance(result, RecordError):
            self.errors += 1
            self.error_list.append(result)
            return
        self._add_record(result)

    def _add_record(self, result: ReadRecord) -> None:
        self.records += 1
        self.flavours[result.flavour] += 1
        self.encodings[result.encoding] += 1
        self.formats[result.format] += 1
        self.tags.update(f.tag for f in result.record.fields)
        if result.warnings:
            self.warnings += len(result.warnings)
            self.warning_kinds.update(_kind(w) for w in result.warnings)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary (the `komplekt marc stats --json` contract)."""
        return {
            "records": self.records,
            "errors": self.errors,
            "warnings": self.warnings,
            "flavours": dict(self.flavours.most_common()),
            "encodings": dict(self.encodings.most_common()),
            "formats": dict(self.formats.most_common()),
            "tags": dict(sorted(self.tags.items())),
            "error_details": [
                {"record": e.number, "offset": e.offset, "reason": e.reason}
                for e in self.error_list
            ],
            "warning_kinds": dict(self.warning_kinds.most_common()),
        }


def _kind(warning: str) -> str:
    """Group warnings that differ only in numbers and field tags."""
    text = warning.split(": ", 1)[1] if warning.startswith("field ") else warning
    return "".join("#" if ch.isdigit() else ch for ch in text)[:80]
