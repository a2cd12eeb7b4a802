"""python -m wallet_sandbox [api]  (`api`, its one process kind, as the services' images pass)"""

from __future__ import annotations

import sys

import uvicorn

from wallet_sandbox.app import create_app
from wallet_sandbox.config import Settings
from wallet_sandbox.logs import configure_logging


def main() -> None:
    if sys.argv[1:] not in ([], ["api"]):
        raise SystemExit("usage: python -m wallet_sandbox [api]")
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
