"""Sirocco: Mistral's Workflow Language v2 and REST API v2 on serverless AWS."""

__version__ = "0.1.0"
