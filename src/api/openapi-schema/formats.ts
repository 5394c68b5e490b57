// The string formats a CRD schema may name and kube-openapi checks (apiextensions-apiserver's
// supported set); an unknown format is not checked, as in Kubernetes.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGBCOLOR = /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/;
const BSON = /^[0-9a-fA-F]{24}$/;

function validDate(y: string, m: string, d: string): boolean {
  const mm = Number(m);
  const dd = Number(d);
  if (mm < 1 || mm > 12 || dd < 1) return false;
  return dd <= new Date(Date.UTC(Number(y), mm, 0)).getUTCDate();
}

function isIPv6(s: string): boolean {
  if (!s.includes(':')) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

function isCIDR(s: string): boolean {
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  if (IPV4.test(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

const CHECKS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => {
    const m = RFC3339.exec(s);
    return !!m && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
  },
  datetime: (s) => CHECKS['date-time'](s),
  date: (s) => {
    const m = DATE.exec(s);
    return !!m && validDate(m[1], m[2], m[3]);
  },
  byte: (s) => BASE64.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?3/i.test(s),
  uuid4: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab]/i.test(s),
  uuid5: (s) => UUID.test(s) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab]/i.test(s),
  hostname: (s) => HOSTNAME.test(s),
  email: (s) => EMAIL.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: isIPv6,
  cidr: isCIDR,
  mac: (s) => MAC.test(s),
  uri: (s) => {
    try {
      return !!new URL(s).protocol;
    } catch {
      return false;
    }
  },
  duration: (s) => DURATION.test(s),
  hexcolor: (s) => HEXCOLOR.test(s),
  rgbcolor: (s) => RGBCOLOR.test(s),
  bsonobjectid: (s) => BSON.test(s),
};

/** Whether a string satisfies the schema's format; formats Kubernetes does not check always pass. */
export function formatOk(format: string, value: string): boolean {
  const check = CHECKS[format];
  return check ? check(value) : true;
}

/** RE2 patterns as JavaScript regular expressions (unicode mode when it parses). */
const cache = new Map<string, RegExp | null>();
export function compilePattern(pattern: string): RegExp | null {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  // Go's inline flags ((?i), (?s), (?m), (?i:...)) become flags of the whole expression; \A and \z anchor the text.
  const flagSet = new Set<string>();
  let src = pattern.replace(/\(\?([imsU]+)(:|\))/g, (_m, f: string, end: string) => {
    for (const c of f) if (c !== 'U') flagSet.add(c);
    return end === ':' ? '(?:' : '';
  });
  const flags = [...flagSet].join('');
  src = src.replace(/^\\A/, '^').replace(/\\z$/, '$');
  try {
    re = new RegExp(src, flags + 'u');
  } catch {
    try {
      re = new RegExp(src, flags);
    } catch {
      re = null;
    }
  }
  cache.set(pattern, re);
  return re;
}
