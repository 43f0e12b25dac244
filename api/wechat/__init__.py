"""WeChat Official Account integration: signatures and AES (crypto), XML (xml), dispatch
(handler) and late delivery through the customer-service message API (sender)."""
