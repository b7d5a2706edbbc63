"""A copy of a customer's personal data as a PDF, to post or hand over: the same sections as the
readable HTML copy (about them, contact points, consents, each case with its messages and
complaint handling, the earlier requests, and what the law says goes with the copy)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from patron.customers.models import Adjustment
from patron.pdf import fonts

_INFORMATION_HEADINGS = {
    "purposes": "Why we hold it",
    "lawful_basis": "On what basis",
    "recipients": "Who sees it",
    "source": "Where it came from",
    "automated_decisions": "Automated decisions",
    "your_rights": "Your rights",
}


class _Styles:
    def __init__(self, *, large_print: bool) -> None:
        regular, bold = fonts()
        size = 16 if large_print else 10
        self.body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.4, spaceAfter=size * 0.5)
        self.small = ParagraphStyle("small", parent=self.body, leftIndent=6 * mm)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=size + 6, leading=(size + 6) * 1.3
        )
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=bold, fontSize=size + 3, leading=(size + 3) * 1.3, spaceBefore=size
        )
        self.subheading = ParagraphStyle("subheading", parent=self.body, fontName=bold, spaceBefore=size * 0.5)


def bundle_pdf(bundle: dict[str, Any]) -> bytes:
    customer = bundle["customer"]
    styles = _Styles(large_print=str(Adjustment.LARGE_PRINT.label) in (customer.get("reasonable_adjustments") or []))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Your personal data: {customer['name']}",
    )
    document.build(list(_story(bundle, styles)))
    return out.getvalue()


def _text(value: object) -> str:
    return "<br/>".join(escape(line) for line in str(value).splitlines()) or "—"


def _story(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    about, customer = bundle["about"], bundle["customer"]
    yield Paragraph("Your personal data", styles.title)
    yield Paragraph(
        _text(
            f"A copy of the personal data we hold about {customer['name']}, made on {about['built_at'][:10]} in "
            f"answer to the request received on {about['received_on']}."
        ),
        styles.body,
    )
    if about.get("withheld"):
        yield Paragraph(
            _text(
                f"{about['withheld']} item(s) that may be other people's personal data have been withheld; each "
                "place is marked."
            ),
            styles.body,
        )
    yield Paragraph("About you", styles.heading)
    for label, key in (
        ("Name", "name"),
        ("Organisation", "organisation"),
        ("Job title", "job_title"),
        ("Preferred channel", "preferred_channel"),
        ("Preferred language", "preferred_language"),
        ("Other adjustments", "other_adjustments"),
        ("Our notes", "notes"),
    ):
        if customer.get(key):
            yield Paragraph(f"<b>{label}:</b> {_text(customer[key])}", styles.body)
    if customer.get("reasonable_adjustments"):
        yield Paragraph(f"<b>Adjustments:</b> {_text(', '.join(customer['reasonable_adjustments']))}", styles.body)
    yield Paragraph("How we can reach you", styles.heading)
    for point in bundle.get("contact_points") or [{"kind": "none", "value": "None held."}]:
        yield Paragraph(_text(f"{point['kind']}: {point['value']}"), styles.body)
    yield from _consents(bundle, styles)
    yield from _surveys(bundle, styles)
    yield from _cases(bundle, styles)
    yield from _sent_messages(bundle, styles)
    yield from _information(bundle, styles)


def _consents(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    if bundle.get("consents") is None:
        return
    yield Paragraph("What you agreed to", styles.heading)
    for consent in bundle["consents"] or [{"purpose": "Nothing", "basis": "none recorded", "given_at": ""}]:
        withdrawn = f", withdrawn {consent['withdrawn_at'][:10]}" if consent.get("withdrawn_at") else ""
        yield Paragraph(
            _text(f"{consent['purpose']}: {consent['basis']} {consent['given_at'][:10]}{withdrawn}"), styles.body
        )


def _surveys(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    answers = bundle.get("surveys")
    if answers is None:
        answers = bundle.get("survey_answers")
    if answers is None:
        return
    yield Paragraph("Surveys", styles.heading)
    if not answers:
        yield Paragraph("None sent.", styles.body)
    for survey in answers:
        line = f"{survey['measure']}" + (f" on {survey['case']}" if survey.get("case") else "")
        if survey.get("status"):
            line += f": {survey['status']}"
        if survey.get("score") is not None:
            line += f"; you answered {survey['score']} out of {survey['out_of']}"
            if survey.get("comment"):
                line += f" and wrote “{survey['comment']}”"
        yield Paragraph(_text(line), styles.body)


def _cases(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    if bundle.get("cases") is None:
        return
    yield Paragraph(f"Your cases ({len(bundle['cases'])})", styles.heading)
    for case in bundle["cases"]:
        yield Paragraph(_text(f"{case['reference']}: {case['subject']}"), styles.subheading)
        yield Paragraph(
            _text(
                f"{case['kind'].capitalize()} by {case['channel']}, received {case['received_at'][:10]}, "
                f"now {case['status']}."
            ),
            styles.body,
        )
        for message in case["messages"]:
            who = (
                f"Internal note by {message['from']}"
                if message["type"] == "note"
                else str(message["from"]).capitalize()
            )
            yield Paragraph(f"<b>{escape(who)}, {escape(message['at'][:16])}</b>", styles.small)
            yield Paragraph(_text(message["text"]), styles.small)
            for attachment in message["attachments"]:
                yield Paragraph(_text(f"Attached: {attachment['filename']} ({attachment['size']} bytes)"), styles.small)
        complaint = case.get("complaint")
        if complaint:
            yield Paragraph("Complaint handling", styles.subheading)
            for step in complaint["steps"]:
                details = "; ".join(str(value) for value in (step.get("details") or {}).values() if value)
                yield Paragraph(_text(f"{step['step']}, {step['at'][:10]}: {details}"), styles.small)


def _sent_messages(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    if bundle.get("messages") is None:
        return
    yield Paragraph(f"Messages you sent ({len(bundle['messages'])})", styles.heading)
    for message in bundle["messages"]:
        yield Paragraph(f"<b>{escape(message['case'])}, {escape(message['sent_at'][:16])}</b>", styles.small)
        yield Paragraph(_text(message["text"]), styles.small)


def _information(bundle: dict[str, Any], styles: _Styles) -> Iterable[Flowable]:
    information = bundle.get("information")
    if not information:
        return
    yield Spacer(1, 4 * mm)
    yield Paragraph("How we use your data", styles.heading)
    for key, heading in _INFORMATION_HEADINGS.items():
        yield Paragraph(f"<b>{heading}:</b> {_text(information[key])}", styles.body)
    for rule in information.get("retention", []):
        yield Paragraph(_text(f"{rule['data']}: {rule['kept_for']}. {rule['why']}"), styles.body)
