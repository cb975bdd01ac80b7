"""Where a query goes: parsed, turned into an engine query, ranked, shaped into hits."""
