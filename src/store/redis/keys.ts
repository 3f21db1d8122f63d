/**
 * The Redis key schema, in one place. `{…}` is the Cluster hash tag: every key a script or a pipelined step
 * touches together carries the same tag, so in Redis Cluster they live in one slot (one node) and a Lua
 * script never fails with CROSSSLOT.
 *
 *   <p>id:{<idKey>}                 string  "<personId>|<expiresAtMs>"        identity graph edge
 *   <p>seg:{<person>}               hash    segment → expiresAtMs              person segments
 *   <p>fq:{<person>}                hash    "<campaign>:<windowS>" → "<bucketEndMs>:<count>"
 *   <p>bud:{<campaign>}             hash    "s:<channel>:<day>" → spent, "total" → total spent
 *   <p>bud:{<campaign>}:l           hash    "<channel>:<day>:<instance>" → "<micros>:<expiresAtMs>"  leases
 *   <p>bud:{<campaign>}:st:<ch>:<day> hash  settled notice id → micros (TTL ~3 days)
 *   <p>dn:{<id>}                    string  de-duplication of notices that move no money (SET NX PX)
 *   <p>clk:{<clickId>}              string  JSON click record (SET PX attribution window)
 *   <p>lclk:{<adv>:<person>}        zset    the person's last click for the advertiser, scored by click time
 *   <p>rch:{<campaign>}:<ch>:<day>  HLL     people reached (billed impressions with a person), per channel
 *   <p>fc:{m:<minuteMs>}            hash    "<series>#<slot>" → count      fleet minute counters (console)
 *   <p>fc:{h:<hourMs>}              hash    "<series>#<slot>" → count      fleet hour counters (console)
 *   <p>fc:{t}                       hash    "<series>#<slot>" → count      fleet running totals (experiments)
 *
 * A billable notice's mark lives in its campaign's slot, beside the spend it records, so one script writes
 * both or neither (an earlier layout marked it under `dn:` first and lost the spend when settling failed).
 * Its predecessor, the set `bud:{c}:n:<ch>:<day>`, is no longer read: notices settled before the upgrade
 * and delivered again after it would settle again.
 *
 * Leases live in their own hash (same tag) rather than beside the spend fields so the total-cap script sums
 * only live leases, not a year of `s:<channel>:<day>` fields.
 */
import type { BudgetKey, IdKey } from '../ports.js';

/** Every key starts with this unless the config says otherwise (`store.redis.keyPrefix`). */
export const kDefaultKeyPrefix = 'pg:';

export class KeySchema {
  readonly prefix: string;

  constructor(prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put the whole store in one slot.
    if (prefix.includes('{') || prefix.includes('}'))
      throw new RangeError(`redis key prefix must not contain braces: ${JSON.stringify(prefix)}`);
    this.prefix = prefix;
  }

  id(id: IdKey): string {
    return `${this.prefix}id:{${nonEmpty(id)}}`;
  }

  segments(personId: string): string {
    return `${this.prefix}seg:{${nonEmpty(personId)}}`;
  }

  frequency(personId: string): string {
    return `${this.prefix}fq:{${nonEmpty(personId)}}`;
  }

  budget(campaignId: string): string {
    return `${this.prefix}bud:{${nonEmpty(campaignId)}}`;
  }

  leases(campaignId: string): string {
    return `${this.budget(campaignId)}:l`;
  }

  settled(key: BudgetKey): string {
    return `${this.budget(key.campaignId)}:st:${key.channelId}:${key.day}`;
  }

  dedup(id: string): string {
    return `${this.prefix}dn:{${nonEmpty(id)}}`;
  }

  click(clickId: string): string {
    return `${this.prefix}clk:{${nonEmpty(clickId)}}`;
  }

  reach(campaignId: string, channelId: string, day: string): string {
    return `${this.prefix}rch:{${nonEmpty(campaignId)}}:${channelId}:${day}`;
  }

  fleetMinute(minuteMs: number): string {
    return `${this.prefix}fc:{m:${minuteMs}}`;
  }

  fleetTotals(): string {
    return `${this.prefix}fc:{t}`;
  }

  fleetHour(hourMs: number): string {
    return `${this.prefix}fc:{h:${hourMs}}`;
  }

  lastClick(advertiserId: string, personId: string): string {
    return `${this.prefix}lclk:{${nonEmpty(advertiserId)}:${nonEmpty(personId)}}`;
  }
}

/** `{}` is not a hash tag (Redis hashes the whole key then), so an empty id would scatter a script's keys. */
function nonEmpty(s: string): string {
  if (s.length === 0) throw new RangeError('empty id in a redis key');
  return s;
}

/** `<channel>:<day>`: the budget key's suffix shared by its spend field, lease fields and notice set. */
export function budgetField(key: BudgetKey): string {
  return `${key.channelId}:${key.day}`;
}

// CRC16-XMODEM (poly 0x1021), the checksum Redis Cluster uses for key slots (cluster spec, "Keys distribution model").
const kCrcTable = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  kCrcTable[i] = c;
}

/** The Cluster slot of a key (0…16383), honouring hash tags exactly as Redis does. Used by tests and checks. */
export function hashSlot(key: string): number {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b); // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ kCrcTable[((crc >> 8) ^ b) & 0xff]!;
  return crc & 16383;
}
