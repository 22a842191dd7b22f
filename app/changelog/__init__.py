"""The change log: every state change appends a `change_event` row in its own transaction.

`kinds` names what the log records, `events` builds its rows, `repository` reads and writes
it. Readers (SSE, GraphQL subscriptions, webhooks, the caches it invalidates) sit above.
"""
