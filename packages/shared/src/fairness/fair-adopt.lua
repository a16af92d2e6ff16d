--[[
  Takes a job a worker just started but that did not come through its
  tenant's turn (a schedule's run, which BullMQ adds itself) out of active
  and into its tenant's lane, as BullMQ's moveJobFromActiveToWait would move it
  to wait. Its schedule link (`rjk`, and `repeatJobKey` in its options, which
  BullMQ reads) is dropped: BullMQ already planned the next run, and the job,
  when its turn comes, must neither plan another nor be taken back again.

  KEYS[1] fair:meta  KEYS[2] active  KEYS[3] stalled  KEYS[4] wait  KEYS[5] marker  KEYS[6] BullMQ meta
  ARGV[1] key base  ARGV[2] job id  ARGV[3] lock token  ARGV[4] tenant  ARGV[5] group
  Returns 1 when moved, 0 when the job is gone, a negative BullMQ lock code when the lock is not ours.
]]
local base, id, token = ARGV[1], ARGV[2], ARGV[3]
local jobKey = base .. id
if rcall("EXISTS", jobKey) == 0 then return 0 end
local lockKey = jobKey .. ":lock"
local held = rcall("GET", lockKey)
if held ~= token then
  if held then return -6 end
  return -2
end
rcall("DEL", lockKey)
rcall("SREM", KEYS[3], id)
if rcall("LREM", KEYS[2], 1, id) == 0 then return 0 end
rcall("HDEL", jobKey, "rjk")
local opts = cjson.decode(rcall("HGET", jobKey, "opts") or "{}")
opts["repeatJobKey"] = nil
rcall("HSET", jobKey, "opts", cjson.encode(opts))
local cap = tenantCap(base)
enlist(base, ARGV[4], ARGV[5], id, tonumber(rcall("HGET", jobKey, "priority")) or 0, cap, false)
local space = room(base, KEYS[4], KEYS[2])
if space > 0 then dispatch(base, space, cap, KEYS[4], KEYS[2], KEYS[5], KEYS[6]) end
return 1
