"""Access-log hygiene: a run-bound stream token travels in the query string (an EventSource cannot
send headers), so it would land in every access log line; this filter blanks it before anything is
written, and `log_config()` gives uvicorn its default logging with the filter on the access handler."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

SECRET_PARAMS = re.compile(r"((?:^|[?&])(?:token|access_token|api_key)=)[^&#\s]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(path: str) -> str:
    return SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, path)


class RedactTokens(logging.Filter):
    """Rewrites the request path of uvicorn's access records (`%s - "%s %s HTTP/%s" %d`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with `RedactTokens` on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": "api.logs.RedactTokens"}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config
