// Runs a WASI preview1 command module under node's built-in WASI (node:wasi),
// with the same conventions as `wasmrt run`, for bench/large/bench-large.py.
//
//   node bench/large/run-node.mjs [--dir HOST[::GUEST]]... [--env NAME=VALUE]... FILE.wasm [ARGS...]
//
// stdin, stdout and stderr are the process's own (fds 0-2); preopens follow in
// order (fd 3, 4, ...). The guest's argv[0] is FILE as given. The exit status is
// the guest's exit code; 134 if it trapped (as wasmrt and wasmtime report it);
// 1 if the module could not be loaded; 2 for a usage error.
// Compilation is node's default (V8's Liftoff baseline first, TurboFan tier-up
// in the background), the configuration users compare wasmrt against.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

function usage(message) {
  process.stderr.write(`run-node: ${message}\n` +
    'usage: node run-node.mjs [--dir HOST[::GUEST]]... [--env NAME=VALUE]... FILE.wasm [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
for (; i < argv.length; ++i) {
  const arg = argv[i];
  if (arg === '--') { ++i; break; }
  if (!arg.startsWith('--')) break;
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
  if (value === undefined) usage(`${name} needs a value`);
  if (name === '--dir') {
    const sep = value.indexOf('::');
    const host = sep < 0 ? value : value.slice(0, sep);
    const guest = sep < 0 ? value : value.slice(sep + 2);
    preopens[guest] = host;
  } else if (name === '--env') {
    const at = value.indexOf('=');
    if (at < 0) { if (process.env[value] !== undefined) env[value] = process.env[value]; }
    else env[value.slice(0, at)] = value.slice(at + 1);
  } else {
    usage(`unknown option '${name}'`);
  }
}
if (i >= argv.length) usage('missing module file');
const file = argv[i];
const args = argv.slice(i);

let bytes;
try {
  bytes = await readFile(file);
} catch (error) {
  process.stderr.write(`${file}: cannot read: ${error.message}\n`);
  process.exit(1);
}
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
let instance;
try {
  const module = await WebAssembly.compile(bytes);
  instance = await WebAssembly.instantiate(module, wasi.getImportObject());
} catch (error) {
  process.stderr.write(`${file}: ${error.message}\n`);
  process.exit(1);
}
let status;
try {
  status = instance.exports._start ? wasi.start(instance) : (wasi.initialize(instance), 0);
} catch (error) {
  if (error instanceof WebAssembly.RuntimeError) {
    process.stderr.write(`run-node: trap: ${error.message}\n`);
    process.exit(134);
  }
  throw error;
}
process.exitCode = status & 0xff;
