"""Benchmarks of the dashboard against their floors; see BENCHMARKS.md."""
