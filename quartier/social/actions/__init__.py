"""Writes: follow and block, posts, comments, reactions and re-posts, conversations and messages,

notifications, reports and moderation. Each in a transaction; emails go out after commit (tasks).

Every refusal raises `SocialError` with a code the views turn into a translated message.

- `common`: What every social write shares: the error type, the check that an account may write, a per-person lock.
- `notifications`: Notifications: create them as each person's settings ask, mark them read, claim them for email.
- `connections`: Follows, blocks and each person's social settings.
- `posts`: Blog posts, images, re-posts, featuring, comments and reactions, with their rate limits.
- `conversations`: Private, group and event conversations: starting one (first-contact limits), sending, reading, leaving.
- `moderation`: Reports, moderation decisions with their audit log, and appeals.
"""
