// `node --import ./module-trace-register.mjs …` records resolved module URLs (see module-trace-hooks.mjs).
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
