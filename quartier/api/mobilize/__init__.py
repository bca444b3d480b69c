"""A Mobilize-compatible read API (`/api/mobilize/v1/`): Mobilize's field names, paging and errors, so
that clients written for Mobilize (Parsons' `MobilizeAmerica`, event widgets) work with only the base
URL changed. See https://github.com/mobilizeamerica/api for the format it follows."""
