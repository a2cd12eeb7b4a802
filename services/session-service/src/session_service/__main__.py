"""python -m session_service api|worker"""

from __future__ import annotations

from service_kit.runner import run
from session_service.bootstrap import bootstrap
from session_service.config import Settings


def main() -> None:
    settings = Settings()
    container = bootstrap(settings)

    def build_api():  # type: ignore[no-untyped-def]
        from session_service.entrypoints.api import create_api

        return create_api(container)

    def build_worker():  # type: ignore[no-untyped-def]
        from session_service.entrypoints.worker import create_worker

        return create_worker(container)

    run(settings, build_api=build_api, build_worker=build_worker)


if __name__ == "__main__":
    main()
