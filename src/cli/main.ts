// The `kubesim` command. Each subcommand lives in src/cli/commands/<name>.ts and registers itself.
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command();
program.name('kubesim').description('A Kubernetes control plane with simulated nodes').showHelpAfterError();
for (const register of commands) register(program);
await program.parseAsync(process.argv);
