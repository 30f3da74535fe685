"""Budget alerts: queued in the transaction that claims a crossing (queue.py), then delivered
right after the commit and retried with backoff for 24 hours by a job (delivery.py): emails
through the server's mail transport, webhooks signed with HMAC-SHA256 (signing.py), Slack's
message format for Slack incoming webhooks, and, in production, no webhook to an address inside
the operator's network (targets.py)."""
