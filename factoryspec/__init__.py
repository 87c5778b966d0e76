"""factoryspec: infrastructure-as-code for AI factories."""

__version__ = "0.1.0"
