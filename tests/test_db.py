"""Queries prepared once for hot paths give what the ORM gives, with new values each call, and
refuse to prepare a lookup that would rewrite its value; inserts written once store rows as
given and give them their keys."""

from __future__ import annotations

import pytest
from django.db.models import F, QuerySet
from django.utils import timezone

from patron.cases.models import Case, CaseEvent, Channel, Priority
from patron.customers.models import ContactPoint, Customer
from patron.db import PreparedInsert, PreparedQuery
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_prepared_query_answers_as_the_orm_does_for_each_value() -> None:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    bob = factories.customer("Bob Jones", email="bob@example.com")
    by_email = PreparedQuery(
        lambda address: (
            Customer.objects.filter(contact_points__kind="email", contact_points__normalised=address)
            .annotate(point_value=F("contact_points__value"))
            .order_by()
        )
    )
    assert [(found.pk, found.name) for found in by_email(address="ann@example.com")] == [(ann.pk, "Ann Smith")]
    assert [found.pk for found in by_email(address="bob@example.com")] == [bob.pk]
    assert by_email(address="nobody@example.com") == []
    # Model fields come converted; annotations come as the driver gives them.
    (found,) = by_email(address="ann@example.com")
    assert found.created_at == ann.created_at
    assert getattr(found, "point_value") == "ann@example.com"  # noqa: B009


def test_a_prepared_query_without_parameters_keeps_its_fixed_values() -> None:
    factories.customer("Ann Smith", email="ann@example.com")
    emails = PreparedQuery(lambda: ContactPoint.objects.filter(kind="email").order_by("normalised"))
    assert [point.normalised for point in emails()] == ["ann@example.com"]


def _contains(text: str) -> QuerySet[Customer]:
    return Customer.objects.filter(name__icontains=text)


def test_a_lookup_that_rewrites_its_value_cannot_be_prepared() -> None:
    with pytest.raises(ValueError, match="compared as it is given"):
        PreparedQuery(_contains)(text="ann")


def test_a_prepared_insert_stores_rows_as_given_and_gives_them_their_keys() -> None:
    team = factories.team("Help desk")
    ann = factories.customer("Ann Smith")
    now = timezone.now()
    rows = [
        Case(subject=f"Question {number}", channel="phone", customer=ann, team=team, created_at=now, updated_at=now)
        for number in range(150)
    ]
    inserted = PreparedInsert(Case)(rows)
    assert [case.pk for case in inserted] == sorted(case.pk for case in inserted)
    assert all(case.pk is not None and not case._state.adding for case in inserted)
    stored = {case.pk: (case.subject, case.team_id, case.status) for case in Case.objects.all()}
    assert stored == {case.pk: (case.subject, team.pk, "new") for case in rows}
    assert PreparedInsert(Case)([]) == []


def test_a_prepared_insert_adapts_json_and_dates() -> None:
    case = factories.case()
    event = CaseEvent(
        case=case, kind="note_added", data={"text": "Ünïcode “quotes”", "n": [1, 2]}, created_at=timezone.now()
    )
    (inserted,) = PreparedInsert(CaseEvent)([event])
    stored = CaseEvent.objects.get(pk=inserted.pk)
    assert stored.data == {"text": "Ünïcode “quotes”", "n": [1, 2]}
    assert stored.created_at == event.created_at


def test_a_prepared_insert_converts_what_is_not_already_the_columns_type() -> None:
    """Strings, integers and keys go as they are; anything else (a choices member, a number
    given for a text column) is converted by its field, as the ORM would."""
    ann = factories.customer("Ann Smith")
    now = timezone.now()
    rows = [
        Case(subject="As given", channel="phone", priority=Priority.HIGH, customer=ann, created_at=now, updated_at=now),
        Case(subject=12345, channel=Channel.EMAIL, priority=3, customer_id=ann.pk, created_at=now, updated_at=now),
    ]
    PreparedInsert(Case)(rows)
    stored = list(Case.objects.order_by("pk").values_list("subject", "channel", "priority", "customer_id"))
    assert stored == [("As given", "phone", 3, ann.pk), ("12345", "email", 3, ann.pk)]
    assert [type(value) for value in stored[1]] == [str, str, int, int]
