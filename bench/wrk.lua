-- wrk script for bench/run: every request speaks as a random user (keys from a file).
-- Arguments: KEYS_FILE SCENARIO MAX_TWEET_ID
-- Scenarios: page1, web, page3, whole, like, post, me. For `web` (the web client's home page) the
-- file holds session cookies (`sessionid=...`, made by manage.py bench_sessions), not api keys.
-- Prints one line "BENCH {json}" with counts summed over wrk's threads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  keys = {}
  for line in io.lines(args[1]) do
    if line ~= "" then keys[#keys + 1] = line end
  end
  scenario = args[2]
  max_tweet = tonumber(args[3])
  math.randomseed(os.time() * 100 + tid)
  queries, counted, non2xx, liked = 0, 0, 0, 0
end

local paths = {
  page1 = "/api/tweets?offset=1&limit=20",
  page3 = "/api/tweets?offset=3&limit=20",
  whole = "/api/tweets",
  me = "/api/users/me",
}

function request()
  if scenario == "web" then
    return wrk.format("GET", "/", { ["Cookie"] = keys[math.random(#keys)] })
  end
  local headers = { ["api-key"] = keys[math.random(#keys)] }
  if scenario == "like" then
    -- Alternate like and unlike on random tweets.
    liked = liked + 1
    local method = (liked % 2 == 1) and "POST" or "DELETE"
    return wrk.format(method, "/api/tweets/" .. math.random(max_tweet) .. "/likes", headers)
  elseif scenario == "post" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/tweets", headers, '{"tweet_data": "Benchmark tweet"}')
  end
  return wrk.format("GET", paths[scenario], headers)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  local q = headers["X-Query-Count"] or headers["x-query-count"]
  if q then
    queries = queries + tonumber(q)
    counted = counted + 1
  end
end

function done(summary, latency, requests)
  local q, c, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    q = q + thread:get("queries")
    c = c + thread:get("counted")
    n = n + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, '
      .. '"socket_errors": %d, "queries": %d, "counted": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), n,
    e.connect + e.read + e.write + e.timeout, q, c))
end
