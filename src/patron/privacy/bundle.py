"""The copy of a customer's personal data given in answer to an access or portability request.

An access bundle (UK GDPR art. 15) holds everything Patron keeps about the person: their
record, contact points, adjustments, consents, every case they are party to with every message
(internal notes included, marked), complaint steps and purchases, and their earlier requests,
plus the information the law says goes with the copy (purposes, recipients, retention, rights).
Before it is released someone reviews it: personal data that is not the customer's own (another
person's email address or phone number, a card or bank number) and every internal note are
listed under `for_review`, each with where it is and why.

A portability bundle (art. 20) holds only what the person gave us: their details and the
messages they sent, in JSON and as CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from patron.cases.downloads import safe_cell
from patron.cases.models import Case, Direction, Message
from patron.complaints.models import Complaint
from patron.customers.contact_points import normalise_email, normalise_phone
from patron.customers.models import ContactKind, Customer
from patron.errors import NotFound, ValidationFailed
from patron.feedback.models import SCALES
from patron.feedback.queries import surveys_of_customer
from patron.privacy.models import ConsentRecord, RequestType, RetentionRule, SubjectRequest
from patron.privacy.pii import LABELS, PiiKind, PiiMatch, find_pii

# What goes with the copy (ICO: the right of access, "what else do we need to provide").
INFORMATION = {
    "purposes": "To answer your enquiries, requests and complaints, and to measure and improve our service.",
    "lawful_basis": "Contract or legitimate interests for serving you; consent or legitimate interests for "
    "surveys and research, as recorded under consents.",
    "recipients": "Our service staff. Email is sent through our mail provider. We share nothing else unless the "
    "law requires it.",
    "source": "You, and our staff's records of contacts with you.",
    "automated_decisions": "None are made about you.",
    "your_rights": "You may ask us to correct, erase or restrict your data, to object to how we use it, and for a "
    "copy you can take elsewhere. You may complain to the Information Commissioner's Office (ico.org.uk, "
    "0303 123 1113).",
}
BUNDLE_VERSION = 1


def build_bundle(request: SubjectRequest) -> dict[str, Any]:
    customer = request.customer
    if request.type == RequestType.PORTABILITY:
        return _portability_bundle(customer, request)
    return _access_bundle(customer, request)


def _about(request: SubjectRequest, kind: str) -> dict[str, Any]:
    return {
        "bundle": kind,
        "version": BUNDLE_VERSION,
        "request": request.pk,
        "received_on": request.received_on.isoformat(),
        "built_at": timezone.now().isoformat(),
    }


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "name": customer.name,
        "kind": customer.kind,
        "organisation": customer.organisation.name if customer.organisation is not None else None,
        "job_title": customer.job_title,
        "preferred_channel": customer.preferred_channel,
        "preferred_language": customer.preferred_language,
        "reasonable_adjustments": customer.adjustment_labels,
        "other_adjustments": customer.adjustments_note,
        "created_at": customer.created_at.isoformat(),
    }


def _contact_points(customer: Customer) -> list[dict[str, Any]]:
    return [
        {"kind": point.kind, "value": point.value, "primary": point.is_primary}
        for point in customer.contact_points.all()
    ]


def _access_bundle(customer: Customer, request: SubjectRequest) -> dict[str, Any]:
    own = _own_identifiers(customer)
    cases = list(Case.objects.filter(customer=customer).select_related("team").order_by("created_at", "id"))
    messages = _messages_by_case([case.pk for case in cases])
    complaints = {
        complaint.case_id: complaint
        for complaint in Complaint.objects.filter(case__in=cases).select_related("regime").prefetch_related("steps")
    }
    review: list[dict[str, Any]] = []
    case_entries = []
    for case in cases:
        entries = []
        for message in messages.get(case.pk, []):
            entries.append(_message_entry(message))
            review.extend(_review_items(case, message, own))
        case_entries.append(
            {**_case_entry(case), "messages": entries, "complaint": _complaint_entry(complaints.get(case.pk))}
        )
    profile = _profile(customer)
    profile["notes"] = customer.notes
    return {
        "about": _about(request, "access"),
        "customer": profile,
        "contact_points": _contact_points(customer),
        "consents": _consents(customer),
        "surveys": _surveys(customer),
        "subject_requests": _requests(customer),
        "cases": case_entries,
        "information": {**INFORMATION, "retention": _retention_summary()},
        "for_review": review,
    }


def _messages_by_case(case_ids: list[int]) -> dict[int, list[Message]]:
    grouped: dict[int, list[Message]] = {}
    found = (
        Message.objects.filter(case_id__in=case_ids)
        .select_related("author_agent")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    for message in found:
        grouped.setdefault(message.case_id, []).append(message)
    return grouped


def _case_entry(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "subject": case.subject,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "team": case.team.name if case.team is not None else None,
        "received_at": case.created_at.isoformat(),
        "first_response_at": _iso(case.first_response_at),
        "resolved_at": _iso(case.resolved_at),
        "closed_at": _iso(case.closed_at),
    }


def _message_entry(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "type": message.direction,
        "channel": message.channel,
        "from": "you" if message.direction == Direction.INBOUND else _staff_name(message),
        "at": message.created_at.isoformat(),
        "text": message.body_text,
        "attachments": [
            {"filename": attachment.filename, "type": attachment.content_type, "size": attachment.size}
            for attachment in message.attachments.all()
        ],
    }


def _staff_name(message: Message) -> str:
    return message.author_agent.display_name if message.author_agent is not None else "Service team"


def _complaint_entry(complaint: Complaint | None) -> dict[str, Any] | None:
    if complaint is None:
        return None
    purchase = getattr(complaint, "purchase", None)
    return {
        "regime": complaint.regime.name,
        "tier": complaint.get_tier_display(),
        "received_at": complaint.received_at.isoformat(),
        "final_response_at": _iso(complaint.final_response_at),
        "steps": [
            {"step": step.get_step_display(), "details": step.details, "at": step.at.isoformat()}
            for step in complaint.steps.all()
        ],
        "purchase": None
        if purchase is None
        else {
            "type": purchase.type,
            "purchased_on": purchase.purchased_on.isoformat(),
            "delivered_on": purchase.delivered_on.isoformat() if purchase.delivered_on else None,
            "description": purchase.description,
            "price": str(purchase.price) if purchase.price is not None else None,
        },
    }


def _consents(customer: Customer) -> list[dict[str, Any]]:
    return [
        {
            "purpose": record.get_purpose_display(),
            "basis": record.get_basis_display(),
            "detail": record.detail,
            "given_at": record.given_at.isoformat(),
            "withdrawn_at": _iso(record.withdrawn_at),
        }
        for record in ConsentRecord.objects.filter(customer=customer)
    ]


def _surveys(customer: Customer) -> list[dict[str, Any]]:
    """The surveys sent to them (or, with the reason, not sent), and what they answered."""
    return [
        {
            "case": survey.case.reference if survey.case else None,
            "measure": survey.get_kind_display(),
            "status": survey.get_status_display(),
            "not_sent_reason": survey.not_sent_reason,
            "sent_at": _iso(survey.sent_at),
            "answered_at": _iso(survey.answered_at),
            "score": survey.score,
            "out_of": SCALES[survey.kind][1],
            "comment": survey.comment,
        }
        for survey in surveys_of_customer(customer.pk)
    ]


def _requests(customer: Customer) -> list[dict[str, Any]]:
    return [
        {"type": found.get_type_display(), "received_on": found.received_on.isoformat(), "status": found.status}
        for found in SubjectRequest.objects.filter(customer=customer).order_by("received_on", "id")
    ]


def _retention_summary() -> list[dict[str, Any]]:
    return [
        {"data": rule.get_category_display(), "kept_for": _period(rule), "why": rule.why}
        for rule in RetentionRule.objects.filter(active=True)
    ]


def _period(rule: RetentionRule) -> str:
    if rule.keep_months:
        return f"{rule.keep_months} months after it is closed"
    return f"{rule.keep_days or 0} days"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Personal data in a message that is the customer's own needs no review; these kinds, when not
# theirs, probably belong to someone else.
_THIRD_PARTY_KINDS = frozenset(PiiKind) - {PiiKind.POSTCODE}


def _own_identifiers(customer: Customer) -> set[str]:
    return {
        point.normalised
        for point in customer.contact_points.all()
        if point.kind in (ContactKind.EMAIL, ContactKind.PHONE)
    }


def _normalised(match: PiiMatch) -> str:
    try:
        if match.kind == PiiKind.EMAIL:
            return normalise_email(match.text)
        if match.kind == PiiKind.PHONE:
            return normalise_phone(match.text)
    except ValidationFailed:
        pass
    return match.text


def _review_items(case: Case, message: Message, own: set[str]) -> Iterable[dict[str, Any]]:
    where = {"case": case.reference, "message": message.pk}
    if message.direction == Direction.NOTE:
        yield {
            **where,
            "kind": "internal_note",
            "text": "",
            "why": "An internal note: check it for other people's data or advice that may be withheld.",
        }
    for match in find_pii(message.body_text, kinds=_THIRD_PARTY_KINDS):
        if _normalised(match) in own:
            continue
        yield {
            **where,
            "kind": match.kind.value,
            "text": match.text,
            "why": f"A {LABELS[match.kind]} that is not one of the customer's own: it may be someone else's.",
        }


def _portability_bundle(customer: Customer, request: SubjectRequest) -> dict[str, Any]:
    sent = (
        Message.objects.filter(case__customer=customer, direction=Direction.INBOUND)
        .select_related("case")
        .order_by("created_at", "id")
    )
    return {
        "about": _about(request, "portability"),
        "customer": _profile(customer),
        "contact_points": _contact_points(customer),
        "messages": [
            {
                "case": message.case.reference,
                "subject": message.case.subject,
                "channel": message.channel,
                "sent_at": message.created_at.isoformat(),
                "text": message.body_text,
            }
            for message in sent
        ],
        "survey_answers": [
            {
                "case": answer["case"],
                "measure": answer["measure"],
                "answered_at": answer["answered_at"],
                "score": answer["score"],
                "out_of": answer["out_of"],
                "comment": answer["comment"],
            }
            for answer in _surveys(customer)
            if answer["answered_at"]
        ],
    }


def bundle_csv(bundle: dict[str, Any]) -> str:
    """The messages of a bundle as CSV, the format the regulator gives as an example of
    "commonly used and machine-readable"."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case", "subject", "channel", "sent_at", "text"])
    if "messages" in bundle:
        rows = [[m["case"], m["subject"], m["channel"], m["sent_at"], m["text"]] for m in bundle["messages"]]
    else:
        rows = [
            [case["reference"], case["subject"], message["channel"], message["at"], message["text"]]
            for case in bundle["cases"]
            for message in case["messages"]
        ]
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def bundle_html(bundle: dict[str, Any]) -> str:
    return render_to_string("privacy/bundle.html", {"bundle": bundle})


def release_copy(bundle: dict[str, Any]) -> dict[str, Any]:
    """The copy to give the customer: an access bundle with the other people's data flagged for
    review withheld where it appears, each place marked with what was withheld, and the review
    list left out. Internal notes stay (they are the customer's data too), marked as notes.
    A portability bundle holds only what the customer gave us and is released as it is."""
    released = copy.deepcopy(bundle)
    flagged = released.pop("for_review", [])
    withheld_by_message: dict[int, list[dict[str, Any]]] = {}
    for item in flagged:
        if item.get("text"):
            withheld_by_message.setdefault(item["message"], []).append(item)
    withheld = 0
    for case in released.get("cases") or []:
        for message in case["messages"]:
            for item in withheld_by_message.get(message["id"], []):
                marker = f"[withheld: {_label_of(item['kind'])}, possibly another person's]"
                withheld += message["text"].count(item["text"])
                message["text"] = message["text"].replace(item["text"], marker)
    released["about"] = {**released["about"], "copy": "release", "withheld": withheld}
    return released


def _label_of(kind: str) -> str:
    try:
        return LABELS[PiiKind(kind)]
    except ValueError:
        return "personal data"


BUNDLE_FORMATS = ("json", "html", "csv", "pdf")


@dataclass(frozen=True)
class BundleFile:
    content: bytes
    content_type: str
    filename: str


def bundle_file(request: SubjectRequest, *, format: str, release: bool) -> BundleFile:
    """A built bundle as a file. The review copy is what was built, with the items to check
    listed; the release copy is what the customer is given, with those items withheld. A PDF is
    always a release copy: it is made to be handed over."""
    if format not in BUNDLE_FORMATS:
        raise ValidationFailed("Choose format json, html, csv or pdf.", fields={"format": "Unknown."})
    bundle: dict[str, Any] | None = request.bundle
    if not bundle:
        raise NotFound("No copy has been built for this request; fulfil it first.")
    release = release or format == "pdf"
    if release:
        bundle = release_copy(bundle)
    name = f"request-{request.pk}{'-release' if release else ''}.{format}"
    if format == "html":
        return BundleFile(bundle_html(bundle).encode(), "text/html; charset=utf-8", name)
    if format == "csv":
        return BundleFile(bundle_csv(bundle).encode(), "text/csv; charset=utf-8", name)
    if format == "pdf":
        from patron.privacy.bundle_pdf import bundle_pdf

        return BundleFile(bundle_pdf(bundle), "application/pdf", name)
    return BundleFile(json.dumps(bundle, indent=2).encode(), "application/json", name)
