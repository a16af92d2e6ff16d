--[[
  Fair shares between tenants, inside one partition queue: the local functions
  every fair-*.lua script shares (joined in front of it, see fair-scripts.ts).

  Keys, all under the queue's own key base `<prefix>:<name>:` (so its hash tag,
  so the same Redis Cluster slot as BullMQ's own keys). Job ids never hold ':',
  so no `fair:*` key can be a job's key. Names are built in fair-keys.ts too.
    fair:meta             HASH  held, heldp (jobs in lanes), vt (virtual time), seq,
                                target (jobs wanted in wait + active), cap (tenant concurrency), slots:<worker>
    fair:ready            ZSET  tenant -> pass: tenants that may be served now, next = lowest
    fair:backlog          ZSET  tenant -> jobs waiting for it (in lanes or due): admission, operators
    fair:due              ZSET  "tenant\ngroup\nid" -> when (ms): delayed jobs and retries, re-enlisted when due
    fair:paused           SET   tenants an operator paused
    fair:running          SET   tenants with dispatched jobs not yet finished
    fair:t:<tenant>       HASH  w (weight), pass, gv (the virtual time of its groups)
    fair:g:<tenant>       ZSET  group -> pass, among the tenant's groups with jobs in lanes
    fair:l:<tenant>/<g>   LIST  job ids without a priority, oldest first
    fair:p:<tenant>/<g>   ZSET  job ids with a priority -> priority * 2^32 + seq (BullMQ's order)
    fair:r:<tenant>       SET   dispatched job ids not yet finished: the tenant's running slots
    fair:w:<tenant>       LIST  recent waits to start (ms), newest first, at most 100, expiring after 10 minutes
    fair:recent           ZSET  tenant -> when a job of it last started: at most 1,000, none older than 10 minutes
  An idle tenant (no job in a lane, due, or running) has none of its keys but its recent
  waits, which expire 10 minutes after its last job started.
]]
local rcall = redis.call

-- Whether BullMQ's workers take jobs from this queue now (not paused, not at global concurrency).
local function takingJobs(bullMetaKey, activeKey)
  local attributes = rcall("HMGET", bullMetaKey, "paused", "concurrency")
  if attributes[1] then return false end
  if attributes[2] then return rcall("LLEN", activeKey) < tonumber(attributes[2]) end
  return true
end

-- Forgets a tenant that has nothing left here: its pass must not outlive it (an idle tenant earns no credit).
local function forgetIfIdle(base, tenant)
  if rcall("EXISTS", base .. "fair:g:" .. tenant, base .. "fair:r:" .. tenant) == 0
      and not rcall("ZSCORE", base .. "fair:backlog", tenant) then
    rcall("DEL", base .. "fair:t:" .. tenant)
  end
end

-- Puts the tenant in the ready set when it may be served (jobs in a lane, under its cap, not paused),
-- at its own pass but never behind the virtual time (no credit saved while idle or capped); else takes it out.
local function refreshTenant(base, tenant, cap)
  local ready = base .. "fair:ready"
  if rcall("EXISTS", base .. "fair:g:" .. tenant) == 1
      and (cap <= 0 or rcall("SCARD", base .. "fair:r:" .. tenant) < cap)
      and rcall("SISMEMBER", base .. "fair:paused", tenant) == 0 then
    if not rcall("ZSCORE", ready, tenant) then
      local pass = tonumber(rcall("HGET", base .. "fair:t:" .. tenant, "pass")) or 0
      local vt = tonumber(rcall("HGET", base .. "fair:meta", "vt")) or 0
      rcall("ZADD", ready, math.max(pass, vt), tenant)
    end
  else
    rcall("ZREM", ready, tenant)
    forgetIfIdle(base, tenant)
  end
end

-- Puts job `id` at the back of its tenant's lane for `group` (by priority when it has one).
-- `counted`: the job is already in the tenant's backlog (a due job coming back).
local function enlist(base, tenant, group, id, priority, cap, counted)
  local meta = base .. "fair:meta"
  if priority > 0 then
    local seq = rcall("HINCRBY", meta, "seq", 1) % 4294967296
    rcall("ZADD", base .. "fair:p:" .. tenant .. "/" .. group, priority * 4294967296 + seq, id)
    rcall("HINCRBY", meta, "heldp", 1)
  else
    rcall("RPUSH", base .. "fair:l:" .. tenant .. "/" .. group, id)
    rcall("HINCRBY", meta, "held", 1)
  end
  local groups = base .. "fair:g:" .. tenant
  if not rcall("ZSCORE", groups, group) then
    local gv = tonumber(rcall("HGET", base .. "fair:t:" .. tenant, "gv")) or 0
    rcall("ZADD", groups, gv, group)
  end
  if not counted then rcall("ZINCRBY", base .. "fair:backlog", 1, tenant) end
  if not rcall("ZSCORE", base .. "fair:ready", tenant) then refreshTenant(base, tenant, cap) end
end

-- One fewer job waiting for `tenant`.
local function unbacklog(base, tenant)
  if tonumber(rcall("ZINCRBY", base .. "fair:backlog", -1, tenant)) <= 0 then
    rcall("ZREM", base .. "fair:backlog", tenant)
  end
end

-- Moves up to `max` jobs from the lanes into BullMQ's wait list, each from the
-- tenant whose turn it is (lowest pass; a turn costs 1/weight), and within
-- it from the group whose turn it is. Returns how many moved.
local function dispatch(base, max, cap, waitKey, activeKey, markerKey, bullMetaKey)
  local meta = base .. "fair:meta"
  local ready = base .. "fair:ready"
  local moved, held, heldp, vt = 0, 0, 0, nil
  -- Ids whose job was removed meanwhile are skipped; the bound keeps a lane of them from holding Redis.
  local turns = 0
  while moved < max and turns < max + 1000 do
    turns = turns + 1
    local top = rcall("ZRANGE", ready, 0, 0, "WITHSCORES")
    if #top == 0 then break end
    local tenant, pass = top[1], tonumber(top[2])
    local t = base .. "fair:t:" .. tenant
    local groups = base .. "fair:g:" .. tenant
    local first = rcall("ZRANGE", groups, 0, 0, "WITHSCORES")
    local weight = tonumber(rcall("HGET", t, "w")) or 1
    if #first > 0 then
      local group, gpass = first[1], tonumber(first[2])
      local lane = base .. "fair:l:" .. tenant .. "/" .. group
      local plane = base .. "fair:p:" .. tenant .. "/" .. group
      local id = rcall("LPOP", lane)
      if id then
        held = held + 1
      else
        id = rcall("ZPOPMIN", plane)[1]
        if id then heldp = heldp + 1 end
      end
      if rcall("EXISTS", lane, plane) == 0 then rcall("ZREM", groups, group) else rcall("ZADD", groups, gpass + 1, group) end
      rcall("HSET", t, "pass", pass + 1 / weight, "gv", gpass)
      vt = pass
      if id then
        unbacklog(base, tenant)
        if rcall("EXISTS", base .. id) == 1 then
          rcall("LPUSH", waitKey, id)
          rcall("SADD", base .. "fair:r:" .. tenant, id)
          rcall("SADD", base .. "fair:running", tenant)
          moved = moved + 1
        end
      end
    end
    if rcall("EXISTS", groups) == 1 and (cap <= 0 or rcall("SCARD", base .. "fair:r:" .. tenant) < cap) then
      rcall("ZADD", ready, pass + 1 / weight, tenant)
    else
      rcall("ZREM", ready, tenant)
      forgetIfIdle(base, tenant)
    end
  end
  if held > 0 then rcall("HINCRBY", meta, "held", -held) end
  if heldp > 0 then rcall("HINCRBY", meta, "heldp", -heldp) end
  if vt then rcall("HSET", meta, "vt", vt) end
  -- BullMQ's workers block on the marker: wake them, as BullMQ's own adds do.
  if moved > 0 and takingJobs(bullMetaKey, activeKey) then rcall("ZADD", markerKey, 0, "0") end
  return moved
end

-- Jobs to move now so that wait + active hold `target` (what the live workers can take, and a little more).
local function room(base, waitKey, activeKey)
  local target = tonumber(rcall("HGET", base .. "fair:meta", "target")) or 0
  if target <= 0 then return 0 end
  return target - rcall("LLEN", waitKey) - rcall("LLEN", activeKey)
end

local function tenantCap(base)
  return tonumber(rcall("HGET", base .. "fair:meta", "cap")) or 0
end

-- Puts due jobs (delayed jobs, retries) back in their tenants' lanes, at most `max`.
-- Returns when the next one is due, or -1.
local function promoteDue(base, now, max, cap)
  local due = base .. "fair:due"
  local members = rcall("ZRANGEBYSCORE", due, "-inf", now, "LIMIT", 0, max)
  for _, member in ipairs(members) do
    rcall("ZREM", due, member)
    local tenant, group, id = string.match(member, "^([^\n]*)\n([^\n]*)\n(.*)$")
    if tenant then
      local jobKey = base .. id
      if rcall("EXISTS", jobKey) == 1 then
        rcall("HSET", jobKey, "delay", 0)
        enlist(base, tenant, group, id, tonumber(rcall("HGET", jobKey, "priority")) or 0, cap, true)
      else
        unbacklog(base, tenant)
        forgetIfIdle(base, tenant)
      end
    end
  end
  local next = rcall("ZRANGE", due, 0, 0, "WITHSCORES")
  if #next == 0 then return -1 end
  return tonumber(next[2])
end
