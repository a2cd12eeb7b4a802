"""Each API's OpenAPI document: every error as problem details, and the committed copies.

`python -m service_kit.openapi [--check] pkg=path ...` writes (or checks) the document each
service serves at /openapi.json, as `python -m <pkg> openapi` prints it. `make api-docs`
writes them, `make lint` fails when one drifts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from service_kit.problems import PROBLEM_JSON, Problem

SCHEMAS = "#/components/schemas/"
# What any route may answer besides its own errors.
COMMON = {
    401: "unauthenticated: no bearer token, or one that does not verify",
    413: "body_too_large: the body is over HTTP_MAX_BODY_BYTES",
    422: "invalid_request: the request does not fit this document (`errors` lists why)",
    503: "a dependency is unavailable (dependency_unavailable, broker_unavailable, ...); "
    "retry after Retry-After",
}


def errors(answers: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each error status with the reasons it answers."""
    return {status: {"description": text} for status, text in answers.items()}


def install(app: FastAPI) -> None:
    """Serve the document with problem details in place of FastAPI's own error schema."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    _, defs = models_json_schema([(Problem, "serialization")], ref_template=SCHEMAS + "{model}")
    schemas.update(defs["$defs"])
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            _problems(operation)
    return doc


def _problems(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    common = {503}
    if operation.get("security"):
        common.add(401)
    if operation.get("requestBody"):
        common |= {413, 422}
    if operation.get("parameters"):
        common.add(422)
    for status in sorted(common):
        responses.setdefault(str(status), {"description": COMMON[status]})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": SCHEMAS + "Problem"}}}
            if code == "422" and response.get("description") == "Validation Error":
                response["description"] = COMMON[422]
            if code in ("429", "503"):
                response["headers"] = {
                    "Retry-After": {"description": "seconds", "schema": {"type": "integer"}}
                }


def render(packages: list[str]) -> dict[str, str]:
    """The document `python -m <package> openapi` prints (the one the service serves), for
    each package; one process each, side by side."""
    running = {
        package: subprocess.Popen(
            [sys.executable, "-m", package, "openapi"], stdout=subprocess.PIPE, text=True
        )
        for package in packages
    }
    texts = {}
    for package, process in running.items():
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"python -m {package} openapi failed")
        texts[package] = json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n"
    return texts


def main(argv: list[str]) -> int:
    check = "--check" in argv
    targets = dict(a.split("=", 1) for a in argv if "=" in a)
    stale = []
    for package, text in render(list(targets)).items():
        target = Path(targets[package])
        if check and (not target.exists() or target.read_text() != text):
            stale.append(str(target))
        elif not check:
            target.write_text(text)
    if stale:
        print("stale OpenAPI documents (run make api-docs):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
