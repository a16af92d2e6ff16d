-- Releases a claim whose job was surely never stored, so the key can be used
-- again (with any payload). KEYS[1] the record; ARGV[1] job id.
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] and not redis.call('HGET', KEYS[1], 'added') then redis.call('DEL', KEYS[1]) end
return 0
