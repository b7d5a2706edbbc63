"""How form widgets become HTML. Django renders a select through a template include per option;
the case page's lists of agents and teams made that a large part of its time. Selects are
written here in Python, with the same markup and escaping as Django's templates; every other
widget is rendered by Django as usual."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


class QuickSelectRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        if template_name == SELECT_TEMPLATE and _plain_options(context["widget"]):
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)


def _plain_options(widget: Mapping[str, Any]) -> bool:
    return all(
        option.get("template_name") == "django/forms/widgets/select_option.html"
        for _, options, _ in widget["optgroups"]
        for option in options
    )


def attributes_html(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}" if value is True else format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


def select_html(widget: Mapping[str, Any]) -> SafeString:
    pieces = [format_html('<select name="{}"', widget["name"]), attributes_html(widget["attrs"]), ">"]
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            pieces.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            pieces.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    mark_safe(attributes_html(option["attrs"])),  # noqa: S308 (escaped above)
                    option["label"],
                )
            )
        if group_name:
            pieces.append("\n  </optgroup>")
    pieces.append("\n</select>")
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped above)
