// Commands a runtime container has without an image filesystem: `tar` and `test`, which kubectl cp
// runs through exec (`test -d DEST`, `tar -xmf - -C DIR`, `tar cf - SRC`). Run by node with the
// preload, so paths under volumeMounts map to the pod's volume directories as the program sees them.
//   tar  c|x|t with f - (stdin/stdout only), -C DIR, m, v, --no-same-permissions, --no-same-owner;
//        ustar headers, GNU long names (L) and pax path/linkpath/size read; leading '/' stripped.
//   test -d|-f|-e|-s|-r|-w|-x PATH, `test STRING`, `test -n|-z STRING`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [, , prog, ...args] = process.argv;

function fail(msg, code = 2) {
  process.stderr.write(`${prog}: ${msg}\n`);
  process.exit(code);
}

// ---- test ----------------------------------------------------------------------------------------
function runTest(a) {
  if (a.length === 0) return 1;
  if (a.length === 1) return a[0] === '' ? 1 : 0;
  const [op, p] = a;
  if (op === '-n') return p.length ? 0 : 1;
  if (op === '-z') return p.length ? 1 : 0;
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 1;
  }
  const can = (mode) => {
    try {
      fs.accessSync(p, mode);
      return 0;
    } catch {
      return 1;
    }
  };
  switch (op) {
    case '-d': return st.isDirectory() ? 0 : 1;
    case '-f': return st.isFile() ? 0 : 1;
    case '-e': return 0;
    case '-s': return st.size > 0 ? 0 : 1;
    case '-r': return can(fs.constants.R_OK);
    case '-w': return can(fs.constants.W_OK);
    case '-x': return can(fs.constants.X_OK);
    default: fail(`unknown operator ${op}`);
  }
}

// ---- tar: options --------------------------------------------------------------------------------
function parseTar(a) {
  const o = { mode: '', file: undefined, dir: undefined, keepTime: true, perms: true, verbose: false, operands: [] };
  let i = 0;
  const letters = (s) => {
    for (const ch of s) {
      if ('cxt'.includes(ch)) o.mode = ch;
      else if (ch === 'f') o.file = a[++i] ?? fail('option requires an argument -- f');
      else if (ch === 'C') o.dir = a[++i] ?? fail('option requires an argument -- C');
      else if (ch === 'm') o.keepTime = false;
      else if (ch === 'v') o.verbose = true;
      else if (ch === 'o' || ch === 'p') continue;
      else fail(`invalid option -- '${ch}' (kubesim's built-in tar: c, x, t, f -, C, m, v)`);
    }
  };
  for (; i < a.length; i++) {
    const x = a[i];
    if (i === 0 && !x.startsWith('-')) letters(x);
    else if (x === '--no-same-permissions') o.perms = false;
    else if (x === '--no-same-owner' || x === '--same-owner' || x === '--preserve-permissions') continue;
    else if (x.startsWith('--directory=')) o.dir = x.slice(12);
    else if (x.startsWith('--file=')) o.file = x.slice(7);
    else if (x.startsWith('--')) fail(`unrecognized option '${x}'`);
    else if (x.startsWith('-') && x.length > 1) letters(x.slice(1));
    else o.operands.push(x);
  }
  if (!o.mode) fail('You must specify one of the \'-cxt\' options');
  if (o.file !== undefined && o.file !== '-') fail(`only the archive '-' (stdin/stdout) is supported, not '${o.file}'`);
  return o;
}

// ---- tar: writing --------------------------------------------------------------------------------
function octal(n, width) {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name, st, type, linkname = '') {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write(octal(st.mode & 0o7777, 8), 100);
  h.write(octal(st.uid ?? 0, 8), 108);
  h.write(octal(st.gid ?? 0, 8), 116);
  h.write(octal(type === '0' || type === 'L' ? st.size : 0, 12), 124);
  h.write(octal(Math.floor(st.mtimeMs / 1000), 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

function entry(out, name, st, type, linkname) {
  if (Buffer.byteLength(name) > 100) {
    // GNU long name: a '././@LongLink' entry of type L carrying the name, then the entry itself.
    const long = Buffer.from(`${name}\0`);
    out.push(header('././@LongLink', { mode: 0o644, size: long.length, mtimeMs: 0 }, 'L'), long, pad(long.length));
  }
  out.push(header(name, st, type, linkname));
}

function pad(n) {
  return Buffer.alloc((512 - (n % 512)) % 512);
}

function create(o) {
  const base = o.dir ?? process.cwd();
  if (o.operands.length === 0) fail('Cowardly refusing to create an empty archive');
  let warned = false;
  let failed = false;
  const write = (b) => {
    // stdout may be a non-blocking pipe: retry what it did not take.
    for (let at = 0; at < b.length; ) {
      try {
        at += fs.writeSync(1, b, at);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      }
    }
  };
  const walk = (abs, name) => {
    let st;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      process.stderr.write(`tar: ${name}: Cannot stat: No such file or directory\n`);
      failed = true;
      return;
    }
    const out = [];
    if (st.isDirectory()) {
      entry(out, name.endsWith('/') ? name : `${name}/`, st, '5');
      out.forEach(write);
      for (const child of fs.readdirSync(abs).sort()) walk(path.join(abs, child), `${name.replace(/\/$/, '')}/${child}`);
      return;
    }
    if (st.isSymbolicLink()) entry(out, name, st, '2', fs.readlinkSync(abs));
    else if (st.isFile()) entry(out, name, st, '0');
    else return;
    out.forEach(write);
    if (st.isFile()) {
      const fd = fs.openSync(abs, 'r');
      const buf = Buffer.alloc(64 * 1024);
      let total = 0;
      for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) {
        write(buf.subarray(0, n));
        total += n;
      }
      fs.closeSync(fd);
      write(pad(total));
    }
    if (o.verbose) process.stderr.write(`${name}\n`);
  };
  for (const operand of o.operands) {
    let name = path.posix.normalize(operand);
    if (name.startsWith('/')) {
      if (!warned) process.stderr.write("tar: Removing leading `/' from member names\n");
      warned = true;
      name = name.replace(/^\/+/, '');
    }
    walk(path.resolve(base, operand), name || '.');
  }
  write(Buffer.alloc(1024));
  return failed ? 2 : 0;
}

// ---- tar: reading --------------------------------------------------------------------------------
function field(h, at, len) {
  const s = h.subarray(at, at + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function number(h, at, len) {
  if (h[at] & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + h[i];
    return n;
  }
  const s = field(h, at, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(b) {
  const out = {};
  let at = 0;
  while (at < b.length) {
    const sp = b.indexOf(0x20, at);
    if (sp < 0) break;
    const len = Number(b.subarray(at, sp).toString());
    if (!len) break;
    const rec = b.subarray(sp + 1, at + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    at += len;
  }
  return out;
}

function extract(o, data) {
  const base = o.dir ?? process.cwd();
  if (o.dir !== undefined && !fs.existsSync(base)) fail(`${o.dir}: Cannot open: No such file or directory`);
  let at = 0;
  let longName;
  let longLink;
  let pax = {};
  let status = 0;
  while (at + 512 <= data.length) {
    const h = data.subarray(at, at + 512);
    at += 512;
    if (h.every((b) => b === 0)) break;
    const type = String.fromCharCode(h[156] || 0x30);
    let size = number(h, 124, 12);
    if (pax.size !== undefined) size = Number(pax.size);
    const body = data.subarray(at, at + size);
    at += size + ((512 - (size % 512)) % 512);
    if (type === 'L') { longName = field(body, 0, body.length); continue; }
    if (type === 'K') { longLink = field(body, 0, body.length); continue; }
    if (type === 'x') { pax = paxRecords(body); continue; }
    if (type === 'g') continue;
    const prefix = field(h, 257, 6) === 'ustar' ? field(h, 345, 155) : '';
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    const linkname = pax.linkpath ?? longLink ?? field(h, 157, 100);
    const mode = number(h, 100, 8);
    const mtime = number(h, 136, 12);
    longName = longLink = undefined;
    pax = {};
    name = name.replace(/^\/+/, '');
    if (name.split('/').includes('..')) {
      process.stderr.write(`tar: ${name}: Member name contains '..'\n`);
      status = 2;
      continue;
    }
    const dest = path.join(base, name);
    if (o.verbose) process.stdout.write(`${name}\n`);
    try {
      if (type === '5') {
        fs.mkdirSync(dest, { recursive: true });
      } else {
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        if (type === '2') {
          fs.rmSync(dest, { force: true });
          fs.symlinkSync(linkname, dest);
          continue;
        }
        if (type === '1') fs.copyFileSync(path.join(base, linkname.replace(/^\/+/, '')), dest);
        else if (type === '0' || type === '7') fs.writeFileSync(dest, body);
        else continue;
      }
      if (o.perms) fs.chmodSync(dest, mode & 0o7777);
      if (o.keepTime) fs.utimesSync(dest, mtime, mtime);
    } catch (e) {
      process.stderr.write(`tar: ${name}: Cannot open: ${e.message}\n`);
      status = 2;
    }
  }
  return status;
}

function list(data) {
  let at = 0;
  while (at + 512 <= data.length) {
    const h = data.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const size = number(h, 124, 12);
    const prefix = field(h, 257, 6) === 'ustar' ? field(h, 345, 155) : '';
    if (!'LKxg'.includes(String.fromCharCode(h[156]))) process.stdout.write(`${prefix ? `${prefix}/` : ''}${field(h, 0, 100)}\n`);
    at += 512 + size + ((512 - (size % 512)) % 512);
  }
  return 0;
}

function readStdin() {
  const chunks = [];
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

if (prog === 'test' || prog === '[') {
  const a = prog === '[' ? args.slice(0, -1) : args;
  process.exitCode = runTest(a);
} else if (prog === 'tar') {
  const o = parseTar(args);
  process.exitCode = o.mode === 'c' ? create(o) : o.mode === 'x' ? extract(o, readStdin()) : list(readStdin());
} else {
  fail('not a kubesim built-in command', 127);
}
