from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from patron.accounts.models import Agent, Team
from patron.cases.models import Case, CaseEvent, EventKind, Message, Status
from patron.customers.models import ContactPoint, Customer
from tests import factories
from tests.api.conftest import ApiClient


def test_create_case_for_new_customer_by_email(api_a: ApiClient, team_a: Team) -> None:
    response = api_a.post(
        "/cases",
        {
            "subject": "Broken kettle",
            "body": "It stopped working after a week.",
            "customer": {"email": "Jo.Bloggs@Example.com"},
            "kind": "complaint",
            "channel": "web",
            "team": team_a.slug,
            "priority": "high",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["reference"] == case.reference
    assert (body["status"], body["version"], body["kind"], body["priority"]) == ("new", 1, "complaint", "high")
    assert body["team"]["slug"] == team_a.slug
    assert body["customer"]["name"] == "jo.bloggs"
    assert ContactPoint.objects.get().normalised == "jo.bloggs@example.com"


def test_create_case_for_existing_customer_by_phone_in_another_format(api_a: ApiClient) -> None:
    customer = factories.customer("Ruth Evans", phone="+44 7700 900123")
    response = api_a.post(
        "/cases",
        {
            "subject": "Call back please",
            "body": "Called about my bill.",
            "customer": {"phone": "07700900123", "name": "R Evans"},
            "kind": "request",
            "channel": "phone",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == customer.pk
    assert Customer.objects.count() == 1


def test_create_case_keeps_received_at(api_a: ApiClient) -> None:
    when = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    response = api_a.post(
        "/cases",
        {
            "subject": "Logged later",
            "body": "Spoke at the counter.",
            "customer": {"email": "a@example.com"},
            "kind": "enquiry",
            "channel": "face_to_face",
            "received_at": when.isoformat(),
        },
    )
    assert response.status_code == 201
    assert Case.objects.get().created_at == when


def test_create_case_refuses_bad_input_with_clear_message(api_a: ApiClient) -> None:
    cases = [
        (
            {"subject": "x", "body": "y", "customer": {}, "kind": "enquiry", "channel": "api"},
            422,
            "email address or phone number",
        ),
        ({"subject": "x", "body": "y", "customer": {"email": "not-an-address"}}, 422, "not a valid email"),
        ({"subject": "x", "body": "y", "customer": {"id": 999999}}, 422, "no customer with id 999999"),
        ({"subject": "x", "body": "  ", "customer": {"email": "a@example.com"}}, 422, "message is empty"),
        ({"subject": "x", "body": "y", "customer": {"email": "a@example.com"}, "kind": "rant"}, 422, "kind"),
        ({"subject": "x", "body": "y", "customer": {"email": "a@example.com"}, "team": "nope"}, 422, "no team “nope”"),
        ({"body": "y", "customer": {"email": "a@example.com"}}, 422, "subject: Field required."),
        (
            {"subject": "x", "body": "y", "customer": {"email": "a@example.com"}, "received_at": "2020-01-01T10:00"},
            422,
            "time zone",
        ),
    ]
    for payload, status, message in cases:
        response = api_a.post("/cases", payload)
        assert response.status_code == status, (payload, response.content)
        assert message in response.json()["detail"], (payload, response.json())
    assert Case.objects.count() == 0


def test_malformed_json_is_a_400_with_detail(api_a: ApiClient) -> None:
    response = api_a.raw("post", "/cases", b'{"subject": ')
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."
    assert Case.objects.count() == 0


def test_nul_bytes_are_cleaned_the_same_on_every_database(api_a: ApiClient) -> None:
    response = api_a.post(
        "/cases", {"subject": "Null\u0000 byte", "body": "Body\u0000 text", "customer": {"email": "nul@example.com"}}
    )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "Null byte"
    assert Case.objects.get().messages.get().body_text == "Body text"


def test_no_token_is_401_and_bad_token_is_401(db: None) -> None:
    anonymous = ApiClient(None)
    assert anonymous.get("/cases").status_code == 401
    assert "Authorization: Bearer" in anonymous.get("/cases").json()["detail"]
    assert ApiClient("ptn_wrong").get("/cases").status_code == 401


def test_list_cases_with_filters_and_cursor(api_a: ApiClient, agent_a: Agent, team_a: Team) -> None:
    cases = [factories.case(team_=team_a, subject=f"Question {n}") for n in range(5)]
    factories.case(team_=team_a, kind="complaint", subject="Complaint about delivery")
    first = api_a.get("/cases", limit=3, kind="enquiry")
    assert first.status_code == 200
    page_one = first.json()
    assert [item["subject"] for item in page_one["items"]] == ["Question 4", "Question 3", "Question 2"]
    second = api_a.get("/cases", limit=3, kind="enquiry", cursor=page_one["next_cursor"]).json()
    assert [item["subject"] for item in second["items"]] == ["Question 1", "Question 0"]
    assert second["next_cursor"] is None
    assert len(cases) == 5


def test_list_cases_refuses_garbage_cursor_and_unknown_status(api_a: ApiClient) -> None:
    response = api_a.get("/cases", cursor="!!garbage!!")
    assert response.status_code == 422
    assert "cursor is not valid" in response.json()["detail"]
    response = api_a.get("/cases", status="sleeping")
    assert response.status_code == 422
    assert "status" in response.json()["detail"]


def test_text_search_finds_subject_and_body(api_a: ApiClient, team_a: Team) -> None:
    factories.case(team_=team_a, subject="Refund for damaged sofa", body="The leg snapped.")
    factories.case(team_=team_a, subject="Delivery time", body="When will my refunds arrive?")
    factories.case(team_=team_a, subject="Password reset", body="Locked out of my account.")
    found = api_a.get("/cases", q="refund").json()["items"]
    assert sorted(item["subject"] for item in found) == ["Delivery time", "Refund for damaged sofa"]
    assert [item["subject"] for item in api_a.get("/cases", q="snapped leg").json()["items"]] == [
        "Refund for damaged sofa"
    ]
    assert api_a.get("/cases", q='"; DROP TABLE --').json()["items"] == []


def test_agent_cannot_see_another_teams_case(api_b: ApiClient, team_a: Team) -> None:
    case = factories.case(team_=team_a, subject="Private to care")
    assert api_b.get(f"/cases/{case.reference}").status_code == 404
    assert api_b.get("/cases").json()["items"] == []
    assert api_b.get("/cases", q="private").json()["items"] == []
    assert api_b.post(f"/cases/{case.reference}/messages", {"type": "note", "body": "x"}).status_code == 404
    assert api_b.patch(f"/cases/{case.reference}", {"version": 1, "priority": "low"}).status_code == 404
    case.refresh_from_db()
    assert case.version == 1


def test_patch_with_stale_version_is_409(api_a: ApiClient, api_lead: ApiClient, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    first = api_a.patch(f"/cases/{case.reference}", {"version": 1, "priority": "urgent", "status": "open"})
    assert first.status_code == 200, first.content
    assert (first.json()["version"], first.json()["priority"], first.json()["status"]) == (2, "urgent", "open")
    second = api_lead.patch(f"/cases/{case.reference}", {"version": 1, "priority": "low"})
    assert second.status_code == 409
    assert "Someone else changed this case" in second.json()["detail"]
    case.refresh_from_db()
    assert (case.priority, case.version) == (4, 2)


def test_patch_assigns_and_clears_assignee(api_lead: ApiClient, agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    response = api_lead.patch(f"/cases/{case.reference}", {"version": 1, "assignee": agent_a.username})
    assert response.json()["assignee"]["username"] == agent_a.username
    response = api_lead.patch(f"/cases/{case.reference}", {"version": 2, "assignee": None})
    assert response.json()["assignee"] is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.ASSIGNED, EventKind.ASSIGNED]


def test_patch_refused_transition_is_422_and_changes_nothing(api_a: ApiClient, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    response = api_a.patch(f"/cases/{case.reference}", {"version": 1, "status": "closed", "priority": "low"})
    assert response.status_code == 422
    assert response.json()["detail"] == "A case cannot go from new to closed."
    case.refresh_from_db()
    assert (case.status, case.priority, case.version) == (Status.NEW, 2, 1)


def test_agent_assigning_someone_else_is_403(api_a: ApiClient, lead_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    response = api_a.patch(f"/cases/{case.reference}", {"version": 1, "assignee": lead_a.username})
    assert response.status_code == 403
    assert "team lead or manager" in response.json()["detail"]


def test_reply_and_note_then_list_messages_and_events(api_a: ApiClient, agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    reply = api_a.post(
        f"/cases/{case.reference}/messages", {"type": "reply", "body": "We are on it.", "status": "awaiting_customer"}
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["direction"] == "outbound"
    assert reply.json()["author"] == {"kind": "agent", "id": agent_a.pk, "name": agent_a.display_name}
    note = api_a.post(f"/cases/{case.reference}/messages", {"type": "note", "body": "Checked the warehouse."})
    assert note.status_code == 201
    bad = api_a.post(f"/cases/{case.reference}/messages", {"type": "shout", "body": "x"})
    assert bad.status_code == 422
    messages = api_a.get(f"/cases/{case.reference}/messages").json()
    assert [m["direction"] for m in messages] == ["inbound", "outbound", "note"]
    events = api_a.get(f"/cases/{case.reference}/events").json()
    assert [e["kind"] for e in events] == ["opened", "replied", "status_changed", "note_added"]
    assert events[2]["data"] == {"before": "new", "after": "awaiting_customer"}
    assert api_a.get(f"/cases/{case.reference}").json()["status"] == "awaiting_customer"


def test_a_written_reply_to_someone_who_asked_for_a_call_back_is_confirmed(api_a: ApiClient, team_a: Team) -> None:
    customer = factories.customer("Priya Shah", adjustments=["call_back"])
    case = factories.case(team_=team_a, customer_=customer)
    path = f"/cases/{case.reference}/messages"
    refused = api_a.post(path, {"type": "reply", "body": "Your refund is on its way."})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "Priya Shah asked to be called back. Call them and log the call, or confirm that a written reply is right "
        "this time. To send it, send it again with confirm_written_reply true."
    )
    assert Message.objects.filter(case=case).count() == 1
    # A note never reaches the customer.
    assert api_a.post(path, {"type": "note", "body": "Rang twice, no answer."}).status_code == 201
    sent = api_a.post(path, {"type": "reply", "body": "Your refund is on its way.", "confirm_written_reply": True})
    assert sent.status_code == 201
    assert Message.objects.filter(case=case).count() == 3


def test_a_reply_carrying_someone_elses_details_is_sent_only_once_confirmed(api_a: ApiClient, team_a: Team) -> None:
    customer = factories.customer("Ann Smith", email="ann@example.com")
    case = factories.case(team_=team_a, customer_=customer)
    path = f"/cases/{case.reference}/messages"
    text = "Your neighbour Bob (bob@elsewhere.example) has the parcel."

    refused = api_a.post(path, {"type": "reply", "body": text})
    assert refused.status_code == 422
    assert "email address (bob@elsewhere.example)" in refused.json()["detail"]
    assert "confirm_personal_data" in refused.json()["fields"]
    assert Message.objects.filter(case=case).count() == 1

    assert api_a.post(path, {"type": "reply", "body": text, "confirm_personal_data": True}).status_code == 201
    # Her own address and a postcode need no confirmation; nor does a note, which never leaves the desk.
    own = api_a.post(path, {"type": "reply", "body": "We wrote to ann@example.com about the parcel to SW1A 1AA."})
    assert own.status_code == 201
    assert api_a.post(path, {"type": "note", "body": "Bob is on 07700 900456."}).status_code == 201
    assert Message.objects.filter(case=case).count() == 4


def test_unknown_reference_is_404_json(api_a: ApiClient) -> None:
    for reference in ("C-999999", "nonsense", "C-" + "9" * 40):
        response = api_a.get(f"/cases/{reference}")
        assert response.status_code == 404
        assert "There is no case" in response.json()["detail"]


def test_token_capped_at_its_role(lead_a: Agent, agent_a: Agent, team_a: Team) -> None:
    from patron.accounts.models import Role
    from patron.accounts.services import create_token

    _, secret = create_token(agent=lead_a, name="capped", role=Role.AGENT)
    capped = ApiClient(secret)
    case = factories.case(team_=team_a)
    response = capped.patch(f"/cases/{case.reference}", {"version": 1, "assignee": agent_a.username})
    assert response.status_code == 403
