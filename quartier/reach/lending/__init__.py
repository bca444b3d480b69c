"""Lend your status, by layer: `crypto` (credentials at rest), `services` (the Mastodon and Bluesky
wire calls), `actions` (consent, accounts, scheduling, vetoes, publishing), `queries` (pages' reads),
`tasks` (the periodic publisher), `forms`."""
