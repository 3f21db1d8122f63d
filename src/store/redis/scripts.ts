/**
 * The Lua scripts, registered once per client with ioredis `defineCommand`: ioredis sends the full body
 * (EVAL) the first time on each socket, EVALSHA after, and falls back to EVAL when the server answers
 * NOSCRIPT (a restart, a failover, SCRIPT FLUSH), so scripts survive losing the server's script cache.
 *
 * Every script touches only keys sharing one hash tag (see keys.ts) and declares them all in KEYS, so it
 * runs unchanged on Redis Cluster. Numbers that go back into Redis are formatted with `%d`: Lua 5.1's
 * default number→string conversion switches to exponent form past 14 digits.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * takeLease. KEYS: bud, leases. ARGV: field (`<ch>:<day>`), instance, want, daily cap (−1 = none),
 * total cap (−1 = none), ttlMs, nowMs, campaign-day cap (−1 = none), day. Returns {granted, spent on key,
 * this instance's lease}. The campaign-day cap counts the `d:<day>` spend and every live lease of that day.
 * Expired leases are deleted as the sum is taken, so the leases hash holds only live ones.
 */
const kTakeLease = `
local kd, inst = ARGV[1], ARGV[2]
local want, daily, total = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl, now = tonumber(ARGV[6]), tonumber(ARGV[7])
local dayCap, dayTag = tonumber(ARGV[8]), ':' .. ARGV[9] .. ':'
local spent = tonumber(redis.call('HGET', KEYS[1], 's:' .. kd) or '0')
local totalSpent = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
local mine, prefix = kd .. ':' .. inst, kd .. ':'
local keyLeased, campaignLeased, dayLeased, own = 0, 0, 0, 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, ':', 1, true)
  local micros, exp = tonumber(string.sub(v, 1, sep - 1)), tonumber(string.sub(v, sep + 1))
  if exp <= now then
    redis.call('HDEL', KEYS[2], all[i])
  else
    campaignLeased = campaignLeased + micros
    if string.sub(all[i], 1, #prefix) == prefix then keyLeased = keyLeased + micros end
    if string.find(all[i], dayTag, 1, true) then dayLeased = dayLeased + micros end
    if all[i] == mine then own = micros end
  end
end
local avail = math.huge
if daily >= 0 then avail = daily - spent - keyLeased end
if total >= 0 then avail = math.min(avail, total - totalSpent - campaignLeased) end
if dayCap >= 0 then avail = math.min(avail, dayCap - tonumber(redis.call('HGET', KEYS[1], 'd:' .. ARGV[9]) or '0') - dayLeased) end
local granted = math.max(0, math.min(math.floor(want), math.floor(avail)))
own = own + granted
redis.call('HSET', KEYS[2], mine, string.format('%d:%d', own, now + ttl))
-- Garbage collection for ended campaigns: the hash outlives its newest lease by a day of real time, a
-- margin so a caller's clock running slower than the server's (a simulator) never loses a live lease.
local gc = ttl + 86400000
if redis.call('PTTL', KEYS[2]) < gc then redis.call('PEXPIRE', KEYS[2], string.format('%d', gc)) end
return {granted, spent, own}
`;

/**
 * settle. KEYS: bud, leases, settled. ARGV: field, instance, noticeId, spent, nowMs, settled ttlMs, day.
 * Returns {code, added}: code 1 a new notice, 2 a higher amount for one settled before (the difference is
 * added), 0 a duplicate (added 0). The notice's mark and its spend are one atomic step: a settle that
 * fails or never runs leaves no mark, so its retry bills. Charges the instance's live lease so spend is
 * not counted twice against the cap (once as lease, once as spend).
 */
const kSettle = `
local prev = redis.call('HGET', KEYS[3], ARGV[3])
local add = tonumber(ARGV[4])
if prev then
  add = add - tonumber(prev)
  if add <= 0 then return {0, 0} end
end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
local a = string.format('%d', add)
redis.call('HINCRBY', KEYS[1], 's:' .. ARGV[1], a)
redis.call('HINCRBY', KEYS[1], 'total', a)
redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[7], a)
local f = ARGV[1] .. ':' .. ARGV[2]
local v = redis.call('HGET', KEYS[2], f)
if v then
  local sep = string.find(v, ':', 1, true)
  local micros, exp = tonumber(string.sub(v, 1, sep - 1)), string.sub(v, sep + 1)
  if tonumber(exp) > tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[2], f, string.format('%d', math.max(0, micros - add)) .. ':' .. exp)
  end
end
if prev then return {2, add} end
return {1, add}
`;

/**
 * proposeAllocation. KEYS: bud. ARGV: field (`a:<day>`), period, encoded allocation (`<period>|<json>`).
 * Stores it unless the field holds the same or a later period; returns what the field holds afterwards.
 */
const kProposeAllocation = `
local have = redis.call('HGET', KEYS[1], ARGV[1])
if have then
  local sep = string.find(have, '|', 1, true)
  if tonumber(string.sub(have, 1, sep - 1)) >= tonumber(ARGV[2]) then return have end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ARGV[3]
`;

/** Extends a key's server TTL to `untilMs − now` when that is later than what it has (GC only). */
const kExtendTtl = `
local function extend(key, now, untilMs)
  if untilMs <= now then return end
  local want = untilMs - now
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, string.format('%d', want)) end
end
`;

/**
 * Segment merge shared by addSegments and the bulk loader: argv[from…to] are pairs segment, expiresAtMs
 * (already > now). Keeps the later expiry of a segment already present and drops expired fields on the
 * way (Redis 7.0 has no field TTLs); changed fields go in one HSET.
 */
const kMergeSegments = `${kExtendTtl}
local function merge_segments(key, now, argv, from, to)
  local have = {}
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local exp = tonumber(all[i + 1])
    if exp <= now then redis.call('HDEL', key, all[i]) else have[all[i]] = exp end
  end
  local set, maxExp = {}, 0
  for i = from, to, 2 do
    local exp = tonumber(argv[i + 1])
    if exp > (have[argv[i]] or 0) then
      have[argv[i]] = exp
      set[#set + 1] = argv[i]
      set[#set + 1] = argv[i + 1]
      if #set >= 1000 then redis.call('HSET', key, unpack(set)); set = {} end
    end
    if exp > maxExp then maxExp = exp end
  end
  if #set > 0 then redis.call('HSET', key, unpack(set)) end
  extend(key, now, maxExp)
end
`;

/** addSegments. KEYS: seg. ARGV: nowMs, then pairs segment, expiresAtMs. */
const kAddSegments = `${kMergeSegments}
merge_segments(KEYS[1], tonumber(ARGV[1]), ARGV, 2, #ARGV)
return 1
`;

/**
 * Several loader records in one call (standalone Redis only: their keys span slots). Per record, KEYS: its
 * seg key then its id keys; ARGV (after nowMs): id count, segment pair count, identity value
 * "<person>|<expiresAtMs>", identity ttlMs, then the segment pairs. One call for many records is what
 * makes a bulk load fast: the client's cost is per command, not per key.
 */
const kLoadProfiles = `${kMergeSegments}
local now = tonumber(ARGV[1])
local k, a = 1, 2
while a <= #ARGV do
  local nIds, nSeg = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  for i = 1, nIds do redis.call('SET', KEYS[k + i], ARGV[a + 2], 'PX', ARGV[a + 3]) end
  if nSeg > 0 then merge_segments(KEYS[k], now, ARGV, a + 4, a + 2 + 2 * nSeg) end
  k = k + 1 + nIds
  a = a + 4 + 2 * nSeg
end
return 1
`;

/**
 * recordImpression. KEYS: fq. ARGV: nowMs, then pairs `<campaign>:<windowS>`, bucketEndMs. One field per
 * campaign × window holding `<bucketEndMs>:<count>`: a new bucket restarts the count, so the hash never
 * accumulates old buckets; fields whose bucket has ended are dropped.
 */
const kRecordImpression = `${kExtendTtl}
local key, now = KEYS[1], tonumber(ARGV[1])
local have = {}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, ':', 1, true)
  if tonumber(string.sub(v, 1, sep - 1)) <= now then redis.call('HDEL', key, all[i]) else have[all[i]] = v end
end
local maxEnd = 0
for i = 2, #ARGV, 2 do
  local f, e = ARGV[i], ARGV[i + 1]
  local count = 1
  local v = have[f]
  if v then
    local sep = string.find(v, ':', 1, true)
    if string.sub(v, 1, sep - 1) == e then count = tonumber(string.sub(v, sep + 1)) + 1 end
  end
  have[f] = e .. ':' .. string.format('%d', count)
  redis.call('HSET', key, f, have[f])
  if tonumber(e) > maxEnd then maxEnd = tonumber(e) end
end
extend(key, now, maxEnd)
return 1
`;

type Arg = string | number;

/** The script commands as ioredis adds them to a client (promises) … */
export interface ScriptCommands {
  pgTakeLease(bud: string, leases: string, ...argv: Arg[]): Promise<[number, number, number]>;
  pgSettle(bud: string, leases: string, settled: string, ...argv: Arg[]): Promise<[number, number]>;
  pgProposeAllocation(bud: string, ...argv: Arg[]): Promise<string>;
  pgAddSegments(seg: string, ...argv: Arg[]): Promise<number>;
  pgRecordImpression(fq: string, ...argv: Arg[]): Promise<number>;
}

/** … and to a pipeline (chainable). */
export interface ScriptPipeline extends ChainableCommander {
  /** `numKeys` first: the number of keys varies per call. */
  pgLoadProfiles(numKeys: number, ...keysThenArgv: Arg[]): ScriptPipeline;
}

export type RedisClient = (Redis | Cluster) & ScriptCommands;

export function defineScripts(client: Redis | Cluster): RedisClient {
  client.defineCommand('pgTakeLease', { numberOfKeys: 2, lua: kTakeLease });
  client.defineCommand('pgSettle', { numberOfKeys: 3, lua: kSettle });
  client.defineCommand('pgProposeAllocation', { numberOfKeys: 1, lua: kProposeAllocation });
  client.defineCommand('pgAddSegments', { numberOfKeys: 1, lua: kAddSegments });
  client.defineCommand('pgRecordImpression', { numberOfKeys: 1, lua: kRecordImpression });
  client.defineCommand('pgLoadProfiles', { lua: kLoadProfiles });
  return client as RedisClient;
}
