"""What makes two spellings of an email address or phone number the same contact point."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from patron.customers.models import ContactKind
from patron.errors import ValidationFailed
from patron.text import clean_text

DEFAULT_PHONE_REGION = "GB"


def normalise_email(value: str) -> str:
    """Lower-cased address; refused with a clear message if it is not an email address."""
    address = clean_text(value).strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationFailed(
            f"“{value.strip()}” is not a valid email address.", fields={"email": "Enter a valid email address."}
        ) from error
    return address


def normalise_phone(value: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """The number in E.164 form (+447700900123). Numbers without a country code are read as UK."""
    text = clean_text(value).strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationFailed(
            f"“{text}” is not a phone number.", fields={"phone": "Enter a phone number, for example 020 7946 0958."}
        ) from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(
            f"“{text}” is not a possible phone number.", fields={"phone": "Check the number of digits."}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(normalised: str) -> str:
    """A number as people read it: national format for UK numbers, international otherwise."""
    number = phonenumbers.parse(normalised, DEFAULT_PHONE_REGION)
    # By country code, not by number range: ranges kept for drama and testing (07700 900xxx)
    # belong to no region but are still written the UK way.
    if phonenumbers.region_code_for_country_code(number.country_code or 0) == DEFAULT_PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise(kind: str, value: str) -> tuple[str, str]:
    """(value to show, normalised value) for a contact point of any kind."""
    if kind == ContactKind.EMAIL:
        address = normalise_email(value)
        return address, address
    if kind == ContactKind.PHONE:
        number = normalise_phone(value)
        return display_phone(number), number
    if kind not in ContactKind.values:
        raise ValidationFailed(f"“{kind}” is not a kind of contact point.")
    text = " ".join(clean_text(value).split())
    if not text:
        raise ValidationFailed("A contact point cannot be empty.")
    if len(text) > 320:
        raise ValidationFailed("A contact point can be at most 320 characters long.")
    return text, text.lower()
