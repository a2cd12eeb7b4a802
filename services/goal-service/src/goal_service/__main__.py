"""python -m goal_service api|worker"""

from __future__ import annotations

from goal_service.bootstrap import bootstrap
from goal_service.config import Settings
from goal_service.entrypoints.api import create_api
from goal_service.entrypoints.worker import create_worker
from service_kit.runner import serve


def main() -> None:
    serve(Settings(), bootstrap, create_api=create_api, create_worker=create_worker)


if __name__ == "__main__":
    main()
