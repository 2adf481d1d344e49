"""Persistence for newsmon: SQLAlchemy 2 models, Alembic migrations and analysts' queries.

Knows nothing of HTML or Scrapy: callers hand it plain values.
"""
