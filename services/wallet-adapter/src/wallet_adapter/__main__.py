"""python -m wallet_adapter api|worker"""

from __future__ import annotations

from service_kit.runner import serve
from wallet_adapter.bootstrap import bootstrap
from wallet_adapter.config import Settings
from wallet_adapter.entrypoints.api import create_api
from wallet_adapter.entrypoints.worker import create_worker


def main() -> None:
    serve(Settings(), bootstrap, create_api=create_api, create_worker=create_worker)


if __name__ == "__main__":
    main()
