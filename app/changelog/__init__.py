"""The change log: every state change appends `change_event` rows in its own transaction.

`kinds` names what the log records, `events` builds its rows, `repository` reads and writes
it, `cache` keeps values until an event touches their area. Its readers (SSE, GraphQL
subscriptions, webhooks, the board's snapshots) sit above; docs/architecture.md draws the layers.
"""
