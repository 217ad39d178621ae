-- wrk script: replay a pool of pre-signed Twilio webhooks (one per line:
-- path TAB X-Twilio-Signature TAB form body), each thread taking every Nth request,
-- and count answers that are not 2xx.  BENCH_POOL and BENCH_THREADS come from the
-- environment.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  pool = {}
  stride = tonumber(os.getenv("BENCH_THREADS") or "1")
  index = id + 1 - stride
  non2xx = 0
  wrapped = 0
  local headers_for = function(signature)
    return {["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = signature, ["User-Agent"] = "TwilioProxy/1.1"}
  end
  for line in io.lines(os.getenv("BENCH_POOL")) do
    local path, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    pool[#pool + 1] = wrk.format("POST", path, headers_for(signature), body)
  end
end

function request()
  index = index + stride
  if index > #pool then
    index = index - #pool
    wrapped = wrapped + 1
  end
  return pool[index]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad, wraps = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    wraps = wraps + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "pool_wraps": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, bad, wraps, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
