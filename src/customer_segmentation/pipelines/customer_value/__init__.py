"""The ``customer_value`` pipeline: BG/NBD and Gamma-Gamma customer lifetime value."""

from .compile_cache import configure_compile_cache

# Before anything imports pytensor, which reads its settings once.
configure_compile_cache()

from .pipeline import create_pipeline  # noqa: E402

__all__ = ["create_pipeline"]
