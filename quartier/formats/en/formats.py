# 12 June 2026 · 12 June 2026, 14:30 (and "5 Jan. 2026" in short form): the order of the explicit
# formats in templates ("l j F Y, H:i") and of the French pages.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
