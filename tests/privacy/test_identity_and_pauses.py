"""Identity checks, fees and "stop the clock" on subject requests, through the API: what is
recorded, how the due date moves, and what is refused (with nothing changed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from patron.accounts.models import Agent, Role
from patron.privacy.models import AuditEntry, ClockPause, SubjectRequest
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Agent:
    return factories.agent(role=Role.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def api(officer: Agent) -> ApiClient:
    return client_for(officer)


def _record(api: ApiClient, received_on: date, type_: str = "access") -> dict[str, object]:
    customer = factories.customer("Ann Smith")
    made = api.post(
        "/privacy/requests", {"customer": customer.pk, "type": type_, "received_on": received_on.isoformat()}
    )
    assert made.status_code == 201, made.content
    body: dict[str, object] = made.json()
    return body


def test_a_new_request_runs_from_receipt_and_says_how_it_was_counted(api: ApiClient) -> None:
    body = _record(api, date(2026, 1, 31))
    assert (body["clock"], body["clock_started_on"], body["due_on"]) == ("running", "2026-01-31", "2026-03-02")
    assert body["due_rule"] == (
        "One calendar month from 31 Jan 2026 (receipt of the request) is 28 Feb 2026, the last day of February, "
        "which has no 31st; that is a Saturday, so the next working day, 2 Mar 2026."
    )
    assert body["pauses"] == []


def test_identity_asked_for_stops_the_clock_until_the_evidence_arrives(api: ApiClient, officer: Agent) -> None:
    made = _record(api, date(2025, 12, 30))
    asked = api.post(
        f"/privacy/requests/{made['id']}/identity/request",
        {"requested_on": "2025-12-31", "what": "A copy of a utility bill at the address on the account"},
    )
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert (body["clock"], body["due_on"], body["days_left"]) == ("not_started", None, None)
    assert body["identity_asked_for"] == "A copy of a utility bill at the address on the account"

    verified = api.post(
        f"/privacy/requests/{made['id']}/identity", {"received_on": "2026-01-31", "method": "Utility bill checked"}
    )
    assert verified.status_code == 200, verified.content
    body = verified.json()
    assert (body["clock"], body["clock_started_on"], body["due_on"]) == ("running", "2026-01-31", "2026-03-02")
    assert (body["identity_verified_by"], body["identity_method"]) == (officer.pk, "Utility bill checked")
    assert body["identity_verified_at"] is not None
    assert "receipt of the identity evidence asked for" in body["due_rule"]
    actions = list(AuditEntry.objects.filter(action__startswith="subject_request_").values_list("action", flat=True))
    assert actions == [
        "subject_request_recorded",
        "subject_request_identity_requested",
        "subject_request_identity_verified",
    ]

    again = api.post(f"/privacy/requests/{made['id']}/identity", {"received_on": "2026-02-01", "method": "Again"})
    assert (again.status_code, again.json()["detail"]) == (409, "Their identity is already verified.")


def test_identity_verified_without_asking_leaves_the_clock_where_it_was(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    verified = api.post(
        f"/privacy/requests/{made['id']}/identity",
        {"received_on": "2026-02-10", "method": "Security questions on the account answered"},
    ).json()
    assert (verified["clock_started_on"], verified["due_on"]) == ("2026-01-31", "2026-03-02")


def test_clarification_pauses_the_clock_and_the_reply_moves_the_due_date(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    path = f"/privacy/requests/{made['id']}/clarification"
    paused = api.post(f"{path}/request", {"asked_on": "2026-02-26", "what": "Which accounts do you mean?"})
    assert paused.status_code == 200, paused.content
    body = paused.json()
    assert (body["clock"], body["due_on"]) == ("paused", None)
    assert body["pauses"] == [{"asked_on": "2026-02-26", "what": "Which accounts do you mean?", "answered_on": None}]
    twice = api.post(f"{path}/request", {"asked_on": "2026-02-27", "what": "And?"})
    assert (twice.status_code, twice.json()["detail"]) == (
        409,
        "Clarification was already asked for; record the reply first.",
    )

    resumed = api.post(path, {"received_on": "2026-03-03"})
    assert resumed.status_code == 200, resumed.content
    body = resumed.json()
    assert (body["clock"], body["due_on"], body["due_if_restarted"]) == ("running", "2026-03-05", "2026-04-07")
    assert "plus 5 days stopped for clarification" in body["due_rule"]
    assert ClockPause.objects.get().answered_on == date(2026, 3, 3)

    nothing_waited = api.post(path, {"received_on": "2026-03-04"})
    assert (nothing_waited.status_code, nothing_waited.json()["detail"]) == (409, "No clarification is waited for.")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"asked_on": "2026-01-20", "what": "Which?"}, 422, "The request was received on 31 January 2026"),
        ({"asked_on": "2099-01-01", "what": "Which?"}, 422, "That day is in the future."),
        ({"asked_on": "2026-02-10", "what": "  "}, 422, "Say what was asked, to clarify the request."),
        # Due 2 March: too late to stop a clock that has run out.
        ({"asked_on": "2026-03-10", "what": "Which?"}, 409, "The request was already due on that day"),
    ],
)
def test_bad_clarification_requests_change_nothing(
    api: ApiClient, body: dict[str, str], status: int, detail: str
) -> None:
    made = _record(api, date(2026, 1, 31))
    response = api.post(f"/privacy/requests/{made['id']}/clarification/request", body)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert not ClockPause.objects.exists()
    assert SubjectRequest.objects.get().due_on == date(2026, 3, 2)


def test_a_reply_before_the_question_is_refused(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    api.post(f"/privacy/requests/{made['id']}/clarification/request", {"asked_on": "2026-02-10", "what": "Which?"})
    early = api.post(f"/privacy/requests/{made['id']}/clarification", {"received_on": "2026-02-09"})
    assert early.status_code == 422
    assert early.json()["detail"] == "It was asked for on 10 February 2026; the answer cannot come before."
    assert ClockPause.objects.get().answered_on is None


def test_clarification_cannot_stop_a_clock_not_yet_started(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    api.post(f"/privacy/requests/{made['id']}/identity/request", {"requested_on": "2026-01-31", "what": "Passport"})
    response = api.post(
        f"/privacy/requests/{made['id']}/clarification/request", {"asked_on": "2026-02-02", "what": "?"}
    )
    assert response.status_code == 409
    assert not ClockPause.objects.exists()


def test_a_fee_needs_its_reason_and_the_clock_waits_for_it(api: ApiClient) -> None:
    made = _record(api, date(2026, 3, 2))
    no_reason = api.post(f"/privacy/requests/{made['id']}/fee/request", {"requested_on": "2026-03-03", "reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"].startswith("Say why the request is manifestly unfounded or excessive")
    unasked = api.post(f"/privacy/requests/{made['id']}/fee", {"received_on": "2026-03-04"})
    assert (unasked.status_code, unasked.json()["detail"]) == (409, "No fee was asked for.")

    asked = api.post(
        f"/privacy/requests/{made['id']}/fee/request",
        {"requested_on": "2026-03-03", "reason": "The fourth identical request this month"},
    ).json()
    assert (asked["clock"], asked["fee_reason"]) == ("not_started", "The fourth identical request this month")
    paid = api.post(f"/privacy/requests/{made['id']}/fee", {"received_on": "2026-03-09"}).json()
    assert (paid["clock_started_on"], paid["due_on"]) == ("2026-03-09", "2026-04-09")


def test_no_extension_while_waiting_for_identity(api: ApiClient) -> None:
    made = _record(api, timezone.localdate() - timedelta(days=2))
    api.post(
        f"/privacy/requests/{made['id']}/identity/request",
        {"requested_on": timezone.localdate().isoformat(), "what": "Passport"},
    )
    response = api.post(f"/privacy/requests/{made['id']}/extend", {"reason": "Complex"})
    assert response.status_code == 409
    assert SubjectRequest.objects.get().extended is False


def test_an_extension_after_a_pause_counts_three_months_plus_the_pause(api: ApiClient) -> None:
    received = timezone.localdate() - timedelta(days=10)
    made = _record(api, received)
    path = f"/privacy/requests/{made['id']}"
    api.post(f"{path}/clarification/request", {"asked_on": (received + timedelta(days=1)).isoformat(), "what": "?"})
    api.post(f"{path}/clarification", {"received_on": (received + timedelta(days=4)).isoformat()})
    extended = api.post(f"{path}/extend", {"reason": "Ten years of cases"}).json()
    assert extended["due_rule"].startswith("Three calendar months (extended) from")
    assert "plus 3 days stopped for clarification" in extended["due_rule"]


def test_the_organisations_bank_holidays_apply_to_a_new_request(api: ApiClient) -> None:
    with override_settings(PATRON_BANK_HOLIDAYS="scotland"):
        body = _record(api, date(2026, 10, 30))
    assert body["due_on"] == "2026-12-01"
    assert "Saint Andrew's Day, a bank holiday in Scotland" in str(body["due_rule"])


def test_a_closed_request_takes_no_more_steps(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    SubjectRequest.objects.filter(pk=made["id"]).update(status="withdrawn")
    response = api.post(f"/privacy/requests/{made['id']}/identity", {"received_on": "2026-02-01", "method": "Seen"})
    assert response.status_code == 409
    assert SubjectRequest.objects.get().identity_verified_at is None


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.SERVICE_MANAGER])
def test_only_privacy_officers_take_these_steps(api: ApiClient, role: Role) -> None:
    made = _record(api, date(2026, 1, 31))
    other = client_for(factories.agent(role=role))
    path = f"/privacy/requests/{made['id']}"
    assert other.post(f"{path}/identity/request", {"requested_on": "2026-02-01", "what": "x"}).status_code == 403
    assert other.post(f"{path}/identity", {"received_on": "2026-02-01", "method": "x"}).status_code == 403
    assert other.post(f"{path}/fee/request", {"requested_on": "2026-02-01", "reason": "x"}).status_code == 403
    assert other.post(f"{path}/fee", {"received_on": "2026-02-01"}).status_code == 403
    assert other.post(f"{path}/clarification/request", {"asked_on": "2026-02-01", "what": "x"}).status_code == 403
    assert other.post(f"{path}/clarification", {"received_on": "2026-02-01"}).status_code == 403
    found = SubjectRequest.objects.get()
    assert (found.identity_requested_on, found.fee_requested_on, found.due_on) == (None, None, date(2026, 3, 2))
    assert not ClockPause.objects.exists()


def test_the_privacy_officer_sets_the_due_date_by_hand_with_the_reason(api: ApiClient) -> None:
    made = _record(api, date(2026, 1, 31))
    path = f"/privacy/requests/{made['id']}"
    no_reason = api.post(f"{path}/due-date", {"due_on": "2026-02-27", "reason": " "})
    assert (no_reason.status_code, no_reason.json()["detail"]) == (422, "Say why the due date is set by hand.")
    too_early = api.post(f"{path}/due-date", {"due_on": "2026-01-30", "reason": "Typo"})
    assert too_early.status_code == 422
    assert SubjectRequest.objects.get().due_on == date(2026, 3, 2)

    set_by_hand = api.post(f"{path}/due-date", {"due_on": "2026-02-27", "reason": "Our 28-day service standard"})
    assert set_by_hand.status_code == 200, set_by_hand.content
    body = set_by_hand.json()
    assert (body["due_on"], body["due_override_on"], body["due_override_reason"]) == (
        "2026-02-27",
        "2026-02-27",
        "Our 28-day service standard",
    )
    # The computed rule stays on record beside the date applied.
    assert "so the next working day, 2 Mar 2026." in body["due_rule"]
    assert body["due_rule"].endswith("Set instead to 27 Feb 2026 by the privacy officer: Our 28-day service standard")

    # While the clock is stopped there is no date, and none can be set; it applies again after.
    api.post(f"{path}/clarification/request", {"asked_on": "2026-02-10", "what": "Which?"})
    stopped = api.post(f"{path}/due-date", {"due_on": "2026-03-10", "reason": "x"})
    assert stopped.status_code == 409
    resumed = api.post(f"{path}/clarification", {"received_on": "2026-02-12"}).json()
    assert resumed["due_on"] == "2026-02-27"

    # Computed: 28 February plus the 2 days stopped is Monday 2 March, a working day.
    back = api.post(f"{path}/due-date", {"due_on": None, "reason": "Back to the statutory count"}).json()
    assert (back["due_on"], back["due_override_on"]) == ("2026-03-02", None)
    actions = AuditEntry.objects.filter(action="subject_request_due_date_set").values_list("data", flat=True)
    assert [entry["due_on"] for entry in actions] == ["2026-02-27", None]
