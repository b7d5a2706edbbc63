from collections.abc import Sequence

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "patron.standards"
    label = "standards"

    def ready(self) -> None:
        from patron.cases.observers import observe_case_changes
        from patron.standards import configuration

        observe_case_changes(_keep_service_levels)
        configuration.watch()


def _keep_service_levels(cases: Sequence[object], opened: bool) -> None:
    from patron.standards.services import sync_service_levels

    sync_service_levels(cases, opened=opened)  # type: ignore[arg-type]
