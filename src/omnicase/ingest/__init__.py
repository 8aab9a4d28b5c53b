"""Ingestion: the canonical message, identity resolution, threading and the pipeline."""
