"""One way to write dates and times per language (settings.FORMAT_MODULE_PATH): the month in words,
never 12/06/2026, which a Canadian reads as December or June depending on who wrote it; the 24-hour
clock as the explicit formats in templates use. What is not set here comes from Django's own."""
