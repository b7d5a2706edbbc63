"""Personal data in free text: where it is, what kind it is, and how to hide the dangerous kinds.

Customers paste card numbers, bank details and National Insurance numbers into emails and web
forms. `find_pii` finds them with their kind and span, so the desk can warn an agent before a
reply carries someone's personal data out; `mask_pii` hides the kinds nobody at the desk needs
to read in full before a message is stored (UK GDPR art. 5(1)(c), data minimisation; PCI DSS
requirement 3 for card numbers).

Each kind is checked the way it is issued, not only by its shape:
- card numbers: 13 to 19 digits, written whole or in groups, with an issuer's prefix and length
  (ISO/IEC 7812) and a valid Luhn check digit; a number called a card (and only then a 12-digit
  Maestro number) needs only the Luhn digit and a card industry's first digit;
- IBANs: the country's length from the ISO 13616 registry and the mod-97 check (ISO 7064);
- sort codes and UK bank account numbers: only when named, or next to each other, since six
  digits in pairs are also dates and eight digits are also order numbers;
- National Insurance numbers: HMRC's prefix rules (NIM39110);
- passport numbers: nine digits said to be a passport's;
- phone numbers: the `phonenumbers` library reading the text as a UK customer writes it, and
  numbers in other countries' formats only where the text calls them a phone, fax or mobile;
- dates of birth: a date said to be one ("DOB", "date of birth", "born");
- postcodes: the Royal Mail format with one of the UK's postcode areas.

Pure Python, no Django: it sits at the bottom of the import layers and anything may use it.
Regular expressions are compiled once; every search looks only at a few dozen characters around
a candidate, so the time taken grows with the length of the text, not faster."""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import phonenumbers

logger = logging.getLogger(__name__)


class PiiKind(StrEnum):
    """The kinds of personal data Patron looks for in free text."""

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


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: its kind, where it is, and the text as written there."""

    kind: PiiKind
    start: int
    end: int  # exclusive: text == source[start:end]
    text: str


# What an agent is told was found, and what a masked value is replaced by ("[NI number removed]").
LABELS: Mapping[PiiKind, str] = {
    PiiKind.CARD_NUMBER: "card number",
    PiiKind.IBAN: "IBAN",
    PiiKind.SORT_CODE: "sort code",
    PiiKind.BANK_ACCOUNT: "bank account number",
    PiiKind.NI_NUMBER: "NI number",
    PiiKind.PASSPORT: "passport number",
    PiiKind.PHONE: "phone number",
    PiiKind.EMAIL: "email address",
    PiiKind.DATE_OF_BIRTH: "date of birth",
    PiiKind.POSTCODE: "postcode",
}

# Masked before a message is stored: what could be used to take money or an identity, and which
# no one at the desk needs to read in full. Contact details and postcodes stay: the desk needs them.
DEFAULT_MASKED: frozenset[PiiKind] = frozenset(
    {PiiKind.CARD_NUMBER, PiiKind.IBAN, PiiKind.SORT_CODE, PiiKind.BANK_ACCOUNT, PiiKind.NI_NUMBER, PiiKind.PASSPORT}
)

# When two findings overlap, the one whose kind comes first here wins, then the longer one.
# An email address is unambiguous; the kinds proved by a check digit or a registry (IBAN, card,
# NI number) come before those known by their context; every masked kind comes before the kinds
# that are kept, so that a number read both ways is masked rather than left in clear; phone
# numbers, the loosest reading, come last but for postcodes, which never hold digits alone.
PRIORITY: tuple[PiiKind, ...] = (
    PiiKind.EMAIL,
    PiiKind.IBAN,
    PiiKind.CARD_NUMBER,
    PiiKind.NI_NUMBER,
    PiiKind.PASSPORT,
    PiiKind.BANK_ACCOUNT,
    PiiKind.SORT_CODE,
    PiiKind.DATE_OF_BIRTH,
    PiiKind.PHONE,
    PiiKind.POSTCODE,
)
_RANK = {kind: rank for rank, kind in enumerate(PRIORITY)}


def find_pii(text: str, *, kinds: Collection[PiiKind] | None = None) -> list[PiiMatch]:
    """The personal data in `text`, in order of position, never overlapping. Never raises.

    Every kind is looked for and overlaps are resolved by `PRIORITY` before `kinds` filters what
    is returned, so what a span is found to be does not depend on which kinds were asked for: a
    card number is never returned as a phone number because only phone numbers were wanted."""
    if not text or not isinstance(text, str):
        return []
    # What `mask_pii` left is read as nothing, so that its words ("[sort code removed]") are no
    # context for a number beside them, and masking a masked text changes nothing.
    searched = _PLACEHOLDER.sub(lambda placeholder: "|" * len(placeholder.group()), text) if "[" in text else text
    wanted = set(PiiKind) if kinds is None else set(kinds)
    # Overlaps go to the kind first in PRIORITY, so a kind after every wanted one can never take
    # a span from them: it need not be looked for (masking skips the costly phone numbers).
    last_rank = max((_RANK[kind] for kind in wanted), default=-1)
    candidates: list[PiiMatch] = []
    for kind, finder in _FINDERS.items():
        if _RANK[kind] > last_rank:
            continue
        try:
            candidates.extend(
                PiiMatch(match.kind, match.start, match.end, text[match.start : match.end])
                for match in finder(searched)
            )
        except Exception:
            # One kind failing on odd input must not stop the others from being found or masked.
            logger.exception("Looking for %s in a text of %d characters failed.", kind.value, len(text))
    candidates.sort(key=lambda match: (_RANK[match.kind], match.start - match.end, match.start))
    kept = _Spans()
    found = [candidate for candidate in candidates if kept.claim(candidate.start, candidate.end)]
    return sorted((match for match in found if match.kind in wanted), key=lambda match: match.start)


class _Spans:
    """Non-overlapping spans, kept in order so that a text with thousands of findings is still
    resolved in n log n rather than n squared."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self._starts, start)
        if index and self._ends[index - 1] > start:
            return True
        return index < len(self._starts) and self._starts[index] < end

    def claim(self, start: int, end: int) -> bool:
        """Take the span unless it overlaps one already taken; whether it was taken."""
        if self.overlaps(start, end):
            return False
        index = bisect.bisect_right(self._starts, start)
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        return True


def mask_pii(text: str, *, kinds: Collection[PiiKind] = DEFAULT_MASKED) -> str:
    """`text` with these kinds of personal data replaced. Never raises.

    A card number becomes "[card ending 1234]": its last four digits are what the customer and
    the agent use to tell cards apart, and PCI DSS allows them to be shown. Every other kind
    becomes a labelled placeholder such as "[NI number removed]", so a reader knows something
    was there and what. Masking a masked text changes nothing."""
    if not text or not isinstance(text, str):
        return text
    if _KINDS_WITH_DIGITS.issuperset(kinds) and not _ANY_DIGIT.search(text):
        # Every one of these kinds has digits: most messages have none and need no search.
        return text
    pieces: list[str] = []
    position = 0
    for match in find_pii(text, kinds=kinds):
        pieces.append(text[position : match.start])
        pieces.append(_placeholder(match))
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)


_KINDS_WITH_DIGITS = frozenset(PiiKind) - {PiiKind.EMAIL}
_ANY_DIGIT = re.compile(r"\d")
_LABEL_WORDS = "|".join(map(re.escape, LABELS.values()))
_PLACEHOLDER = re.compile(rf"\[(?:card ending [0-9]{{4}}|(?:{_LABEL_WORDS}) removed)\]")


def _placeholder(match: PiiMatch) -> str:
    if match.kind == PiiKind.CARD_NUMBER:
        return f"[card ending {_digits(match.text)[-4:]}]"
    return f"[{LABELS[match.kind]} removed]"


def _digits(text: str) -> str:
    return "".join(character for character in text if "0" <= character <= "9")


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


def _after(text: str, end: int, width: int = 20) -> str:
    return text[end : end + width]


# --- card numbers ------------------------------------------------------------------------------

# Digits written whole or in groups split by one space or dash ("4111 1111 1111 1111",
# "3782-822463-10005"); never part of a word, a decimal or a +phone number. The whole run of
# groups is taken, and the cards in it are picked out by `_cards`.
_CARD = re.compile(r"(?<![0-9A-Za-z+.,/-])[0-9]+(?:[ -][0-9]+)*(?![0-9A-Za-z@]|[.,/-][0-9])")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_CARD_WORDS = re.compile(
    r"\b(?:card|cc|credit|debit|maestro|visa|master ?card|amex|american express|pan)\b", re.IGNORECASE
)

# Issuers' prefixes and the lengths they issue (ISO/IEC 7812 and the schemes' published ranges),
# as (lowest prefix, highest prefix, lengths); a prefix is compared on as many digits as it has.
_ISSUERS: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard, 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("3095", "3095", frozenset(range(14, 20))),
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(14, 20))),
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("1800", "1800", frozenset({15})),  # JCB, earlier ranges
    ("2131", "2131", frozenset({15})),
    ("1", "1", frozenset({15})),  # UATP (airline cards)
    ("2200", "2204", frozenset(range(16, 20))),  # Mir
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    ("81", "82", frozenset(range(16, 20))),  # UnionPay, RuPay
    ("50", "50", frozenset(range(12, 20))),  # Maestro
    ("56", "69", frozenset(range(12, 20))),
)
# Twelve digits are many things; only Maestro issues them, and only a card named nearby is one.
_SHORTEST_UNNAMED_CARD = 13
# A number called a card needs only a card's length, the Luhn digit and a card industry's first
# digit (ISO/IEC 7812: 1 airlines, 2 airlines and finance, 3 travel, 4 to 6 banking): issuers
# print numbers from ranges the table above does not list, and a card left in clear costs far
# more than an order number masked.
_CARD_INDUSTRIES = "123456"


def _issued_length(digits: str) -> bool:
    return any(low <= digits[: len(low)] <= high and len(digits) in lengths for low, high, lengths in _ISSUERS)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, character in enumerate(reversed(digits)):
        value = ord(character) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_at(text: str, start: int, end: int) -> bool:
    digits = _digits(text[start:end])
    if not 12 <= len(digits) <= 19 or not _luhn_valid(digits) or len(set(digits)) == 1:
        return False
    if _CARD_WORDS.search(_before(text, start, 50)):
        return digits[0] in _CARD_INDUSTRIES
    return len(digits) >= _SHORTEST_UNNAMED_CARD and _issued_length(digits)


def _card_runs(groups: Sequence[tuple[int, int]], first: int) -> Iterator[int]:
    """The last groups of the runs from `first` that could be a card, longest first. Cards are
    printed whole or in groups of three to six digits (4-4-4-4, 4-6-5, 4-6-4); shorter groups are
    phone numbers and dates."""
    size = groups[first][1] - groups[first][0]
    last, digits = first, size
    if 3 <= size <= 6:
        while last + 1 < len(groups):
            following = groups[last + 1][1] - groups[last + 1][0]
            if not 3 <= following <= 6 or digits + following > 19:
                break
            last, digits = last + 1, digits + following
    yield from range(last, first, -1)
    yield first


def _cards(text: str) -> Iterator[PiiMatch]:
    for found in _CARD.finditer(text):
        if found.end() - found.start() < 12:
            continue
        groups = [(group.start(), group.end()) for group in _DIGIT_GROUP.finditer(text, found.start(), found.end())]
        # The run may hold a card and more ("4111 1111 1111 1111 123", a CVV after it; a phone
        # number before it): from each group, the longest run of groups that is a card wins.
        first = 0
        while first < len(groups):
            for last in _card_runs(groups, first):
                start, end = groups[first][0], groups[last][1]
                if _card_at(text, start, end):
                    yield PiiMatch(PiiKind.CARD_NUMBER, start, end, text[start:end])
                    first = last
                    break
            first += 1


# --- IBANs ---------------------------------------------------------------------------------------

# Lengths by country code, from the IBAN registry that SWIFT keeps for ISO 13616 (release 101).
# Territories that use another country's code (Jersey, Åland, Réunion, …) are under that code.
_IBAN_LENGTHS: Mapping[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
# Where an IBAN may begin; the rest is read by `_iban_at`, which knows how long it must be.
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}")
_IBAN_SEPARATORS = " -"


def _iban_at(text: str, start: int, length: int) -> int | None:
    """Where an IBAN of `length` characters starting at `start` ends, if one does: its
    characters may be split by single spaces or dashes, as banks print them in fours."""
    position, count = start, 0
    limit = len(text)
    while count < length and position < limit:
        character = text[position]
        if character.isascii() and character.isalnum():
            count += 1
            position += 1
        elif (
            character in _IBAN_SEPARATORS
            and count >= 4
            and position + 1 < limit
            and text[position + 1].isascii()
            and text[position + 1].isalnum()
        ):
            position += 1
        else:
            return None
    if count < length or (position < limit and text[position].isascii() and text[position].isalnum()):
        return None
    return position


def _iban_checksum_valid(iban: str) -> bool:
    # ISO 7064 MOD 97-10: move the country and check digits to the end, letters become 10..35.
    remainder = 0
    for character in iban[4:] + iban[:4]:
        value = int(character, 36)
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder == 1


def _ibans(text: str) -> Iterator[PiiMatch]:
    for found in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(found.group()[:2].upper())
        if length is None:
            continue
        end = _iban_at(text, found.start(), length)
        if end is None:
            continue
        written = text[found.start() : end]
        compact = re.sub(r"[ -]", "", written).upper()
        if _iban_checksum_valid(compact):
            yield PiiMatch(PiiKind.IBAN, found.start(), end, written)


# --- UK bank details -----------------------------------------------------------------------------

_SORT_CODE = re.compile(r"(?<![0-9A-Za-z./-])[0-9]{2}([- ])[0-9]{2}\1[0-9]{2}(?![0-9A-Za-z]|[./-][0-9])")
_SORT_CODE_PLAIN = re.compile(r"(?<![0-9A-Za-z./-])[0-9]{6}(?![0-9A-Za-z]|[./-][0-9])")
_SORT_CODE_WORDS = re.compile(r"\bsort[\s-]?codes?\b|\bs/c\b", re.IGNORECASE)
_BANK_WORDS = re.compile(r"\b(?:bank|account|acc|acct|a/c|sort[\s-]?code|s/c)\b", re.IGNORECASE)
_ACCOUNT = re.compile(r"(?<![0-9A-Za-z./-])[0-9]{8}(?![0-9A-Za-z]|[./-][0-9])")
_ACCOUNT_WORDS = re.compile(r"\b(?:account|acc|acct|a/c)\b", re.IGNORECASE)
# Numbers that are the desk's or a supplier's, not a bank's: the closest noun decides.
# "Order number 4000123456" is an order's number, so a trailing "number" belongs to the reference.
_REFERENCE_WORDS = re.compile(
    r"\b(?:order|ref|reference|tracking|invoice|policy|case|ticket|serial|parcel|consignment|booking|"
    r"membership|member|customer|transaction|reservation|claim|item|product|sku|model|batch|meter|"
    r"mpan|mprn|vin|registration|reg|pin|otp|passcode|voucher|coupon|promo|receipt|delivery|shipment|"
    r"despatch|dispatch|return|rma|job|quote|contract|loyalty|company|charity|employee|staff|student|"
    r"patient|payroll|id)"
    r"(?:\s*(?:number|no\.?|num|#|ref|reference|id|code))?(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    last = -1
    for found in pattern.finditer(window):
        last = found.end()
    return last


def _named(
    text: str, start: int, words: re.Pattern[str], width: int = 40, rivals: re.Pattern[str] = _REFERENCE_WORDS
) -> bool:
    """Whether the nearest description before `start` is one of `words`, not one of `rivals`."""
    window = _before(text, start, width)
    said = _last_end(words, window)
    return said >= 0 and said > _last_end(rivals, window)


def _sort_code_spans(text: str) -> Iterator[tuple[int, int]]:
    for found in _SORT_CODE.finditer(text):
        yield found.start(), found.end()
    for found in _SORT_CODE_PLAIN.finditer(text):
        # Six digits run together are a sort code only when called one.
        if _SORT_CODE_WORDS.search(_before(text, found.start(), 25)):
            yield found.start(), found.end()


def _sort_codes(text: str) -> Iterator[PiiMatch]:
    for start, end in _sort_code_spans(text):
        # Six digits in pairs are also dates: a sort code is called one, or comes with an account
        # number (before or after it, as `_bank_accounts` reads the pair, so that both or neither
        # are found), or is about a bank or an account and cannot be read as a date.
        called = _named(text, start, _SORT_CODE_WORDS) or _SORT_CODE_WORDS.search(_after(text, end, 25))
        paired = _ACCOUNT.search(_after(text, end, 30)) or _ACCOUNT.search(_before(text, start, 30))
        about_a_bank = _named(text, start, _BANK_WORDS) and not _pairs_read_as_a_date(text[start:end])
        if called or paired or about_a_bank:
            yield PiiMatch(PiiKind.SORT_CODE, start, end, text[start:end])


def _pairs_read_as_a_date(written: str) -> bool:
    digits = _digits(written)
    day, month = int(digits[:2]), int(digits[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12


def _bank_accounts(text: str) -> Iterator[PiiMatch]:
    for found in _ACCOUNT.finditer(text):
        start, end = found.start(), found.end()
        before = _before(text, start, 40)
        beside_sort_code = any(
            _SORT_CODE.search(window) or (_SORT_CODE_WORDS.search(window) and _SORT_CODE_PLAIN.search(window))
            for window in (before, _after(text, end, 40))
        )
        if _named(text, start, _ACCOUNT_WORDS) or beside_sort_code:
            yield PiiMatch(PiiKind.BANK_ACCOUNT, start, end, found.group())


# --- National Insurance numbers (HMRC NIM39110) ------------------------------------------------

_NI = re.compile(
    r"(?<![0-9A-Za-z])(?P<prefix>[A-Za-z]{2})(?P<gap> ?)[0-9]{2}( ?)[0-9]{2}\3[0-9]{2}(?: ?(?P<suffix>[A-Da-d]))?"
    r"(?![0-9A-Za-z])"
)
_NI_BAD_FIRST = frozenset("DFIQUV")
_NI_BAD_SECOND = frozenset("DFIQUVO")
_NI_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_NI_WORDS = re.compile(r"\b(?:national insurance|n\.?i\.?(?: ?no| ?number)?|nino)\b", re.IGNORECASE)


def _ni_numbers(text: str) -> Iterator[PiiMatch]:
    for found in _NI.finditer(text):
        prefix = found.group("prefix")
        upper = prefix.upper()
        if upper[0] in _NI_BAD_FIRST or upper[1] in _NI_BAD_SECOND or upper in _NI_BAD_PREFIXES:
            continue
        named = _NI_WORDS.search(_before(text, found.start(), 40)) is not None
        # A number without its letter (HMRC allows it to be left off), or a lower-case word
        # followed by digits ("on 12 34 56 a"), is an NI number only when it is called one.
        if (found.group("suffix") is None or (prefix.islower() and found.group("gap"))) and not named:
            continue
        yield PiiMatch(PiiKind.NI_NUMBER, found.start(), found.end(), found.group())


# --- passports -----------------------------------------------------------------------------------

# A UK passport number is nine digits; nine digits are many other things, so only a number said
# to be a passport's is one.
_PASSPORT = re.compile(r"(?<![0-9A-Za-z./-])[0-9]{9}(?![0-9A-Za-z]|[./-][0-9])")
_PASSPORT_WORDS = re.compile(r"\bpassports?\b", re.IGNORECASE)


def _passports(text: str) -> Iterator[PiiMatch]:
    for found in _PASSPORT.finditer(text):
        if _named(text, found.start(), _PASSPORT_WORDS, width=50):
            yield PiiMatch(PiiKind.PASSPORT, found.start(), found.end(), found.group())


# --- email addresses -----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![0-9A-Za-z._%+'-])[0-9A-Za-z](?:[0-9A-Za-z._%+'-]{0,62}[0-9A-Za-z_%+-])?"
    r"@(?:[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?\.)+[A-Za-z]{2,24}(?![0-9A-Za-z-]|\.[0-9A-Za-z])"
)


def _emails(text: str) -> Iterator[PiiMatch]:
    if "@" not in text:
        return
    for found in _EMAIL.finditer(text):
        yield PiiMatch(PiiKind.EMAIL, found.start(), found.end(), found.group())


# --- phone numbers -------------------------------------------------------------------------------

_PHONE_LENIENCY = phonenumbers.Leniency.VALID
# What people call a phone number, before it ("call me on", "Fax:") or after it ("… mobile").
_PHONE_WORDS = re.compile(
    r"\b(?:phone|phones|phoned|telephone|tel|mobile|mob|cell|cellphone|landline|call|called|calling|ring|"
    r"text|texts|sms|whatsapp|fax|contact|extension|ext|answering|message|messages|reach|dial|dialled|"
    r"voicemail|switchboard|helpline|hotline)\b",
    re.IGNORECASE,
)
# Words that name a phone number only as a label right before it ("Office: …", "my number is …"):
# further away, "the office is at 17031 …" is an address.
_PHONE_LABELS = re.compile(r"\b(?:office|desk|home|work|number)\b(?: is)?\W{0,3}$", re.IGNORECASE)
_PHONE_WORDS_AFTER = re.compile(r"^\W{0,3}(?:office|fax|mobile|home|work|cell|landline|tel|phone)\b", re.IGNORECASE)
# Numbers of other things, which a nearby "call" or "number" does not make a phone's.
_NOT_PHONE_WORDS = re.compile(
    rf"{_REFERENCE_WORDS.pattern}|\b(?:licen[cs]e|passport|national insurance|nhs|ssn|social security|utr|"
    r"vat|tax|account|acc|a/c|sort[\s-]?code|card|iban)(?:\s*(?:number|no\.?|num|#|code))?(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# Digits as phone numbers are written anywhere: an optional + or 00, groups split by a space,
# dot or dash, an area code in brackets, a "(0)" trunk prefix, and an extension.
_PHONE_SHAPE = re.compile(
    r"(?<![0-9A-Za-z+#£$€./-])(?:\+ ?)?(?:\([0-9]{1,5}\)|[0-9])(?:[ .-]?(?:\([0-9]{1,5}\)|[0-9])){5,20}"
    r"(?: ?(?:x|ext\.?|extension) ?[0-9]{1,6})?(?![0-9A-Za-z]|[.,-][0-9])"
)
_EXTENSION = re.compile(r" ?(?:x|ext\.?|extension) ?[0-9]{1,6}$")
# Shapes that are something else: dates, IPv4 addresses, US social security numbers.
_NOT_A_PHONE = re.compile(
    r"^(?:[0-9]{1,2}[-./][0-9]{1,2}[-./](?:[0-9]{2}|[0-9]{4})|[0-9]{4}[-./][0-9]{2}[-./][0-9]{2}|"
    r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9]{3}-[0-9]{2}-[0-9]{4})$"
)
# How a UK customer writes a UK number: a leading 0 (a trunk prefix), or +44 / 0044.
_UK_WRITTEN = re.compile(r"^(?:\+ ?44|0044|\(?0[1-9])")


def _said_to_be_a_phone(text: str, start: int, end: int) -> bool:
    before = _before(text, start, 35)
    if _PHONE_LABELS.search(before) and not _NOT_PHONE_WORDS.search(before[-25:]):
        return True
    return (
        _named(text, start, _PHONE_WORDS, width=35, rivals=_NOT_PHONE_WORDS)
        or _PHONE_WORDS_AFTER.search(_after(text, end, 15)) is not None
    )


def _phones(text: str) -> Iterator[PiiMatch]:
    found = _Spans()
    # First, numbers a UK number plan (or, written with +, any country's plan) says exist. A UK
    # number without its 0 is not one a customer writes: "1234567890" is more likely an order.
    for number in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=_PHONE_LENIENCY):
        written = number.raw_string
        if not (written.startswith(("+", "00")) or _UK_WRITTEN.match(written)):
            continue
        if _named(text, number.start, _NOT_PHONE_WORDS, width=25, rivals=_PHONE_WORDS):
            continue
        found.claim(number.start, number.end)
        yield PiiMatch(PiiKind.PHONE, number.start, number.end, written)
    # Then any number in a phone number's shape that the text calls one: numbers in formats of
    # countries without a + ("(602) 272-9781"), and new or fictional UK ranges the plan does not
    # list yet (Ofcom's 07700 900xxx).
    for shape in _PHONE_SHAPE.finditer(text):
        start, end = shape.start(), shape.end()
        if found.overlaps(start, end):
            continue
        written = shape.group()
        bare = _EXTENSION.sub("", written)
        if not 7 <= len(_digits(bare)) <= 15 or _NOT_A_PHONE.match(bare):
            continue
        if _said_to_be_a_phone(text, start, end):
            yield PiiMatch(PiiKind.PHONE, start, end, written)


# --- dates of birth ------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<d1>[0-9]{1,2})(?P<sep>[/.-])(?P<m1>[0-9]{1,2})(?P=sep)(?P<y1>[0-9]{4}|[0-9]{2})"
    r"|(?P<y2>[0-9]{4})-(?P<m2>[0-9]{2})-(?P<d2>[0-9]{2})"
    rf"|(?P<d3>[0-9]{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<m3>{_MONTH_NAME}),? (?P<y3>[0-9]{{4}})"
    rf"|(?P<m4>{_MONTH_NAME}) (?P<d4>[0-9]{{1,2}})(?:st|nd|rd|th)?,? (?P<y4>[0-9]{{4}})"
    r")(?![0-9A-Za-z]|[/.-][0-9])",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(r"\b(?:d\.?o\.?b|date of birth|birth ?date|birthday|born|date de naissance)\b", re.IGNORECASE)


def _a_real_date(found: re.Match[str]) -> bool:
    groups = found.groupdict()
    for day_key, month_key, year_key in (
        ("d1", "m1", "y1"),
        ("d2", "m2", "y2"),
        ("d3", "m3", "y3"),
        ("d4", "m4", "y4"),
    ):
        if groups[day_key] is None:
            continue
        day, month_text, year_text = int(groups[day_key]), groups[month_key], groups[year_key]
        year = int(year_text) if len(year_text) == 4 else 1900 + int(year_text)
        month = int(month_text) if month_text.isdigit() else _MONTHS[month_text[:3].lower()]
        # dd/mm as the UK writes it, or mm/dd as a visitor from the US may.
        readings = [(day, month), (month, day)] if day_key == "d1" else [(day, month)]
        return 1900 <= year <= 2100 and any(_calendar_date(year, m, d) for d, m in readings)
    return False


def _calendar_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _dates_of_birth(text: str) -> Iterator[PiiMatch]:
    for found in _DATE.finditer(text):
        said = _BIRTH_WORDS.search(_before(text, found.start(), 35)) or _BIRTH_WORDS.search(
            _after(text, found.end(), 12)
        )
        if said and _a_real_date(found):
            yield PiiMatch(PiiKind.DATE_OF_BIRTH, found.start(), found.end(), found.group())


# --- postcodes -----------------------------------------------------------------------------------

# The UK's postcode areas (Royal Mail), with the Crown Dependencies'.
_POSTCODE_AREAS = frozenset({
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E",
    "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS",
    "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL",
    "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA",
    "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN",
    "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB",
    "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
})  # fmt: skip
# Outward code (area, district, sub-district letter), then the inward code: a digit and two
# letters that are never C, I, K, M, O or V.
_POSTCODE = re.compile(
    r"(?<![0-9A-Za-z])(?P<area>[A-Za-z]{1,2})(?P<district>[0-9][0-9A-Za-z]?)(?P<gap> ?)"
    r"(?P<inward>[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![0-9A-Za-z])"
)
_ORDINAL = re.compile(r"^[0-9](?:st|nd|rd|th)$", re.IGNORECASE)


def _postcodes(text: str) -> Iterator[PiiMatch]:
    for found in _POSTCODE.finditer(text):
        written = found.group()
        if found.group("area").upper() not in _POSTCODE_AREAS:
            continue
        # Customers write postcodes in capitals, or all in lower case with the space; mixed case
        # ("B2 3rd", "Ex 2nd") is ordinary words.
        ordinary_words = not (written.islower() and found.group("gap")) or _ORDINAL.match(found.group("inward"))
        if not written.isupper() and ordinary_words:
            continue
        yield PiiMatch(PiiKind.POSTCODE, found.start(), found.end(), written)


_FINDERS: Mapping[PiiKind, Callable[[str], Iterator[PiiMatch]]] = {
    PiiKind.EMAIL: _emails,
    PiiKind.IBAN: _ibans,
    PiiKind.CARD_NUMBER: _cards,
    PiiKind.NI_NUMBER: _ni_numbers,
    PiiKind.PASSPORT: _passports,
    PiiKind.BANK_ACCOUNT: _bank_accounts,
    PiiKind.SORT_CODE: _sort_codes,
    PiiKind.DATE_OF_BIRTH: _dates_of_birth,
    PiiKind.PHONE: _phones,
    PiiKind.POSTCODE: _postcodes,
}


@functools.lru_cache(maxsize=16)
def masked_kinds(setting: str) -> frozenset[PiiKind]:
    """The kinds named in a comma-separated setting such as "card_number,iban"; unknown names
    are ignored, so a typo in the setting masks less rather than stopping the desk. Remembered:
    every message stored reads the setting."""
    names = {name.strip().lower() for name in setting.split(",") if name.strip()}
    return frozenset(kind for kind in PiiKind if kind.value in names)
