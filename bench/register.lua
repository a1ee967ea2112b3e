-- wrk script: each request registers the next member (a token of the file BENCH_TOKENS) for the
-- event at BENCH_PATH, so that every request is a new registration.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  if line ~= "" then tokens[#tokens + 1] = line end
end
local path = os.getenv("BENCH_PATH")
local i = 0
-- A global: wrk sets each thread's own (thread:set), and the main state counts them out here.
offset = 0
setup = function(thread)
  -- Each wrk thread takes its own half of the tokens.
  thread:set("offset", offset)
  offset = offset + math.floor(#tokens / 2)
end
request = function()
  i = i + 1
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. tokens[offset + i] })
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.2f %.2f %.2f %.2f %.0f %d %d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.requests))
end
