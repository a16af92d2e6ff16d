--[[
  Adds a job of a fair type: stored as BullMQ stores it (the same hash fields
  and events as addStandardJob, so BullMQ, Bull Board and the API read it as
  any job), but put in its tenant's lane instead of the wait list. Then, when
  the live workers have room, jobs move on to wait in fair order.

  An idempotent add (an Idempotency-Key, a caller's own jobId) carries a
  digest of what was asked: its record (`idem:<id>`, beside the job, so on the
  same primary and replicated with it) is written in this same step, and
  outlives the job for the record's TTL. A repeat finds the record, never adds
  again, and answers what the first one asked for, however long ago the job ran.

  KEYS[1] fair:meta  KEYS[2] events  KEYS[3] wait  KEYS[4] active  KEYS[5] marker  KEYS[6] BullMQ meta
  ARGV[1] key base (`<prefix>:<name>:`)  ARGV[2] job id  ARGV[3] name  ARGV[4] data (JSON)
  ARGV[5] opts (JSON, as BullMQ stores them)  ARGV[6] timestamp (ms)  ARGV[7] delay (ms)
  ARGV[8] priority  ARGV[9] tenant  ARGV[10] group  ARGV[11] weight  ARGV[12] the tenant's backlog cap here (0: none)
  ARGV[13] the request's digest ('' when not idempotent)  ARGV[14] the record's TTL (s)  ARGV[15] its owner
  ARGV[16] this request's nonce: a resend of this very call (ioredis retries a command whose connection
  closed, or that a failing-over cluster bounced) finds its own nonce, and is told the job is its own
  Dispatches at once when the workers have room no lane could fill (meta `hungry`, or never dispatched yet).

  Returns the job id when added; {-20, digest, owner, nonce} when a record says the id
  was asked for before (nothing is added); {-21} when a job with that id exists
  without a record (nothing is added); {-10, backlog} when the tenant's backlog
  here is at its cap (nothing is added).
]]
local base, id = ARGV[1], ARGV[2]
local jobKey = base .. id
local digest = ARGV[13]
local record = base .. "idem:" .. id
if digest ~= "" then
  local first = rcall("HMGET", record, "digest", "owner", "nonce")
  if first[1] then return {-20, first[1], first[2] or "", first[3] or ""} end
end
if rcall("EXISTS", jobKey) == 1 then return {-21} end

local tenant, group = ARGV[9], ARGV[10]
local backlogCap = tonumber(ARGV[12])
-- Counted first, taken back when over the cap: one call where most adds pass.
local backlogKey = base .. "fair:backlog"
local backlog = tonumber(rcall("ZINCRBY", backlogKey, 1, tenant))
if backlogCap > 0 and backlog > backlogCap then
  if tonumber(rcall("ZINCRBY", backlogKey, -1, tenant)) <= 0 then rcall("ZREM", backlogKey, tenant) end
  return {-10, backlog - 1}
end

if digest ~= "" then
  rcall("HSET", record, "digest", digest, "owner", ARGV[15], "nonce", ARGV[16])
  rcall("EXPIRE", record, ARGV[14])
end

local timestamp, delay, priority = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
rcall("HSET", jobKey, "name", ARGV[3], "data", ARGV[4], "opts", ARGV[5], "timestamp", timestamp, "delay", delay, "priority", priority)
rcall("XADD", KEYS[2], "*", "event", "added", "jobId", id, "name", ARGV[3])
local maxEvents = rcall("HGET", KEYS[6], "opts.maxLenEvents") or 10000

-- A weight of 1 (most keys) is the default, not stored: a tenant of weight 1 with nothing to remember has no hash.
local t = base .. "fair:t:" .. tenant
if ARGV[11] == "1" then rcall("HDEL", t, "w") else rcall("HSET", t, "w", ARGV[11]) end
local state = rcall("HMGET", KEYS[1], "cap", "hungry")
local cap = tonumber(state[1]) or 0
if delay > 0 then
  rcall("ZADD", base .. "fair:due", timestamp + delay, tenant .. "\n" .. group .. "\n" .. id)
  rcall("XADD", KEYS[2], "MAXLEN", "~", maxEvents, "*", "event", "delayed", "jobId", id, "delay", timestamp + delay)
else
  enlist(base, tenant, group, id, priority, cap, true)
  rcall("XADD", KEYS[2], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", id)
  -- Only while the workers wait for work (the last dispatch could not fill their room): under load,
  -- their own settle calls move jobs, and an add need not look at the wait list at all.
  if state[2] ~= "0" then
    local free = room(base, KEYS[3], KEYS[4])
    if free > 0 then dispatch(base, free, cap, KEYS[3], KEYS[4], KEYS[5], KEYS[6]) end
  end
end
return id
