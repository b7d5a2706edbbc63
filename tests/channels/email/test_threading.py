from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.cases.models import format_reference
from patron.channels.email.threading import case_id_in_subject, is_forward


@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from(["[{}]", "{}", "Re: [{}] x", "x ({})"]))
def test_case_reference_is_found_in_any_subject_shape(case_id: int, shape: str) -> None:
    assert case_id_in_subject(shape.format(format_reference(case_id))) == case_id


@pytest.mark.parametrize(
    "subject",
    ["Order ABC-000123 lost", "C-12 is too short", "Invoice C 000123", "", "No reference at all"],
)
def test_no_case_reference_where_there_is_none(subject: str) -> None:
    assert case_id_in_subject(subject) is None


def test_lower_case_reference_is_still_a_reference() -> None:
    assert case_id_in_subject("re: c-000042 please") == 42


@pytest.mark.parametrize(
    ("subject", "forwarded"),
    [
        ("Fwd: Broken kettle", True),
        ("FW: Broken kettle", True),
        ("Fw : Broken kettle", True),
        ("WG: Kaputter Wasserkocher", True),
        ("TR: Bouilloire cassée", True),
        ("Re: Fwd: Broken kettle", False),
        ("Forward planning", False),
        ("Broken kettle", False),
    ],
)
def test_forwarded_subjects_are_recognised(subject: str, forwarded: bool) -> None:
    assert is_forward(subject) is forwarded
