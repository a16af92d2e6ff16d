-- The payloads of a page of jobs, in order, and nothing else of them: a search
-- matches on a job's id and payload only, so its result (up to 256 KiB), stack
-- traces and logs stay in Redis. Stops before the job whose payload would take
-- the call past its byte budget, so a page of large payloads never crosses the
-- network at once.
-- KEYS[1]: the queue's key prefix (`<prefix>:<queue>:`); every job hash of the
--   queue shares its hash tag, so the keys built here live in its slot.
-- ARGV[1]: bytes the call may still read; ARGV[2]: '1' when the call has read no
--   job yet (that first job is read whatever its size, so every call moves on);
--   ARGV[3..]: the job ids.
-- Returns { visited, bytes, data1, full1, data2, full2, ... }: for each job
-- visited, its payload (false: the job is gone) and the bytes a full read of it
-- would cost (payload, result, error and stack trace), so the caller can keep
-- to its budget when it reads a match in full.
local budget = tonumber(ARGV[1])
local first = ARGV[2] == '1'
local bytes = 0
local out = { 0, 0 }
for i = 3, #ARGV do
  local key = KEYS[1] .. ARGV[i]
  local size = redis.call('HSTRLEN', key, 'data')
  if bytes + size > budget and not (first and i == 3) then break end
  if size == 0 and redis.call('EXISTS', key) == 0 then
    out[#out + 1] = false
    out[#out + 1] = 0
  else
    out[#out + 1] = redis.call('HGET', key, 'data') or ''
    out[#out + 1] = size + redis.call('HSTRLEN', key, 'returnvalue') + redis.call('HSTRLEN', key, 'stacktrace') + redis.call('HSTRLEN', key, 'failedReason')
  end
  bytes = bytes + size
end
out[1] = (#out - 2) / 2
out[2] = bytes
return out
