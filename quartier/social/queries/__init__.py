"""Reads: who sees what (one rule for the feed, blogs, search, RSS and emails), the feed, blogs,

conversations, notifications, search and the dashboard panel.

The visibility rule lives in `visible_posts` (querysets) and `can_read` (one loaded post), side by
side, so that every list and every page agree.

- `visibility`: The one visibility rule: who may read which post (`visible_posts` for lists, `can_read` for one), blocks and sanctions.
- `connections`: Follows, followers, friends, blocks and people you may know.
- `posts`: Blogs, drafts and comments, paged by cursor.
- `feed`: The activity feed: posts, joins and hosted events of the people and groups one follows, merged on read.
- `conversations`: The inbox, a conversation's messages and participants, unread counts and the dashboard panel.
- `notifications`: Notifications still worth showing, and who is due a digest.
- `search`: Search for people (within privacy) and posts (full text on PostgreSQL).
- `moderation`: The moderation queue, who may moderate what, and the decisions about a person.
- `graph`: The follow graph as chunks of numpy arrays, for reach's analytics (binary COPY on PostgreSQL).
- `bulk`: Follows and recent posts and comments in bulk, for integrity's trust graph and detectors.
"""
