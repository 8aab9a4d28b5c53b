"""Satisfaction surveys: sent after resolution on the case's channel, answered by a link
(email) or by the customer's next message (chat, SMS, WhatsApp, Messenger)."""
