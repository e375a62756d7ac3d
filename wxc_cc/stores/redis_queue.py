"""
The work queue of a deployment in Redis, shared by every worker of every instance.

The queue schedules keys (people), not entries: only the first entry of a key may run, so that is the only one ever
offered. Keys (below the deployment's prefix, ``work:``):

* ``task:<tid>`` -- an entry (a hash: id, key, kind, due, body, attempts, journal state, last failure reason, and
  the offer it is in);
* ``key:<key>`` -- the key's entries not yet finished, by due time (then arrival);
* ``ready`` -- offers: the first entry of a key that nobody runs and that is due, with a new fencing token, as one
  JSON string that holds everything a worker needs. A worker moves an offer atomically into its ``busy:<consumer>``
  list (``BLMOVE``): one round trip, which is also its wait;
* ``running`` -- key -> ``<tid>|<fence>`` of the offer of that key that may run now: the fencing token every change
  is checked against;
* ``delayed`` -- keys whose first entry is due later, by due time; offered when due;
* ``hb:<consumer>`` -- a worker's heartbeat (a key that expires); ``holders`` the workers that heartbeat. The
  offers in the ``busy`` list of a worker whose heartbeat lapsed are offered again, with new fencing tokens;
* ``seen:<id>`` -- the ids queued in the last hour, holding the token of the put that queued them;
* ``dead`` -- a stream of the entries set aside; ``seq``, ``fence``, ``count`` -- counters.

Every change is one Lua script, so it is atomic and one round trip. The scripts build their keys from the prefix
they are given, so the queue needs one Redis (or a Sentinel-watched master), not a Redis Cluster. Redis 6.2 or later
is needed (``BLMOVE``); :meth:`RedisWorkQueue.check_server` says so at start.

A command costs the queue three round trips: the put, the move of its offer, the finish.
"""
import json
import logging
import threading
import time
import uuid
from typing import Any, Optional

import redis

from ..errors import StoreUnavailable
from .queue import CLAIM_AFTER, REMEMBER, Entry, Lease, LeaseLost, UnsupportedStore, WorkQueue
from .redis_client import REDIS_ERRORS, KeySpace, unavailable_on_redis_error

__all__ = ['RedisWorkQueue', 'MINIMUM_VERSION', 'supported']

log = logging.getLogger(__name__)

#: the oldest Redis the queue works with (BLMOVE)
MINIMUM_VERSION = (6, 2)

#: dead letters kept (the oldest go first)
DEAD_KEPT = 10000

#: every this many heartbeats (the first included), the previous version's queue is looked at
ADOPT_EVERY = 30

#: the offer of a key: its first entry, if due, with a new fencing token; else the key waits in ``delayed`` (or, with
#: no entry left, nobody runs it). ``P`` is the prefix, ``now`` seconds since the epoch.
_OFFER = '''
local function offer(P, key, now)
  local entries = P .. 'key:' .. key
  while true do
    local head = redis.call('ZRANGE', entries, 0, 0, 'WITHSCORES')
    if #head == 0 then
      redis.call('HDEL', P .. 'running', key)
      redis.call('ZREM', P .. 'delayed', key)
      return false
    end
    local tid, due = head[1], tonumber(head[2])
    if due > now then
      redis.call('HDEL', P .. 'running', key)
      redis.call('ZADD', P .. 'delayed', due, key)
      return false
    end
    local task = P .. 'task:' .. tid
    local f = redis.call('HMGET', task, 'id', 'kind', 'body', 'state', 'reason')
    if f[3] then
      local fence = redis.call('INCR', P .. 'fence')
      local attempts = redis.call('HINCRBY', task, 'attempts', 1)
      local offered = cjson.encode({tid = tid, key = key, fence = fence, attempts = attempts, id = f[1], kind = f[2],
                                    due = head[2], body = f[3], state = f[4] or '', reason = f[5] or ''})
      redis.call('HSET', task, 'offer', offered)
      redis.call('HSET', P .. 'running', key, tid .. '|' .. fence)
      redis.call('ZREM', P .. 'delayed', key)
      redis.call('LPUSH', P .. 'ready', offered)
      return true
    end
    -- an entry without its record (not written by this code): dropped, the next one offered
    redis.call('ZREM', entries, tid)
  end
end

local function holds(P, key, tid, fence)
  return redis.call('HGET', P .. 'running', key) == tid .. '|' .. fence
end

-- an end (finish, release, dead letter) of this offer was done: a retry of it, whose first answer was lost, is told so
local function ended(P, tid, fence)
  return redis.call('EXISTS', P .. 'ended:' .. tid .. '|' .. fence) == 1
end

local function note_end(P, tid, fence)
  redis.call('SET', P .. 'ended:' .. tid .. '|' .. fence, '1', 'PX', 60000)
end

local function unbusy(P, consumer, tid)
  local offered = redis.call('HGET', P .. 'task:' .. tid, 'offer')
  if offered then redis.call('LREM', P .. 'busy:' .. consumer, 1, offered) end
end

local function remove(P, key, tid)
  local id = redis.call('HGET', P .. 'task:' .. tid, 'id')
  if id then redis.call('DEL', P .. 'id:' .. id) end
  redis.call('ZREM', P .. 'key:' .. key, tid)
  redis.call('DEL', P .. 'task:' .. tid)
  redis.call('DECR', P .. 'count')
end

-- an entry no worker has taken (waiting, due later, or offered and not taken yet) removed: true; false when it runs
-- or is gone
local function withdraw(P, id, now)
  local tid = redis.call('GET', P .. 'id:' .. id)
  if not tid then return false end
  local task = P .. 'task:' .. tid
  local key = redis.call('HGET', task, 'key')
  if not key then return false end
  local running = redis.call('HGET', P .. 'running', key)
  local offered = running and string.match(running, '^(.*)|') == tid
  if offered then
    local it = redis.call('HGET', task, 'offer')
    if not it or redis.call('LREM', P .. 'ready', 1, it) == 0 then return false end
  end
  remove(P, key, tid)
  if offered or not running then offer(P, key, now) end
  return true
end
'''

# ARGV: prefix, id, put token, key, kind, due, body, milliseconds to remember the id, now, state, the previous
# version's claim of the id (26b0017 claimed notifications in coordination, ``seen:<id>``: while both versions run, in
# a rolling upgrade, each honours the other's claim), the id of an entry this one replaces or ''

_PUT = _OFFER + '''
local P = ARGV[1]
local seen = P .. 'seen:' .. ARGV[2]
local holder = redis.call('GET', seen)
if holder then
  if holder == ARGV[3] then return 1 end
  return 0
end
if ARGV[11] ~= '' then
  if redis.call('EXISTS', ARGV[11]) == 1 then return 0 end
  redis.call('SET', ARGV[11], ARGV[3], 'PX', ARGV[8])
end
if ARGV[12] ~= '' then withdraw(P, ARGV[12], tonumber(ARGV[9])) end
local tid = string.format('%013d', redis.call('INCR', P .. 'seq'))
redis.call('SET', P .. 'id:' .. ARGV[2], tid)
redis.call('HSET', P .. 'task:' .. tid, 'id', ARGV[2], 'key', ARGV[4], 'kind', ARGV[5], 'due', ARGV[6], 'body', ARGV[7],
           'attempts', 0)
if ARGV[10] ~= '' then redis.call('HSET', P .. 'task:' .. tid, 'state', ARGV[10]) end
redis.call('SET', seen, ARGV[3], 'PX', ARGV[8])
redis.call('ZADD', P .. 'key:' .. ARGV[4], ARGV[6], tid)
redis.call('INCR', P .. 'count')
local running = redis.call('HGET', P .. 'running', ARGV[4])
if not running then
  offer(P, ARGV[4], tonumber(ARGV[9]))
else
  -- the offer of a later entry that no worker has taken yet gives way to this earlier one
  local other = string.match(running, '^(.*)|')
  local offered = redis.call('HGET', P .. 'task:' .. other, 'offer')
  local due = redis.call('ZSCORE', P .. 'key:' .. ARGV[4], other)
  if offered and due and tonumber(ARGV[6]) < tonumber(due) and redis.call('LREM', P .. 'ready', 1, offered) == 1 then
    redis.call('HINCRBY', P .. 'task:' .. other, 'attempts', -1)
    offer(P, ARGV[4], tonumber(ARGV[9]))
  end
end
return 1
'''

# ARGV: prefix, id, now
_WITHDRAW = _OFFER + '''
return withdraw(ARGV[1], ARGV[2], tonumber(ARGV[3])) and 1 or 0
'''

# ARGV: prefix, key, kind. The key's entries of that kind that no worker has taken, in order: {id, due, body} each.
_SCHEDULED = '''
local P = ARGV[1]
local running = redis.call('HGET', P .. 'running', ARGV[2])
local taken = running and string.match(running, '^(.*)|')
local found = {}
for _, tid in ipairs(redis.call('ZRANGE', P .. 'key:' .. ARGV[2], 0, -1)) do
  local f = redis.call('HMGET', P .. 'task:' .. tid, 'id', 'kind', 'due', 'body')
  if tid ~= taken and f[1] and f[2] == ARGV[3] then table.insert(found, {f[1], f[3], f[4]}) end
end
return found
'''

# ARGV: prefix, key, tid, fence, state
_RECORD = _OFFER + '''
local P = ARGV[1]
if not holds(P, ARGV[2], ARGV[3], ARGV[4]) then return 0 end
redis.call('HSET', P .. 'task:' .. ARGV[3], 'state', ARGV[5])
return 1
'''

# ARGV: prefix, key, tid, fence, consumer, now
_FINISH = _OFFER + '''
local P = ARGV[1]
if not holds(P, ARGV[2], ARGV[3], ARGV[4]) then return ended(P, ARGV[3], ARGV[4]) and 1 or 0 end
unbusy(P, ARGV[5], ARGV[3])
remove(P, ARGV[2], ARGV[3])
note_end(P, ARGV[3], ARGV[4])
offer(P, ARGV[2], tonumber(ARGV[6]))
return 1
'''

# ARGV: prefix, key, tid, fence, consumer, now, reason, attempts to take back (0 or 1), state
_RELEASE = _OFFER + '''
local P = ARGV[1]
if not holds(P, ARGV[2], ARGV[3], ARGV[4]) then return ended(P, ARGV[3], ARGV[4]) and 1 or 0 end
local task = P .. 'task:' .. ARGV[3]
note_end(P, ARGV[3], ARGV[4])
unbusy(P, ARGV[5], ARGV[3])
if ARGV[7] ~= '' then redis.call('HSET', task, 'reason', ARGV[7]) end
if ARGV[9] ~= '' then redis.call('HSET', task, 'state', ARGV[9]) end
if ARGV[8] == '1' then redis.call('HINCRBY', task, 'attempts', -1) end
offer(P, ARGV[2], tonumber(ARGV[6]))
return 1
'''

# ARGV: prefix, key, tid, fence, consumer, now, reason, dead letters kept, attempts to take back (0 or 1)
_DEAD_LETTER = _OFFER + '''
local P = ARGV[1]
if not holds(P, ARGV[2], ARGV[3], ARGV[4]) then return ended(P, ARGV[3], ARGV[4]) and 1 or 0 end
note_end(P, ARGV[3], ARGV[4])
if ARGV[9] == '1' then redis.call('HINCRBY', P .. 'task:' .. ARGV[3], 'attempts', -1) end
local f = redis.call('HMGET', P .. 'task:' .. ARGV[3], 'id', 'kind', 'attempts', 'body')
redis.call('XADD', P .. 'dead', 'MAXLEN', '~', ARGV[8], '*', 'id', f[1] or '', 'key', ARGV[2], 'kind', f[2] or '',
           'attempts', f[3] or '0', 'reason', ARGV[7], 'body', f[4] or '')
unbusy(P, ARGV[5], ARGV[3])
remove(P, ARGV[2], ARGV[3])
offer(P, ARGV[2], tonumber(ARGV[6]))
return 1
'''

# ARGV: prefix, consumer, lifetime in milliseconds, now, long-running offers (JSON list) or ''
# Renews the heartbeat; offers again what workers whose heartbeat lapsed held; offers the keys now due.
# Returns how many offers were made again.
_BEAT = _OFFER + '''
local P, me, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
redis.call('SET', P .. 'hb:' .. me, '1', 'PX', ARGV[3])
redis.call('SADD', P .. 'holders', me)
if ARGV[5] ~= '' then
  redis.call('SET', P .. 'long:' .. me, ARGV[5], 'PX', ARGV[3])
else
  redis.call('DEL', P .. 'long:' .. me)
end
local again = 0
for _, consumer in ipairs(redis.call('SMEMBERS', P .. 'holders')) do
  if redis.call('EXISTS', P .. 'hb:' .. consumer) == 0 then
    for _, offered in ipairs(redis.call('LRANGE', P .. 'busy:' .. consumer, 0, -1)) do
      local o = cjson.decode(offered)
      if holds(P, o.key, o.tid, o.fence) then
        offer(P, o.key, now)
        again = again + 1
      end
    end
    redis.call('DEL', P .. 'busy:' .. consumer, P .. 'long:' .. consumer)
    redis.call('SREM', P .. 'holders', consumer)
  end
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now, 'LIMIT', 0, 100)) do
  if redis.call('HEXISTS', P .. 'running', key) == 1 then
    redis.call('ZREM', P .. 'delayed', key)
  else
    offer(P, key, now)
  end
end
return again
'''

# ARGV: prefix, consumer, now. Offers again what the consumer was handed and still holds; ends its heartbeat.
_LEAVE = _OFFER + '''
local P, me = ARGV[1], ARGV[2]
for _, offered in ipairs(redis.call('LRANGE', P .. 'busy:' .. me, 0, -1)) do
  local o = cjson.decode(offered)
  if holds(P, o.key, o.tid, o.fence) then
    redis.call('HINCRBY', P .. 'task:' .. o.tid, 'attempts', -1)
    offer(P, o.key, tonumber(ARGV[3]))
  end
end
redis.call('DEL', P .. 'busy:' .. me, P .. 'hb:' .. me, P .. 'long:' .. me)
redis.call('SREM', P .. 'holders', me)
return 1
'''


# ARGV: prefix, consumer, now, the tids the consumer holds (JSON list). What a take moved into the consumer's busy
# list while its answer was lost (the connection broke) is offered again.
_RECOVER = _OFFER + '''
local P, me = ARGV[1], ARGV[2]
local held = {}
for _, tid in ipairs(cjson.decode(ARGV[4])) do held[tid] = true end
local again = 0
for _, offered in ipairs(redis.call('LRANGE', P .. 'busy:' .. me, 0, -1)) do
  local o = cjson.decode(offered)
  if not held[o.tid] then
    redis.call('LREM', P .. 'busy:' .. me, 1, offered)
    if holds(P, o.key, o.tid, o.fence) then
      redis.call('HINCRBY', P .. 'task:' .. o.tid, 'attempts', -1)
      offer(P, o.key, tonumber(ARGV[3]))
      again = again + 1
    end
  end
end
return again
'''


def supported(version: str) -> bool:
    """Whether a Redis server of this version (``INFO``'s ``redis_version``, e.g. ``'7.0.15'``) can hold the queue."""
    numbers = []
    for part in version.split('.')[:2]:
        if not part.isdigit():
            return False
        numbers.append(int(part))
    return tuple(numbers) >= MINIMUM_VERSION


# KEYS: streams to delete if they are empty
_DROP_EMPTY = '''
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 and redis.call('XLEN', key) == 0 then redis.call('DEL', key) end
end
return 1
'''


class RedisWorkQueue(WorkQueue):
    """
    The work queue in Redis.

    :param keys: the deployment's keys
    :param lifetime: seconds a worker's heartbeat lives unless renewed
    :param remember: seconds an entry's id is remembered
    :param clock: seconds since the epoch (due times are compared with it)
    """

    def __init__(self, keys: KeySpace, lifetime: float = CLAIM_AFTER, remember: float = REMEMBER,
                 clock: Any = time.time):
        super().__init__(lifetime, remember)
        self.keys = keys
        self.redis = keys.redis
        self.prefix = keys.key('work') + ':'
        self.clock = clock
        scripts = {name: self.redis.register_script(text) for name, text in (
            ('put', _PUT), ('record', _RECORD), ('finish', _FINISH), ('release', _RELEASE),
            ('dead_letter', _DEAD_LETTER), ('beat', _BEAT), ('leave', _LEAVE), ('recover', _RECOVER),
            ('drop_empty', _DROP_EMPTY), ('withdraw', _WITHDRAW), ('scheduled', _SCHEDULED))}
        self._scripts = scripts
        #: the connection each consumer's take waits on, and its client id there (for ``CLIENT UNBLOCK``)
        self._waiting: dict[str, tuple[Any, Optional[int]]] = {}
        self._waiting_lock = threading.Lock()
        #: the tids each consumer of this process holds; consumers whose take may have moved an offer it never saw
        self._held: dict[str, set[str]] = {}
        self._unsure: set[str] = set()
        self._beats = 0

    def _key(self, *parts: str) -> str:
        return self.prefix + ':'.join(parts)

    def _run(self, name: str, *args: Any) -> Any:
        return self._scripts[name](args=[self.prefix, *args])

    # --- the server

    def check_server(self) -> None:
        """
        Check that the server is recent enough.

        :raises UnsupportedStore: it is older than :data:`MINIMUM_VERSION`
        :raises StoreUnavailable: it cannot be reached
        """
        try:
            version = self.redis.info('server').get('redis_version', '')
        except REDIS_ERRORS as error:
            raise StoreUnavailable(f'Redis unavailable: {type(error).__name__}: {error}') from error
        if not supported(str(version)):
            raise UnsupportedStore(f'Redis {".".join(map(str, MINIMUM_VERSION))} or later is needed for the work '
                                   f'queue; the server is Redis {version}')

    # --- the queue

    @unavailable_on_redis_error
    def put(self, entry: Entry, replacing: Optional[str] = None) -> bool:
        return self._put(entry, None, self.keys.key('seen', entry.id), replacing)

    def _put(self, entry: Entry, state: Optional[str], previous_claim: str, replacing: Optional[str] = None) -> bool:
        """
        :param state: the journal, for an entry carried over from the previous version
        :param previous_claim: the previous version's claim of the id to honour and make, or ``''``
        """
        # the put's own token: a retry of this very put (redis-py retries after a lost answer) finds it
        return self._run('put', entry.id, uuid.uuid4().hex, entry.key, entry.kind, repr(entry.due), entry.body,
                         max(1, int(self.remember * 1000)), repr(self.clock()), state or '', previous_claim,
                         replacing or '') == 1

    @unavailable_on_redis_error
    def withdraw(self, entry_id: str) -> bool:
        return self._run('withdraw', entry_id, repr(self.clock())) == 1

    @unavailable_on_redis_error
    def scheduled(self, key: str, kind: str) -> list[Entry]:
        return [Entry(id=entry_id, key=key, kind=kind, due=float(due), body=body)
                for entry_id, due, body in self._run('scheduled', key, kind)]

    def take(self, consumer: str, limit: int, wait: float = 0.0) -> list[Lease]:
        """See :meth:`WorkQueue.take`: one offer per call, moved into the consumer's busy list."""
        if limit <= 0:
            return []
        if consumer in self._unsure:
            self._recover(consumer)
        try:
            offered = self._move_waiting(consumer, wait) if wait > 0 else self._move(consumer)
        except StoreUnavailable:
            # Redis may have moved an offer before the answer was lost
            self._unsure.add(consumer)
            raise
        if not offered:
            return []
        lease = self._lease(offered, consumer)
        with self._waiting_lock:
            self._held.setdefault(consumer, set()).add(lease.handle)
        return [lease]

    @unavailable_on_redis_error
    def _recover(self, consumer: str) -> None:
        with self._waiting_lock:
            held = sorted(self._held.get(consumer, ()))
        if again := self._run('recover', consumer, repr(self.clock()), json.dumps(held)):
            log.warning('queue: %d task(s) taken while the connection broke handed out again', again)
        self._unsure.discard(consumer)

    @unavailable_on_redis_error
    def _move(self, consumer: str) -> Optional[str]:
        return self.redis.lmove(self._key('ready'), self._key('busy', consumer), 'RIGHT', 'LEFT')

    def _move_waiting(self, consumer: str, wait: float) -> Optional[str]:
        """
        ``BLMOVE`` on a connection of its own, so that :meth:`wake` can end the wait (``CLIENT UNBLOCK``) without
        touching the connections other threads use.
        """
        with self._waiting_lock:
            connection, client_id = self._waiting.get(consumer) or (self.redis.connection_pool.make_connection(),
                                                                   None)
            self._waiting[consumer] = (connection, client_id)
        try:
            if client_id is None:
                connection.send_command('CLIENT', 'ID')
                client_id = connection.read_response()
                with self._waiting_lock:
                    self._waiting[consumer] = (connection, client_id)
            connection.send_command('BLMOVE', self._key('ready'), self._key('busy', consumer), 'RIGHT', 'LEFT',
                                    f'{wait:.3f}')
            return connection.read_response()
        except (*REDIS_ERRORS, redis.ResponseError) as error:
            connection.disconnect()
            with self._waiting_lock:
                self._waiting[consumer] = (connection, None)
            raise StoreUnavailable(f'Redis unavailable: {type(error).__name__}: {error}') from error

    def wake(self, consumer: str) -> None:
        with self._waiting_lock:
            _, client_id = self._waiting.get(consumer, (None, None))
        if client_id is not None:
            try:
                self.redis.client_unblock(client_id)
            except REDIS_ERRORS as error:
                log.warning('queue: could not wake %s: %s', consumer, error)

    def close(self, consumer: str) -> None:
        """Close the connection ``consumer``'s takes waited on."""
        with self._waiting_lock:
            connection, _ = self._waiting.pop(consumer, (None, None))
        if connection is not None:
            connection.disconnect()

    def _lease(self, offered: str, consumer: str) -> Lease:
        o = json.loads(offered)
        entry = Entry(id=o['id'], key=o['key'], kind=o['kind'], due=float(o['due']), body=o['body'])
        return Lease(entry=entry, attempts=int(o['attempts']), state=o['state'] or None, fence=int(o['fence']),
                     handle=o['tid'], holder=consumer, reason=o['reason'], since=self.clock())

    @unavailable_on_redis_error
    def beat(self, consumer: str, long_running: tuple[Lease, ...] = ()) -> int:
        if self._beats % ADOPT_EVERY == 0:
            self.adopt_previous(consumer)
        self._beats += 1
        now = self.clock()
        long = json.dumps([{'id': lease.id, 'key': lease.key, 'kind': lease.entry.kind, 'since': lease.since}
                           for lease in long_running]) if long_running else ''
        again = self._run('beat', consumer, max(1, int(self.lifetime * 1000)), repr(now), long)
        if again:
            log.warning('queue: %d task(s) of stopped workers handed out again', again)
        return int(again)

    @unavailable_on_redis_error
    def adopt_previous(self, consumer: str, batch: int = 100) -> int:
        """
        Carry over what the previous version's queue (26b0017: a stream ``queue`` with the consumer group
        ``workers``, a journal per entry, dead letters in ``queue:dead``) still holds: entries never handed out, and
        those whose worker stopped renewing them for :attr:`lifetime` seconds. Entries its live workers hold are left
        to them. Each entry is put here with its journal and acknowledged there; a record that is not a task is put as
        it is, to be set aside by the worker that takes it.

        :return: how many entries were carried over
        """
        stream, dead = self.keys.key('queue'), self.keys.key('queue', 'dead')
        if not self.redis.exists(stream, dead):
            return 0
        found: list = []
        if self.redis.exists(stream):
            me = f'adopt-{consumer}'
            try:
                found += self.redis.xautoclaim(stream, 'workers', me, max(1, int(self.lifetime * 1000)),
                                               start_id='0-0', count=batch)[1]
                found += [entry for _, entries in self.redis.xreadgroup('workers', me, {stream: '>'}, count=batch)
                          or () for entry in entries]
            except redis.ResponseError as error:
                if 'NOGROUP' not in str(error):
                    raise
                found += self.redis.xrange(stream, count=batch)
        for entry_id, fields in found:
            if fields:
                self._adopt(stream, entry_id, fields.get('task', ''))
        for entry_id, fields in self.redis.xrange(dead, count=batch):
            self.redis.xadd(self._key('dead'), fields, maxlen=DEAD_KEPT, approximate=True)
            self.redis.xdel(dead, entry_id)
        # emptied: gone, so that the next look costs one EXISTS (a worker of the previous version makes it again)
        self._scripts['drop_empty'](keys=[stream, dead])
        if found:
            log.warning('queue: %d task(s) of the previous version carried over', len(found))
        return len(found)

    def _adopt(self, stream: str, entry_id: str, body: str) -> None:
        try:
            record = json.loads(body)
            entry = Entry(id=str(record['id']), key=str(record['key']), kind=str(record.get('kind', '')),
                          due=float(record.get('created') or 0), body=body)
        except (ValueError, TypeError, KeyError, AttributeError):
            entry = Entry(id=f'queue:{entry_id}', key=f'queue:{entry_id}', kind='', due=0.0, body=body)
        journal = self.keys.key('queue', 'journal', entry_id)
        self._put(entry, self.redis.hget(journal, 'state'), '')
        with self.redis.pipeline() as pipe:
            pipe.xack(stream, 'workers', entry_id)
            pipe.xdel(stream, entry_id)
            pipe.delete(journal)
            pipe.zrem(self.keys.key('queue', 'key', entry.key), entry_id)
            pipe.execute()

    @unavailable_on_redis_error
    def leave(self, consumer: str) -> None:
        self._run('leave', consumer, repr(self.clock()))
        self.close(consumer)

    def _check(self, done: int, lease: Lease, what: str) -> None:
        if what != 'journal':
            with self._waiting_lock:
                self._held.get(lease.holder, set()).discard(lease.handle)
        if done != 1:
            log.warning('queue: %s of task %s refused: its lease (fence %d) was lost', what, lease.id, lease.fence)
            raise LeaseLost(lease.id)

    @unavailable_on_redis_error
    def record(self, lease: Lease, state: str) -> None:
        self._check(self._run('record', lease.key, lease.handle, lease.fence, state), lease, 'journal')
        lease.state, lease.pending_state = state, None

    @unavailable_on_redis_error
    def finish(self, lease: Lease) -> None:
        self._check(self._run('finish', lease.key, lease.handle, lease.fence, lease.holder, repr(self.clock())),
                    lease, 'finish')

    @unavailable_on_redis_error
    def release(self, lease: Lease, reason: str = '', started: bool = True) -> None:
        self._check(self._run('release', lease.key, lease.handle, lease.fence, lease.holder, repr(self.clock()), reason,
                              0 if started else 1, lease.pending_state or ''), lease, 'release')

    @unavailable_on_redis_error
    def dead_letter(self, lease: Lease, reason: str, started: bool = True) -> None:
        self._check(self._run('dead_letter', lease.key, lease.handle, lease.fence, lease.holder, repr(self.clock()),
                              reason, DEAD_KEPT, 0 if started else 1), lease, 'dead letter')

    @unavailable_on_redis_error
    def dead_letters(self) -> list[dict[str, Any]]:
        return [{'id': fields.get('id', ''), 'key': fields.get('key', ''), 'kind': fields.get('kind', ''),
                 'attempts': int(fields.get('attempts') or 0), 'reason': fields.get('reason', '')}
                for _, fields in self.redis.xrange(self._key('dead'))]

    @unavailable_on_redis_error
    def long_running(self) -> list[dict[str, Any]]:
        now, found = self.clock(), []
        for name in self.redis.scan_iter(match=self._key('long', '*'), count=500):
            consumer = name[len(self._key('long', '')):]
            for item in json.loads(self.redis.get(name) or '[]'):
                found.append({'id': item['id'], 'key': item['key'], 'kind': item['kind'], 'consumer': consumer,
                              'seconds': now - item['since']})
        return sorted(found, key=lambda item: -item['seconds'])

    @unavailable_on_redis_error
    def depth(self) -> int:
        return int(self.redis.get(self._key('count')) or 0)

    @unavailable_on_redis_error
    def idle(self) -> bool:
        # a key whose first entry waits or runs is in ``running``; one whose first entry is due later is in ``delayed``
        # until the heartbeat offers it
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hlen(self._key('running'))
            pipe.zcount(self._key('delayed'), '-inf', repr(self.clock()))
            running, due = pipe.execute()
        return not running and not due
