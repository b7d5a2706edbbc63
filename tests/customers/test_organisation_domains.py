"""A new sender's organisation comes from its email domain: held by one organisation each, the
nearest held domain wins, and the look-up stays one query however many organisations there are."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patron.accounts.models import Role
from patron.customers.models import CustomerKind, Organisation, OrganisationDomain, OrganisationKind
from patron.customers.services import find_or_create_customer, organisation_for_email, update_organisation
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_nearest_domain_held_wins_over_one_above_it() -> None:
    group = Organisation.objects.create(name="Example Group", email_domains="example.org")
    staff = Organisation.objects.create(
        name="A Staff Office", kind=OrganisationKind.DEPARTMENT, email_domains="staff.example.org"
    )
    assert organisation_for_email("ann@example.org") == group
    assert organisation_for_email("ann@shop.example.org") == group
    assert organisation_for_email("bob@staff.example.org") == staff
    assert organisation_for_email("bob@it.staff.example.org") == staff
    assert organisation_for_email("cat@example.com") is None
    assert organisation_for_email("cat@notexample.org") is None
    assert organisation_for_email("no-domain@") is None


def test_a_domain_many_levels_deep_still_finds_its_organisation() -> None:
    acme = Organisation.objects.create(name="Acme", email_domains="acme.example")
    deep = "ann@" + ".".join(f"level{n}" for n in range(12)) + ".acme.example"
    assert organisation_for_email(deep) == acme
    assert organisation_for_email("ann@ACME.example.") == acme


def test_domains_are_written_loosely_and_indexed_once_each() -> None:
    kettles = Organisation.objects.create(
        name="Kettles", email_domains=" Kettles.Example, @kettles.example.net,,kettles.example "
    )
    assert sorted(OrganisationDomain.objects.filter(organisation=kettles).values_list("domain", flat=True)) == [
        "kettles.example",
        "kettles.example.net",
    ]


def test_editing_the_domains_changes_who_belongs() -> None:
    acme = Organisation.objects.create(name="Acme", email_domains="acme.example, acme.example.net")
    acme.email_domains = "acme.example.net, acme.example.com"
    acme.save()
    assert organisation_for_email("ann@acme.example") is None
    assert organisation_for_email("ann@acme.example.com") == acme
    assert organisation_for_email("ann@acme.example.net") == acme
    acme.name = "Acme Limited"
    acme.save(update_fields=["name"])
    assert OrganisationDomain.objects.filter(organisation=acme).count() == 2
    acme.delete()
    assert not OrganisationDomain.objects.exists()


def test_a_domain_another_organisation_holds_is_refused_and_nothing_changes() -> None:
    Organisation.objects.create(name="Acme", email_domains="acme.example")
    rival = Organisation.objects.create(name="Rival", email_domains="rival.example")
    rival.email_domains = "rival.example, acme.example"
    with pytest.raises(ValidationError) as refused:
        rival.full_clean()
    assert "acme.example belongs to Acme" in str(refused.value)
    with pytest.raises(IntegrityError):
        rival.save()
    rival.refresh_from_db()
    assert rival.email_domains == "rival.example"
    assert organisation_for_email("ann@acme.example").name == "Acme"  # type: ignore[union-attr]


def test_a_malformed_domain_is_refused_with_a_clear_message() -> None:
    acme = Organisation(name="Acme", email_domains="acme.example, not a domain")
    with pytest.raises(ValidationError, match="Not an email domain: not a domain"):
        acme.full_clean()


def test_the_admin_refuses_a_domain_held_elsewhere() -> None:
    Organisation.objects.create(name="Acme", email_domains="acme.example")
    client = Client()
    client.force_login(factories.agent(role=Role.ADMIN, username="root"))
    answer = client.post(
        "/admin/customers/organisation/add/", {"name": "Rival", "kind": "company", "email_domains": "acme.example"}
    )
    assert answer.status_code == 200
    assert "acme.example belongs to Acme" in answer.content.decode()
    assert not Organisation.objects.filter(name="Rival").exists()


def test_the_look_up_is_one_query_however_many_organisations_there_are() -> None:
    def queries_for_one_new_sender(address: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert organisation_for_email(address) is not None
        return len(captured)

    Organisation.objects.create(name="Org 0", email_domains="org0.example")
    few = queries_for_one_new_sender("ann@org0.example")
    for number in range(1, 150):
        Organisation.objects.create(name=f"Org {number}", email_domains=f"org{number}.example")
    assert queries_for_one_new_sender("ann@org149.example") == few == 1


def test_a_new_sender_from_a_department_domain_is_a_colleague_of_it() -> None:
    hr = Organisation.objects.create(name="People", kind=OrganisationKind.DEPARTMENT, email_domains="hr.example.org")
    colleague = find_or_create_customer(email="pat@hr.example.org")
    assert (colleague.kind, colleague.organisation) == (CustomerKind.INTERNAL, hr)


def test_the_migration_indexes_existing_domains_first_by_name_keeping_it() -> None:
    migration = importlib.import_module("patron.customers.migrations.0006_organisation_domains")
    beta = Organisation.objects.create(name="Beta", email_domains="beta.example")
    alpha = Organisation.objects.create(name="Alpha", email_domains="alpha.example")
    OrganisationDomain.objects.all().delete()
    # As the text could say before domains were held by one organisation each.
    Organisation.objects.filter(pk=beta.pk).update(email_domains="beta.example, shared.example, " + "x" * 300)
    Organisation.objects.filter(pk=alpha.pk).update(email_domains="@Alpha.example., shared.example")
    migration.index_existing_domains(apps, None)
    held = dict(OrganisationDomain.objects.values_list("domain", "organisation__name"))
    assert held == {"alpha.example": "Alpha", "shared.example": "Alpha", "beta.example": "Beta"}


def test_a_domain_taken_while_the_change_was_being_checked_is_refused_as_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from patron.errors import Conflict

    manager = factories.agent(role=Role.SERVICE_MANAGER, username="maria")
    Organisation.objects.create(name="Acme", email_domains="acme.example")
    rival = Organisation.objects.create(name="Rival", email_domains="rival.example")
    looked = Organisation.domains_held_elsewhere

    def first_look_misses_it(self: Organisation) -> list[OrganisationDomain]:
        # As if Acme took the domain between this request's look and its write.
        monkeypatch.setattr(Organisation, "domains_held_elsewhere", looked)
        return []

    monkeypatch.setattr(Organisation, "domains_held_elsewhere", first_look_misses_it)
    with pytest.raises(Conflict, match="acme.example belongs to Acme"):
        update_organisation(organisation=rival, email_domains=["acme.example"], by=manager)
    rival.refresh_from_db()
    assert rival.domains == ["rival.example"]
    assert dict(OrganisationDomain.objects.values_list("domain", "organisation__name")) == {
        "acme.example": "Acme",
        "rival.example": "Rival",
    }
