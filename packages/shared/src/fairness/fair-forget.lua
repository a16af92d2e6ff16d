--[[
  Takes a removed job (a cancel) out of its tenant's lane, due set and running
  slots, so its backlog and slots are right at once instead of when the
  dispatcher skips the id. A lane is searched from its front: O(its length).

  KEYS[1] fair:meta
  ARGV[1] key base  ARGV[2] job id  ARGV[3] tenant  ARGV[4] group
  Returns 1 when the job was waiting for its turn or running, else 0.
]]
local base, id, tenant, group = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local meta = KEYS[1]
local lane = base .. "fair:l:" .. tenant .. "/" .. group
local plane = base .. "fair:p:" .. tenant .. "/" .. group
local found = 0
if rcall("LREM", lane, 1, id) == 1 then
  rcall("HINCRBY", meta, "held", -1)
  found = 1
elseif rcall("ZREM", plane, id) == 1 then
  rcall("HINCRBY", meta, "heldp", -1)
  found = 1
end
if found == 1 then
  unbacklog(base, tenant)
  if rcall("EXISTS", lane, plane) == 0 then rcall("ZREM", base .. "fair:g:" .. tenant, group) end
elseif rcall("ZREM", base .. "fair:due", tenant .. "\n" .. group .. "\n" .. id) == 1 then
  unbacklog(base, tenant)
  found = 1
end
local running = base .. "fair:r:" .. tenant
if rcall("SREM", running, id) == 1 then
  if rcall("EXISTS", running) == 0 then rcall("SREM", base .. "fair:running", tenant) end
  found = 1
end
refreshTenant(base, tenant, tenantCap(base))
return found
