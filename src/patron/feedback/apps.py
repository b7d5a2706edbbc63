from collections.abc import Sequence

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "patron.feedback"
    label = "feedback"

    def ready(self) -> None:
        from patron.cases.observers import observe_case_changes

        observe_case_changes(_survey_resolved_cases)


def _survey_resolved_cases(cases: Sequence[object], opened: bool) -> None:
    if opened:
        return
    from patron.feedback.services import schedule_surveys

    schedule_surveys(cases)  # type: ignore[arg-type]
