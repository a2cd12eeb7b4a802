"""python -m session_service api|worker"""

from __future__ import annotations

from service_kit.runner import serve
from session_service.bootstrap import bootstrap
from session_service.config import Settings
from session_service.entrypoints.api import create_api
from session_service.entrypoints.worker import create_worker


def main() -> None:
    serve(Settings(), bootstrap, create_api=create_api, create_worker=create_worker)


if __name__ == "__main__":
    main()
