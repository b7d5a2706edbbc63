from collections.abc import Sequence

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "patron.standards"
    label = "standards"

    def ready(self) -> None:
        from patron.cases.observers import observe_case_changes

        observe_case_changes(_keep_service_levels)


def _keep_service_levels(cases: Sequence[object]) -> None:
    from patron.standards.services import sync_service_levels

    sync_service_levels(cases)  # type: ignore[arg-type]
