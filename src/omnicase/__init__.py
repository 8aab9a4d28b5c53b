"""omnicase: one case per customer request, whatever the channel."""

__version__ = "0.1.0"
