"""Outgoing webhooks. `signing`: the signature scheme; `events`: journal kinds → event types and
bodies; `network`: the guarded HTTP POST; `actions`: endpoints, the journal reader, delivery, replay;
`views`/`forms`: the staff pages."""
