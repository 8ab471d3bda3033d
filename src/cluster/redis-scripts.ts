/**
 * The atomic steps of the Redis backplane, as Lua scripts: each decides one change of the shared state and
 * publishes it on the affected room's channel in the same step, so every node hears a room's changes in the
 * order Redis decided them. `src/cluster/memory.ts` is the same model in plain code.
 *
 * Every script gets KEYS[1] (a key in the cluster's hash slot, for Redis Cluster routing), ARGV[1] the key base
 * (`{prefix}`: every key and channel shares one hash tag) and ARGV[2] the publish command (SPUBLISH on Redis 7+,
 * PUBLISH before). Keys: `peer:<id>` hash (node, inc, dialect, scope, sw, order), `rooms:<id>` the peer's rooms,
 * `clients` zset (connect order), `nodepeers:<node>`, `room:<id>` hash (name, owner, cap, v, keep),
 * `members:<id>` zset (join order), `roomlist` zset (creation order), `lease:<node>`, `nodes`, `order`.
 */

const PRELUDE = `
local B, PUB = ARGV[1], ARGV[2]
local function nextOrder() return redis.call('INCR', B..'order') end
local function raiseOrder(o)
  if o > tonumber(redis.call('GET', B..'order') or '0') then redis.call('SET', B..'order', o) end
end
local function publish(room, event) redis.call(PUB, B..'chan:'..room, cjson.encode(event)) end
local function deleteRoom(r)
  redis.call('DEL', B..'room:'..r, B..'members:'..r)
  redis.call('ZREM', B..'roomlist', r)
end
local function removeMember(r, id, reason)
  redis.call('SREM', B..'rooms:'..id, r)
  local mk, rk = B..'members:'..r, B..'room:'..r
  if redis.call('ZREM', mk, id) == 0 then return end
  local owner = redis.call('HGET', rk, 'owner')
  -- Each room keeps the ownership rule of the node that created it (signalroom's ownershipTransfer option).
  if owner == id and redis.call('HGET', rk, 'xfer') == '1' then
    owner = redis.call('ZRANGE', mk, 0, 0)[1] or false
    if owner then redis.call('HSET', rk, 'owner', owner) else redis.call('HDEL', rk, 'owner') end
  end
  local event = { op = 'leave', v = redis.call('HINCRBY', rk, 'v', 1), peer = id, reason = reason }
  if owner then event.owner = owner end
  publish(r, event)
  if redis.call('ZCARD', mk) == 0 then deleteRoom(r) end
end
local function removePeer(id, node)
  for _, r in ipairs(redis.call('SMEMBERS', B..'rooms:'..id)) do removeMember(r, id, 'disconnected') end
  redis.call('DEL', B..'peer:'..id, B..'rooms:'..id)
  redis.call('ZREM', B..'clients', id)
  redis.call('SREM', B..'nodepeers:'..node, id)
end
local function joinEvent(r, id, order, created)
  local p = redis.call('HMGET', B..'peer:'..id, 'node', 'dialect', 'scope', 'sw')
  local meta = redis.call('HMGET', B..'room:'..r, 'name', 'owner', 'cap')
  local event = {
    op = 'join', v = redis.call('HINCRBY', B..'room:'..r, 'v', 1), name = meta[1], capacity = tonumber(meta[3]),
    created = created,
    member = { id = id, node = p[1], dialect = p[2], scope = p[3], switchRooms = p[4] == '1', order = order },
  }
  if meta[2] then event.owner = meta[2] end
  publish(r, event)
  return event.v
end
local function createRoom(r, name, owner, cap, xfer)
  -- Versions continue from the global counter, so a room made again never repeats an old room's versions.
  local fields = { 'name', name, 'cap', cap, 'v', nextOrder(), 'xfer', xfer }
  if owner ~= '' then table.insert(fields, 'owner') table.insert(fields, owner) end
  redis.call('HSET', B..'room:'..r, unpack(fields))
  redis.call('ZADD', B..'roomlist', nextOrder(), r)
end
local function setCredential(pk, credential)
  if credential ~= '' then redis.call('HSET', pk, 'cred', credential) else redis.call('HDEL', pk, 'cred') end
end
local function snapshot(r)
  local meta = redis.call('HMGET', B..'room:'..r, 'name', 'owner', 'cap', 'v', 'keep')
  if not meta[3] then return false end
  local members = {}
  local ranked = redis.call('ZRANGE', B..'members:'..r, 0, -1, 'WITHSCORES')
  for i = 1, #ranked, 2 do
    local p = redis.call('HMGET', B..'peer:'..ranked[i], 'node', 'dialect', 'scope', 'sw')
    if p[1] then
      table.insert(members, { id = ranked[i], node = p[1], dialect = p[2], scope = p[3], switchRooms = p[4] == '1',
        order = tonumber(ranked[i + 1]) })
    end
  end
  local room = { id = r, name = meta[1], capacity = tonumber(meta[3]), version = tonumber(meta[4]), keep = meta[5] == '1',
    members = members }
  if meta[2] then room.owner = meta[2] end
  return cjson.encode(room)
end
`;

/**
 * ARGV[3..10]: id, node, inc, dialect, scope, sw, mode, credential ('' for none). Nodes watching the id hear
 * that it arrived. Returns { existed, room... }.
 */
const CLAIM = `
local id, node, inc, mode = ARGV[3], ARGV[4], ARGV[5], ARGV[9]
local pk = B..'peer:'..id
local old = redis.call('HMGET', pk, 'node', 'inc', 'order')
local order, rooms = nil, {}
if old[2] then
  order = tonumber(old[3])
  if old[2] ~= inc then
    if mode == 'move' then
      rooms = redis.call('SMEMBERS', B..'rooms:'..id)
      for _, r in ipairs(rooms) do
        publish(r, { op = 'move', v = redis.call('HINCRBY', B..'room:'..r, 'v', 1), peer = id, node = node })
      end
    else
      for _, r in ipairs(redis.call('SMEMBERS', B..'rooms:'..id)) do removeMember(r, id, 'disconnected') end
      order = nextOrder()
    end
    redis.call('SREM', B..'nodepeers:'..old[1], id)
    redis.call(PUB, B..'node:'..old[1], cjson.encode({ op = 'takeover', peer = id, incarnation = old[2], mode = mode, node = node }))
  else
    rooms = redis.call('SMEMBERS', B..'rooms:'..id)
  end
else
  order = nextOrder()
end
redis.call('HSET', pk, 'node', node, 'inc', inc, 'dialect', ARGV[6], 'scope', ARGV[7], 'sw', ARGV[8], 'order', order)
setCredential(pk, ARGV[10])
redis.call('ZADD', B..'clients', order, id)
redis.call('SADD', B..'nodepeers:'..node, id)
local wk = B..'watch:'..id
for _, n in ipairs(redis.call('SMEMBERS', wk)) do
  redis.call(PUB, B..'node:'..n, cjson.encode({ op = 'arrived', peer = id }))
end
redis.call('DEL', wk)
local result = { old[2] and 1 or 0 }
for _, r in ipairs(rooms) do table.insert(result, r) end
return result
`;

/** ARGV[3..9]: id, inc, room, mode, name, cap, transfer (for a room it creates). Returns { 'ok', v } or { code, limit? }. */
const JOIN = `
local id, inc, r, mode = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local p = redis.call('HMGET', B..'peer:'..id, 'inc', 'sw')
if p[1] ~= inc then return { 'replaced' } end
local rk, mk = B..'room:'..r, B..'members:'..r
local exists = redis.call('EXISTS', rk) == 1
if mode == 'create' and exists then return { 'room-exists' } end
if mode == 'existing' and not exists then return { 'room-not-found' } end
if exists then
  if redis.call('ZSCORE', mk, id) then return { 'already-in-room' } end
  local cap = tonumber(redis.call('HGET', rk, 'cap'))
  if redis.call('ZCARD', mk) >= cap then return { 'room-full', cap } end
end
if p[2] == '1' then
  for _, old in ipairs(redis.call('SMEMBERS', B..'rooms:'..id)) do removeMember(old, id, 'left') end
end
if not exists then createRoom(r, ARGV[7], id, ARGV[8], ARGV[9]) end
local order = nextOrder()
redis.call('ZADD', mk, order, id)
redis.call('SADD', B..'rooms:'..id, r)
return { 'ok', joinEvent(r, id, order, not exists) }
`;

/** ARGV[3..6]: id, inc ('' for whoever holds the id), room, reason. Returns 1 when it left. */
const LEAVE = `
local id, inc, r = ARGV[3], ARGV[4], ARGV[5]
if inc ~= '' and redis.call('HGET', B..'peer:'..id, 'inc') ~= inc then return 0 end
if not redis.call('ZSCORE', B..'members:'..r, id) then return 0 end
removeMember(r, id, ARGV[6])
return 1
`;

/** ARGV[3..4]: room, by ('' for server code). Returns { 'ok', snapshot } or { code }. */
const END = `
local r, by = ARGV[3], ARGV[4]
local before = snapshot(r)
if not before then return { 'room-not-found' } end
if by ~= '' and redis.call('HGET', B..'room:'..r, 'owner') ~= by then return { 'not-room-owner' } end
for _, id in ipairs(redis.call('ZRANGE', B..'members:'..r, 0, -1)) do redis.call('SREM', B..'rooms:'..id, r) end
local event = { op = 'end', v = redis.call('HINCRBY', B..'room:'..r, 'v', 1) }
if by ~= '' then event.by = by end
publish(r, event)
deleteRoom(r)
return { 'ok', before }
`;

/** ARGV[3..7]: room, name, owner ('' for none), cap, transfer. Returns 1 when created. */
const CREATE_ROOM = `
if redis.call('EXISTS', B..'room:'..ARGV[3]) == 1 then return 0 end
createRoom(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
redis.call('HSET', B..'room:'..ARGV[3], 'keep', '1')
return 1
`;

/** ARGV[3]: room. Returns the snapshot as JSON, or false. */
const SNAPSHOT = `return snapshot(ARGV[3])`;

/** ARGV[3..4]: id, inc. Removes the peer if it is still that incarnation. */
const REMOVE_PEER = `
local p = redis.call('HMGET', B..'peer:'..ARGV[3], 'inc', 'node')
if p[1] ~= ARGV[4] then return 0 end
removePeer(ARGV[3], p[2])
return 1
`;

/** ARGV[3..4]: id, node. Removes the peer if the directory still places it on that node. */
const FORGET_PEER = `
local node = redis.call('HGET', B..'peer:'..ARGV[3], 'node')
if node ~= ARGV[4] then redis.call('SREM', B..'nodepeers:'..ARGV[4], ARGV[3]) return 0 end
removePeer(ARGV[3], node)
return 1
`;

/**
 * ARGV[3..11]: id, node, inc, dialect, scope, sw, transfer (for rooms it makes again), memberships (JSON),
 * credential. Returns 0 when the id is taken.
 */
const RESTORE_PEER = `
local id, node, inc = ARGV[3], ARGV[4], ARGV[5]
local pk = B..'peer:'..id
local old = redis.call('HMGET', pk, 'inc', 'order')
if old[1] and old[1] ~= inc then return 0 end
local order = tonumber(old[2]) or nextOrder()
redis.call('HSET', pk, 'node', node, 'inc', inc, 'dialect', ARGV[6], 'scope', ARGV[7], 'sw', ARGV[8], 'order', order)
setCredential(pk, ARGV[11])
redis.call('ZADD', B..'clients', order, id)
redis.call('SADD', B..'nodepeers:'..node, id)
local memberships = cjson.decode(ARGV[10])
local wanted = {}
for _, m in ipairs(memberships) do wanted[m.room] = true end
for _, r in ipairs(redis.call('SMEMBERS', B..'rooms:'..id)) do
  if not wanted[r] then removeMember(r, id, 'left') end
end
for _, m in ipairs(memberships) do
  local created = redis.call('EXISTS', B..'room:'..m.room) == 0
  if created then createRoom(m.room, m.name, m.owner or '', m.capacity, ARGV[9]) end
  if not redis.call('ZSCORE', B..'members:'..m.room, id) then
    local o = m.order
    if o == 0 then o = nextOrder() else raiseOrder(o) end
    redis.call('ZADD', B..'members:'..m.room, o, id)
    redis.call('SADD', B..'rooms:'..id, m.room)
    joinEvent(m.room, id, o, created)
  end
end
return 1
`;

/** ARGV[3..4]: node, ttl ms. Returns 1 when the lease was still there, 0 when it had to be made again. */
const RENEW_LEASE = `
redis.call('SADD', B..'nodes', ARGV[3])
if redis.call('SET', B..'lease:'..ARGV[3], '1', 'PX', ARGV[4], 'XX') then return 1 end
redis.call('SET', B..'lease:'..ARGV[3], '1', 'PX', ARGV[4])
return 0
`;

/**
 * ARGV[3..4]: node, batch size. Removes up to a batch of a dead node's peers; returns 1 while more are
 * left, 0 when done (or when the node came back: its lease exists again).
 */
const REAP = `
local node = ARGV[3]
if redis.call('EXISTS', B..'lease:'..node) == 1 then return 0 end
for _, id in ipairs(redis.call('SPOP', B..'nodepeers:'..node, tonumber(ARGV[4]))) do
  if redis.call('HGET', B..'peer:'..id, 'node') == node then removePeer(id, node) end
end
if redis.call('SCARD', B..'nodepeers:'..node) > 0 then return 1 end
redis.call('SREM', B..'nodes', node)
return 0
`;

/** ARGV[3..4]: peer id, message. Publishes to the node holding the peer; returns how many heard it. */
const SEND_TO_PEER = `
local node = redis.call('HGET', B..'peer:'..ARGV[3], 'node')
if not node then return 0 end
return redis.call(PUB, B..'node:'..node, ARGV[4])
`;

/**
 * ARGV[3..5]: peer id, node, ttl ms. 1 when the peer is in the directory; otherwise the node is added to the
 * peer's watchers (kept at most ttl ms) and 0.
 */
const WATCH_PEER = `
if redis.call('EXISTS', B..'peer:'..ARGV[3]) == 1 then return 1 end
local wk = B..'watch:'..ARGV[3]
redis.call('SADD', wk, ARGV[4])
if redis.call('PTTL', wk) < tonumber(ARGV[5]) then redis.call('PEXPIRE', wk, ARGV[5]) end
return 0
`;

export const SCRIPTS = {
  srWatchPeer: WATCH_PEER,
  srClaim: CLAIM,
  srJoin: JOIN,
  srLeave: LEAVE,
  srEnd: END,
  srCreateRoom: CREATE_ROOM,
  srSnapshot: SNAPSHOT,
  srRemovePeer: REMOVE_PEER,
  srForgetPeer: FORGET_PEER,
  srRestorePeer: RESTORE_PEER,
  srRenewLease: RENEW_LEASE,
  srReap: REAP,
  srSendToPeer: SEND_TO_PEER,
} as const;

/** Each script with the shared helpers in front. */
export function scriptSource(body: string): string {
  return PRELUDE + body;
}
