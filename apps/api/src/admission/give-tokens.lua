-- Gives `count` tokens back to the bucket in KEYS[1] (see take-tokens.lua), never
-- above its capacity: a request that took them and then stored nothing.
-- ARGV: refill per second, capacity, tokens to give back. Returns the tokens now.
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
-- No bucket: it refilled and expired, already full.
if not state[1] then return capacity end
local tokens = tonumber(state[1])
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * rate / 1000) end
tokens = math.min(capacity, tokens + count)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return math.floor(tokens)
