--[[
  A worker's one call per turn of its event loop (and per tick when idle):
  frees the running slots of jobs that finished, sends retries back to their
  tenant's turn, records waits to start, re-enlists due jobs, then fills wait
  up to what the live workers can take.

  KEYS[1] fair:meta  KEYS[2] wait  KEYS[3] active  KEYS[4] marker  KEYS[5] BullMQ meta  KEYS[6] BullMQ delayed
  ARGV[1] key base  ARGV[2] now (ms)  ARGV[3] F  ARGV[4] R  ARGV[5] S, then
    F pairs   (job id, tenant): finished for good (completed, or failed with no retry left)
    R triples (job id, tenant, group): failed, to be retried after a delay (BullMQ moved it to delayed)
    S runs    (tenant, n, n waits in ms): waits to start of jobs that started
  Returns {jobs moved to wait, when the next due job is due or -1}.
]]
local base, now = ARGV[1], tonumber(ARGV[2])
local RECENT_MS = 600000
local finished, retrying, sampled = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local state = rcall("HMGET", KEYS[1], "cap", "target")
local cap, target = tonumber(state[1]) or 0, tonumber(state[2]) or 0
local ready = base .. "fair:ready"

-- Running slots to free, by tenant: one SREM per tenant, however many of its jobs ended.
local freeing = {}
local function free(tenant, id)
  local ids = freeing[tenant]
  if not ids then
    ids = {}
    freeing[tenant] = ids
  end
  ids[#ids + 1] = id
end

local at = 6
for _ = 1, finished do
  free(ARGV[at + 1], ARGV[at])
  at = at + 2
end
for _ = 1, retrying do
  local id, tenant, group = ARGV[at], ARGV[at + 1], ARGV[at + 2]
  at = at + 3
  -- Only from BullMQ's delayed set: a retry already back in wait (no delay, or due) stays in its running slot.
  local score = rcall("ZSCORE", KEYS[6], id)
  if score then
    rcall("ZREM", KEYS[6], id)
    rcall("ZADD", base .. "fair:due", math.floor(tonumber(score) / 4096), tenant .. "\n" .. group .. "\n" .. id)
    rcall("ZINCRBY", base .. "fair:backlog", 1, tenant)
    free(tenant, id)
  end
end
for tenant, ids in pairs(freeing) do
  local running = base .. "fair:r:" .. tenant
  local gone = 0
  for from = 1, #ids, 1000 do gone = gone + rcall("SREM", running, unpack(ids, from, math.min(#ids, from + 999))) end
  if gone > 0 then
    if rcall("EXISTS", running) == 0 then rcall("SREM", base .. "fair:running", tenant) end
    if not rcall("ZSCORE", ready, tenant) then refreshTenant(base, tenant, cap) end
  end
end
local recent = base .. "fair:recent"
for _ = 1, sampled do
  local tenant, n = ARGV[at], tonumber(ARGV[at + 1])
  local waits = base .. "fair:w:" .. tenant
  rcall("LPUSH", waits, unpack(ARGV, at + 2, at + 1 + n))
  rcall("LTRIM", waits, 0, 99)
  rcall("PEXPIRE", waits, RECENT_MS)
  rcall("ZADD", recent, now, tenant)
  at = at + 2 + n
end
if sampled > 0 then
  -- Tenants whose jobs started lately, so operators see their waits after they drained: at most about
  -- 1,000 (trimmed, oldest first, once past them), none older than 10 minutes (readers skip those; the
  -- set goes 10 minutes after the last start anywhere).
  rcall("PEXPIRE", recent, RECENT_MS)
  if rcall("ZCARD", recent) > 1100 then
    rcall("ZREMRANGEBYSCORE", recent, "-inf", now - RECENT_MS)
    rcall("ZREMRANGEBYRANK", recent, 0, -1001)
  end
end

local nextDue = promoteDue(base, now, 1000, cap)
local moved = 0
local space = room(base, KEYS[2], KEYS[3], target)
if space > 0 then moved = dispatch(base, space, cap, KEYS[2], KEYS[3], KEYS[4], KEYS[5]) end
return {moved, nextDue}
