"""Derivation steps checked by machine (`invoke check-steps`); imports without Pelican."""
