from collections.abc import Sequence

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "patron.complaints"
    label = "complaints"

    def ready(self) -> None:
        from patron.cases.observers import check_resolutions_with, observe_case_changes
        from patron.complaints.services import check_root_cause_before_resolving, check_steps_before_resolving

        observe_case_changes(_open_complaints)
        # The root cause first: with none there is no point asking for a reason about steps.
        check_resolutions_with(check_root_cause_before_resolving)
        check_resolutions_with(check_steps_before_resolving)


def _open_complaints(cases: Sequence[object], opened: bool) -> None:
    from patron.complaints.services import ensure_complaints

    ensure_complaints(cases)  # type: ignore[arg-type]
