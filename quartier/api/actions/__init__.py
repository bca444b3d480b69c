"""Writes of the API app (each in a transaction; domain writes go through the domain apps' actions).

- `people`: create or merge a person by email (OSDI's person signup, form submissions, CSV imports), tags.
- `keys`: issue and revoke API keys (staff).
- `helpers`: OSDI's attendance and donation helpers, through organizing's and donations' actions.
- `forms`: signup forms and their submissions.
"""
