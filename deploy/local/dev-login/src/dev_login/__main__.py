"""python -m dev_login"""

from __future__ import annotations

import uvicorn

from dev_login.app import create_app
from dev_login.config import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_level="info"
    )


if __name__ == "__main__":
    main()
