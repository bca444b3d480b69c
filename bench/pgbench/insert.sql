-- The raw reference of the webhook inbox: one single-row INSERT per transaction (bench.donations, bench.inbox).
INSERT INTO bench_pgbench_insert (payload) VALUES ('x');
