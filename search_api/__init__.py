"""The HTTP face of bahth: a JSON API and a server-rendered Arabic search page.

``search_api.app.create_app`` builds the falcon app; ``get_app`` is what
gunicorn loads (``bahth serve``).  The index is reached only through
``indexer`` (Searcher), never through an engine directly.
"""
