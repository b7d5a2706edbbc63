"""Protected characteristics (Equality Act 2010 s.4) written into free text about a customer.

Patron records what a customer needs (an adjustment: large print, a BSL interpreter, Relay UK
calls), never why: a diagnosis, a faith or a pregnancy is special category data (UK GDPR
art. 9) the desk does not need in order to serve them. `characteristics_in` finds words that
state one, so the customer record refuses them unless a lawful basis for holding such data has
been recorded for that customer. Words are matched whole, case-insensitively; the list is short
on purpose, naming the characteristic rather than every way to describe it, so that ordinary
notes ("anxious about the delivery", "transferred to billing") pass."""

from __future__ import annotations

import re

TERMS: dict[str, tuple[str, ...]] = {
    "disability or health": (
        "disabled",
        "disability",
        "deaf",
        "blind",
        "autism",
        "autistic",
        "adhd",
        "dyslexia",
        "dyslexic",
        "dementia",
        "alzheimer's",
        "epilepsy",
        "epileptic",
        "diabetes",
        "diabetic",
        "cancer",
        "hiv",
        "depression",
        "bipolar",
        "schizophrenia",
        "mental health",
        "wheelchair user",
    ),
    "pregnancy and maternity": ("pregnant", "pregnancy", "maternity leave"),
    "religion or belief": ("religion", "religious", "muslim", "christian", "jewish", "hindu", "sikh", "buddhist"),
    "sexual orientation": ("gay", "lesbian", "bisexual", "homosexual", "sexual orientation"),
    "gender reassignment": ("transgender", "gender reassignment", "non-binary"),
    "race": ("ethnicity", "ethnic origin", "race"),
}
_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(term) for terms in TERMS.values() for term in terms) + r")\b", re.IGNORECASE
)
_CHARACTERISTIC = {term: name for name, terms in TERMS.items() for term in terms}


def characteristics_in(text: str) -> list[tuple[str, str]]:
    """(characteristic, the words as written) for each one the text states, in order."""
    return [(_CHARACTERISTIC[found.group(1).lower()], found.group(1)) for found in _PATTERN.finditer(text or "")]
