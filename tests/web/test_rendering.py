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
