"""Where a document goes: read from its source, analysed, written into a new generation."""
