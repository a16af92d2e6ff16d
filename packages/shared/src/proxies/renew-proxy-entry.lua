-- Renews a proxy's health hash (KEYS[1]) past its last write and past its
-- cool-down, and its entry in the registry (KEYS[2]), dropping entries that
-- expired. Prepended to record-success.lua and record-failure.lua.
local function renewProxyEntry(now, ttl, coolUntil, id)
  local expireAt = math.max(now + ttl, coolUntil + ttl)
  redis.call('PEXPIRE', KEYS[1], expireAt - now)
  redis.call('ZADD', KEYS[2], expireAt, id)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
