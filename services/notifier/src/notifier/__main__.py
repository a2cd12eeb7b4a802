"""python -m notifier api|worker"""

from __future__ import annotations

from notifier.bootstrap import bootstrap
from notifier.config import Settings
from service_kit.runner import run


def main() -> None:
    settings = Settings()
    container = bootstrap(settings)

    def build_api():  # type: ignore[no-untyped-def]
        from notifier.entrypoints.api import create_api

        return create_api(container)

    def build_worker():  # type: ignore[no-untyped-def]
        from notifier.entrypoints.worker import create_worker

        return create_worker(container)

    run(settings, build_api=build_api, build_worker=build_worker)


if __name__ == "__main__":
    main()
