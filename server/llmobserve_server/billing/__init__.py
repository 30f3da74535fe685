"""Plans and their limits (members, events per month, retention); later quotas and Stripe."""
