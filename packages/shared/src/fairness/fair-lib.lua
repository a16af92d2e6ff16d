--[[
  Fair shares between tenants, inside one partition queue: the local functions
  every fair-*.lua script shares (joined in front of it, see fair-scripts.ts).

  Keys, all under the queue's own key base `<prefix>:<name>:` (so its hash tag,
  so the same Redis Cluster slot as BullMQ's own keys). Job ids never hold ':',
  so no `fair:*` key can be a job's key. Names are built in redis/keys.ts too.
    fair:meta             HASH  held, heldp (jobs in lanes), vt (virtual time), seq,
                                target (jobs wanted in wait + active), cap (tenant concurrency), slots:<worker>,
                                hungry (1: the last dispatch had room left that no lane could fill)
    fair:ready            ZSET  tenant -> pass: tenants that may be served now, next = lowest
    fair:backlog          ZSET  tenant -> jobs waiting for it (in lanes or due): admission, operators
    fair:due              ZSET  "tenant\ngroup\nid" -> when (ms): delayed jobs and retries, re-enlisted when due
    fair:paused           SET   tenants an operator paused
    fair:running          SET   tenants with dispatched jobs not yet finished
    fair:t:<tenant>       HASH  w (weight), pass (kept while it is out of turn at its cap)
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
  if not counted then rcall("ZINCRBY", base .. "fair:backlog", 1, tenant) end
  if not rcall("ZSCORE", groups, group) then
    -- A group with new jobs starts level with the group whose turn is next: no credit for having been idle.
    local first = rcall("ZRANGE", groups, 0, 0, "WITHSCORES")
    rcall("ZADD", groups, tonumber(first[2]) or 0, group)
    -- The tenant's first jobs in any lane: it may be served now. (With jobs in lanes already, it is
    -- in turn, or out of it for its cap or a pause, which a freed slot or a resume looks at again.)
    if #first == 0 then refreshTenant(base, tenant, cap) end
  end
end

-- One fewer job waiting for `tenant`.
local function unbacklog(base, tenant)
  if tonumber(rcall("ZINCRBY", base .. "fair:backlog", -1, tenant)) <= 0 then
    rcall("ZREM", base .. "fair:backlog", tenant)
  end
end

-- Pushes `ids` with `command` in slices: Lua's unpack takes a few thousand values at most.
local function pushAll(command, key, ids)
  for from = 1, #ids, 1000 do
    rcall(command, key, unpack(ids, from, math.min(#ids, from + 999)))
  end
end

-- Moves up to `max` jobs from the lanes into BullMQ's wait list, each from the
-- tenant whose turn it is (lowest pass; a turn costs 1/weight), and within
-- it from the group whose turn it is. Returns how many moved.
-- Per job moved: the ready set's head, the pop, the job's existence, the
-- tenant's new pass (and two more with several groups); the rest (weights,
-- backlogs, running slots, the wait list) once per call. A lane that ran dry
-- is found on its tenant's next turn, which then goes to its next group.
local function dispatch(base, max, cap, waitKey, activeKey, markerKey, bullMetaKey)
  local ready = base .. "fair:ready"
  local moved, tenants = {}, {}
  local held, heldp, vt = 0, 0, nil
  -- Ids whose job was removed meanwhile are skipped; the bound keeps a lane of them from holding Redis.
  local turns = 0
  while #moved < max and turns < max + 1000 do
    turns = turns + 1
    local top = rcall("ZRANGE", ready, 0, 0, "WITHSCORES")
    if #top == 0 then break end
    local tenant, pass = top[1], tonumber(top[2])
    local groupsKey = base .. "fair:g:" .. tenant
    local t = tenants[tenant]
    if not t then
      t = { ids = {}, popped = 0, left = false, weight = tonumber(rcall("HGET", base .. "fair:t:" .. tenant, "w")) or 1 }
      if cap > 0 then t.running = rcall("SCARD", base .. "fair:r:" .. tenant) end
      tenants[tenant] = t
    end
    -- Its group: the only one (most tenants), or the one whose turn it is.
    if t.only == nil then
      local groups = rcall("ZRANGE", groupsKey, 0, 1)
      t.only = (#groups == 1) and groups[1] or false
      t.none = #groups == 0
    end
    local group, gpass = t.only, nil
    if not t.none and not group then
      local first = rcall("ZRANGE", groupsKey, 0, 0, "WITHSCORES")
      group, gpass = first[1], tonumber(first[2])
    end
    local id
    if not t.none then
      id = rcall("LPOP", base .. "fair:l:" .. tenant .. "/" .. group)
      if id then
        held = held + 1
      else
        id = rcall("ZPOPMIN", base .. "fair:p:" .. tenant .. "/" .. group)[1]
        if id then heldp = heldp + 1 end
      end
      if not id then
        -- A group's lanes ran dry (found on its next turn, not checked after every pop): it leaves, the turn is not spent.
        rcall("ZREM", groupsKey, group)
        t.only = nil
        t.none = rcall("EXISTS", groupsKey) == 0
      elseif gpass then
        rcall("ZADD", groupsKey, gpass + 1, group)
      end
      if id then
        t.popped = t.popped + 1
        if rcall("EXISTS", base .. id) == 1 then
          moved[#moved + 1] = id
          t.ids[#t.ids + 1] = id
          if t.running then t.running = t.running + 1 end
        end
      end
    end
    local next = pass
    if id then
      vt = pass
      next = pass + 1 / t.weight
    end
    if t.none then
      rcall("ZREM", ready, tenant)
      t.left = true
    elseif not id then
      -- Its turn went to a dry group: it goes again at the same pass, from its next group.
    elseif t.running and t.running >= cap then
      -- At its cap: out of turn until a slot frees, keeping its place (it earns nothing meanwhile).
      rcall("ZREM", ready, tenant)
      rcall("HSET", base .. "fair:t:" .. tenant, "pass", next)
    else
      rcall("ZADD", ready, next, tenant)
    end
  end
  local backlog = base .. "fair:backlog"
  for tenant, t in pairs(tenants) do
    if t.popped > 0 and tonumber(rcall("ZINCRBY", backlog, -t.popped, tenant)) <= 0 then rcall("ZREM", backlog, tenant) end
    if #t.ids > 0 then
      pushAll("SADD", base .. "fair:r:" .. tenant, t.ids)
      rcall("SADD", base .. "fair:running", tenant)
    end
    if t.left then forgetIfIdle(base, tenant) end
  end
  local meta = base .. "fair:meta"
  if held > 0 then rcall("HINCRBY", meta, "held", -held) end
  if heldp > 0 then rcall("HINCRBY", meta, "heldp", -heldp) end
  -- Hungry: the workers have room no lane could fill, so the next add dispatches at once (see fair-add.lua).
  local hungry = (#moved < max) and 1 or 0
  if vt then rcall("HSET", meta, "hungry", hungry, "vt", vt) else rcall("HSET", meta, "hungry", hungry) end
  if #moved > 0 then
    -- In turn order: LPUSH puts each in front of the one before, and BullMQ takes from the back.
    pushAll("LPUSH", waitKey, moved)
    -- BullMQ's workers block on the marker: wake them, as BullMQ's own adds do.
    if takingJobs(bullMetaKey, activeKey) then rcall("ZADD", markerKey, 0, "0") end
  end
  return #moved
end

-- Jobs to move now so that wait + active hold `target` (what the live workers can take, and a little more).
local function room(base, waitKey, activeKey, target)
  target = target or tonumber(rcall("HGET", base .. "fair:meta", "target")) or 0
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
  -- The head first: with nothing due (most calls), that one read is all.
  local head = rcall("ZRANGE", due, 0, 0, "WITHSCORES")
  if #head == 0 then return -1 end
  if tonumber(head[2]) > now then return tonumber(head[2]) end
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
