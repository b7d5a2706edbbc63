"""Queries prepared once for hot paths give what the ORM gives, with new values each call, and
refuse to prepare a lookup that would rewrite its value; inserts written once store rows as
given and give them their keys."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from patron.accounts.models import Role
from patron.cases.models import Case, CaseEvent, Channel, Priority, Tag
from patron.customers.models import ContactPoint, Customer
from patron.db import (
    PreparedInsert,
    PreparedQuery,
    PreparedRows,
    PreparedSave,
    PreparedSQL,
    PreparedUpdate,
    refresh_statistics,
    remember_related,
)
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
    # Model fields and annotations come converted, as the ORM gives them.
    (found,) = by_email(address="ann@example.com")
    assert found.created_at == ann.created_at
    assert getattr(found, "point_value") == "ann@example.com"  # noqa: B009


def test_a_prepared_query_without_parameters_keeps_its_fixed_values() -> None:
    factories.customer("Ann Smith", email="ann@example.com")
    emails = PreparedQuery(lambda: ContactPoint.objects.filter(kind="email").order_by("normalised"))
    assert [point.normalised for point in emails()] == ["ann@example.com"]


def test_a_prepared_query_takes_numbers_and_brings_related_rows_as_the_orm_does() -> None:
    team = factories.team("Help desk")
    lead = factories.agent(role=Role.TEAM_LEAD, teams=[team])
    first, second = factories.case(team_=team, by=lead), factories.case(team_=team)
    with_people = PreparedQuery(
        lambda case_id: (
            Case.objects.filter(pk=case_id)
            .select_related("customer", "customer__organisation", "team", "assignee")
            .prefetch_related("customer__contact_points")
            .annotate(event_count=Count("events"))
        )
    )
    for case in (first, second):
        by_orm = (
            Case.objects.filter(pk=case.pk)
            .select_related("customer", "customer__organisation", "team", "assignee")
            .annotate(event_count=Count("events"))
            .get()
        )
        (found,) = with_people(case_id=case.pk)
        assert (found.pk, found.subject, found.created_at) == (by_orm.pk, by_orm.subject, by_orm.created_at)
        assert getattr(found, "event_count") == getattr(by_orm, "event_count")  # noqa: B009
        points = [point.value for point in ContactPoint.objects.filter(customer_id=case.customer_id)]
        # Everything selected or prefetched is there already: no query.
        with CaptureQueriesContext(connection) as queries:
            assert found.customer.name == by_orm.customer.name
            assert found.customer.organisation is None
            assert found.team == team
            assert [point.value for point in found.customer.contact_points.all()] == points
        assert len(queries) == 0
    assert with_people(case_id=second.pk + 1000) == []


def test_a_prepared_query_keeps_deferred_fields_deferred() -> None:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    names_only = PreparedQuery(lambda customer_id: Customer.objects.filter(pk=customer_id).only("id", "name"))
    (found,) = names_only(customer_id=ann.pk)
    assert found.get_deferred_fields() >= {"kind", "notes"}
    assert found.name == "Ann Smith"


def test_a_prepared_update_changes_the_rows_chosen_with_the_values_given() -> None:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    bob = factories.customer("Bob Jones", email="bob@example.com")
    rename = PreparedUpdate(
        lambda customer_id, name: (Customer.objects.filter(pk=customer_id), {"name": name, "notes": F("name")})
    )
    assert rename(customer_id=ann.pk, name="Ann Jones") == 1
    assert rename(customer_id=bob.pk + 1000, name="Nobody") == 0
    stored = {customer.pk: (customer.name, customer.notes) for customer in Customer.objects.all()}
    assert stored == {ann.pk: ("Ann Jones", "Ann Smith"), bob.pk: ("Bob Jones", "")}


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


def test_a_prepared_insert_stores_datetimes_as_the_orm_would_in_any_time_zone() -> None:
    """Aware datetimes in any zone are stored as the same instant; a naive one is taken, with
    the field's own warning, as the desk's local time, as `bulk_create` takes it."""
    case = factories.case()
    summer = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Europe/London"))
    aware = CaseEvent(case=case, kind="note_added", data={}, created_at=summer)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        (naive,) = PreparedInsert(CaseEvent)(
            [CaseEvent(case=case, kind="note_added", data={}, created_at=summer.replace(tzinfo=None))]
        )
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        (by_orm,) = CaseEvent.objects.bulk_create(
            [CaseEvent(case=case, kind="note_added", data={}, created_at=summer.replace(tzinfo=None))]
        )
    PreparedInsert(CaseEvent)([aware])
    stored = dict(CaseEvent.objects.filter(pk__in=[aware.pk, naive.pk, by_orm.pk]).values_list("pk", "created_at"))
    assert stored[aware.pk] == summer
    assert stored[aware.pk].astimezone(UTC).hour == 8
    assert stored[naive.pk] == stored[by_orm.pk]


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


def test_a_prepared_query_keeps_a_literal_percent_sign_in_its_sql() -> None:
    # Modulo is written "%%" in the SQL every backend is given, beside the "%s" placeholders.
    customers = [factories.customer(f"Customer {number}") for number in range(4)]
    parity = PreparedQuery(
        lambda customer_id: Customer.objects.filter(pk__gte=customer_id).annotate(odd=F("id") % 2).order_by("id")
    )
    found = [(customer.pk, customer.odd) for customer in parity(customer_id=customers[1].pk)]  # type: ignore[attr-defined]
    assert found == [(customer.pk, customer.pk % 2) for customer in customers[1:]]


def test_a_refused_prepared_write_raises_djangos_error_and_leaves_the_transaction_usable() -> None:
    ann = factories.customer("Ann Smith", email="ann@example.com")
    taken = ContactPoint(customer=ann, kind="email", value="ann@example.com", normalised="ann@example.com")
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():
            PreparedInsert(ContactPoint)([taken])
        renamed = PreparedUpdate(lambda customer_id: (Customer.objects.filter(pk=customer_id), {"name": "Ann Jones"}))
        assert renamed(customer_id=ann.pk) == 1
    assert Customer.objects.get(pk=ann.pk).name == "Ann Jones"
    assert ContactPoint.objects.filter(normalised="ann@example.com").count() == 1


def test_prepared_statements_are_seen_by_whatever_watches_the_queries() -> None:
    ann = factories.customer("Ann Smith")
    by_id = PreparedQuery(lambda customer_id: Customer.objects.filter(pk=customer_id))
    seen: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert by_id(customer_id=ann.pk) == [ann]
    with CaptureQueriesContext(connection) as captured:
        assert by_id(customer_id=ann.pk) == [ann]
    assert len(seen) == 1
    assert "customers_customer" in seen[0]
    assert len(captured) == 1


def test_a_remembered_empty_relation_answers_without_queries_and_forgets_on_change(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    case = factories.case()
    remember_related(case, "tags", [])
    with django_assert_num_queries(0):
        assert list(case.tags.all()) == []
        assert list(case.tags.filter(name="refund")) == []
        assert case.tags.count() == 0
        assert not case.tags.exists()
    refund = Tag.objects.create(name="refund")
    case.tags.add(refund)
    assert list(case.tags.all()) == [refund]
    remember_related(case, "tags", [refund])
    with django_assert_num_queries(0):
        assert list(case.tags.all()) == [refund]


def test_a_prepared_hand_written_statement_answers_its_rows_for_each_value_and_is_watched() -> None:
    ann, bob = factories.customer("Ann Smith"), factories.customer("Bob Jones")
    names = PreparedSQL(f"SELECT name FROM {Customer._meta.db_table} WHERE id >= %s ORDER BY id")  # noqa: S608
    assert [row[0] for row in names.rows(ann.pk)] == ["Ann Smith", "Bob Jones"]
    assert [row[0] for row in names.rows(bob.pk)] == ["Bob Jones"]
    with CaptureQueriesContext(connection) as captured:
        assert names.rows(bob.pk + 1) == []
    assert len(captured) == 1


def test_a_prepared_save_writes_the_named_fields_only_as_save_would() -> None:
    case = factories.case(subject="Kettle")
    later = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    case.status, case.version, case.updated_at = "open", case.version + 1, later
    case.subject = "Not written: not a named field"
    assert PreparedSave(Case, ["status", "version", "updated_at"])([case]) == 1
    stored = Case.objects.get(pk=case.pk)
    assert (stored.subject, stored.status, stored.version, stored.updated_at) == ("Kettle", "open", 2, later)


def test_a_prepared_save_of_every_field_writes_each_row_and_finds_only_rows_that_exist() -> None:
    first, second = factories.case(subject="Kettle"), factories.case(subject="Toaster", priority=Priority.LOW)
    first.subject, first.priority, first.category = "Kettle, broken", Priority.URGENT, "Returns"
    second.subject = "Toaster, late"
    assert PreparedSave(Case)([first, second]) == 2
    stored = {case.pk: (case.subject, case.priority, case.category) for case in Case.objects.all()}
    assert stored == {
        first.pk: ("Kettle, broken", Priority.URGENT, "Returns"),
        second.pk: ("Toaster, late", Priority.LOW, ""),
    }
    gone = Case.objects.get(pk=first.pk)
    gone.pk = first.pk + second.pk
    assert PreparedSave(Case, ["subject"])([gone]) == 0
    with pytest.raises(ValueError, match=r"Not columns of Case: \['colour'\]"):
        PreparedSave(Case, ["subject", "colour"])


def test_prepared_rows_come_back_converted_as_the_orm_gives_them() -> None:
    case = factories.case(subject="Kettle")
    factories.case(subject="Toaster")
    CaseEvent.objects.create(
        case=case, kind="note_added", data={"text": "Ünïcode", "n": [1, 2]}, created_at=timezone.now()
    )

    def build(case_id: int) -> QuerySet[CaseEvent]:
        return (
            CaseEvent.objects.filter(case_id=case_id, kind__in=["opened", "note_added"])
            .order_by("id")
            .values_list("case_id", "kind", "created_at", "data")
        )

    prepared = PreparedRows(build)
    expected = list(build(case.pk))
    assert prepared(case_id=case.pk) == expected
    assert [kind for _, kind, _, _ in expected] == ["opened", "note_added"]
    assert isinstance(expected[1][2], datetime)
    assert expected[1][3] == {"text": "Ünïcode", "n": [1, 2]}
    assert prepared(case_id=case.pk + 1000) == []


def test_a_prepared_statement_without_rows_runs_and_counts_what_it_changed() -> None:
    kettle, toaster = factories.case(subject="Kettle"), factories.case(subject="Toaster")
    rename = PreparedSQL(f"UPDATE {Case._meta.db_table} SET subject = %s WHERE id = %s")  # noqa: S608
    assert rename.run("Kettle, broken", kettle.pk) == 1
    assert rename.run("Nothing", kettle.pk + toaster.pk) == 0
    assert dict(Case.objects.values_list("id", "subject")) == {kettle.pk: "Kettle, broken", toaster.pk: "Toaster"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's ANALYZE samples by design and plans per value")
def test_the_planners_statistics_count_every_case_not_a_sample() -> None:
    """Counted from a sample of each index's first rows, a status held by every case looked
    like one of many rare ones, and the inbox sorted instead of walking its index."""
    from patron.cases.services import NewCase, open_cases

    customer = factories.customer()
    open_cases(
        new_cases=[NewCase(customer=customer, subject=f"S{i}", body="b", channel=Channel.API) for i in range(1_500)],
        by=None,
    )

    refresh_statistics()

    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'case_status_idx'")
        (stat,) = cursor.fetchone()
    rows, per_status = stat.split()[:2]
    assert (rows, per_status) == ("1500", "1500")
