"""What every PDF Patron prints shares: fonts that print every name as written."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# A Unicode font when the system has one, so names such as Łukasz or Zoë print as written;
# otherwise the built-in Helvetica, which covers Western European letters.
_UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_UNICODE_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def fonts() -> tuple[str, str]:
    """The regular and bold font names to print with."""
    if _UNICODE_FONT.exists() and _UNICODE_BOLD.exists():
        if "PatronSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("PatronSans", str(_UNICODE_FONT)))
            pdfmetrics.registerFont(TTFont("PatronSans-Bold", str(_UNICODE_BOLD)))
        return "PatronSans", "PatronSans-Bold"
    return "Helvetica", "Helvetica-Bold"
