"""Topic tagging seam: sets item["tags"] and item["model_version"] (filled in by the classifier issue)."""
from __future__ import annotations


class ClassifyPipeline:
    """Pass-through until a classifier model is available."""

    def process_item(self, item):
        return item
