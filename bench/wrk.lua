-- wrk script for bench/run: every request speaks as a random user (keys from a file).
-- Arguments: KEYS_FILE SCENARIO MAX_TWEET_ID [MENTIONS THREADS]
-- Scenarios: page1, web, page3, whole, whole-cold (the whole feed; bench.py empties the likers
-- cache first), like, post, me, and mixed (a weighted mix of the api scenarios, see `mix`). For
-- `web` (the web client's home page) the file holds session cookies (`sessionid=...`, made by
-- bench/sessions.py), not api keys; so for web-latest and web-thread. Conversations:
-- latest (the API's Latest order), thread (replies of one of the first THREADS tweets), tag,
-- post-entities (a post with the two @MENTIONS and two tags). Search: search-common (a word in a
-- fifth of the posts), search-rare (a word bench.py adds to a few posts), search-phrase, search-from
-- (the first of MENTIONS' users); post-unindexed posts with the search index's trigger disabled.
-- Notifications: follow (follow/unfollow of random users, never oneself: the i-th key is user i),
-- notifications-unread (the unread count), notifications (the first user's first page).
-- Prints one line "BENCH {json}" with counts summed over wrk's threads.

local threads = {}

-- The mixed load, in percent of requests: mostly first pages, some paging and whole feeds, likes
-- and unlikes, a few posts, and the profile a client fetches on start.
local mix = {
  { "page1", 45 }, { "page3", 15 }, { "whole", 5 }, { "like", 15 }, { "post", 5 }, { "me", 15 },
}

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
  mentions = args[4] or ""
  threads = tonumber(args[5] or "1")
  math.randomseed(os.time() * 100 + tid)
  queries, counted, non2xx, liked = 0, 0, 0, 0
  for _, entry in ipairs(mix) do _G["sent_" .. entry[1]] = 0 end
end

local paths = {
  page1 = "/api/tweets?offset=1&limit=20",
  page3 = "/api/tweets?offset=3&limit=20",
  whole = "/api/tweets",
  ["whole-cold"] = "/api/tweets",
  me = "/api/users/me",
  latest = "/api/tweets?order=latest&limit=20",
  tag = "/api/tags/bench/tweets?limit=20",
  ["search-common"] = "/api/search?q=deploy&limit=20",
  ["search-rare"] = "/api/search?q=zeppelin&limit=20",
  ["search-phrase"] = "/api/search?q=%22fix%20the%20bug%22&limit=20",
  ["notifications-unread"] = "/api/notifications/unread",
  notifications = "/api/notifications?limit=20",
}

local function pick()
  local roll, sum = math.random(100), 0
  for _, entry in ipairs(mix) do
    sum = sum + entry[2]
    if roll <= sum then return entry[1] end
  end
end

function request()
  if scenario == "web" then
    return wrk.format("GET", "/", { ["Cookie"] = keys[math.random(#keys)] })
  elseif scenario == "web-latest" then
    return wrk.format("GET", "/latest/", { ["Cookie"] = keys[math.random(#keys)] })
  elseif scenario == "web-thread" then
    return wrk.format("GET", "/tweets/" .. math.random(threads) .. "/", { ["Cookie"] = keys[math.random(#keys)] })
  end
  local kind = scenario
  if scenario == "mixed" then
    kind = pick()
    _G["sent_" .. kind] = _G["sent_" .. kind] + 1
  end
  local who = math.random(#keys)
  if kind == "notifications" then who = 1 end
  local headers = { ["api-key"] = keys[who] }
  if scenario == "mixed" and math.random(100) == 1 then
    -- Clients come and go: wrk's connections otherwise stay with the worker that accepted them
    -- first (often one worker takes all 16), which would leave the others idle for the whole run.
    headers["Connection"] = "close"
  end
  if kind == "like" then
    -- Alternate like and unlike on random tweets.
    liked = liked + 1
    local method = (liked % 2 == 1) and "POST" or "DELETE"
    return wrk.format(method, "/api/tweets/" .. math.random(max_tweet) .. "/likes", headers)
  elseif kind == "follow" then
    liked = liked + 1
    local method = (liked % 2 == 1) and "POST" or "DELETE"
    local target = math.random(#keys - 1)
    if target >= who then target = target + 1 end
    return wrk.format(method, "/api/users/" .. target .. "/follow", headers)
  elseif kind == "search-from" then
    return wrk.format("GET", "/api/search?q=from:" .. string.match(mentions, "@([^ ]+)") .. "&limit=20", headers)
  elseif kind == "post" or kind == "post-unindexed" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/tweets", headers, '{"tweet_data": "Benchmark tweet"}')
  elseif kind == "post-entities" then
    headers["Content-Type"] = "application/json"
    return wrk.format(
      "POST", "/api/tweets", headers, '{"tweet_data": "Benchmark tweet ' .. mentions .. ' #bench #chirp"}'
    )
  elseif kind == "thread" then
    return wrk.format("GET", "/api/tweets/" .. math.random(threads) .. "/replies", headers)
  end
  return wrk.format("GET", paths[kind], headers)
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
  local sent = {}
  for _, thread in ipairs(threads) do
    q = q + thread:get("queries")
    c = c + thread:get("counted")
    n = n + thread:get("non2xx")
  end
  for _, entry in ipairs(mix) do
    local total = 0
    for _, thread in ipairs(threads) do total = total + thread:get("sent_" .. entry[1]) end
    sent[#sent + 1] = string.format('"%s": [%d, %d]', entry[1], entry[2], total)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"non2xx": %d, "socket_errors": %d, "queries": %d, "counted": %d, "mix": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    n, e.connect + e.read + e.write + e.timeout, q, c, table.concat(sent, ", ")))
end
