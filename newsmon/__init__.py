"""newsmon: find, extract, tag and deliver news on international AI governance."""

__version__ = "0.1.0"
