"""netline: treatment sequencing for advanced neuroendocrine tumours."""

from netline._version import __version__

__all__ = ["__version__"]
