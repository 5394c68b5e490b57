// Loaded by `node --require` into every real container before its program: it makes the program see
// its pod instead of the node. Configuration comes in KUBESIM_CONTAINER (JSON, removed from the
// environment at once):
// - paths: every fs call (sync, callback, promises, streams, watch), require() of an absolute path
//   process.chdir() and ES module imports (hooks.mjs) map paths under a volumeMount's mountPath onto
//   the volume's directory (paths.cjs); process.cwd() reports the workingDir as the spec says it;
// - network: listen() (TCP) and bind() (UDP) on any address, localhost or the pod IP bind the pod's
//   loopback alias (10.a.b.c → 127.a.b.c), so pods don't collide on ports; connect() and send() to
//   localhost, a pod IP or a ClusterIP go to its alias; dns.lookup/resolve4/resolve answer cluster
//   names;
// - lifetime: when the node pool goes away (its IPC channel closes) the program ends.
'use strict';
// Threads (the module hooks' thread, the program's workers) share the main thread's process: nothing to do there.
if (!require('node:worker_threads').isMainThread) return;
const cfg = JSON.parse(process.env.KUBESIM_CONTAINER || '{}');
delete process.env.KUBESIM_CONTAINER;
const fs = require('node:fs');
const net = require('node:net');
const Module = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { mapPath, unmapPath } = require(cfg.paths);

const mounts = cfg.mounts || [];

// ---- lifetime ----------------------------------------------------------------------------------
if (process.channel) {
  process.channel.unref(); // the channel must not keep a program alive that would end by itself
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

// ---- paths -------------------------------------------------------------------------------------
function mapArg(p) {
  if (typeof p === 'string') return mapPath(mounts, p);
  if (p instanceof URL && p.protocol === 'file:') {
    const m = mapPath(mounts, fileURLToPath(p));
    return m === fileURLToPath(p) ? p : pathToFileURL(m);
  }
  return p;
}

const ONE_PATH = [
  'access', 'appendFile', 'chmod', 'chown', 'createReadStream', 'createWriteStream', 'exists', 'lchown', 'lstat', 'lutimes',
  'mkdir', 'mkdtemp', 'open', 'openAsBlob', 'opendir', 'readdir', 'readFile', 'readlink', 'realpath', 'rm', 'rmdir', 'stat', 'statfs',
  'truncate', 'unlink', 'unwatchFile', 'utimes', 'watch', 'watchFile', 'writeFile', 'lchmod',
];
const TWO_PATHS = ['copyFile', 'cp', 'link', 'rename', 'symlink'];

function patch(obj, name, positions) {
  const orig = obj[name];
  if (typeof orig !== 'function') return;
  const wrapped = function (...args) {
    for (const i of positions) if (i < args.length) args[i] = mapArg(args[i]);
    return orig.apply(this, args);
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(orig));
  obj[name] = wrapped;
}

if (mounts.length) {
  for (const target of [fs, fs.promises]) {
    for (const n of ONE_PATH) {
      patch(target, n, [0]);
      if (target === fs) patch(target, n + 'Sync', [0]);
    }
    for (const n of TWO_PATHS) {
      patch(target, n, [0, 1]);
      if (target === fs) patch(target, n + 'Sync', [0, 1]);
    }
  }
  patch(fs.realpath, 'native', [0]);
  patch(fs.realpathSync, 'native', [0]);
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, mapArg(request), ...rest);
  };
  const chdir = process.chdir;
  process.chdir = (d) => chdir(mapPath(mounts, d));
  // ES modules: `import "/app/x.mjs"` through resolve hooks (hooks.mjs, on node's hooks thread).
  if (typeof Module.register === 'function') Module.register(pathToFileURL(require('node:path').join(__dirname, 'hooks.mjs')).href, { data: { mounts, paths: cfg.paths } });
}
if (cfg.workingDir) {
  const cwd = process.cwd;
  process.cwd = () => unmapPath(mounts, cwd());
}
// The program sees the script's path as its spec names it.
if (cfg.script && process.argv[1]) process.argv[1] = cfg.script;
Module.syncBuiltinESMExports();

// ---- network -----------------------------------------------------------------------------------
const alias = cfg.alias;
// 10.a.b.c → 127.(a XOR 64·slot).b.c, as loopbackAlias (api/core/podnetwork.ts) maps it.
const slot = cfg.slot ?? 0;
const aliasOf = (ip) => {
  const m = /^10\.(\d+)\.(\d+\.\d+)$/.exec(ip);
  return m ? '127.' + ((Number(m[1]) ^ (slot << 6)) & 255) + '.' + m[2] : ip;
};
/** A cluster DNS name's address (set by the DNS part below), else undefined. */
let resolveCluster = () => undefined;
const podIP = cfg.podIP;
if (alias) {
  const LOCAL = new Set([undefined, null, '', '0.0.0.0', '::', '0:0:0:0:0:0:0:0', '127.0.0.1', '::1', 'localhost', podIP]);
  const toAlias = (h) => (LOCAL.has(h) ? alias : typeof h === 'string' ? aliasOf(h) : h);
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    const a = args[0];
    if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
      if (a.path == null && a.handle == null && a._handle == null && a.fd == null) args[0] = { ...a, host: LOCAL.has(a.host) ? alias : a.host };
    } else if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a)) || a === undefined || typeof a === 'function') {
      if (typeof a === 'function' || a === undefined) args.unshift(0);
      if (typeof args[1] === 'string') {
        if (LOCAL.has(args[1])) args[1] = alias;
      } else args.splice(1, 0, alias);
    }
    return listen.apply(this, args);
  };
  // A connection to a cluster address leaves from the pod's alias, so the other side (and the
  // Services' ClientIP session affinity) sees which pod it comes from.
  const target = (o) => {
    const host = toAlias(resolveCluster(o.host) ?? o.host ?? 'localhost');
    return { ...o, host, ...(o.localAddress == null && /^127\./.test(host) ? { localAddress: alias } : {}) };
  };
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const a = args[0];
    if (Array.isArray(a) && a[0] && typeof a[0] === 'object' && a[0].port != null && a[0].path == null) {
      a[0] = target(a[0]);
    } else if (a !== null && typeof a === 'object' && !Array.isArray(a) && a.port != null && a.path == null) {
      args[0] = target(a);
    } else if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
      const host = typeof args[1] === 'string' ? args[1] : undefined;
      const rest = args.slice(host === undefined ? 1 : 2);
      return connect.call(this, target({ port: Number(a), host }), ...rest);
    }
    return connect.apply(this, args);
  };

  // UDP as TCP: bind() on any address, localhost or the pod IP binds the pod's alias (an implicit
  // bind by send() too); send()/connect() to a pod IP or ClusterIP go to its alias, a cluster name
  // through the DNS table.
  const dgram = require('node:dgram');
  const udpHost = (h) => toAlias(resolveCluster(h) ?? h);
  const bind = dgram.Socket.prototype.bind;
  dgram.Socket.prototype.bind = function (...args) {
    if (this.type !== 'udp4') return bind.apply(this, args); // the aliases are IPv4
    const a = args[0];
    if (a !== null && typeof a === 'object') {
      if (a.fd == null) args[0] = { ...a, address: LOCAL.has(a.address) ? alias : a.address };
    } else {
      if (typeof a === 'function' || a === undefined) args.unshift(0);
      if (typeof args[1] === 'string' || args[1] == null) {
        if (LOCAL.has(args[1])) args[1] = alias;
      } else args.splice(1, 0, alias);
    }
    return bind.apply(this, args);
  };
  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (...args) {
    if (this.type !== 'udp4') return send.apply(this, args);
    // send(msg[, offset, length][, port][, address][, callback]): the address follows the port;
    // without one, node sends to localhost (the pod's own alias here)
    const at = typeof args[1] === 'number' && typeof args[2] === 'number' ? 4 : 2;
    if (typeof args[at - 1] === 'number') {
      if (typeof args[at] === 'string') args[at] = udpHost(args[at]);
      else if (args[at] == null || typeof args[at] === 'function') args.splice(at, args[at] == null && at < args.length ? 1 : 0, alias);
    }
    return send.apply(this, args);
  };
  const dconnect = dgram.Socket.prototype.connect;
  dgram.Socket.prototype.connect = function (port, address, cb) {
    if (this.type !== 'udp4') return dconnect.apply(this, arguments);
    if (typeof address === 'function' || address === undefined) return dconnect.call(this, port, alias, address);
    return dconnect.call(this, port, udpHost(address), cb);
  };
}

// ---- DNS -----------------------------------------------------------------------------------------
// Service names from the table the pool sends (svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local),
// answered with the ClusterIP's loopback alias.
if (alias && process.channel) {
  const dns = require('node:dns');
  let table = new Map(cfg.dns || []);
  process.on('message', (m) => {
    if (m && m.kubesim === 'dns') table = new Map(m.table);
  });
  const resolveName = (h) => {
    if (typeof h !== 'string') return undefined;
    const n = h.toLowerCase().replace(/\.$/, '');
    // the pod's search path: the name itself, then within its namespace (svc, pod.svc)
    const ip = table.get(n) ?? (cfg.namespace ? table.get(n + '.' + cfg.namespace) : undefined);
    return ip && aliasOf(ip);
  };
  resolveCluster = resolveName;
  const lookup = dns.lookup;
  dns.lookup = function (hostname, options, callback) {
    const ip = resolveName(hostname);
    if (ip === undefined) return lookup.apply(this, arguments);
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    const all = options && typeof options === 'object' && options.all;
    process.nextTick(() => (all ? callback(null, [{ address: ip, family: 4 }]) : callback(null, ip, 4)));
    return {};
  };
  const plookup = dns.promises.lookup;
  dns.promises.lookup = function (hostname, options) {
    const ip = resolveName(hostname);
    if (ip === undefined) return plookup.apply(this, arguments);
    return Promise.resolve(options && options.all ? [{ address: ip, family: 4 }] : { address: ip, family: 4 });
  };
  // resolve4 / resolve (A): the same table (a name not in it goes to the node's resolver).
  const answer = (ip, options) => (options && options.ttl ? [{ address: ip, ttl: 5 }] : [ip]);
  const isA = (rrtype) => rrtype === undefined || typeof rrtype === 'function' || rrtype === 'A';
  const wrapCallbacks = (target) => {
    const resolve4 = target.resolve4;
    target.resolve4 = function (hostname, options, callback) {
      const ip = resolveName(hostname);
      if (ip === undefined) return resolve4.apply(this, arguments);
      if (typeof options === 'function') [callback, options] = [options, {}];
      process.nextTick(() => callback(null, answer(ip, options)));
      return {};
    };
    const resolve = target.resolve;
    target.resolve = function (hostname, rrtype, callback) {
      const ip = resolveName(hostname);
      if (ip === undefined || !isA(rrtype)) return resolve.apply(this, arguments);
      if (typeof rrtype === 'function') callback = rrtype;
      process.nextTick(() => callback(null, [ip]));
      return {};
    };
  };
  const wrapPromises = (target) => {
    const resolve4 = target.resolve4;
    target.resolve4 = function (hostname, options) {
      const ip = resolveName(hostname);
      return ip === undefined ? resolve4.apply(this, arguments) : Promise.resolve(answer(ip, options));
    };
    const resolve = target.resolve;
    target.resolve = function (hostname, rrtype) {
      const ip = resolveName(hostname);
      return ip === undefined || !isA(rrtype) ? resolve.apply(this, arguments) : Promise.resolve([ip]);
    };
  };
  wrapCallbacks(dns);
  wrapCallbacks(dns.Resolver.prototype);
  wrapPromises(dns.promises);
  wrapPromises(dns.promises.Resolver.prototype);
  Module.syncBuiltinESMExports();
}
