"""What an agent confirms before a reply goes, in the browser and in the API: that personal data
the reply carries out of the desk that is not the customer's own (a card or bank number, an NI
or passport number, someone else's email address or phone number) may go; and, for a customer
who asked to be called back, that a written reply is right this time."""

from __future__ import annotations

from patron.cases.models import Case
from patron.customers.contact_points import normalise
from patron.customers.models import Adjustment, ContactKind
from patron.errors import ValidationFailed
from patron.privacy.pii import LABELS, PiiKind, PiiMatch, find_pii


def personal_data_in_reply(body: str, case: Case) -> list[str]:
    """What in a reply is personal data, described for the agent; the customer's own email
    addresses and phone numbers are theirs to receive, and a postcode is part of most replies
    about a delivery."""
    own = {point.normalised for point in case.customer.contact_points.all()}
    found: list[str] = []
    for match in find_pii(body):
        if match.kind == PiiKind.POSTCODE:
            continue
        if match.kind in (PiiKind.EMAIL, PiiKind.PHONE) and _normalised(match) in own:
            continue
        found.append(f"{LABELS[match.kind]} ({match.text})")
    return found


def _normalised(match: PiiMatch) -> str:
    try:
        return normalise(ContactKind.EMAIL if match.kind == PiiKind.EMAIL else ContactKind.PHONE, match.text)[1]
    except ValidationFailed:
        return match.text


def call_back_asked(case: Case) -> str:
    """What to tell the agent when the customer asked to be called back (a reasonable
    adjustment), or "" when they did not."""
    if Adjustment.CALL_BACK not in case.customer.adjustments:
        return ""
    return (
        f"{case.customer.name} asked to be called back. Call them and log the call, or confirm that a written "
        "reply is right this time."
    )
