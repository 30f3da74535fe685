"""Read models for the API and dashboard: cost breakdowns and runs, always scoped to an account."""
