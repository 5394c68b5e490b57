// Which containers the process runtime runs, and how: a Node.js image (`node`, `node:<tag>`, any
// registry's `.../node[:tag]`, or one of the pool's --runtime-images) whose command/args resolve to a
// `node` invocation. The official image's entrypoint (docker-entrypoint.sh) prepends `node` when the
// first argument is an option or a script, so `args: ["-e", "..."]` and `args: ["server.js"]` run too.
// Everything else stays simulated. Pure.

/** The image's repository without registry, tag or digest: `docker.io/library/node:20` → `node`. */
export function imageRepo(image: string): string {
  let name = image.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  for (const prefix of ['docker.io/library/', 'docker.io/', 'library/', 'index.docker.io/library/']) {
    if (name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return name;
}

/** A Node.js image: `node`, `node:<tag>` (any registry prefix of the official image), or listed in `extra` (with or without tag). */
export function isNodeImage(image: string, extra: readonly string[] = []): boolean {
  if (imageRepo(image) === 'node') return true;
  return extra.some((x) => x === image || imageRepo(x) === imageRepo(image) && !x.slice(x.lastIndexOf('/') + 1).includes(':'));
}

const NODE_BINARIES = new Set(['node', 'nodejs']);

/**
 * The arguments after `node` that a container's command/args run, or undefined when they don't run
 * node (or there is nothing to run: no command and no args is the image's REPL, kept simulated).
 */
export function nodeArgs(command: readonly string[] | undefined, args: readonly string[] | undefined): string[] | undefined {
  if (command?.length) {
    const prog = command[0].slice(command[0].lastIndexOf('/') + 1);
    if (!NODE_BINARIES.has(prog)) return undefined;
    return [...command.slice(1), ...(args ?? [])];
  }
  if (!args?.length) return undefined;
  const first = args[0];
  const prog = first.slice(first.lastIndexOf('/') + 1);
  if (NODE_BINARIES.has(prog)) return args.slice(1);
  // docker-entrypoint.sh: `node "$@"` when $1 is an option or not a command (a script file).
  if (first.startsWith('-') || /\.(c|m)?js$/.test(first)) return [...args];
  return undefined;
}

/** Node options that take the next argument as their value. */
const WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file', '--title', '--inspect-port', '--max-old-space-size']);

/**
 * Index of the script in node's arguments (the first operand), or -1 when there is none
 * (`-e`/`-p` code, or only options).
 */
export function scriptIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return i + 1 < args.length ? i + 1 : -1;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a.startsWith('--eval=') || a.startsWith('--print=')) return -1;
    if (a.startsWith('-')) {
      if (WITH_VALUE.has(a)) i++;
      continue;
    }
    return i;
  }
  return -1;
}
