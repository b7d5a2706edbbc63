from collections.abc import Sequence

from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "patron.standards"
    label = "standards"

    def ready(self) -> None:
        from patron.cases.observers import observe_case_changes, observe_case_openings
        from patron.standards import configuration

        observe_case_openings(_plan_service_levels)
        observe_case_changes(_keep_service_levels)
        configuration.watch()


def _keep_service_levels(cases: Sequence[object], opened: bool) -> None:
    from patron.standards.services import sync_service_levels

    sync_service_levels(cases, opened=opened)  # type: ignore[arg-type]


def _plan_service_levels(cases: Sequence[object]) -> None:
    from patron.standards.services import plan_service_levels

    plan_service_levels(cases)  # type: ignore[arg-type]
