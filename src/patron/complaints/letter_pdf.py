"""A complaint letter as a PDF to print and post: the customer's address where a window envelope
shows it, the date and reference, the letter, and for a customer who asked for large print,
text at 16 point (the RNIB's minimum for large print) instead of 11."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from patron.complaints.letters import Letter
from patron.pdf import fonts


def letter_pdf(letter: Letter) -> bytes:
    regular, bold = fonts()
    size = 16 if letter.large_print else 11
    body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.4, spaceAfter=size * 0.8)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=size + 2, leading=(size + 2) * 1.4)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{letter.title} ({letter.reference})",
        author=letter.signed_by.splitlines()[-1],
    )
    story = [Paragraph(_lines([letter.addressee, *letter.address_lines]), body), Spacer(1, 8 * mm)]
    story.append(Paragraph(_lines([f"{letter.dated:%d %B %Y}", f"Our reference: {letter.reference}"]), body))
    story.append(Paragraph(escape(letter.title), heading))
    story.append(Paragraph(escape(f"Dear {letter.addressee},"), body))
    story.extend(Paragraph(_lines(paragraph.splitlines()), body) for paragraph in letter.paragraphs)
    story.append(Paragraph(_lines(["Yours sincerely,", *letter.signed_by.splitlines()]), body))
    document.build(story)
    return out.getvalue()


def _lines(lines: list[str]) -> str:
    return "<br/>".join(escape(line) for line in lines)
