// `--import` this file (with MODULE_LOG=<file>) to have every @opentelemetry/* module the process
// resolves through the ESM loader appended to that file, one URL a line (hooks.mjs does the writing).
import { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url), { data: { file: process.env.MODULE_LOG } });
