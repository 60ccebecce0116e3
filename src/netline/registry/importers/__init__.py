"""Importers into the registry: netline case files, FHIR mCODE bundles, REDCap, OMOP CDM."""
