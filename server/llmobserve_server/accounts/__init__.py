"""Users, accounts, memberships, sessions and API keys: who may do what, for which account."""
