"""Stream tokens never reach the access log."""

import logging
import logging.config

from api.logs import RedactTokens, log_config, redact


def test_tokens_in_the_query_are_redacted() -> None:
    assert redact("/v1/runs/run_1/events?token=abc.def&after=3") == "/v1/runs/run_1/events?token=[redacted]&after=3"
    assert redact("/v1/x?after=3&access_token=zzz") == "/v1/x?after=3&access_token=[redacted]"
    assert redact("/v1/courses?cursor=abc") == "/v1/courses?cursor=abc"


def test_the_access_log_record_is_rewritten() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/runs/r/events?token=secret.sig", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert "secret" not in record.getMessage() and "[redacted]" in record.getMessage()


def test_serve_gives_uvicorn_the_filter_on_its_access_handler() -> None:
    config = log_config()
    assert config["handlers"]["access"]["filters"] == ["redact_tokens"]
    logging.config.dictConfig(config)
    logger = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactTokens) for h in logger.handlers for f in h.filters)
