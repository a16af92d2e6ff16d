-- Claims a key for a new job, or returns the record already there.
-- KEYS[1] the record; ARGV: job id, payload digest, TTL in seconds.
-- Returns nil when this call claimed it, else {id, digest, added}.
local found = redis.call('HMGET', KEYS[1], 'id', 'digest', 'added')
if found[1] then return found end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'digest', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return nil
