#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `infernet` works from a checkout
// with no build step. Paths resolve from this file, not the working directory.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
