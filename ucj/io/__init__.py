"""Importers for planners' real files, and atomic output writing."""
