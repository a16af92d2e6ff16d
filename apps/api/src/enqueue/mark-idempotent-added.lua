-- Marks the record's job as stored; a record that expired meanwhile is not
-- brought back (HSET would, without a TTL). KEYS[1] the record; ARGV[1] job id.
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('HSET', KEYS[1], 'added', '1') end
return 0
