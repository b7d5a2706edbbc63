from __future__ import annotations

import pytest

from patron.channels.email.html_text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div>One</div><div>Two</div>", "One\nTwo"),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<p>Words\n   wrapped   in\tthe source</p>", "Words wrapped in the source"),
        ("<style>p{}</style><script>x()</script><p>Seen</p>", "Seen"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
        (
            "<table><tr><td>Order</td><td>1234</td></tr><tr><td>Total</td><td>£5</td></tr></table>",
            "Order 1234\nTotal £5",
        ),
        ("Fish &amp; chips &pound;5&nbsp;each", "Fish & chips £5 each"),
        ("<p>Unclosed <b>tags", "Unclosed tags"),
        ("", ""),
    ],
)
def test_html_becomes_the_text_a_reader_sees(html: str, text: str) -> None:
    assert html_to_text(html) == text
