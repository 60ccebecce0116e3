"""The evidence knowledge base (therapies, trials, guidelines, profiles, cases, references)."""
