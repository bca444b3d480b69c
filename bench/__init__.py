"""Benchmarks of Quartier's hot paths and the synthetic campaign generator they share with the demo.

python -m bench --supporters 2000000          load (if needed) and measure on var/bench.sqlite3
python -m bench --database-url postgresql://…  the same against PostgreSQL

`bench_accounts` measures the profile page, `bench_organizing` event and group search and pages.
"""
