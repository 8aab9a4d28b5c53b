"""Phone / CTI call events: a generic signed JSON webhook and Twilio voice callbacks."""
