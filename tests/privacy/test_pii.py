"""Finding and masking personal data in free text: each kind on its own, overlaps, masking, and
per-kind F1 on labelled sentences (Presidio's synthetic sets and two UK sets), with F1 at least
0.9 for card numbers, IBANs, email addresses and phone numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.privacy.pii import DEFAULT_MASKED, PRIORITY, PiiKind, PiiMatch, find_pii, mask_pii, masked_kinds
from tests.privacy import pii_corpus


def found(text: str, kind: PiiKind) -> list[str]:
    return [match.text for match in find_pii(text) if match.kind == kind]


# --- card numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please refund 4111 1111 1111 1111 today.", ["4111 1111 1111 1111"]),
        ("Please refund 4111-1111-1111-1111 today.", ["4111-1111-1111-1111"]),
        ("Please refund 4111111111111111 today.", ["4111111111111111"]),
        ("Amex 3782 822463 10005 was used.", ["3782 822463 10005"]),
        ("Diners 36227206271667 was used.", ["36227206271667"]),
        ("Mastercard 2223 0000 4841 0010 please.", ["2223 0000 4841 0010"]),
        ("Visa 4222222222222 is an old 13-digit card.", ["4222222222222"]),
        ("Card 4111 1111 1111 1111 123 with the CVV after it.", ["4111 1111 1111 1111"]),
        ("Two cards: 4111 1111 1111 1111 5555 5555 5555 4444.", ["4111 1111 1111 1111", "5555 5555 5555 4444"]),
    ],
)
def test_card_numbers_with_a_valid_luhn_digit_and_issuer_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.CARD_NUMBER) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Please refund 4111 1111 1111 1112 today.",  # the Luhn digit is wrong
        "Please refund 5555 5555 5555 4445 today.",  # the Luhn digit is wrong
        "Reference 0000 0000 0000 0000 on the form.",  # one digit repeated
        "Tracking 7992739871300000 is stuck.",  # Luhn-valid, but no card issuer starts with 7
        "Number 41111111111111111111 is too long for a card.",  # 20 digits
        "Call +4111111111111111 now.",  # a + number is a phone number
        "Version 4111.1111.1111.1111 was released.",  # dotted, not a card
        "Meter 41 11 11 11 11 11 11 11 read.",  # pairs are not how cards are printed
    ],
)
def test_numbers_that_are_not_card_numbers_are_not_found(text: str) -> None:
    assert found(text, PiiKind.CARD_NUMBER) == []


def test_a_twelve_digit_maestro_number_is_a_card_only_when_a_card_is_named() -> None:
    assert found("What is the limit on card 501864667909?", PiiKind.CARD_NUMBER) == ["501864667909"]
    assert found("Your order 501864667909 has shipped.", PiiKind.CARD_NUMBER) == []


def test_a_number_called_a_card_needs_only_a_card_industry_digit_and_luhn() -> None:
    # 3502… is outside the ranges issuers publish, but a Luhn-valid number called a card is one.
    assert found("I lost my card 3502162941615515 yesterday.", PiiKind.CARD_NUMBER) == ["3502162941615515"]
    assert found("Reference 3502162941615515 on the letter.", PiiKind.CARD_NUMBER) == []
    assert found("My card number is 7992739871300000.", PiiKind.CARD_NUMBER) == []


# --- IBANs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My IBAN is GB29 NWBK 6016 1331 9268 19.", ["GB29 NWBK 6016 1331 9268 19"]),
        ("Pay GB29NWBK60161331926819 please.", ["GB29NWBK60161331926819"]),
        ("iban gb29nwbk60161331926819 thanks", ["gb29nwbk60161331926819"]),
        ("IBAN: GB29-NWBK-6016-1331-9268-19", ["GB29-NWBK-6016-1331-9268-19"]),
        ("German IBAN DE89 3704 0044 0532 0130 00 here.", ["DE89 3704 0044 0532 0130 00"]),
        ("French FR14 2004 1010 0505 0001 3M02 606.", ["FR14 2004 1010 0505 0001 3M02 606"]),
        ("Norway NO93 8601 1117 947 has the shortest.", ["NO93 8601 1117 947"]),
        ("GB29 NWBK 6016 1331 9268 19 from my savings", ["GB29 NWBK 6016 1331 9268 19"]),
    ],
)
def test_ibans_with_the_right_length_and_check_digits_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.IBAN) == expected


@pytest.mark.parametrize(
    "text",
    [
        "IBAN GB28 NWBK 6016 1331 9268 19 please.",  # the mod-97 check fails
        "IBAN DE88370400440532013000 please.",  # the mod-97 check fails
        "IBAN GB29NWBK6016133192681 please.",  # one character short for GB
        "IBAN GB29NWBK601613319268190 please.",  # one character long for GB
        "IBAN ZZ29NWBK60161331926819 please.",  # no such country in the registry
    ],
)
def test_strings_that_are_not_valid_ibans_are_not_found(text: str) -> None:
    assert found(text, PiiKind.IBAN) == []


# --- sort codes and bank accounts ------------------------------------------------------------


def test_a_sort_code_and_account_number_together_are_both_found() -> None:
    assert find_pii("Please pay into 40-47-84 70872490.") == [
        PiiMatch(PiiKind.SORT_CODE, 16, 24, "40-47-84"),
        PiiMatch(PiiKind.BANK_ACCOUNT, 25, 33, "70872490"),
    ]


@pytest.mark.parametrize(
    ("text", "sort_codes", "accounts"),
    [
        ("Sort code 20-00-00, account number 55779911.", ["20-00-00"], ["55779911"]),
        ("s/c 09 01 28 a/c 87654321", ["09 01 28"], ["87654321"]),
        ("The refund goes to sort code 070116.", ["070116"], []),
        ("My account number is 23456789.", [], ["23456789"]),
        ("We met on 20-05-26 at the store.", [], []),  # a date
        ("My account was closed on 12-03-24.", [], []),  # about an account, but a date
        ("Bank details: 40-47-84 please.", ["40-47-84"], []),  # about a bank, and no date
        ("The part is 12-34-56 in the catalogue.", [], []),
        ("Order 55667788 was dispatched.", [], []),
        ("Account ref 12345678 is on your letter.", [], []),  # the closest word names a reference
        ("Sort code 12-34-5 is too short.", [], []),
    ],
)
def test_sort_codes_and_accounts_need_bank_context(text: str, sort_codes: list[str], accounts: list[str]) -> None:
    assert found(text, PiiKind.SORT_CODE) == sort_codes
    assert found(text, PiiKind.BANK_ACCOUNT) == accounts


# --- National Insurance numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NI AB123456C", ["AB123456C"]),
        ("NI AB 12 34 56 C", ["AB 12 34 56 C"]),
        ("form shows JG103750A as mine", ["JG103750A"]),  # valid without being named
        ("ref OA 98 76 54 B", ["OA 98 76 54 B"]),  # O may be a first letter
        ("national insurance: ab123456c", ["ab123456c"]),
        ("National Insurance number AB 12 34 56", ["AB 12 34 56"]),  # suffix left off, but named
        ("the code AB 12 34 56 again", []),  # suffix left off and not named
        ("then on 12 34 56 a whim", []),  # an ordinary word before digits
    ],
)
def test_ni_numbers_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.NI_NUMBER) == expected


@pytest.mark.parametrize("first", list("DFIQUV"))
def test_ni_numbers_never_start_with_d_f_i_q_u_or_v(first: str) -> None:
    assert found(f"NI {first}A123456C", PiiKind.NI_NUMBER) == []
    assert found(f"NI A{first}123456C", PiiKind.NI_NUMBER) == []


@pytest.mark.parametrize("prefix", ["AO", "BG", "GB", "NK", "KN", "TN", "NT", "ZZ"])
def test_ni_numbers_never_use_o_second_or_the_unused_prefixes(prefix: str) -> None:
    assert found(f"NI {prefix}123456C", PiiKind.NI_NUMBER) == []


def test_ni_numbers_end_in_a_to_d() -> None:
    assert found("NI AB123456D", PiiKind.NI_NUMBER) == ["AB123456D"]
    assert found("NI AB123456E", PiiKind.NI_NUMBER) == []


# --- passports -------------------------------------------------------------------------------


def test_nine_digits_are_a_passport_only_when_called_one() -> None:
    assert found("My passport number is 502135326.", PiiKind.PASSPORT) == ["502135326"]
    assert found("Passport no. 123456789, issued 2019.", PiiKind.PASSPORT) == ["123456789"]
    assert found("Your order 123456789 is on its way.", PiiKind.PASSPORT) == []
    assert found("My passport number is 5021353261.", PiiKind.PASSPORT) == []  # ten digits


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring me back on 07912 345678 asap", ["07912 345678"]),
        ("07912 345678", ["07912 345678"]),  # a valid UK number needs no context
        ("London 020 7946 0958 is the office.", ["020 7946 0958"]),
        ("+44 20 7946 0958", ["+44 20 7946 0958"]),
        ("+44 (0)20 7946 0958", ["+44 (0)20 7946 0958"]),
        ("Paris +33 1 23 45 67 89", ["+33 1 23 45 67 89"]),
        ("Please call me on 07700 900123.", ["07700 900123"]),  # Ofcom's drama range, named
        ("You can call my US cell at (212) 555-0199.", ["(212) 555-0199"]),
        ("Fax: 345-899-3560x4587", ["345-899-3560x4587"]),
        ("416 60 039 office", ["416 60 039"]),
    ],
)
def test_phone_numbers_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.PHONE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Order 01234567890 was cancelled.",  # valid as a number, but an order's
        "Order 1234567890 was placed.",  # no UK number is written without its 0
        "Please call about order 07700 900123.",  # the nearest word names an order
        "Our company number is 01234567.",
        "Quote 07700 900123 on the form.",  # drama range, not called a phone
        "Please call us back about the delivery on 2024-03-12.",  # a date
        "Call the team about 192.168.100.200 today.",  # an IP address
        "My driver's licence number is 2270-66-1551.",
        "The office is at 17031 2202 Rissik Street.",  # a house number, not an office phone
    ],
)
def test_numbers_that_are_not_phone_numbers_are_not_found(text: str) -> None:
    assert found(text, PiiKind.PHONE) == []


# --- email addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Send it to jane.doe@example.co.uk.", ["jane.doe@example.co.uk"]),
        ("Email a.khan+orders@mail.example.com please", ["a.khan+orders@mail.example.com"]),
        ("Contact SAM_OBRIEN@EXAMPLE.ORG today", ["SAM_OBRIEN@EXAMPLE.ORG"]),
        ("email: t.o'neill@example.ie", ["t.o'neill@example.ie"]),
        ("<office@smith-law.example.co.uk>", ["office@smith-law.example.co.uk"]),
        ("Not an address: @example.com, jane@, jane@example", []),
    ],
)
def test_email_addresses_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.EMAIL) == expected


# --- dates of birth --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 14/02/1987", ["14/02/1987"]),
        ("D.O.B.: 1985-11-30", ["1985-11-30"]),
        ("My date of birth is 3 March 1990.", ["3 March 1990"]),
        ("I was born on 21st July 1975.", ["21st July 1975"]),
        ("Date of birth: July 4, 1968", ["July 4, 1968"]),
        ("She was born on 2/19/1956.", ["2/19/1956"]),  # month first, as written in the US
        ("He was born 12/9/48.", ["12/9/48"]),
        ("12/03/1987 (DOB)", ["12/03/1987"]),
        ("Delivered on 14/02/2026.", []),  # a date, but not a birth
        ("DOB 31/02/1987", []),  # no such day
        ("I was born in 1985.", []),  # a year alone
    ],
)
def test_dates_of_birth_are_dates_with_a_birth_context(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.DATE_OF_BIRTH) == expected


# --- postcodes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Send it to London SW1A 2AA.", ["SW1A 2AA"]),
        ("Manchester M1 1AE please", ["M1 1AE"]),
        ("The label says DN551PT.", ["DN551PT"]),
        ("my postcode is cf10 1ep", ["cf10 1ep"]),
        ("Belfast BT1 5GS", ["BT1 5GS"]),
        ("QQ1 1AA is not a postcode area", []),
        ("It is on the B2 3rd floor", []),  # mixed case: ordinary words
        ("the m6 3rd junction", []),  # an ordinal, not an inward code
        ("Code SW1A 1AC cannot end in C", []),
    ],
)
def test_uk_postcodes_are_found(text: str, expected: list[str]) -> None:
    assert found(text, PiiKind.POSTCODE) == expected


# --- overlaps, kinds, masking ------------------------------------------------------------------


def test_overlapping_findings_go_to_the_kind_first_in_priority() -> None:
    # "SW1A1AA" is a postcode's shape inside an email address: the email address wins.
    assert find_pii("Write to SW1A1AA@EXAMPLE.COM") == [PiiMatch(PiiKind.EMAIL, 9, 28, "SW1A1AA@EXAMPLE.COM")]
    # Six digits in pairs before "account" read as both a sort code and a date of birth.
    assert find_pii("born 12-03-87, sort code and account") == [PiiMatch(PiiKind.SORT_CODE, 5, 13, "12-03-87")]
    assert PRIORITY.index(PiiKind.SORT_CODE) < PRIORITY.index(PiiKind.DATE_OF_BIRTH)
    assert sorted(PRIORITY) == sorted(PiiKind)


def test_asking_for_some_kinds_does_not_change_what_a_span_is() -> None:
    assert find_pii("Write to SW1A1AA@EXAMPLE.COM", kinds={PiiKind.POSTCODE}) == []
    text = "Card 4111 1111 1111 1111, call 020 7946 0958."
    assert find_pii(text, kinds={PiiKind.PHONE}) == [PiiMatch(PiiKind.PHONE, 31, 44, "020 7946 0958")]
    assert find_pii(text, kinds=()) == []


def test_findings_are_in_order_of_position() -> None:
    text = "Email jo@example.com, card 4111111111111111, NI AB123456C, postcode SW1A 1AA."
    assert [(match.kind, match.start) for match in find_pii(text)] == [
        (PiiKind.EMAIL, 6),
        (PiiKind.CARD_NUMBER, 27),
        (PiiKind.NI_NUMBER, 48),
        (PiiKind.POSTCODE, 68),
    ]


def test_masking_keeps_the_last_four_card_digits_and_labels_the_rest() -> None:
    text = (
        "Card 4111 1111 1111 1111, sort code 20-00-00 account 55779911, NI AB 12 34 56 C, "
        "IBAN GB29 NWBK 6016 1331 9268 19, passport number 502135326, email ann@example.com, "
        "phone 020 7946 0958, DOB 14/02/1987, postcode SW1A 2AA."
    )
    assert mask_pii(text) == (
        "Card [card ending 1111], sort code [sort code removed] account [bank account number removed], "
        "NI [NI number removed], IBAN [IBAN removed], passport number [passport number removed], "
        "email ann@example.com, phone 020 7946 0958, DOB 14/02/1987, postcode SW1A 2AA."
    )


def test_masking_other_kinds_when_asked() -> None:
    text = "Reach me on 020 7946 0958 or ann@example.com; DOB 14/02/1987, SW1A 2AA."
    assert mask_pii(text, kinds=set(PiiKind)) == (
        "Reach me on [phone number removed] or [email address removed]; DOB [date of birth removed], "
        "[postcode removed]."
    )
    assert mask_pii(text, kinds=()) == text


def test_masking_an_amex_number_keeps_its_last_four_digits() -> None:
    assert mask_pii("Amex 3782-822463-10005.") == "Amex [card ending 0005]."


def test_masking_a_masked_text_changes_nothing() -> None:
    once = mask_pii("Card 4111111111111111, NI AB123456C, sort code 20-00-00 account 55779911.")
    assert once == (
        "Card [card ending 1111], NI [NI number removed], "
        "sort code [sort code removed] account [bank account number removed]."
    )
    assert mask_pii(once) == once


def test_default_masked_kinds_are_the_ones_that_take_money_or_an_identity() -> None:
    assert (
        frozenset(
            {
                PiiKind.CARD_NUMBER,
                PiiKind.IBAN,
                PiiKind.SORT_CODE,
                PiiKind.BANK_ACCOUNT,
                PiiKind.NI_NUMBER,
                PiiKind.PASSPORT,
            }
        )
        == DEFAULT_MASKED
    )


# --- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x00",
        "\ud800 lone surrogate 4111111111111111",
        "٤١١١١١١١١١١١١١١١",  # Arabic-Indic digits
        "4" * 5000,
        "@" * 2000,
        "a@" * 2000,
        "+" + "1 " * 3000,
        "1234567890 " * 2000,
        "DOB " * 2000,
        ("x" * 70 + "@") * 200,
    ],
)
def test_never_raises_on_odd_input(text: str) -> None:
    matches = find_pii(text)
    assert all(match.text == text[match.start : match.end] for match in matches)
    assert isinstance(mask_pii(text), str)


_PIECES = st.sampled_from(
    [
        " ", "-", ".", "/", "(", ")", "+", "@", ":", "\n", "0", "1", "4", "7", "44", "07", "12-34-56",
        "4111 1111 1111 1111", "AB", "123456", "C", "GB29", "NWBK", "example.com", "call ", "DOB ",
        "sort code ", "account ", "passport ", "SW1A", "1AA", "card ", "x",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_findings_are_ordered_spans_of_the_text_and_masking_twice_changes_nothing(text: str) -> None:
    matches = find_pii(text)
    assert all(match.text == text[match.start : match.end] and match.start < match.end for match in matches)
    assert all(left.end <= right.start for left, right in zip(matches, matches[1:], strict=False))
    masked = mask_pii(text)
    assert mask_pii(masked) == masked


# --- measured on labelled sentences ----------------------------------------------------------


def test_scoring_counts_overlaps_misses_false_alarms_and_out_of_scope_findings() -> None:
    text = "Card 4111111111111111, ring 020 7946 0958, office 0161 496 0000, mail jo@example.com"

    def span(entity_type: str, value: str) -> dict[str, object]:
        start = text.index(value)
        return {"entity_type": entity_type, "start_position": start, "end_position": start + len(value)}

    records = [
        {
            "full_text": text,
            "spans": [
                span("CREDIT_CARD", "41111111"),  # part of the card: found, but not exactly
                span("PHONE_NUMBER", "020 7946 0958"),
                span("STREET_ADDRESS", "office 0161"),  # a type Patron does not look for
                span("IBAN_CODE", "Card"),  # nothing found there: missed
            ],
        }
    ]
    assert [(match.kind, match.text) for match in find_pii(text)] == [
        (PiiKind.CARD_NUMBER, "4111111111111111"),
        (PiiKind.PHONE, "020 7946 0958"),
        (PiiKind.PHONE, "0161 496 0000"),
        (PiiKind.EMAIL, "jo@example.com"),
    ]

    scores = pii_corpus.score(records, pii_corpus.PRESIDIO_TYPES)

    assert scores[PiiKind.CARD_NUMBER] == pii_corpus.Score(1, 1, 0, 1, 0, 0, 0)
    assert scores[PiiKind.PHONE] == pii_corpus.Score(1, 1, 0, 1, 0, 1, 1)
    assert scores[PiiKind.EMAIL] == pii_corpus.Score(0, 0, 0, 0, 1, 0, 0)
    assert scores[PiiKind.IBAN] == pii_corpus.Score(1, 0, 1, 0, 0, 0, 0)
    assert (scores[PiiKind.PHONE].precision, scores[PiiKind.PHONE].strict_precision) == (1.0, 0.5)
    assert (scores[PiiKind.EMAIL].precision, scores[PiiKind.EMAIL].f1) == (0.0, 0.0)
    assert (scores[PiiKind.IBAN].recall, scores[PiiKind.IBAN].f1) == (0.0, 0.0)


def f1s(scores: dict[PiiKind, pii_corpus.Score]) -> dict[PiiKind, float]:
    return {kind: round(score.f1, 3) for kind, score in scores.items() if score.labelled}


@pytest.mark.skipif(not pii_corpus.SHARED_PII.is_dir(), reason="the shared PII data is not beside the repository")
def test_f1_on_presidios_synthetic_sentences() -> None:
    records = pii_corpus.load_presidio()
    scores = pii_corpus.score(records, pii_corpus.PRESIDIO_TYPES)

    assert len(records) == 1600
    assert f1s(scores) == {PiiKind.CARD_NUMBER: 0.997, PiiKind.IBAN: 1.0, PiiKind.PHONE: 1.0, PiiKind.EMAIL: 1.0}
    assert {
        kind: (score.labelled, score.found, score.false_alarms) for kind, score in scores.items() if score.labelled
    } == {
        PiiKind.CARD_NUMBER: (146, 145, 0),
        PiiKind.IBAN: (21, 21, 0),
        PiiKind.PHONE: (102, 102, 0),
        PiiKind.EMAIL: (51, 51, 0),
    }
    # Presidio labels no UK kinds; what is found of them lies on dates it labels DATE_TIME.
    unlabelled = {
        kind: (score.false_alarms, score.out_of_scope) for kind, score in scores.items() if not score.labelled
    }
    assert unlabelled[PiiKind.DATE_OF_BIRTH] == (0, 18)
    assert all(counts == (0, 0) for kind, counts in unlabelled.items() if kind != PiiKind.DATE_OF_BIRTH)
    assert min(f1s(scores).values()) >= 0.9


def test_f1_on_the_uk_desk_sentences() -> None:
    records = pii_corpus.load(pii_corpus.UK_DESK)
    scores = pii_corpus.score(records, pii_corpus.UK_TYPES)

    assert len(records) == 146
    assert sum(1 for record in records if not record["spans"]) == 48
    assert f1s(scores) == {**dict.fromkeys(PiiKind, 1.0), PiiKind.PHONE: 0.979}
    assert (scores[PiiKind.PHONE].labelled, scores[PiiKind.PHONE].found) == (24, 23)
    assert sum(score.false_alarms for score in scores.values()) == 0
    assert min(f1s(scores)[kind] for kind in pii_corpus.TARGET_KINDS) >= 0.9


def test_f1_on_the_earlier_uk_sentences() -> None:
    records = pii_corpus.load(pii_corpus.UK_EARLIER)
    scores = pii_corpus.score(records, pii_corpus.UK_TYPES)

    assert f1s(scores) == dict.fromkeys(PiiKind, 1.0)
    assert sum(score.labelled for score in scores.values()) == 81


def test_masked_kinds_reads_the_setting_and_ignores_unknown_names() -> None:
    assert masked_kinds("card_number, iban,unknown") == {PiiKind.CARD_NUMBER, PiiKind.IBAN}
    assert masked_kinds("") == frozenset()
