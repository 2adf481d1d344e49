"""Generic spiders driven by the sources file (see crawlers/sources.toml)."""
