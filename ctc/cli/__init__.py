"""Thin command-line adapter over the library (see ctc.cli.main)."""
