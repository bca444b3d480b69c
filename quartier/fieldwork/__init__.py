"""Walking and calling campaigns: contacts, scripts and surveys, walk lists, the call queue, results.

Activity kinds recorded in the journal (`accounts.activity.record_activity`):

- `fieldwork.door`: a door result recorded from a walk list (key `result:<id>`).
- `fieldwork.call`: a call result recorded from a phone bank (key `result:<id>`).

Both carry detail {"result": canned result code, "reached": bool, "campaign": id,
"answers": [{"question": text, "answer": text}, ...]}; `group_id` is the campaign's local group.
"""
