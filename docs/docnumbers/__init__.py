"""Documented numbers are data: every number in README.md and docs/ that comes from running
numpynn is produced by a *recipe* (commands plus what to read from their output), stored as a
*record* in docs/records/ with the configuration that produced it, and shown on a page through a
*mark* that says which record value it is. ``python docs/refresh.py`` reruns the recipes and
rewrites the pages; tests/docs/test_records.py checks, without training, that the pages say what
the records say and that the records were made with today's defaults."""
