--[[
  Repairs what can drift when a process dies between BullMQ's move of a job
  and the worker's settle call, or a failover loses the last writes: a running
  slot whose job has finished or is gone is freed, and a slice of the tenants
  with a backlog is checked for being in the ready set when they may be
  served. Runs every few seconds in each worker; O(running jobs + slice).

  KEYS[1] fair:meta
  ARGV[1] key base  ARGV[2] tenants to check per call
  Returns {running slots freed, tenants checked}.
]]
local base, meta = ARGV[1], KEYS[1]
local cap = tenantCap(base)
local freed = 0
for _, tenant in ipairs(rcall("SMEMBERS", base .. "fair:running")) do
  local running = base .. "fair:r:" .. tenant
  for _, id in ipairs(rcall("SMEMBERS", running)) do
    local jobKey = base .. id
    if rcall("EXISTS", jobKey) == 0 or rcall("HEXISTS", jobKey, "finishedOn") == 1 then
      rcall("SREM", running, id)
      freed = freed + 1
    end
  end
  if rcall("EXISTS", running) == 0 then rcall("SREM", base .. "fair:running", tenant) end
  refreshTenant(base, tenant, cap)
end

-- A slice of the tenants with a backlog, from where the last call stopped.
local slice = tonumber(ARGV[2])
local from = tonumber(rcall("HGET", meta, "sweep")) or 0
local tenants = rcall("ZRANGE", base .. "fair:backlog", from, from + slice - 1)
for _, tenant in ipairs(tenants) do refreshTenant(base, tenant, cap) end
if #tenants < slice then from = 0 else from = from + slice end
rcall("HSET", meta, "sweep", from)
return {freed, #tenants}
