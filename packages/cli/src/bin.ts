#!/usr/bin/env node
import { main } from './main.js';
import { processTerminal } from './output/terminal.js';

const argv = process.argv.slice(2);
const terminal = processTerminal({ color: !argv.includes('--no-color') });
const code = await main(argv, terminal);
await terminal.flush();
// Exit explicitly: a flow module may leave timers or sockets open that would keep the process alive.
process.exit(code);
