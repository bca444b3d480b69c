"""Every write of fieldwork: campaigns and their universe, the call queue, walk lists, results.

The call queue hands each contact to one volunteer at a time: a lease (`Target.leased_to`,
`lease_expires_at`) taken with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and confirmed by a
conditional `UPDATE`; on SQLite the `BEGIN IMMEDIATE` transaction serialises claims. An expired lease
needs no sweeper: the queue treats it as free. The first volunteer to call a contact becomes its
`caller`, and only they get it again (after a no-answer cool-down or at a call-back time).

- `common`: The error every fieldwork write raises.
- `calls`: The call queue: targets, calling zones and quiet hours, exclusive claims and releases.
- `results`: Results of a door or a call: answers checked, quality flags, what happens to the contact next, the organiser's queue.
- `walk_lists`: Turf cut into walk lists, assigned to volunteers or claimed near them.
- `scripts`: Scripts and their questions.
"""
