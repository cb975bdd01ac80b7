"""Deployment configuration: the gunicorn settings ``bahth serve`` runs with."""
