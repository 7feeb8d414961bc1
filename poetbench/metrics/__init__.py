"""One module per metric family; each exposes ``score(poem, ctx) -> dict`` of score-record keys."""
