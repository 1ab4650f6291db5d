"""Pure functions of DataFrames behind the dashboard: filters, unit-safe totals, labels, figures."""
