"""Pages: give (with the sandbox's hosted page), fundraising pages, teams, my gifts, staff tools, and

the Stripe webhook. Views validate, call `actions` and render; the rules live in `actions` and
`compliance`.

- `common`: What the donation pages share: the language, money as people read it, limit messages, remembered checkouts.
- `checkout`: Giving: the donate page, the one-step repeat gift, thanks and cancelled pages, the sandbox's hosted page, Stripe's webhook.
- `pages`: Personal fundraising pages: list, page, create, edit, teams, and email to one's own network.
- `donors`: A donor's own gifts: the list, monthly gifts (cancel, change), refund requests, details completed after the fact.
- `staff`: Staff pages: gifts, figures, the compliance queue and its CSV exports, refunds, page moderation.
"""
