"""Shared fixtures. The real embedded model is loaded once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def embedded_backend():
    """The real embedded SmolLM2-135M-Instruct without adapter (no call cache)."""
    from cogex.models.factory import configure_torch_threads
    from cogex.models.loading import ModelSpec
    from cogex.models.transformers_backend import TransformersBackend

    configure_torch_threads()
    return TransformersBackend.from_spec(ModelSpec(adapter="none"), batch_size=4)
