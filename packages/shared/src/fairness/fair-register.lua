--[[
  A worker process says it takes `slots` jobs of this partition between two
  settle calls: its concurrency, or more when its jobs end faster (with 0, it
  stops). The target of jobs in wait + active is twice every live process's
  slots, so a worker finds its next job waiting however its settle calls fall,
  and a tenant that arrives waits behind tens of ms of dispatched work, no more.
  Entries expire unless renewed.

  KEYS[1] fair:meta
  ARGV[1] key base  ARGV[2] worker id  ARGV[3] slots (0: unregister)  ARGV[4] expires at (ms)
  ARGV[5] now (ms)  ARGV[6] tenant concurrency cap here (0: none)
  Returns the new target.
]]
local base, meta = ARGV[1], KEYS[1]
local field = "slots:" .. ARGV[2]
if tonumber(ARGV[3]) > 0 then
  rcall("HSET", meta, field, ARGV[3] .. "|" .. ARGV[4])
else
  rcall("HDEL", meta, field)
end

local now, target = tonumber(ARGV[5]), 0
local flat = rcall("HGETALL", meta)
for i = 1, #flat, 2 do
  if string.sub(flat[i], 1, 6) == "slots:" then
    local slots, expires = string.match(flat[i + 1], "^(%d+)|(%d+)$")
    if slots and tonumber(expires) > now then
      target = target + 2 * tonumber(slots)
    else
      rcall("HDEL", meta, flat[i])
    end
  end
end
rcall("HSET", meta, "target", target)

-- A changed cap: tenants held back by the old one (they have jobs running) are looked at again.
local cap = tonumber(ARGV[6])
if cap ~= tenantCap(base) then
  rcall("HSET", meta, "cap", cap)
  for _, tenant in ipairs(rcall("SMEMBERS", base .. "fair:running")) do refreshTenant(base, tenant, cap) end
end
return target
