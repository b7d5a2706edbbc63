"""Every real and deliberately broken email in the shared corpus is stored or quarantined with
a reason; none stops the run, and taking the corpus in again adds nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from patron.cases.models import Case
from patron.channels.models import InboundEmail, InboundStatus
from patron.channels.services import IngestOutcome, ingest_email

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "raw-email"


def _corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.name != "LICENSE")


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared email corpus is not next to the repository")


def test_every_corpus_email_is_stored_or_quarantined_with_a_reason(db: None) -> None:
    files = _corpus_files()
    outcomes: Counter[str] = Counter()
    for path in files:
        result = ingest_email(path.read_bytes(), source="file")
        outcomes[result.outcome] += 1
        if result.outcome == IngestOutcome.QUARANTINED:
            assert result.reason, path
    assert len(files) == 152
    # Several fixtures reuse one Message-ID: after the first, each is recognised as a duplicate.
    assert dict(outcomes) == {IngestOutcome.STORED: 103, IngestOutcome.DUPLICATE: 36, IngestOutcome.QUARANTINED: 13}
    rows = Counter(InboundEmail.objects.values_list("status", flat=True))
    # Every distinct email's bytes are kept, whatever became of them; 4 files are byte for byte
    # the same as another, so they are recognised without a row of their own.
    assert rows == {InboundStatus.PROCESSED: 103, InboundStatus.DUPLICATE: 32, InboundStatus.QUARANTINED: 13}
    assert len({path.read_bytes() for path in files}) == 148
    reasons = Counter(
        InboundEmail.objects.filter(status=InboundStatus.QUARANTINED).values_list("quarantine_reason", flat=True)
    )
    assert reasons == {
        "The email has no sender address, so there is nobody to answer.": 7,
        "The email has no headers.": 2,
        "The email is empty.": 1,
        "“jdöe@mächine.example” is not a valid email address.": 1,
        '“"Big Bug bb"@bug.com” is not a valid email address.': 1,
        "“xxxxx@xxxxx” is not a valid email address.": 1,
    }


def test_taking_the_corpus_in_twice_makes_only_duplicates(db: None) -> None:
    files = _corpus_files()
    for path in files:
        ingest_email(path.read_bytes(), source="file")
    cases, emails = Case.objects.count(), InboundEmail.objects.count()
    again = Counter(ingest_email(path.read_bytes(), source="file").outcome for path in files)
    assert again == {IngestOutcome.DUPLICATE: len(files)}
    assert (Case.objects.count(), InboundEmail.objects.count()) == (cases, emails)
