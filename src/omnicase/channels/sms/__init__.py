"""SMS in and out over Twilio's wire format (form webhooks, the Messages REST API)."""
