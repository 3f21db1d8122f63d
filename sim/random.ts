/**
 * The simulator's seeded random source: the trainer's mulberry32 (tools/train/synthetic.ts), one
 * implementation for both — fast, 32-bit state, the same sequence for the same seed on every platform, so a
 * scenario with a seed is a reproducible experiment. Not for anything that needs unpredictability.
 */
export { prng } from '../tools/train/synthetic.js';
