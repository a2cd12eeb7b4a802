"""python -m notifier api|worker"""

from __future__ import annotations

from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.entrypoints.api import create_api
from notifier.entrypoints.worker import create_worker
from service_kit.runner import serve


def main() -> None:
    serve(Settings(), bootstrap, create_api=create_api, create_worker=create_worker)


if __name__ == "__main__":
    main()
