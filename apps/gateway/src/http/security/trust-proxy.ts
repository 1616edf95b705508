import { isIP } from 'node:net';

/** Express's names for address ranges (proxy-addr): 127.0.0.0/8 + ::1, 169.254/16 + fe80::/10, the private ranges. */
const PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: the proxies whose X-Forwarded-For the gateway believes, as addresses or CIDR
 * subnets (or Express's range names), comma-separated; unset/false: none. Express then takes a
 * request's client address from X-Forwarded-For only when the connection comes from one of them,
 * and only hop by hop through them. A hop count or `true` is refused: the gateway listens on every
 * interface, and those trust whatever any direct client writes into the header (rotating it would
 * dodge the per-address limits). Returns the list for Express's `trust proxy`, or false.
 */
export function parseTrustProxy(value: string | undefined): string[] | false {
  const v = (value ?? '').trim();
  if (v === '' || /^(false|no|off|0)$/i.test(v)) return false;
  const entries = v.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  for (const entry of entries) {
    const problem = invalidEntry(entry);
    if (problem) {
      throw new Error(
        `TRUST_PROXY: ${JSON.stringify(entry)} ${problem}; give the proxies' addresses or subnets (e.g. 172.31.255.2 or 10.0.0.0/8), comma-separated`,
      );
    }
  }
  return entries;
}

function invalidEntry(entry: string): string | undefined {
  if (/^(true|yes|on)$/i.test(entry) || /^\d+$/.test(entry)) return 'would trust any client (a hop count or true)';
  if (PRESETS.has(entry)) return undefined;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'is not an IP address or CIDR subnet';
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(prefix) && bits >= 0 && bits <= max ? undefined : `has a prefix length outside 0-${max}`;
}
