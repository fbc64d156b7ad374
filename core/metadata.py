"""The full schema, for Alembic: imports every service's models onto the shared metadata.

This is the one place in `core` that names the services' model modules; it is only used by
migrations, never at run time by the services themselves.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from core.db import Base

MODEL_MODULES = (
    "core.models",
    "core.entitlements",
    "core.activity",
    "courses.models",
    "commerce.models",
    "mail.models",
    "mail.workflows.models",
    "ingestion.models",
    "tools.models",
    "agents.models",
)


def load_metadata() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
