--[[
  A page of the job ids waiting for their tenant's turn, for listings: the
  busiest tenants first, each tenant's groups in turn order, each lane from
  its front. Read only.

  KEYS[1] fair:meta
  ARGV[1] key base  ARGV[2] state: waiting (lanes), prioritized (prioritized lanes) or delayed (due)
  ARGV[3] offset  ARGV[4] count
  Returns the ids.
]]
local base, state = ARGV[1], ARGV[2]
local skip, want = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = {}
if want <= 0 then return ids end
if state == "delayed" then
  for _, member in ipairs(rcall("ZRANGE", base .. "fair:due", skip, skip + want - 1)) do
    ids[#ids + 1] = string.match(member, "\n[^\n]*\n(.*)$")
  end
  return ids
end
local prefix = state == "prioritized" and "fair:p:" or "fair:l:"
for _, tenant in ipairs(rcall("ZREVRANGE", base .. "fair:backlog", 0, -1)) do
  for _, group in ipairs(rcall("ZRANGE", base .. "fair:g:" .. tenant, 0, -1)) do
    local lane = base .. prefix .. tenant .. "/" .. group
    local size = state == "prioritized" and rcall("ZCARD", lane) or rcall("LLEN", lane)
    if skip >= size then
      skip = skip - size
    else
      local page
      if state == "prioritized" then page = rcall("ZRANGE", lane, skip, skip + want - #ids - 1)
      else page = rcall("LRANGE", lane, skip, skip + want - #ids - 1) end
      skip = 0
      for _, id in ipairs(page) do ids[#ids + 1] = id end
      if #ids >= want then return ids end
    end
  end
end
return ids
