"""Understanding Chinese messages: intent and slots from free text."""
