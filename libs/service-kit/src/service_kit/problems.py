"""The one error shape of every API: RFC 9457 problem details, plus a machine-readable `reason`.

```
{"type": "tag:livestream-goals,2026:problems/goal_ended", "title": "Goal ended",
 "status": 409, "detail": "the goal ended before ...", "reason": "goal_ended"}
```
`reason` is the name clients branch on (one name per failure across the services); `type` is
the same name as a URI, as RFC 9457 asks. A malformed request (422) adds `errors`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "tag:livestream-goals,2026:problems/"
INVALID_REQUEST = "invalid_request"


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where in the request: body, query, header, path")
    msg: str
    type: str


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": TYPE_PREFIX + "goal_ended",
                "title": "Goal ended",
                "status": 409,
                "detail": "the goal has ended",
                "reason": "goal_ended",
            }
        }
    )

    type: str = Field(description="the reason as a URI")
    title: str = Field(description="the reason in words; the same for every occurrence")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="this occurrence, for people")
    reason: str = Field(min_length=1, description="what clients branch on")
    errors: list[FieldError] | None = Field(
        default=None, description="with invalid_request: each field that was refused"
    )


def title_of(reason: str) -> str:
    words = reason.replace("_", " ")
    return words[:1].upper() + words[1:]


def problem_body(status: int, reason: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": TYPE_PREFIX + reason,
        "title": title_of(reason),
        "status": status,
        "detail": detail or title_of(reason),
        "reason": reason,
        **extra,
    }


def problem_response(
    status: int,
    reason: str,
    detail: str = "",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, reason, detail, **extra),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_JSON,
    )


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """pydantic's errors without the input (it may hold secrets or be huge)."""
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


def invalid_request(errors: Sequence[Any]) -> JSONResponse:
    """422 for a request that does not fit its declared model, every refused field listed."""
    listed = field_errors(errors)
    summary = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in listed
    )
    return problem_response(422, INVALID_REQUEST, summary or "malformed request", errors=listed)
