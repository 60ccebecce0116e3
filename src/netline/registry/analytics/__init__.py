"""Cohort analytics: selection, Table 1, survival (lifelines) and treatment pathways."""
