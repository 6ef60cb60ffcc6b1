"""The base of the generated models: validators are built on first use, not at import."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    # ~70 models: building all their validators at import cost more than httpx's own import.
    model_config = ConfigDict(defer_build=True, populate_by_name=True)
