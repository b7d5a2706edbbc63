"""Personal data in free text: where it is, what kind, and how to hide the dangerous kinds.

Customers paste card numbers, bank details and National Insurance numbers into emails and
forms. Patron finds them (each kind checked the way it is issued: the Luhn digit of a card, the
ISO 13616 check of an IBAN, HMRC's prefix rules of an NI number), masks the ones nobody at the
desk needs before a message is stored (UK GDPR art. 5(1)(c), data minimisation; PCI DSS for
card numbers), and warns an agent before a reply carries someone's personal data out.

Pure Python, no Django: it sits at the bottom of the import layers and anything may use it."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers


class PiiKind(StrEnum):
    CARD_NUMBER = "card_number"
    IBAN = "iban"
    SORT_CODE = "sort_code"
    BANK_ACCOUNT = "bank_account"
    NI_NUMBER = "ni_number"
    PASSPORT = "passport"
    PHONE = "phone"
    EMAIL = "email"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"


LABELS = {
    PiiKind.CARD_NUMBER: "card number",
    PiiKind.IBAN: "IBAN",
    PiiKind.SORT_CODE: "sort code",
    PiiKind.BANK_ACCOUNT: "bank account number",
    PiiKind.NI_NUMBER: "National Insurance number",
    PiiKind.PASSPORT: "passport number",
    PiiKind.PHONE: "phone number",
    PiiKind.EMAIL: "email address",
    PiiKind.DATE_OF_BIRTH: "date of birth",
    PiiKind.POSTCODE: "postcode",
}
# Masked before a message is stored: what could be used to take money or an identity, and
# which no one at the desk needs to read in full.
DEFAULT_MASKED: frozenset[PiiKind] = frozenset(
    {PiiKind.CARD_NUMBER, PiiKind.IBAN, PiiKind.SORT_CODE, PiiKind.BANK_ACCOUNT, PiiKind.NI_NUMBER, PiiKind.PASSPORT}
)
# When two findings overlap, the more specific kind wins (a card number is also "a number
# that looks like a phone number"); earlier in this list is more specific.
PRIORITY = (
    PiiKind.EMAIL,
    PiiKind.IBAN,
    PiiKind.CARD_NUMBER,
    PiiKind.NI_NUMBER,
    PiiKind.SORT_CODE,
    PiiKind.BANK_ACCOUNT,
    PiiKind.PASSPORT,
    PiiKind.DATE_OF_BIRTH,
    PiiKind.POSTCODE,
    PiiKind.PHONE,
)


@dataclass(frozen=True)
class PiiMatch:
    kind: PiiKind
    start: int
    end: int  # exclusive
    text: str


def masked_kinds(setting: str) -> frozenset[PiiKind]:
    """The kinds named in a comma-separated setting (unknown names are ignored)."""
    names = {name.strip().lower() for name in setting.split(",") if name.strip()}
    return frozenset(kind for kind in PiiKind if kind.value in names)


def find_pii(text: str, *, kinds: Collection[PiiKind] | None = None) -> list[PiiMatch]:
    """Personal data in `text`, in order, never overlapping. Never raises."""
    wanted = set(kinds) if kinds is not None else set(PiiKind)
    found: list[PiiMatch] = []
    for kind in PRIORITY:
        if kind not in wanted:
            continue
        for match in _FINDERS[kind](text):
            if not any(match.start < other.end and other.start < match.end for other in found):
                found.append(match)
    return sorted(found, key=lambda match: match.start)


def mask_pii(text: str, *, kinds: Collection[PiiKind] = DEFAULT_MASKED) -> str:
    """The text with these kinds of personal data replaced: a card number keeps its last four
    digits (so the customer and agent can still tell which card), the rest a labelled
    placeholder such as [NI number removed]."""
    pieces: list[str] = []
    position = 0
    for match in find_pii(text, kinds=kinds):
        pieces.append(text[position : match.start])
        pieces.append(_masked(match))
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)


def _masked(match: PiiMatch) -> str:
    if match.kind == PiiKind.CARD_NUMBER:
        return f"[card ending {_digits(match.text)[-4:]}]"
    return f"[{LABELS[match.kind]} removed]"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


# --- card numbers --------------------------------------------------------------------------------

_CARD = re.compile(r"(?<![\w+-])(?:\d[ -]?){11,18}\d(?![\w-])")
# Issuer prefixes (ISO/IEC 7812): Visa 4, Mastercard 2 and 5, Amex 34/37, Diners 30/36/38/39,
# Discover 6, JCB 35, UnionPay 62, Maestro 5/6, and the older 1 (airlines) and 2131/1800 (JCB).
_CARD_PREFIX = re.compile(r"^(1|2|3[0-9]|4|5|6)")


def _cards(text: str) -> Iterator[PiiMatch]:
    for found in _CARD.finditer(text):
        digits = _digits(found.group())
        if 12 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and _luhn_valid(digits) and len(set(digits)) > 1:
            yield PiiMatch(PiiKind.CARD_NUMBER, found.start(), found.end(), found.group())


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, character in enumerate(reversed(digits)):
        value = int(character)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# --- IBANs -----------------------------------------------------------------------------------------

# Lengths by country (ISO 13616 registry), for the countries customers of a UK desk bank with.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GG": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IM": 22, "IS": 26, "IT": 27, "JE": 22, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TR": 26, "AE": 23, "SA": 24, "IL": 23, "BR": 29, "MU": 30,
}  # fmt: skip
# Written whole or in groups of four, as banks print them.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])")


# A UK IBAN's structure (bank code of four letters, sort code, account number) is distinctive
# enough to be bank details even with a mistyped check digit.
_UK_IBAN = re.compile(r"^GB\d{2}[A-Z]{4}\d{14}$")
_IBAN_WORDS = re.compile(r"\biban\b|bank account|account number|international bank", re.IGNORECASE)


def _ibans(text: str) -> Iterator[PiiMatch]:
    for found in _IBAN.finditer(text):
        candidate = found.group().replace(" ", "").upper()
        expected = _IBAN_LENGTHS.get(candidate[:2])
        if not ((expected is None and 15 <= len(candidate) <= 34) or len(candidate) == expected):
            continue
        # A mistyped IBAN is still someone's bank details when it is called an IBAN.
        named = _IBAN_WORDS.search(text[max(0, found.start() - 40) : found.start()])
        if _iban_checksum_valid(candidate) or (named and expected is not None) or _UK_IBAN.match(candidate):
            yield PiiMatch(PiiKind.IBAN, found.start(), found.end(), found.group())


def _iban_checksum_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


# --- UK bank details ---------------------------------------------------------------------------

_SORT_CODE = re.compile(r"(?<![\d-])\d{2}[- ]\d{2}[- ]\d{2}(?![\d-])")
_SORT_CODE_WORDS = re.compile(r"sort[\s-]*code|\bs/c\b|\bsc\b", re.IGNORECASE)
_ACCOUNT = re.compile(r"(?<!\d)\d{8}(?!\d)")
_ACCOUNT_WORDS = re.compile(r"account|acc(?:t)?\.?\s*(?:no|number)|\ba/c\b", re.IGNORECASE)


def _sort_codes(text: str) -> Iterator[PiiMatch]:
    for found in _SORT_CODE.finditer(text):
        nearby = text[max(0, found.start() - 40) : found.end() + 40]
        # Six digits in pairs are also dates and times: a sort code is named, or next to an account.
        if _SORT_CODE_WORDS.search(nearby) or _ACCOUNT_WORDS.search(nearby):
            yield PiiMatch(PiiKind.SORT_CODE, found.start(), found.end(), found.group())


def _bank_accounts(text: str) -> Iterator[PiiMatch]:
    for found in _ACCOUNT.finditer(text):
        before = text[max(0, found.start() - 40) : found.start()]
        if _ACCOUNT_WORDS.search(before) or _SORT_CODE_WORDS.search(before) or _SORT_CODE.search(before):
            yield PiiMatch(PiiKind.BANK_ACCOUNT, found.start(), found.end(), found.group())


# --- National Insurance numbers (HMRC NIM39110) ------------------------------------------------

_NI = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})[ ]?(\d{2})[ ]?(\d{2})[ ]?(\d{2})[ ]?([A-Da-d])(?![A-Za-z0-9])")
_NI_BAD_FIRST = set("DFIQUV")
_NI_BAD_SECOND = set("DFIQUVO")
_NI_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def _ni_numbers(text: str) -> Iterator[PiiMatch]:
    for found in _NI.finditer(text):
        prefix = found.group(1).upper()
        if prefix[0] in _NI_BAD_FIRST or prefix[1] in _NI_BAD_SECOND or prefix in _NI_BAD_PREFIXES:
            continue
        yield PiiMatch(PiiKind.NI_NUMBER, found.start(), found.end(), found.group())


# --- passports -----------------------------------------------------------------------------------

_PASSPORT = re.compile(r"(?<![A-Za-z0-9])(?:\d{9}|[A-Za-z]{2}\d{7})(?![A-Za-z0-9])")
_PASSPORT_WORDS = re.compile(r"passport", re.IGNORECASE)


def _passports(text: str) -> Iterator[PiiMatch]:
    # Nine digits are many things; only a number said to be a passport's is one.
    for found in _PASSPORT.finditer(text):
        if _PASSPORT_WORDS.search(text[max(0, found.start() - 50) : found.start()]):
            yield PiiMatch(PiiKind.PASSPORT, found.start(), found.end(), found.group())


# --- email, phone, date of birth, postcode ----------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)


def _emails(text: str) -> Iterator[PiiMatch]:
    for found in _EMAIL.finditer(text):
        yield PiiMatch(PiiKind.EMAIL, found.start(), found.end(), found.group())


# Regions whose numbering plans a UK desk meets most; a number written in international form
# (+33 …) is read whatever the region.
_PHONE_REGIONS = ("GB", "US", "IE", "FR", "DE", "ES", "IT", "NL", "BE", "AU", "IN")
_PHONE_SHAPE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{5,18}\d(?![\w])")
_PHONE_WORDS = re.compile(r"phone|call|mobile|tel\b|telephone|number|fax|contact|ring|text me|whatsapp", re.IGNORECASE)


# Shapes that are something else: a US social security number, an IP address.
_NOT_A_PHONE = re.compile(r"^(\d{3}-\d{2}-\d{4}|\d{1,3}(\.\d{1,3}){3})$")


def _phones(text: str) -> Iterator[PiiMatch]:
    seen: set[tuple[int, int]] = set()
    for region in _PHONE_REGIONS:
        # Only numbers valid in a plan: digits in other shapes are often house numbers or dates.
        try:
            for found in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                span = (found.start, found.end)
                if span in seen or len(_digits(found.raw_string)) < 7 or _NOT_A_PHONE.match(found.raw_string):
                    continue
                seen.add(span)
                yield PiiMatch(PiiKind.PHONE, found.start, found.end, found.raw_string)
        except Exception:  # noqa: S112 - a library error on odd input must not stop the others
            continue
    # Numbers in a format no plan above knows, said to be a phone number nearby.
    for shape in _PHONE_SHAPE.finditer(text):
        written = shape.group()
        if not 7 <= len(_digits(written)) <= 15 or (shape.start(), shape.end()) in seen or _NOT_A_PHONE.match(written):
            continue
        if not any(ch in written for ch in " .-()") and not written.startswith(("+", "00")):
            continue
        if _PHONE_WORDS.search(text[max(0, shape.start() - 40) : shape.start()]):
            yield PiiMatch(PiiKind.PHONE, shape.start(), shape.end(), written)


_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})"
    r"(?!\d)",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(r"\b(d\.?o\.?b\.?|date of birth|born|birthday|birth date)\b", re.IGNORECASE)


def _dates_of_birth(text: str) -> Iterator[PiiMatch]:
    for found in _DATE.finditer(text):
        if _BIRTH_WORDS.search(text[max(0, found.start() - 40) : found.start()]):
            yield PiiMatch(PiiKind.DATE_OF_BIRTH, found.start(), found.end(), found.group())


_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])"
)


def _postcodes(text: str) -> Iterator[PiiMatch]:
    for found in _POSTCODE.finditer(text):
        yield PiiMatch(PiiKind.POSTCODE, found.start(), found.end(), found.group())


_FINDERS = {
    PiiKind.CARD_NUMBER: _cards,
    PiiKind.IBAN: _ibans,
    PiiKind.SORT_CODE: _sort_codes,
    PiiKind.BANK_ACCOUNT: _bank_accounts,
    PiiKind.NI_NUMBER: _ni_numbers,
    PiiKind.PASSPORT: _passports,
    PiiKind.PHONE: _phones,
    PiiKind.EMAIL: _emails,
    PiiKind.DATE_OF_BIRTH: _dates_of_birth,
    PiiKind.POSTCODE: _postcodes,
}
