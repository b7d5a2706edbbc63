"""How form widgets become HTML. Django renders each widget, label and attribute list through
template includes (a select through one per option); on the case page, with its reply, note,
properties and complaint forms, that was most of the page's time. Selects, single inputs,
text areas and labels are written here in Python, with the same markup and escaping as Django's
templates; every other widget (radio lists, for instance) is rendered by Django as usual."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
LABEL_TEMPLATE = "django/forms/label.html"
# Radio and checkbox lists, drawn as django/forms/widgets/multiple_input.html draws them.
CHOICE_LIST_TEMPLATES = frozenset({"django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html"})
OPTION_TEMPLATES = frozenset({"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"})
# The widgets whose template is Django's input.html and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "url",
        "number",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
)


class QuickSelectRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        if template_name == SELECT_TEMPLATE and _plain_options(context["widget"]):
            return select_html(context["widget"])
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return textarea_html(context["widget"])
        if template_name == LABEL_TEMPLATE:
            return label_html(context)
        if template_name in CHOICE_LIST_TEMPLATES and _plain_choices(context["widget"]):
            return choice_list_html(context["widget"])
        return super().render(template_name, context, request=request)


def _plain_options(widget: Mapping[str, Any]) -> bool:
    return all(
        option.get("template_name") == "django/forms/widgets/select_option.html"
        for _, options, _ in widget["optgroups"]
        for option in options
    )


def _plain_choices(widget: Mapping[str, Any]) -> bool:
    return all(
        option.get("template_name") in OPTION_TEMPLATES for _, options, _ in widget["optgroups"] for option in options
    )


def choice_list_html(widget: Mapping[str, Any]) -> SafeString:
    """As django/forms/widgets/multiple_input.html with its options' input_option.html."""
    attrs = widget["attrs"]
    pieces = ["<div", format_html(' id="{}"', attrs["id"]) if attrs.get("id") else ""]
    pieces.append(format_html(' class="{}"', attrs["class"]) if attrs.get("class") else "")
    pieces.append(">")
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            pieces.append(format_html("\n  <div><label>{}</label>", group_name))
        for option in options:
            pieces.append("<div>\n    ")
            pieces.append(_option_html(option))
            pieces.append("</div>")
        if group_name:
            pieces.append("\n  </div>")
    pieces.append("\n</div>")
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped above)


def _option_html(option: Mapping[str, Any]) -> str:
    field = input_html(option)
    if not option.get("wrap_label"):
        return field
    option_id = option["attrs"].get("id")
    label_for = format_html(' for="{}"', option_id) if option_id else ""
    return format_html("<label{}>{} {}</label>", label_for, field, option["label"])


def _escaped(text: str) -> str:
    """`conditional_escape` for text already made a string, without the wrapper that checks every
    call for lazy text; safe text stays as it is."""
    return text if isinstance(text, SafeString) else html.escape(text)


def attributes_html(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        # Escaped as format_html would, without its cost: a page writes thousands of these.
        shown = f" {_escaped(name)}"
        parts.append(shown if value is True else f'{shown}="{_escaped(str(value))}"')
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


def input_html(widget: Mapping[str, Any]) -> SafeString:
    """As django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value,
        mark_safe(attributes_html(widget["attrs"])),  # noqa: S308 (escaped in attributes_html)
    )


def textarea_html(widget: Mapping[str, Any]) -> SafeString:
    """As django/forms/widgets/textarea.html."""
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        mark_safe(attributes_html(widget["attrs"])),  # noqa: S308 (escaped in attributes_html)
        widget["value"] or "",
    )


def label_html(context: Mapping[str, Any]) -> SafeString | str:
    """As django/forms/label.html."""
    if not context.get("use_tag"):
        return conditional_escape(context["label"])
    return format_html(
        "<{}{}>{}</{}>",
        context["tag"],
        mark_safe(attributes_html(context.get("attrs") or {})),  # noqa: S308 (escaped in attributes_html)
        context["label"],
        context["tag"],
    )
