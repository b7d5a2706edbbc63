from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from patron.accounts.models import Agent, Team
from patron.cases import services
from patron.cases.models import Case, CaseEvent, Channel, Direction, EventKind, Message, Priority, Status
from patron.cases.services import CaseChanges
from patron.customers.models import CustomerKind
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for
from tests.web.reading import page, visible_text

HTMX = {"HX-Request": "true", "HX-Target": "case-workspace"}


def _properties(case: Case, **changes: object) -> dict[str, object]:
    """The properties form as the case page fills it in, with some values changed."""
    case.refresh_from_db()
    data: dict[str, object] = {
        "version": case.version,
        "status": case.status,
        "priority": case.priority,
        "kind": case.kind,
        "team": case.team_id or "",
        "assignee": case.assignee_id or "",
        "category": case.category,
        "tags": ", ".join(case.tags.values_list("name", flat=True)),
    }
    data.update(changes)
    return {f"case-{name}": value for name, value in data.items()}


def _snapshot(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (case.status, case.priority, case.assignee_id, case.version, case.events.count(), case.messages.count())


# --- reading the case ---------------------------------------------------------------------------


def test_case_page_shows_header_timeline_customer_and_other_cases(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    customer = factories.customer("Gwen Roberts", kind=CustomerKind.INTERNAL, job_title="Finance officer")
    case = factories.case(customer_=customer, team_=team_a, subject="Invoice shows wrong VAT", tags=["vat"])
    other = factories.case(customer_=customer, team_=team_a, subject="Expenses form")
    services.reply(case=case, by=agent_a, body="We are checking the invoice.", status=Status.AWAITING_THIRD_PARTY)

    response = client_a.get(case.get_absolute_url())

    text = visible_text(response)
    assert response.status_code == 200
    assert page(response).count("<h1") == 1
    assert "<h1>Invoice shows wrong VAT</h1>" in page(response)
    assert f"Case {case.reference} · Enquiry · received by email" in text
    assert "Status Awaiting third party Priority Normal Team Customer Care Assigned to Nobody" in text
    assert "Tags vat" in text
    assert "Case opened: message from the customer Gwen Roberts" in text
    assert "Reply to the customer Agent" in text
    assert "We are checking the invoice." in text
    assert "changed the status from new to awaiting third party." in text
    assert "Internal colleague" in text
    assert "Finance officer" in text
    assert f"Expenses form {other.reference}" in text


def test_case_page_shows_reasonable_adjustments_prominently_before_the_timeline(client_a: Client, team_a: Team) -> None:
    customer = factories.customer(
        "Priya Shah", adjustments=["large_print", "call_back"], adjustments_note="Call after 10am."
    )
    case = factories.case(customer_=customer, team_=team_a)

    html = page(client_a.get(case.get_absolute_url()))

    banner = html.index('<section class="adjustments"')
    assert banner < html.index('id="timeline-title"')
    assert "Reasonable adjustments for Priya Shah" in html[banner:]
    assert "<li>Large print</li>" in html[banner:]
    assert "<li>Call-back preferred</li>" in html[banner:]
    assert "Call after 10am." in html[banner:]


def test_internal_notes_are_labelled_and_styled_apart_from_replies(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)
    services.add_note(case=case, by=agent_a, body="Customer sounded upset.")

    html = page(client_a.get(case.get_absolute_url()))

    note = html[html.index('<li class="entry entry--note">') :]
    assert "Internal note</h3>" in note[: note.index("</li>")]
    assert "Customer sounded upset." in note[: note.index("</li>")]


def test_case_of_another_team_is_not_found_and_not_listed(client_b: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a, subject="Private parcel question")

    response = client_b.get(case.get_absolute_url())

    assert response.status_code == 404
    assert "Private parcel question" not in page(response)
    assert case.reference not in page(client_b.get("/"))
    assert case.reference not in page(client_b.get("/search", {"q": "parcel"}))
    assert client_b.post(f"/cases/{case.reference}/reply", {"reply-body": "Hi"}).status_code == 404
    assert case.messages.count() == 1


@pytest.mark.parametrize("reference", ["C-999999", "nonsense", "C-" + "9" * 30, "0"])
def test_unknown_case_reference_is_not_found(client_a: Client, reference: str) -> None:
    assert client_a.get(f"/cases/{reference}").status_code == 404


def test_case_reference_without_prefix_redirects_to_the_canonical_address(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    response = client_a.get(f"/cases/{case.pk}")
    assert (response.status_code, response["Location"]) == (302, case.get_absolute_url())


# --- replying and noting ------------------------------------------------------------------------


def test_reply_through_the_form_sends_it_and_sets_the_status_after(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(
        f"/cases/{case.reference}/reply", {"reply-body": "Your refund is on its way.", "reply-status": "resolved"}
    )

    assert (response.status_code, response["Location"]) == (302, case.get_absolute_url())
    reply = case.messages.get(direction=Direction.OUTBOUND)
    assert (reply.body_text, reply.author_agent) == ("Your refund is on its way.", agent_a)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.OPENED,
        EventKind.REPLIED,
        EventKind.STATUS_CHANGED,
    ]
    assert "Your reply was sent." in page(client_a.get(case.get_absolute_url()))


def test_reply_with_htmx_returns_the_fresh_workspace(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(f"/cases/{case.reference}/reply", {"reply-body": "On it."}, headers=HTMX)

    html = page(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="case-workspace"')
    assert "On it." in html
    assert "Your reply was sent." in html
    assert 'name="case-version" value="2"' in html  # the reply opened the case: version moved on
    assert 'name="reply-body" cols="40" rows="6" maxlength="200000" required aria-invalid' not in html


def test_empty_reply_is_a_form_error_and_changes_nothing(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    before = _snapshot(case)

    response = client_a.post(f"/cases/{case.reference}/reply", {"reply-body": "   "})

    html = page(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Write your reply before you send it." in html
    assert 'aria-describedby="id_reply-body_error"' in html
    assert 'id="id_reply-body_error"' in html
    assert _snapshot(case) == before


def test_reply_with_a_status_the_case_cannot_move_to_is_refused(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)
    before = _snapshot(case)

    response = client_a.post(f"/cases/{case.reference}/reply", {"reply-body": "Hello", "reply-status": "closed"})

    assert response.status_code == 400
    assert "A case cannot go from new to closed." in page(response)
    assert _snapshot(case) == before


def test_note_through_the_form_is_internal(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(f"/cases/{case.reference}/note", {"note-body": "Checked with the warehouse."})

    assert response.status_code == 302
    note = case.messages.get(direction=Direction.NOTE)
    assert (note.body_text, note.author_agent, note.channel) == ("Checked with the warehouse.", agent_a, "internal")
    assert case.events.filter(kind=EventKind.NOTE_ADDED, actor=agent_a).count() == 1


# --- changing the case --------------------------------------------------------------------------


def test_properties_form_changes_the_case_and_records_each_change(
    client_lead: Client, lead_a: Agent, agent_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)

    response = client_lead.post(
        f"/cases/{case.reference}/properties",
        _properties(case, status="open", priority=4, assignee=agent_a.pk, category="Billing", tags="Refund, vat"),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee, case.category, case.version) == (
        Status.OPEN,
        Priority.URGENT,
        agent_a,
        "Billing",
        2,
    )
    assert sorted(case.tags.values_list("name", flat=True)) == ["refund", "vat"]
    kinds = set(case.events.filter(actor=lead_a).values_list("kind", flat=True))
    assert kinds == {
        EventKind.STATUS_CHANGED,
        EventKind.PRIORITY_CHANGED,
        EventKind.ASSIGNED,
        EventKind.CATEGORY_CHANGED,
        EventKind.TAGS_CHANGED,
    }
    text = visible_text(client_lead.get(case.get_absolute_url()))
    assert "Agent" in text
    assert "changed the priority from normal to urgent." in text
    assert "added the tags refund, vat." in text


def test_stale_version_shows_the_conflict_and_changes_nothing(
    client_a: Client, agent_a: Agent, lead_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)
    stale_form = _properties(case, priority=Priority.LOW)
    services.update_case(case=case, by=lead_a, expected_version=1, changes=CaseChanges(priority=Priority.HIGH))
    before = _snapshot(case)

    response = client_a.post(f"/cases/{case.reference}/properties", stale_form)

    html = page(response)
    assert response.status_code == 409
    assert "Someone else changed this case while you had it open, so your change was not saved." in html
    assert "The form now shows the current values: check them, then make your change again." in html
    assert '<option value="3" selected>High</option>' in html
    assert 'name="case-version" value="2"' in html
    assert _snapshot(case) == before
    case.refresh_from_db()
    assert case.priority == Priority.HIGH


def test_agent_cannot_assign_a_case_to_a_colleague_through_the_form(
    client_a: Client, lead_a: Agent, team_a: Team
) -> None:
    case = factories.case(team_=team_a)
    before = _snapshot(case)

    response = client_a.post(f"/cases/{case.reference}/properties", _properties(case, assignee=lead_a.pk))

    assert response.status_code == 403
    assert "Only a team lead or manager can assign a case to someone else." in page(response)
    assert _snapshot(case) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"priority": "9"}, "“9” is not a priority. Choose one from the list."),
        ({"status": "archived"}, "“archived” is not a status. Choose one from the list."),
        ({"status": "closed"}, "A case cannot go from new to closed."),
        ({"version": "abc"}, "Enter a whole number."),
        ({"assignee": "99999"}, "“99999” is not an agent who can sign in. Choose one from the list."),
        ({"tags": ", ".join(f"t{n}" for n in range(21))}, "A case can have at most 20 tags."),
    ],
)
def test_invalid_properties_are_form_errors_and_change_nothing(
    client_a: Client, team_a: Team, changes: dict[str, str], message: str
) -> None:
    case = factories.case(team_=team_a)
    before = _snapshot(case)

    response = client_a.post(f"/cases/{case.reference}/properties", _properties(case, **changes))

    assert response.status_code == 400
    assert message in page(response)
    assert _snapshot(case) == before


def test_assign_to_me_takes_the_case(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(f"/cases/{case.reference}/take", {"take-version": "1"}, headers=HTMX)

    assert response.status_code == 200
    assert "The case is now assigned to you." in page(response)
    case.refresh_from_db()
    assert case.assignee == agent_a
    event = case.events.get(kind=EventKind.ASSIGNED)
    assert event.data == {"before": None, "after": {"id": agent_a.pk, "name": agent_a.display_name}}
    assert f"{agent_a.display_name} took the case." in visible_text(response)


def test_resolving_through_the_properties_form_with_htmx_updates_the_header(client_a: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(f"/cases/{case.reference}/properties", _properties(case, status="resolved"), headers=HTMX)

    assert response.status_code == 200
    assert '<span class="badge badge--resolved">Resolved</span>' in page(response)
    case.refresh_from_db()
    assert (case.status, case.resolved_at is not None) == (Status.RESOLVED, True)


# --- logging a call on the case -----------------------------------------------------------------


def test_log_call_on_the_case_reads_the_time_as_uk_time(client_a: Client, agent_a: Agent, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_a.post(
        f"/cases/{case.reference}/log",
        {
            "call-channel": "phone",
            "call-direction": "outbound",
            "call-occurred_at": "2025-07-01T09:30",
            "call-summary": "Rang to say the engineer comes on Friday.",
        },
    )

    assert response.status_code == 302
    message = case.messages.get(channel=Channel.PHONE)
    assert message.created_at == datetime(2025, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 British Summer Time
    assert (message.direction, message.author_agent) == (Direction.OUTBOUND, agent_a)
    event = case.events.get(kind=EventKind.CONTACT_LOGGED)
    assert (event.actor, event.data) == (agent_a, {"channel": "phone", "outbound": True})
    html = page(client_a.get(case.get_absolute_url()))
    assert '<time datetime="2025-07-01T09:30:00+01:00">1 Jul 2025, 09:30</time>' in html
    assert "Phone call to the customer" in html


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("tomorrow", "The time a contact was received cannot be in the future."),
        ("2025-03-30T01:30", "couldn’t be interpreted in time zone Europe/London"),
        ("not a date", "Enter the day and time as a date and a time"),
    ],
)
def test_log_call_with_an_impossible_time_is_refused(client_a: Client, team_a: Team, when: str, message: str) -> None:
    case = factories.case(team_=team_a)
    if when == "tomorrow":
        when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    before = _snapshot(case)

    response = client_a.post(
        f"/cases/{case.reference}/log",
        {"call-channel": "phone", "call-direction": "inbound", "call-occurred_at": when, "call-summary": "Hello"},
    )

    assert response.status_code == 400
    assert message in page(response)
    assert "<details open>" in page(response)
    assert _snapshot(case) == before


# --- query counts -------------------------------------------------------------------------------


def _case_with_messages(team: Team, agent: Agent, count: int) -> Case:
    case = factories.case(team_=team, tags=["one", "two"])
    for number in range(count - 1):
        if number % 3 == 0:
            services.add_note(case=case, by=agent, body=f"Note {number}")
        elif number % 3 == 1:
            services.reply(case=case, by=agent, body=f"Reply {number}")
        else:
            services.receive_message(case=case, customer=None, body=f"Customer {number}", channel=Channel.EMAIL)
    return case


def test_case_page_query_count_does_not_grow_with_the_number_of_messages(
    client_a: Client, agent_a: Agent, team_a: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    small = _case_with_messages(team_a, agent_a, 3)
    large = _case_with_messages(team_a, agent_a, 30)
    for sibling in range(5):
        factories.case(customer_=large.customer, team_=team_a, subject=f"Sibling {sibling}")
    client_a.get("/")  # warm the session

    # PostgreSQL takes the audit chain's lock first.
    expected = CASE_PAGE_QUERIES + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(expected):
        client_a.get(small.get_absolute_url())
    with django_assert_num_queries(expected):
        response = client_a.get(large.get_absolute_url())

    assert Message.objects.filter(case=large).count() == 30
    assert page(response).count('<li class="entry entry--') == CaseEvent.objects.filter(case=large).count()


def test_case_page_after_an_htmx_reply_needs_no_more_queries_per_message(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    counts = []
    for size in (3, 30):
        case = _case_with_messages(team_a, agent_a, size)
        with CaptureQueriesContext(connection) as queries:
            client_a.post(f"/cases/{case.reference}/note", {"note-body": "One more"}, headers=HTMX)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Session, agent, the agent's teams, case (+ its tags and the customer's contact points), teams
# and agents for the properties form, timeline (+ attachments), service levels, the emails the
# messages came in and went out as, other cases of the customer, marking the agent's alerts
# about the case as read, and the audit entry for the view (the last entry, the entry, the head).
CASE_PAGE_QUERIES = 18


def test_moving_a_case_to_a_team_the_agent_is_not_in_sends_them_to_the_inbox(
    client_a: Client, team_a: Team, team_b: Team
) -> None:
    case = factories.case(team_=team_a)

    plain = client_a.post(f"/cases/{case.reference}/properties", _properties(case, team=team_b.pk), follow=True)

    assert plain.redirect_chain == [("/", 302)]
    assert "The case was updated. It is now with a team you do not work in." in page(plain)
    case.refresh_from_db()
    assert case.team == team_b


def test_htmx_change_that_moves_the_case_away_redirects_the_browser(
    client_a: Client, team_a: Team, team_b: Team
) -> None:
    case = factories.case(team_=team_a)
    response = client_a.post(f"/cases/{case.reference}/properties", _properties(case, team=team_b.pk), headers=HTMX)
    assert (response.status_code, response["HX-Redirect"]) == (200, "/")


def test_htmx_post_to_a_case_the_agent_cannot_see_replaces_the_whole_page(client_b: Client, team_a: Team) -> None:
    case = factories.case(team_=team_a)

    response = client_b.post(f"/cases/{case.reference}/note", {"note-body": "Hi"}, headers=HTMX)

    assert response.status_code == 404
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("body", "innerHTML")
    assert "<h1>Not found</h1>" in page(response)
    assert case.messages.count() == 1


def test_reply_shows_how_its_email_went_and_a_failed_one_can_be_sent_again(
    client_a: Client, agent_a: Agent, team_a: Team
) -> None:
    from patron.channels.models import OutboundEmail, OutboundStatus

    case = factories.case(team_=team_a, channel=Channel.EMAIL)
    services.reply(case=case, by=agent_a, body="A refund is on its way.")
    sent = OutboundEmail.objects.get()
    page = client_a.get(f"/cases/{case.reference}").content.decode()
    assert "Waiting to be sent" in page
    assert "Try sending again" not in page

    OutboundEmail.objects.filter(pk=sent.pk).update(
        status=OutboundStatus.FAILED, last_error="The mail server answered 550: 5.1.1 No such user"
    )
    page = client_a.get(f"/cases/{case.reference}").content.decode()
    assert "Could not be sent: The mail server answered 550: 5.1.1 No such user" in page
    response = client_a.post(f"/cases/{case.reference}/emails/{sent.pk}/retry", follow=True)
    assert "The email will be sent again." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == OutboundStatus.QUEUED
    again = client_a.post(f"/cases/{case.reference}/emails/{sent.pk}/retry", follow=True)
    assert "Only an email that could not be sent can be tried again." in again.content.decode()
    assert client_a.post(f"/cases/{case.reference}/emails/999999/retry").status_code == 404


def test_reply_box_reminds_the_agent_of_the_customers_adjustments(client_a: Client, team_a: Team) -> None:
    customer = factories.customer("Priya Shah", adjustments=["large_print", "call_back"])
    case = factories.case(customer_=customer, team_=team_a)
    text = visible_text(client_a.get(f"/cases/{case.reference}"))
    assert (
        "Remember: Priya Shah asked for call-back preferred, large print. The email goes out in large print. "
        "Call them back and log the call; reply in writing only when that is right this time."
    ) in text


def test_a_written_reply_to_someone_who_asked_to_be_called_back_is_confirmed(client_a: Client, team_a: Team) -> None:
    customer = factories.customer("Priya Shah", adjustments=["call_back"])
    case = factories.case(customer_=customer, team_=team_a)
    url = f"/cases/{case.reference}/reply"
    held = client_a.post(url, {"reply-body": "Your refund is on its way."})
    assert held.status_code == 400
    assert (
        "Priya Shah asked to be called back. Call them and log the call, or confirm that a written reply is right "
        "this time. Tick the box to send it."
    ) in visible_text(held)
    assert case.messages.count() == 1
    sent = client_a.post(url, {"reply-body": "Your refund is on its way.", "reply-write_anyway": "on"})
    assert sent.status_code == 302
    assert case.messages.last().body_text == "Your refund is on its way."


def test_a_reply_with_someone_elses_personal_data_asks_the_agent_to_confirm(client_a: Client, team_a: Team) -> None:
    customer = factories.customer("Ann Smith", email="ann@example.com")
    case = factories.case(customer_=customer, team_=team_a)
    url = f"/cases/{case.reference}/reply"
    own = client_a.post(url, {"reply-body": "We will write to ann@example.com."})
    assert own.status_code == 302  # the customer's own address needs no check
    body = "Bob's address is bob@example.org and his card 4111 1111 1111 1111."
    held = client_a.post(url, {"reply-body": body})
    assert held.status_code == 400
    text = visible_text(held)
    assert (
        "Your reply contains email address (bob@example.org), card number (4111 1111 1111 1111). "
        "Check it is right to send this to Ann Smith, then tick the box."
    ) in text
    assert case.messages.count() == 2
    sent = client_a.post(
        url,
        {"reply-body": "Bob's address is bob@example.org and his card 4111 1111 1111 1111.", "reply-send_anyway": "on"},
    )
    assert sent.status_code == 302
    assert case.messages.last().body_text == "Bob's address is bob@example.org and his card [card ending 1111]."


def test_every_look_at_a_case_is_on_the_audit_trail(client_a: Client, team_a: Team, agent_a: Agent) -> None:
    case = factories.case(team_=team_a)
    api_a = client_for(agent_a)
    client_a.get(case.get_absolute_url())
    api_a.get(f"/cases/{case.reference}")
    api_a.get(f"/cases/{case.reference}/messages")
    views = AuditEntry.objects.filter(action="case_viewed", object_type="case", object_id=str(case.pk))
    assert [(entry.actor_id, entry.data["viewed"]) for entry in views.order_by("id")] == [
        (agent_a.pk, "case"),
        (agent_a.pk, "case"),
        (agent_a.pk, "messages"),
    ]
