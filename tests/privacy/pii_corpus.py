"""Labelled sentences and how `find_pii` is scored on them, shared by the tests and bench/pii.py.

A labelled set is a list of {"full_text", "spans": [{"entity_type", "entity_value",
"start_position", "end_position"}]} with `end_position` exclusive, as Presidio's research sets.

Matching rule, per kind:
- a labelled span is found (a true positive) when a finding of the same kind overlaps it by at
  least one character; otherwise it is missed;
- a finding is right when it overlaps a labelled span of its kind. A finding that overlaps no
  span of its kind but does overlap a span of a type the set labels and Patron does not look for
  (a US social security number, a street address, a date and time) is *out of scope*: the set
  says those characters are personal data, only of a kind that cannot be compared, so it counts
  neither way and is reported on its own; `strict` figures count those as false alarms too;
- any other finding is a false alarm;
- `exact` counts findings whose span is exactly a labelled span of their kind."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.privacy.pii import PiiKind, PiiMatch, find_pii

SHARED_PII = Path(__file__).resolve().parents[3] / "shared" / "data" / "pii" / "presidio-research"
PRESIDIO_FILES = ("synth_dataset_v2.json", "generated_small.json")
UK_DESK = Path(__file__).resolve().parent / "data" / "uk_pii_desk.json"
UK_EARLIER = Path(__file__).resolve().parent / "data" / "uk_pii.json"

# Presidio's types that Patron looks for. ZIP_CODE is left out on purpose: the set's are US ZIP
# codes, not UK postcodes.
PRESIDIO_TYPES: Mapping[str, PiiKind] = {
    "CREDIT_CARD": PiiKind.CARD_NUMBER,
    "IBAN_CODE": PiiKind.IBAN,
    "EMAIL_ADDRESS": PiiKind.EMAIL,
    "PHONE_NUMBER": PiiKind.PHONE,
}
# The UK sets label every kind Patron looks for (the earlier one calls postcodes ZIP_CODE).
UK_TYPES: Mapping[str, PiiKind] = {
    **PRESIDIO_TYPES,
    "SORT_CODE": PiiKind.SORT_CODE,
    "BANK_ACCOUNT": PiiKind.BANK_ACCOUNT,
    "NI_NUMBER": PiiKind.NI_NUMBER,
    "PASSPORT": PiiKind.PASSPORT,
    "DATE_OF_BIRTH": PiiKind.DATE_OF_BIRTH,
    "UK_POSTCODE": PiiKind.POSTCODE,
    "ZIP_CODE": PiiKind.POSTCODE,
}
TARGET_KINDS = (PiiKind.CARD_NUMBER, PiiKind.IBAN, PiiKind.EMAIL, PiiKind.PHONE)


@dataclass(frozen=True)
class Score:
    labelled: int
    found: int  # labelled spans overlapped by a finding of their kind
    missed: int
    right: int  # findings that overlap a labelled span of their kind
    false_alarms: int
    out_of_scope: int
    exact: int

    @property
    def precision(self) -> float:
        counted = self.right + self.false_alarms
        return self.right / counted if counted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    @property
    def f1(self) -> float:
        if not self.labelled and not self.false_alarms:
            return 1.0
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    @property
    def strict_precision(self) -> float:
        counted = self.right + self.false_alarms + self.out_of_scope
        return self.right / counted if counted else 1.0


def load(path: Path) -> list[dict[str, Any]]:
    records = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(records, list)
    return records


def load_presidio() -> list[dict[str, Any]]:
    return [record for name in PRESIDIO_FILES for record in load(SHARED_PII / name)]


def _overlaps(match: PiiMatch, start: int, end: int) -> bool:
    return match.start < end and start < match.end


def score(records: Sequence[Mapping[str, Any]], types: Mapping[str, PiiKind]) -> dict[PiiKind, Score]:
    """Per kind, how `find_pii` does on `records`, labelled types read through `types`."""
    counts = {
        kind: dict.fromkeys(("labelled", "found", "right", "false_alarms", "out_of_scope", "exact"), 0)
        for kind in PiiKind
    }
    for record in records:
        text = record["full_text"]
        labelled = [
            (types.get(span["entity_type"]), span["start_position"], span["end_position"]) for span in record["spans"]
        ]
        found = find_pii(text)
        for kind, start, end in labelled:
            if kind is None:
                continue
            counts[kind]["labelled"] += 1
            if any(match.kind == kind and _overlaps(match, start, end) for match in found):
                counts[kind]["found"] += 1
        for match in found:
            tally = counts[match.kind]
            if any(kind == match.kind and _overlaps(match, start, end) for kind, start, end in labelled):
                tally["right"] += 1
                if any(
                    kind == match.kind and (start, end) == (match.start, match.end) for kind, start, end in labelled
                ):
                    tally["exact"] += 1
            elif any(kind is None and _overlaps(match, start, end) for kind, start, end in labelled):
                tally["out_of_scope"] += 1
            else:
                tally["false_alarms"] += 1
    return {
        kind: Score(
            labelled=tally["labelled"],
            found=tally["found"],
            missed=tally["labelled"] - tally["found"],
            right=tally["right"],
            false_alarms=tally["false_alarms"],
            out_of_scope=tally["out_of_scope"],
            exact=tally["exact"],
        )
        for kind, tally in counts.items()
    }


def errors(
    records: Sequence[Mapping[str, Any]], types: Mapping[str, PiiKind], kind: PiiKind
) -> list[tuple[str, str, str]]:
    """The misses and false alarms of one kind, as (what, value, sentence), to read when a figure drops."""
    wrong: list[tuple[str, str, str]] = []
    for record in records:
        text = record["full_text"]
        labelled = [
            (types.get(span["entity_type"]), span["start_position"], span["end_position"]) for span in record["spans"]
        ]
        found = [match for match in find_pii(text) if match.kind == kind]
        for label, start, end in labelled:
            if label == kind and not any(_overlaps(match, start, end) for match in found):
                wrong.append(("missed", text[start:end], text))
        for match in found:
            if not any(_overlaps(match, start, end) for label, start, end in labelled if label in (kind, None)):
                wrong.append(("false alarm", match.text, text))
    return wrong
