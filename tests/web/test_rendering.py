"""Selects written in Python read exactly as Django's own templates write them."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import DjangoTemplates

from patron.web.rendering import QuickSelectRenderer


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Choose"), ("a", "Apple & pear"), ("b", "<b>Bold</b>")], required=False)
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("1", "Apple"), ("2", "Pear")]), ("Veg", [("3", 'Leek "long"')])],
        widget=forms.Select(attrs={"aria-describedby": "hint", "data-x": "1 < 2"}),
    )
    typed = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int, disabled=True)
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


def _html(renderer: object, data: dict[str, object]) -> list[str]:
    form = _Form(data, renderer=renderer)
    form.is_valid()
    # Whitespace between tags means nothing in a select; Django's includes leave blank lines.
    return [re.sub(r">\s+<", "><", str(form[name])) for name in ("plain", "grouped", "typed", "several")]


def test_selects_match_djangos_markup_with_selections_groups_and_escaping() -> None:
    for data in ({}, {"plain": "b", "grouped": "3", "typed": 2, "several": ["x", "y"]}):
        assert _html(QuickSelectRenderer(), data) == _html(DjangoTemplates(), data)
    rendered = _html(QuickSelectRenderer(), {"plain": "b"})[0]
    assert '<option value="b" selected>&lt;b&gt;Bold&lt;/b&gt;</option>' in rendered


class _Fields(forms.Form):
    name = forms.CharField(label="Name & title", max_length=20, help_text="As <written>")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    count = forms.IntegerField(min_value=0, required=False)
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False, label="I agree")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": 'say "hi"'}), required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def _fields_html(renderer: object, data: dict[str, object] | None) -> list[str]:
    form = _Fields(data, renderer=renderer)
    if data is not None:
        form.is_valid()
    return [str(form[name]) + form[name].label_tag() for name in _Fields.base_fields]


def test_inputs_text_areas_and_labels_match_djangos_markup() -> None:
    for data in (
        None,
        {},
        {"name": "Ann <b>", "email": "not an email", "count": "-1", "on": "2026-12-02", "agree": "on"},
        {"note": "Line one\n</textarea><script>", "secret": '"quoted"'},
    ):
        assert _fields_html(QuickSelectRenderer(), data) == _fields_html(DjangoTemplates(), data), data
    escaped = _fields_html(QuickSelectRenderer(), {"note": "</textarea><script>"})[5]
    assert "&lt;/textarea&gt;&lt;script&gt;" in escaped
