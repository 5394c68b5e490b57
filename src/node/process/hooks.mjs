// ES module resolve hooks registered by the preload (module.register) when a container has mounts:
// an `import` of an absolute path or file: URL under a mountPath resolves to the volume's file
// (paths.cjs holds the mapping rule).
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

let mounts = [];
let mapPath = (_m, p) => p;

export function initialize(data) {
  mounts = data.mounts;
  mapPath = createRequire(import.meta.url)(data.paths).mapPath;
}

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('/')) specifier = mapPath(mounts, specifier);
  else if (specifier.startsWith('file://')) {
    const p = fileURLToPath(specifier);
    const m = mapPath(mounts, p);
    if (m !== p) specifier = pathToFileURL(m).href;
  }
  return next(specifier, context);
}
