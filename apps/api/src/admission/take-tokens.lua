-- A token bucket in one hash (KEYS[1]), refilled by Redis's own clock (TIME).
-- ARGV: refill per second, capacity, tokens wanted, 1 for all-or-nothing.
-- Returns { granted, retryAfterMs } (retryAfterMs: until one more token, or the
-- whole request for all-or-nothing; 0 when everything was granted).
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local whole = ARGV[4] == '1'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * rate / 1000) end
local granted = math.min(want, math.floor(tokens))
if whole and granted < want then granted = 0 end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
local retry = 0
if granted < want then
  local missing = (whole and want or 1) - tokens
  retry = math.max(1, math.ceil(missing * 1000 / rate))
end
return { granted, retry }
