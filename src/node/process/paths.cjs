// The one mapping of a container's paths onto the node's directories, shared by the runtime (which
// maps the script's path before starting node) and the preload (which maps every fs call's paths):
// a path under a mountPath becomes the same path under the mount's directory; other paths are kept.
'use strict';
const path = require('node:path');

/** mounts: [mountPath, dir][], longest mountPath first. Returns the mapped path, or p itself. */
function mapPath(mounts, p) {
  if (typeof p !== 'string' || p[0] !== '/') return p;
  const n = path.posix.normalize(p);
  for (const [virt, real] of mounts) {
    if (n === virt) return real;
    if (n.startsWith(virt + '/')) return real + n.slice(virt.length);
  }
  return p;
}

/** The inverse, for process.cwd(): a directory under a mount's directory, seen as its mountPath. */
function unmapPath(mounts, p) {
  if (typeof p !== 'string') return p;
  let best;
  for (const [virt, real] of mounts) {
    if ((p === real || p.startsWith(real + '/')) && (!best || real.length > best[1].length)) best = [virt, real];
  }
  return best ? best[0] + p.slice(best[1].length) : p;
}

module.exports = { mapPath, unmapPath };
