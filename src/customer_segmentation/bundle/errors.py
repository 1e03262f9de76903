"""Named errors of the model bundle: each says which bundle, what is wrong and what to do."""

from __future__ import annotations

from kedro.io import DatasetError


class BundleError(DatasetError):
    """A model bundle cannot be loaded or published.

    A ``DatasetError``, so Kedro passes it through its dataset wrappers unchanged.
    """


class BundleNotFoundError(BundleError):
    """No published bundle, or not the requested version, in this environment."""


class BundleEnvironmentError(BundleError):
    """The bundle was trained in another environment than the one asking for it."""


class BundleIntegrityError(BundleError):
    """A file of the bundle is missing, changed, or not listed in its manifest."""


class BundleUntrustedError(BundleError):
    """The model file asks for a type outside the trusted list; it was not loaded."""


class BundleMismatchError(BundleError):
    """The parts of a bundle disagree (e.g. the model's k and the segment names)."""
