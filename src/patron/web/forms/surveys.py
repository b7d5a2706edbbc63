"""The customer's survey form: one score on the measure's scale, and a comment if they wish."""

from __future__ import annotations

from django import forms

from patron.feedback.models import SCALES
from patron.feedback.services import COMMENT_LIMIT, QUESTIONS
from patron.web.refusals import PatronForm


class SurveyAnswerForm(PatronForm):
    score = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, error_messages={"required": "Choose a score."})
    comment = forms.CharField(required=False, max_length=COMMENT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, measure: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        question = QUESTIONS[measure]
        lowest, highest = SCALES[measure]
        choices = []
        for value in range(lowest, highest + 1):
            label = str(value)
            if value == lowest:
                label = f"{value}: {question.lowest}"
            elif value == highest:
                label = f"{value}: {question.highest}"
            choices.append((value, label))
        score = self.fields["score"]
        assert isinstance(score, forms.TypedChoiceField)
        score.choices = choices
        score.label = question.text
        self.fields["comment"].label = f"{question.follow_up} (optional)"
