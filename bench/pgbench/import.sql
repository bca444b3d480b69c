-- The raw reference of the people import (bench.exchange, issue 25): one batch of `:batch` people per
-- transaction into a bare table with a unique email, rows made by the server (no file, no parsing, no
-- merge, no tags). pgbench -D batch=… -t <batches>
INSERT INTO bench_pgbench_people (email, first_name, last_name, phone, postal_code, tags)
SELECT 'raw' || b.number || '-' || g || '@bench.example.org', 'Anne', 'Roy', '+1514' || (2000000 + g), 'H2X 1Y4',
       'volunteer'
FROM generate_series(1, :batch) AS g, (SELECT nextval('bench_pgbench_people_batch') AS number) AS b;
