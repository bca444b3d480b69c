-- wrk script: every request takes a random path from a file (one path a line), given after `--`:
--   wrk -c 16 -d 20s -s bench/random_urls.lua http://127.0.0.1:8000 -- /tmp/paths.txt
-- With `sequential <threads>` after the file, each thread walks its own share of the paths in order
-- instead (a first visit: no path is asked twice while the list lasts):
--   wrk -t 2 -c 16 -d 20s -s bench/random_urls.lua http://127.0.0.1:8000 -- /tmp/paths.txt sequential 2
-- At the end it prints one JSON line with the figures `python -m bench` reads (latencies in µs).

local paths = {}
local next_seed = 0
local sequential = false
local position = 0

function setup(thread)
  next_seed = next_seed + 1
  thread:set("seed", next_seed)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. args[1])
  end
  math.randomseed(os.time() * 1000 + (seed or 0))
  if args[2] == "sequential" then
    sequential = true
    local threads = tonumber(args[3] or "1")
    position = math.floor(((seed or 1) - 1) * #paths / threads)
  end
end

function request()
  if sequential then
    position = position % #paths + 1
    return wrk.format("GET", paths[position])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, '
      .. '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout
  ))
end
