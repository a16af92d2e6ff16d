--[[
  Pauses or resumes one tenant in this partition: a paused tenant's jobs stay
  in its lanes (new ones are still taken, up to its backlog cap) and none is
  dispatched; jobs already dispatched run. The type's other tenants go on.

  KEYS[1] fair:meta  KEYS[2] wait  KEYS[3] active  KEYS[4] marker  KEYS[5] BullMQ meta
  ARGV[1] key base  ARGV[2] tenant  ARGV[3] 1 to pause, 0 to resume
  Returns 1 when the tenant's state changed.
]]
local base, tenant = ARGV[1], ARGV[2]
local paused = base .. "fair:paused"
local changed
if ARGV[3] == "1" then
  changed = rcall("SADD", paused, tenant)
else
  changed = rcall("SREM", paused, tenant)
end
local cap = tenantCap(base)
refreshTenant(base, tenant, cap)
if ARGV[3] ~= "1" then
  local space = room(base, KEYS[2], KEYS[3])
  if space > 0 then dispatch(base, space, cap, KEYS[2], KEYS[3], KEYS[4], KEYS[5]) end
end
return changed
