-- The wrk script of bench/load.py: it cycles through a plan of prepared requests, checks
-- every answer against the status (and redirect) the plan expects, and times each kind of
-- request itself, so one run of a flow (score sheet, then post the score) reports each step.
--
-- Run with as many threads as connections (wrk -t N -c N): each thread then has one
-- connection and sends its next request only when the answer is in, so the time from
-- request() to response() is that request's latency. These are the raw times of real
-- requests: wrk's own printed percentiles add synthetic samples for every request slower
-- than the run's average interval (stats_correct in wrk.c), so its p99 reads higher.
--
-- Environment: MADRINA_LOAD_PLAN (the plan file), MADRINA_LOAD_THREADS (N),
-- MADRINA_LOAD_STEP (requests per flow: threads start on a flow's first request),
-- MADRINA_LOAD_RESULT (where done() writes what bench/load.py reads).
-- A plan line is: kind, method, path, cookie, expected status, expected location, body
-- (tab-separated; the body is form-encoded, so it holds no tab).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } madrina_timespec;
int clock_gettime(int clk_id, madrina_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("madrina_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

-- The main script state: setup() numbers the threads, done() collects what they measured.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- Each thread's state, in globals so done() can read them with thread:get(). Only flat
-- tables: wrk 4.1 crashes copying a table that holds tables. Kinds are numbered in the
-- order the plan first names them; the latencies of kind i are in latencies_<i>.
kinds = {} -- i -> kind
unexpected = {} -- i -> answers that were not what the plan expects
first_unexpected = ""
acked = {} -- "kind<TAB>path" of every post answered as the plan expects

local plan = {}
local kind_number = {} -- kind -> i
local position = 0
local current = nil
local sent_at = 0

function init(args)
  for line in io.lines(os.getenv("MADRINA_LOAD_PLAN")) do
    local kind, method, path, cookie, expect, location, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = { ["Accept"] = "text/html", ["Cookie"] = cookie }
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    if not kind_number[kind] then
      kinds[#kinds + 1] = kind
      kind_number[kind] = #kinds
      _G["latencies_" .. #kinds] = {}
      unexpected[#kinds] = 0
    end
    plan[#plan + 1] = {
      kind = kind_number[kind],
      request = wrk.format(method, path, headers, body),
      expect = tonumber(expect),
      location = location,
      label = method .. " " .. path,
      path = path,
      posted = body ~= nil,
    }
  end
  -- Threads start spread over the plan (different judges, different projects).
  local step = tonumber(os.getenv("MADRINA_LOAD_STEP"))
  local start = math.floor((id - 1) * #plan / tonumber(os.getenv("MADRINA_LOAD_THREADS")))
  position = start - start % step
end

function request()
  current = plan[position + 1]
  position = (position + 1) % #plan
  sent_at = now_us()
  return current.request
end

function response(status, headers, body)
  local took = now_us() - sent_at
  local samples = _G["latencies_" .. current.kind]
  samples[#samples + 1] = took
  local ok = status == current.expect
  if ok and current.location ~= "" then
    ok = (headers["location"] or headers["Location"]) == current.location
  end
  if ok and current.posted then
    acked[#acked + 1] = kinds[current.kind] .. "\t" .. current.path
  end
  if not ok then
    unexpected[current.kind] = unexpected[current.kind] + 1
    if first_unexpected == "" then
      local where = headers["location"] or headers["Location"] or ""
      first_unexpected = current.label .. " answered " .. status .. " " .. where
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("MADRINA_LOAD_RESULT"), "w"))
  local e = summary.errors
  out:write(
    string.format(
      "summary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n",
      summary.duration,
      summary.requests,
      e.connect,
      e.read,
      e.write,
      e.status,
      e.timeout
    )
  )
  for _, thread in ipairs(threads) do
    local unexpected = thread:get("unexpected")
    for i, kind in ipairs(thread:get("kinds")) do
      local samples = thread:get("latencies_" .. i)
      out:write("latencies\t" .. kind .. "\t" .. table.concat(samples, ",") .. "\n")
      out:write("unexpected\t" .. kind .. "\t" .. unexpected[i] .. "\n")
    end
    for _, line in ipairs(thread:get("acked")) do
      out:write("acked\t" .. line .. "\n")
    end
    local first = thread:get("first_unexpected")
    if first ~= "" then
      out:write("first_unexpected\t" .. first .. "\n")
    end
  end
  out:close()
end
