"""Topic classifier: text in, relevance, topic labels and calibrated confidences out.

Knows nothing of Scrapy or SQL. ``load_default_model()`` returns the committed model.
"""
from classifier.model import Tags, TopicModel, load_default_model

__all__ = ["Tags", "TopicModel", "load_default_model"]
