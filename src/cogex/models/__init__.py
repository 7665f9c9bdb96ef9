"""Model loading and generation backends."""

from cogex.models.backend import Backend, Completion, GenerationConfig
from cogex.models.embedded import ModelLoadError
from cogex.models.loading import ModelSpec

__all__ = ["Backend", "Completion", "GenerationConfig", "ModelLoadError", "ModelSpec"]
