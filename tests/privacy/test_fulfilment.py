"""Answering subject requests: the access and portability copies, erasure that keeps the figures
and is refused while records must be kept, restriction that stops everything but storing,
rectification, objection, and refusal with reasons."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from patron.accounts.models import Agent, Role, Team
from patron.cases import services as cases
from patron.cases.files import path_of
from patron.cases.models import Attachment, Case, CaseEvent, CaseKind, EventKind, Message, Status
from patron.channels.models import InboundEmail, OutboundEmail
from patron.channels.services import ingest_email
from patron.customers.models import ContactPoint, Customer
from patron.customers.services import CustomerDetails, update_customer
from patron.errors import Conflict
from patron.privacy.models import AuditEntry, ConsentRecord, LegalHold, SubjectRequest
from tests import factories
from tests.api.conftest import ApiClient, client_for

PHOTO = b"\xff\xd8\xff\xe0 a photo of a broken kettle \xff\xd9"


@pytest.fixture
def officer(db: None) -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def desk(db: None) -> Team:
    return factories.team("Help desk")


@pytest.fixture
def agent(desk: Team) -> Agent:
    return factories.agent(teams=[desk], username="sam")


@pytest.fixture
def api(officer: Agent) -> ApiClient:
    return client_for(officer)


def _email(body: str, *, subject: str = "Broken kettle", message_id: str = "<k1@mail.example.com>") -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Smith <ann@example.com>"
    message["To"] = "help@desk.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body)
    message.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="kettle.jpg")
    return message.as_bytes()


def _ann_with_history(desk: Team, agent: Agent) -> tuple[Customer, Case]:
    """Ann emailed about a kettle (with a photo), mentioning her neighbour's contact details;
    an agent noted, replied, renamed the case and resolved it."""
    factories.mailbox(team_=desk)
    result = ingest_email(
        _email(
            "My kettle broke. Write to me at ann@example.com, or to my neighbour bob@elsewhere.example, "
            "or call him on 07700 900456. Refund card 4111 1111 1111 1111."
        ),
        source="stdin",
    )
    case = Case.objects.get(pk=int(str(result.case_reference).removeprefix("C-")))
    cases.add_note(case=case, by=agent, body="Ann sounded upset; offered a call back.")
    cases.reply(case=case, by=agent, body="Sorry Ann, a new kettle is on its way.")
    case.refresh_from_db()
    case = cases.update_case(
        case=case, by=agent, expected_version=case.version, changes=cases.CaseChanges(subject="Kettle for Ann Smith")
    )
    case = cases.set_status(case=case, by=agent, status=Status.RESOLVED, expected_version=case.version)
    return case.customer, case


def _request(api: ApiClient, customer: Customer, type_: str) -> int:
    made = api.post(
        "/privacy/requests",
        {"customer": customer.pk, "type": type_, "received_on": timezone.localdate().isoformat()},
    )
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


def test_access_copy_holds_everything_and_flags_other_peoples_data(api: ApiClient, desk: Team, agent: Agent) -> None:
    customer, case = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "access")

    done = api.post(f"/privacy/requests/{request_id}/fulfil", {})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "fulfilled"

    bundle = api.get(f"/privacy/requests/{request_id}/bundle").json()
    assert bundle["customer"]["name"] == "Ann Smith"
    assert [point["value"] for point in bundle["contact_points"]] == ["ann@example.com"]
    (only_case,) = bundle["cases"]
    assert only_case["reference"] == case.reference
    assert [message["type"] for message in only_case["messages"]] == ["inbound", "note", "outbound"]
    assert only_case["messages"][0]["attachments"] == [
        {"filename": "kettle.jpg", "type": "image/jpeg", "size": len(PHOTO)}
    ]
    flagged = {(item["kind"], item["text"]) for item in bundle["for_review"]}
    # Her own address needs no review; the neighbour's details and the note do. The card
    # number was masked before it was stored, so there is nothing of it left to release.
    assert flagged == {("email", "bob@elsewhere.example"), ("phone", "07700 900456"), ("internal_note", "")}
    assert "[card ending 1111]" in only_case["messages"][0]["text"]
    assert done.json()["for_review"] == 3
    assert "ico.org.uk" in bundle["information"]["your_rights"]
    assert {rule["data"] for rule in bundle["information"]["retention"]} >= {"Closed complaints"}


def test_access_copy_downloads_as_readable_html_and_csv_and_each_download_is_audited(
    api: ApiClient, desk: Team, agent: Agent
) -> None:
    customer, case = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "access")
    api.post(f"/privacy/requests/{request_id}/fulfil", {})

    html = api.get(f"/privacy/requests/{request_id}/bundle", format="html")
    assert html["Content-Type"].startswith("text/html")
    page = html.content.decode()
    assert "For review before release (3)" in page
    assert "Sorry Ann, a new kettle is on its way." in page
    assert "Internal note by" in page

    table = api.get(f"/privacy/requests/{request_id}/bundle", format="csv").content.decode()
    assert table.splitlines()[0] == "case,subject,channel,sent_at,text"
    assert table.count(case.reference) == 3

    assert api.get(f"/privacy/requests/{request_id}/bundle", format="docx").status_code == 422
    assert api.get(f"/privacy/requests/{request_id}/bundle", release="perhaps").status_code == 422
    downloads = AuditEntry.objects.filter(action="bundle_downloaded", object_id=str(customer.pk))
    assert sorted(entry.data["format"] for entry in downloads) == ["csv", "html"]


def test_the_release_copy_withholds_other_peoples_data_and_keeps_the_customers_own(
    api: ApiClient, desk: Team, agent: Agent
) -> None:
    customer, _ = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "access")
    api.post(f"/privacy/requests/{request_id}/fulfil", {})

    released = api.get(f"/privacy/requests/{request_id}/bundle", release="true").json()
    assert "for_review" not in released
    assert released["about"]["withheld"] == 2
    said = released["cases"][0]["messages"][0]["text"]
    assert "bob@elsewhere.example" not in said
    assert "07700 900456" not in said
    assert "[withheld: email address, possibly another person's]" in said
    assert "[withheld: phone number, possibly another person's]" in said
    assert "ann@example.com" in said
    # The internal note is hers too: it stays, marked as a note.
    assert [message["type"] for message in released["cases"][0]["messages"]] == ["inbound", "note", "outbound"]
    # The review copy is unchanged.
    review = api.get(f"/privacy/requests/{request_id}/bundle").json()
    assert "bob@elsewhere.example" in review["cases"][0]["messages"][0]["text"]


def test_the_pdf_is_the_release_copy(api: ApiClient, desk: Team, agent: Agent) -> None:
    customer, case = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "access")
    api.post(f"/privacy/requests/{request_id}/fulfil", {})

    response = api.get(f"/privacy/requests/{request_id}/bundle", format="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="request-{request_id}-release.pdf"' in response["Content-Disposition"]
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Your personal data" in text
    assert "Ann Smith" in text
    assert case.reference in text
    assert "Sorry Ann, a new kettle is on its way." in text
    assert "bob@elsewhere.example" not in text
    assert "2 item(s) that may be other people's personal data have been withheld" in text
    assert "ico.org.uk" in text
    entry = AuditEntry.objects.get(action="bundle_downloaded", object_id=str(customer.pk))
    assert (entry.data["format"], entry.data["release"]) == ("pdf", True)


def test_a_copy_is_built_before_it_can_be_downloaded(api: ApiClient, desk: Team) -> None:
    request_id = _request(api, factories.customer("Ann Smith"), "access")
    response = api.get(f"/privacy/requests/{request_id}/bundle")
    assert response.status_code == 404
    assert "fulfil it first" in response.json()["detail"]


def test_portability_copy_is_only_what_the_customer_gave(api: ApiClient, desk: Team, agent: Agent) -> None:
    customer, case = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "portability")
    api.post(f"/privacy/requests/{request_id}/fulfil", {})

    bundle = api.get(f"/privacy/requests/{request_id}/bundle").json()
    assert "cases" not in bundle
    assert "for_review" not in bundle
    (sent,) = bundle["messages"]
    assert sent["case"] == case.reference
    assert sent["text"].startswith("My kettle broke.")
    table = api.get(f"/privacy/requests/{request_id}/bundle", format="csv").content.decode().splitlines()
    assert len(table) == 2


def test_agents_cannot_fulfil_or_download(api: ApiClient, agent: Agent, desk: Team) -> None:
    customer, _ = _ann_with_history(desk, agent)
    request_id = _request(api, customer, "access")
    as_agent = client_for(agent)
    assert as_agent.post(f"/privacy/requests/{request_id}/fulfil", {}).status_code == 403
    assert as_agent.get(f"/privacy/requests/{request_id}/bundle").status_code == 403
    assert SubjectRequest.objects.get(pk=request_id).status == "open"


def _figures() -> list[tuple[object, ...]]:
    return list(
        Case.objects.order_by("pk").values_list(
            "kind", "channel", "status", "team_id", "created_at", "first_response_at", "resolved_at"
        )
    )


def test_erasure_anonymises_everywhere_and_keeps_the_figures(
    api: ApiClient, desk: Team, agent: Agent, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    customer, case = _ann_with_history(desk, agent)
    photo = Attachment.objects.get(message__case=case).sha256
    assert path_of(photo).exists()
    figures = _figures()
    events = CaseEvent.objects.filter(case=case).count()
    request_id = _request(api, customer, "erasure")

    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(f"/privacy/requests/{request_id}/fulfil", {})
    assert done.status_code == 200, done.content
    assert "1 cases" in done.json()["outcome"]

    customer.refresh_from_db()
    assert customer.name == f"Erased customer {customer.pk}"
    assert customer.erased_at is not None
    assert not ContactPoint.objects.filter(customer=customer).exists()
    assert set(Message.objects.filter(case=case).values_list("body_text", flat=True)) == {"[erased]"}
    assert Case.objects.get(pk=case.pk).subject == "[erased]"
    assert not Attachment.objects.filter(message__case=case).exists()
    assert not path_of(photo).exists()
    inbound = InboundEmail.objects.get(case=case)
    assert (bytes(inbound.raw), inbound.sender, inbound.raw_removed_at is not None) == (b"", "", True)
    # The acknowledgement and the reply.
    sent = OutboundEmail.objects.filter(case=case)
    assert sent.count() == 2
    assert set(sent.values_list("to_address", "subject", "body_text")) == {("", "[erased]", "[erased]")}
    renamed = CaseEvent.objects.get(case=case, kind=EventKind.SUBJECT_CHANGED)
    assert renamed.data == {"before": "[erased]", "after": "[erased]"}

    # The figures are made of what stays: the same cases, dates and events, plus the erasure.
    assert _figures() == figures
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert client_for(agent).get("/cases", q="kettle").json()["items"] == []
    assert AuditEntry.objects.filter(action="customer_erased", object_id=str(customer.pk)).exists()


def test_erasure_is_refused_with_reasons_while_records_must_be_kept(api: ApiClient, officer: Agent, desk: Team) -> None:
    customer = factories.customer("Ann Smith")
    complaint = factories.case(customer_=customer, team_=desk, kind=CaseKind.COMPLAINT, subject="Rude staff")
    request_id = _request(api, customer, "erasure")

    refused = api.post(f"/privacy/requests/{request_id}/fulfil", {})
    assert refused.status_code == 409
    assert f"{complaint.reference} is an open complaint" in refused.json()["detail"]
    assert Customer.objects.get(pk=customer.pk).name == "Ann Smith"
    assert SubjectRequest.objects.get(pk=request_id).status == "open"

    # Resolved a month ago: still inside six years kept for legal claims.
    month_ago = timezone.now() - timedelta(days=30)
    Case.objects.filter(pk=complaint.pk).update(status=Status.RESOLVED, resolved_at=month_ago)
    check = api.get(f"/privacy/customers/{customer.pk}/erasure-check").json()
    assert check["may_erase"] is False
    assert "kept until" in check["reasons"][0]
    assert "legal claims" in check["reasons"][0]

    # Seven years ago it is past its period; a legal hold still keeps it, until lifted.
    Case.objects.filter(pk=complaint.pk).update(resolved_at=timezone.now() - timedelta(days=7 * 366))
    hold = api.post(f"/privacy/customers/{customer.pk}/legal-holds", {"reason": "County court claim 7QZ12345"})
    assert hold.status_code == 201
    assert (
        api.post(f"/privacy/requests/{request_id}/fulfil", {})
        .json()["detail"]
        .endswith("A legal hold applies: County court claim 7QZ12345")
    )
    assert api.post(f"/privacy/legal-holds/{hold.json()['id']}/lift", {}).status_code == 200
    assert api.get(f"/privacy/customers/{customer.pk}/erasure-check").json() == {"may_erase": True, "reasons": []}
    assert api.post(f"/privacy/requests/{request_id}/fulfil", {}).json()["status"] == "fulfilled"
    assert LegalHold.objects.get().lifted_at is not None


def test_a_request_can_be_refused_with_the_reason_once(api: ApiClient) -> None:
    request_id = _request(api, factories.customer("Ann Smith"), "erasure")
    assert api.post(f"/privacy/requests/{request_id}/refuse", {"reason": "  "}).status_code == 422
    refused = api.post(f"/privacy/requests/{request_id}/refuse", {"reason": "Needed for an open insurance claim."})
    assert (refused.json()["status"], refused.json()["outcome"]) == ("refused", "Needed for an open insurance claim.")
    assert api.post(f"/privacy/requests/{request_id}/fulfil", {}).status_code == 409


def test_restriction_stores_what_arrives_but_stops_replies_and_edits_until_lifted(
    api: ApiClient, desk: Team, agent: Agent
) -> None:
    customer = factories.customer("Ann Smith")
    case = factories.case(customer_=customer, team_=desk)
    request_id = _request(api, customer, "restriction")
    assert api.post(f"/privacy/requests/{request_id}/fulfil", {}).json()["status"] == "fulfilled"

    with pytest.raises(Conflict, match="restricted the processing"):
        cases.reply(case=case, by=agent, body="Hello Ann")
    with pytest.raises(Conflict, match="restricted the processing"):
        cases.log_contact(by=agent, channel="phone", customer=customer, summary="Called Ann", case=case, outbound=True)
    with pytest.raises(Conflict, match="lifts the restriction"):
        update_customer(customer=customer, details=CustomerDetails(name="Ann Jones"), by=agent)
    arrived = cases.receive_message(case=case, customer=customer, body="Any news?", channel="email")
    assert Message.objects.filter(pk=arrived.pk).exists()

    assert api.post(f"/privacy/customers/{customer.pk}/restriction/lift", {"reason": ""}).status_code == 422
    lifted = api.post(
        f"/privacy/customers/{customer.pk}/restriction/lift", {"reason": "Accuracy checked; Ann told on 24 Nov."}
    )
    assert lifted.json()["processing_restricted_since"] is None
    assert cases.reply(case=case, by=agent, body="Hello Ann").body_text == "Hello Ann"


def test_rectification_records_what_was_corrected(api: ApiClient) -> None:
    request_id = _request(api, factories.customer("Ann Smith"), "rectification")
    assert api.post(f"/privacy/requests/{request_id}/fulfil", {}).status_code == 422
    done = api.post(f"/privacy/requests/{request_id}/fulfil", {"outcome": "Surname corrected from Smyth to Smith."})
    assert done.json()["outcome"] == "Surname corrected from Smyth to Smith."


def test_an_objection_stops_marketing_surveys_and_research(api: ApiClient, officer: Agent) -> None:
    customer = factories.customer("Ann Smith")
    for purpose in ("marketing", "surveys", "recordings"):
        api.post(
            f"/customers/{customer.pk}/consents", {"purpose": purpose, "basis": "consent", "detail": "Ticked the box."}
        )
    request_id = _request(api, customer, "objection")
    assert "2 uses" in api.post(f"/privacy/requests/{request_id}/fulfil", {}).json()["outcome"]
    active = ConsentRecord.objects.filter(customer=customer, withdrawn_at__isnull=True)
    assert list(active.values_list("purpose", flat=True)) == ["recordings"]
