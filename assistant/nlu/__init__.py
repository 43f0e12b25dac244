"""Understanding Chinese messages: intent and slots from free text.

`parse(text, known_regions=())` → `Understanding` (assistant/nlu/models.py).
"""

from assistant.nlu.parse import parse

__all__ = ["parse"]
