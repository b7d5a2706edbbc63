"""An email's attachments are on its message, in the API and on the case page, and download
only for those who may see the case, each download on the audit trail."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.test import override_settings

from patron.accounts.models import Agent, Team
from patron.cases.models import Attachment, Case
from patron.channels.services import ingest_email
from patron.privacy.models import AuditEntry
from tests import factories
from tests.api.conftest import client_for
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

PHOTO = b"\xff\xd8\xff\xe0 a photo of the broken kettle"


def _email_with_photo() -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Smith <ann@example.com>"
    message["To"] = "help@desk.example"
    message["Subject"] = "Broken kettle"
    message["Message-ID"] = "<photo@mail.example.com>"
    message.set_content("Photo attached.")
    message.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="kettle.jpg")
    message.add_attachment(b"<script>alert(1)</script>", maintype="text", subtype="html", filename="page.html")
    return message.as_bytes()


@pytest.fixture
def case(team_a: Team) -> Case:
    factories.mailbox(address="help@desk.example", team_=team_a, send_acknowledgement=False)
    ingest_email(_email_with_photo(), source="smtp")
    return Case.objects.get()


def test_attachments_are_listed_and_downloaded_through_the_api(case: Case, agent_a: Agent) -> None:
    api = client_for(agent_a)
    [message] = api.get(f"/cases/{case.reference}/messages").json()
    photo, page = Attachment.objects.order_by("id")
    assert message["attachments"] == [
        {
            "id": photo.pk,
            "filename": "kettle.jpg",
            "content_type": "image/jpeg",
            "size": len(PHOTO),
            "sha256": photo.sha256,
            "inline": False,
            "download": f"/api/v1/cases/{case.reference}/attachments/{photo.pk}",
        },
        {
            "id": page.pk,
            "filename": "page.html",
            "content_type": "text/html",
            "size": 25,
            "sha256": page.sha256,
            "inline": False,
            "download": f"/api/v1/cases/{case.reference}/attachments/{page.pk}",
        },
    ]
    response = api.get(f"/cases/{case.reference}/attachments/{photo.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO
    assert response["Content-Disposition"] == 'attachment; filename="kettle.jpg"'
    # Even HTML is only ever a download, never a page of Patron's.
    html = client_for(agent_a).get(f"/cases/{case.reference}/attachments/{page.pk}")
    assert (html["Content-Disposition"], html["X-Content-Type-Options"]) == (
        'attachment; filename="page.html"',
        "nosniff",
    )
    assert html["Content-Security-Policy"] == "default-src 'none'; sandbox"
    entries = AuditEntry.objects.filter(action="download_attachment").order_by("id")
    assert [(e.actor_id, e.object_id, e.personal_details["filename"]) for e in entries] == [
        (agent_a.pk, str(case.pk), "kettle.jpg"),
        (agent_a.pk, str(case.pk), "page.html"),
    ]


def test_attachments_of_a_case_outside_the_agents_teams_are_not_found(case: Case, agent_b: Agent) -> None:
    photo = Attachment.objects.order_by("id").first()
    assert photo is not None
    response = client_for(agent_b).get(f"/cases/{case.reference}/attachments/{photo.pk}")
    assert response.status_code == 404
    assert signed_in(agent_b).get(f"/cases/{case.reference}/attachments/{photo.pk}").status_code == 404
    assert AuditEntry.objects.filter(action="download_attachment").count() == 0


def test_an_attachment_of_another_case_is_not_found_through_this_one(case: Case, agent_a: Agent, team_a: Team) -> None:
    other = factories.case(team_=team_a)
    photo = Attachment.objects.order_by("id").first()
    assert photo is not None
    response = client_for(agent_a).get(f"/cases/{other.reference}/attachments/{photo.pk}")
    assert (response.status_code, response.json()) == (404, {"detail": "This case has no such attachment."})


def test_case_page_links_each_attachment_and_downloads_it(case: Case, agent_a: Agent) -> None:
    browser = signed_in(agent_a)
    photo = Attachment.objects.order_by("id").first()
    assert photo is not None
    page = browser.get(f"/cases/{case.reference}").content.decode()
    assert f'href="/cases/{case.reference}/attachments/{photo.pk}" download>kettle.jpg</a>' in page
    response = browser.get(f"/cases/{case.reference}/attachments/{photo.pk}")
    assert b"".join(response.streaming_content) == PHOTO


def test_a_file_too_large_to_keep_apart_points_to_the_original(team_a: Team, agent_a: Agent) -> None:
    with override_settings(PATRON_MAX_ATTACHMENT_BYTES=10):
        ingest_email(_email_with_photo(), source="smtp")
    case = Case.objects.get()
    photo = Attachment.objects.get(filename="kettle.jpg")
    assert not photo.is_stored
    page = signed_in(agent_a).get(f"/cases/{case.reference}").content.decode()
    assert "too large to keep on its own: it is in the original email" in page
    response = client_for(agent_a).get(f"/cases/{case.reference}/attachments/{photo.pk}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("This attachment was too large to keep on its own")


def test_case_page_offers_the_whole_email_as_it_arrived(case: Case, agent_a: Agent) -> None:
    from patron.channels.models import InboundEmail

    inbound = InboundEmail.objects.get()
    browser = signed_in(agent_a)
    page = browser.get(f"/cases/{case.reference}").content.decode()
    link = f"/cases/{case.reference}/emails/{inbound.pk}/original"
    assert f'href="{link}" download>The whole email as it arrived</a>' in page
    response = browser.get(link)
    assert (response["Content-Type"], response.content) == ("message/rfc822", bytes(inbound.raw))
    assert AuditEntry.objects.filter(action="download_email", actor=agent_a).count() == 1
    assert signed_in(factories.agent(username="outsider")).get(link).status_code == 404
