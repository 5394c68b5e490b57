// The list of subcommands: one import per command file.
import type { Command } from 'commander';
import { register as apiserver } from './apiserver.ts';
import { register as up } from './up.ts';
import { register as scheduler } from './scheduler.ts';
import { register as controllerManager } from './controller-manager.ts';
import { register as nodes } from './nodes.ts';
import { register as chaos } from './chaos.ts';
import { register as load } from './load.ts';
import { register as simulate } from './simulate.ts';
import { register as snapshot } from './snapshot.ts';
import { register as record } from './record.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [apiserver, up, scheduler, controllerManager, nodes, chaos, load, simulate, snapshot, record];
