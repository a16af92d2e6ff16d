-- A request through the proxy failed because of it. With cool = 1, a proxy not
-- cooling yet starts a cool-down of base * 2^(strikes - 1), capped at max; failures
-- while it already cools neither extend nor escalate it.
-- KEYS: proxy hash, registry. ARGV: now, cool (1/0), base, max, ttl, hostPort, masked url, id, error.
-- Returns coolUntil, strikes, cooledAt.
local now = tonumber(ARGV[1])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local id = ARGV[8]
redis.call('HINCRBY', KEYS[1], 'failures', 1)
redis.call('HSET', KEYS[1], 'proxy', ARGV[6], 'url', ARGV[7], 'lastError', ARGV[9], 'lastErrorAt', ARGV[1], 'updatedAt', ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'coolUntil', 'strikes', 'cooledAt')
local coolUntil = tonumber(state[1] or '0')
local strikes = tonumber(state[2] or '0')
local cooledAt = tonumber(state[3] or '0')
if ARGV[2] == '1' and coolUntil <= now then
  strikes = strikes + 1
  coolUntil = now + math.min(base * math.pow(2, math.min(strikes - 1, 40)), max)
  cooledAt = now
  redis.call('HSET', KEYS[1], 'strikes', strikes, 'coolUntil', string.format('%d', coolUntil), 'cooledAt', ARGV[1])
end
renewProxyEntry(now, ttl, coolUntil, id)
return {string.format('%d', coolUntil), tostring(strikes), string.format('%d', cooledAt)}
