"""Erasure leaves nothing of the person behind: every text column of every table and every file
Patron keeps is searched for their names, addresses and number after erasing a customer who has
every kind of record, and the service's figures read the same before and after."""

from __future__ import annotations

import json
import smtplib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from patron.accounts.models import Agent, Role, Team
from patron.cases import services as cases
from patron.cases.exports import export_cases_csv
from patron.cases.models import Case, CaseEvent, CaseKind, Channel, EventKind, Status
from patron.cases.queries import InboxFilters
from patron.channels import outbound
from patron.channels.models import OutboundEmail, OutboundKind, OutboundStatus
from patron.channels.services import ingest_email
from patron.complaints import services as complaints
from patron.complaints.models import Complaint, RootCause, Step
from patron.complaints.register import RegisterFilters, list_register
from patron.complaints.steps import WORDING_FIELD
from patron.customers.models import Customer
from patron.customers.services import mark_undeliverable
from patron.feedback.models import Survey
from patron.feedback.queries import survey_figures
from patron.feedback.services import answer_survey, send_survey
from patron.privacy import audit, consent, fulfilment
from patron.privacy.models import AuditEntry, DataCategory, RetentionRule
from patron.standards.models import SlaClock
from patron.standards.services import PolicyDetails, create_policy
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db

NAME = "Zebediah Quillfeather"
ALIAS = "Zeb Quillfeather"
EMAIL = "zeb.quillfeather@example.net"
OLD_EMAIL = "zq.oldmail@example.org"
PHONE = "07700 900987"
# Everything that would identify him, as it might be written anywhere.
TRACES = (
    "zebediah",
    "quillfeather",
    "quilfeather",  # the misspelling a rectification corrected
    EMAIL,
    OLD_EMAIL,
    "zq.oldmail",
    PHONE,
    "07700900987",
    "+447700900987",
    "7700 900987",
)
RECEIPT = b"%PDF-1.4 Receipt for Zebediah Quillfeather, 07700 900987"


def _email_from_him() -> bytes:
    message = EmailMessage()
    message["From"] = f"{NAME} <{EMAIL}>"
    message["To"] = "help@desk.example"
    message["Subject"] = "Quillfeather order 77 has not arrived"
    message["Message-ID"] = "<order77.1@mail.example.net>"
    message.set_content(f"Hello, this is {NAME}. Order 77 has not arrived; call me on {PHONE}.")
    message.add_attachment(RECEIPT, maintype="application", subtype="pdf", filename="quillfeather-receipt.pdf")
    return message.as_bytes()


def _refused(outbound_email: OutboundEmail) -> None:
    raise smtplib.SMTPRecipientsRefused({outbound_email.to_address: (550, b"5.1.1 No such user here")})


def _send_all_queued() -> None:
    for pending in OutboundEmail.objects.filter(status=OutboundStatus.QUEUED):
        outbound.send_outbound_email(outbound_id=pending.pk)


def _resolve(case: Case, by: Agent) -> Case:
    case.refresh_from_db()
    return cases.set_status(case=case, by=by, status=Status.RESOLVED, expected_version=case.version)


def _request(api: ApiClient, customer: Customer, type_: str, **fulfil: str) -> int:
    made = api.post(
        "/privacy/requests",
        {"customer": customer.pk, "type": type_, "received_on": timezone.localdate().isoformat()},
    )
    assert made.status_code == 201, made.content
    request_id = int(made.json()["id"])
    if type_ != "erasure":
        done = api.post(f"/privacy/requests/{request_id}/fulfil", fulfil)
        assert done.status_code == 200, done.content
    return request_id


def _his_whole_history(desk: Team, agent: Agent, lead: Agent, officer: Agent) -> Customer:
    """Every kind of record Patron keeps about a customer, each naming him."""
    create_policy(
        details=PolicyDetails(name="Standard", first_response_minutes=60, resolution_minutes=7 * 24 * 60),
        by=factories.agent(role=Role.SERVICE_MANAGER),
    )
    factories.mailbox(team_=desk, name="Help desk")
    him = factories.customer(
        NAME, email=EMAIL, phone=PHONE, notes=f"{NAME} prefers mornings.", job_title="Quillfeather & Sons"
    )

    # An older record of his, with a phone call three hours ago answered late; then merged.
    older = factories.customer(ALIAS, email=OLD_EMAIL)
    call = cases.log_contact(
        by=agent,
        channel=Channel.PHONE,
        customer=older,
        summary=f"{ALIAS} called from {PHONE} about a late delivery.",
        team=desk,
        occurred_at=timezone.now() - timedelta(hours=3),
    ).case
    cases.log_contact(by=agent, channel=Channel.PHONE, customer=older, summary="Called back.", case=call, outbound=True)
    _resolve(call, agent)
    cases.merge_customers(source=older, target=him, by=lead)

    # An email with a receipt, acknowledged (the first attempt refused, then sent), noted,
    # answered in time, renamed and resolved.
    result = ingest_email(_email_from_him(), source="stdin")
    case = Case.objects.get(pk=int(str(result.case_reference).removeprefix("C-")))
    acknowledgement = OutboundEmail.objects.get(case=case, kind=OutboundKind.ACKNOWLEDGEMENT)
    with mock.patch.object(outbound, "_smtp_send", _refused):
        outbound.send_outbound_email(outbound_id=acknowledgement.pk)
    outbound.retry_outbound_email(outbound=acknowledgement, by=agent)
    cases.add_note(case=case, by=agent, body=f"{NAME} sounded upset; his number is {PHONE}.")
    cases.reply(case=case, by=agent, body=f"Dear {NAME}, order 77 is on its way.")
    _send_all_queued()
    case.refresh_from_db()
    cases.update_case(
        case=case, by=agent, expected_version=case.version, changes=cases.CaseChanges(subject=f"Order 77 for {NAME}")
    )
    consent.record_consent(customer=him, purpose="surveys", basis="consent", detail="Ticked the box.", by=agent)
    _resolve(case, agent)
    # His survey, answered in his own words.
    send_survey(case_id=case.pk)
    link = factories.SURVEY_LINK.search(OutboundEmail.objects.get(case=case, kind=OutboundKind.SURVEY).body_text)
    assert link is not None
    answer_survey(token=link.group(1), score=4, comment=f"{NAME} was pleased: ring {PHONE} any time.")

    # What he wrote on his neighbour's case.
    neighbour = factories.case(customer_=factories.customer("Neighbour Norah"), team_=desk, subject="Parcel left")
    cases.receive_message(case=neighbour, customer=him, body=f"{NAME} here: I took in Norah's parcel.", channel="email")
    _resolve(neighbour, agent)

    # A complaint, handled step by step, escalated, with its five whys, answered and resolved.
    complaint_case = cases.open_case(
        customer=him,
        subject=f"Complaint from {NAME}",
        body=f"{NAME} complains that nobody called {PHONE} back.",
        channel=Channel.PHONE,
        kind=CaseKind.COMPLAINT,
        team=desk,
        by=agent,
    )
    complaint = Complaint.objects.get(case=complaint_case)
    for step in Step.values:
        complaints.record_step(
            complaint=complaint,
            by=agent,
            step=step,
            details=factories.step_details(step, **{WORDING_FIELD[step]: f"{step}: told {NAME}"}),
        )
    complaints.set_purchase(
        complaint=complaint,
        by=agent,
        details=complaints.PurchaseDetails(
            type="goods", purchased_on=timezone.localdate(), description=f"Kettle for {NAME}"
        ),
    )
    complaints.escalate(complaint=complaint, by=agent, to=2, reason=f"{NAME} asked for a team lead.")
    complaints.set_root_cause(complaint=complaint, by=agent, root_cause=RootCause.objects.get(code="communication"))
    complaints.record_five_whys(
        complaint=complaint,
        by=agent,
        whys=["Nobody rang 07700900987.", f"The call-back note for {NAME} was lost."],
        statement=f"Call-backs for customers like {ALIAS} were kept on paper.",
    )
    complaints.record_final_response(complaint=complaint, by=agent)
    _resolve(complaint_case, agent)

    # What the audit trail was told about him in so many words: his processing restricted and
    # the restriction lifted, his case restricted and opened, a bounce, a search for his name,
    # and a reason given about his neighbour that names him.
    fulfilment.restrict_processing(customer=him, by=officer, reason=f"{NAME} disputes his record.")
    fulfilment.lift_restriction(customer=him, by=officer, reason=f"Told {NAME} on {PHONE}.")
    restricted = cases.set_restriction(
        case=case, by=lead, restricted=True, people=[agent], reason=f"{NAME} is a colleague's son"
    )
    cases.record_restricted_opening(case=restricted, by=agent, reason=f"Returning a call from {PHONE}")
    cases.set_restriction(case=restricted, by=lead, restricted=False, reason="Back to the team")
    mark_undeliverable(emails=[OLD_EMAIL], reason=f"550 {OLD_EMAIL}: no such user", at=timezone.now())
    list(export_cases_csv(agent=officer, filters=InboxFilters(text=NAME)))
    fulfilment.restrict_processing(
        customer=neighbour.customer, by=officer, reason=f"Norah asks that {NAME} hears nothing of it."
    )
    fulfilment.lift_restriction(customer=neighbour.customer, by=officer, reason="Norah was told by letter.")

    # An access request answered with a copy, and a correction of his name.
    api = client_for(officer)
    _request(api, him, "access")
    _request(api, him, "rectification", outcome="Surname corrected from Quilfeather to Quillfeather.")
    return Customer.objects.get(pk=him.pk)


def _stored_text() -> Iterator[tuple[str, str]]:
    """Every text, JSON and binary value in every table, the search index, and every file kept."""
    kinds = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = [field for field in model._meta.concrete_fields if isinstance(field, kinds)]
        if not fields:
            continue
        for row in model._base_manager.values_list(*(field.attname for field in fields)):
            for field, value in zip(fields, row, strict=True):
                yield f"{model._meta.label}.{field.name}", _as_text(value)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT subject, body FROM case_fts")
            for subject, body in cursor.fetchall():
                yield "case_fts", f"{subject}\n{body}"
    for path in Path(settings.PATRON_FILES_DIR).rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("latin-1")


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _traces_left() -> list[tuple[str, str]]:
    return [(where, trace) for where, text in _stored_text() for trace in TRACES if trace.lower() in text.lower()]


def _figures(manager: Agent) -> dict[str, Any]:
    """What the service's reports are made of."""
    every_case = Case.objects.order_by("pk")
    register = list_register(agent=manager, filters=RegisterFilters())
    return {
        "cases by status, kind and channel": Counter(every_case.values_list("status", "kind", "channel")),
        "response and resolution times": [
            (
                case.pk,
                case.first_response_at and case.first_response_at - case.created_at,
                case.resolved_at and case.resolved_at - case.created_at,
                case.closed_at,
            )
            for case in every_case
        ],
        "targets met and breached": Counter(
            CaseEvent.objects.filter(kind__in=(EventKind.TARGET_MET, EventKind.TARGET_BREACHED)).values_list(
                "case_id", "kind", "data__target"
            )
        ),
        "service level clocks": list(
            SlaClock.objects.order_by("pk").values_list("case_id", "target", "met_at", "breached_at", "due_at")
        ),
        "events by kind": Counter(
            CaseEvent.objects.exclude(kind=EventKind.PERSONAL_DATA_ERASED).values_list("case_id", "kind")
        ),
        "complaints register": [
            (
                row.reference,
                row.received_on,
                row.tier,
                row.acknowledgement,
                row.final_response,
                row.deadlines,
                row.status,
                row.root_cause,
                row.redress_amount,
            )
            for row in register
        ],
        "complaints register deadlines": Counter(row.deadlines for row in register),
        "survey figures": survey_figures(measure="csat"),
        "survey scores by team": Counter(Survey.objects.values_list("team_id", "kind", "status", "score")),
    }


def test_erasure_leaves_no_trace_of_the_person_and_the_figures_unchanged(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    desk = factories.team("Help desk")
    agent = factories.agent(teams=[desk], username="sam")
    lead = factories.agent(role=Role.TEAM_LEAD, teams=[desk], username="lee")
    officer = factories.agent(role=Role.PRIVACY_OFFICER, username="petra")
    manager = factories.agent(role=Role.SERVICE_MANAGER, username="manon")
    # Here the desk keeps no complaint past its answer, so his may be erased at once.
    RetentionRule.objects.filter(category=DataCategory.CLOSED_COMPLAINTS).update(active=False)
    him = _his_whole_history(desk, agent, lead, officer)

    before = _figures(manager)
    # The history really holds every trace, so finding none afterwards means something.
    assert {trace for _, trace in _traces_left()} == set(TRACES)
    assert before["targets met and breached"].keys() >= {
        (him.cases.get(channel=Channel.EMAIL, kind=CaseKind.ENQUIRY).pk, EventKind.TARGET_MET, "first_response"),
    }
    assert any(kind == EventKind.TARGET_BREACHED for _, kind, _ in before["targets met and breached"])
    assert len(before["complaints register"]) == 1
    assert before["survey figures"].answered == 1

    api = client_for(officer)
    request_id = _request(api, him, "erasure")
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(f"/privacy/requests/{request_id}/fulfil", {})
    assert done.status_code == 200, done.content

    assert _traces_left() == []
    assert _figures(manager) == before
    # The trail still says who did what, and still verifies; what others said stays.
    assert audit.verify_chain().intact
    assert AuditEntry.objects.filter(action="restricted_case_opened", actor=agent).exists()
    norah = Customer.objects.get(name="Neighbour Norah")
    about_norah = AuditEntry.objects.filter(object_type="customer", object_id=str(norah.pk)).exclude(personal_digest="")
    assert [(entry.action, entry.personal_details) for entry in about_norah] == [
        ("processing_restricted", {}),
        ("restriction_lifted", {"reason": "Norah was told by letter."}),
    ]
    erased = AuditEntry.objects.get(action="customer_erased", object_id=str(him.pk))
    assert erased.data["audit_details_blanked"] >= 5
    older = Customer.objects.get(merged_into=him)
    assert (older.name, older.erased_at is not None) == (f"Erased customer {older.pk}", True)
    moved = CaseEvent.objects.get(kind=EventKind.CUSTOMER_CHANGED)
    assert moved.data == {
        "before": {"id": older.pk, "name": f"Erased customer {older.pk}"},
        "after": {"id": him.pk, "name": f"Erased customer {him.pk}"},
        "reason": "merged",
    }
