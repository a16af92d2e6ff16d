-- A request through the proxy worked. Ends its cool-down (and resets the
-- strikes) unless the cool-down began after the request did.
-- KEYS: proxy hash, registry. ARGV: now, startedAt, ttl, hostPort, masked url, id, counter field.
-- Returns coolUntil, strikes, cooledAt.
local now = tonumber(ARGV[1])
local startedAt = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local id = ARGV[6]
redis.call('HINCRBY', KEYS[1], ARGV[7], 1)
redis.call('HSET', KEYS[1], 'proxy', ARGV[4], 'url', ARGV[5], 'lastSuccessAt', ARGV[1], 'updatedAt', ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'coolUntil', 'strikes', 'cooledAt')
local coolUntil = tonumber(state[1] or '0')
local strikes = tonumber(state[2] or '0')
local cooledAt = tonumber(state[3] or '0')
if startedAt >= cooledAt then
  coolUntil = 0
  strikes = 0
  redis.call('HSET', KEYS[1], 'coolUntil', 0, 'strikes', 0)
end
renewProxyEntry(now, ttl, coolUntil, id)
return {string.format('%d', coolUntil), tostring(strikes), string.format('%d', cooledAt)}
