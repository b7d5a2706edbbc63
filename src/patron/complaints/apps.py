from collections.abc import Sequence

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "patron.complaints"
    label = "complaints"

    def ready(self) -> None:
        from patron.cases.observers import observe_case_changes

        observe_case_changes(_open_complaints)


def _open_complaints(cases: Sequence[object], opened: bool) -> None:
    from patron.complaints.services import ensure_complaints

    ensure_complaints(cases)  # type: ignore[arg-type]
