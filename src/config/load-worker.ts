/**
 * The worker thread body of `off-thread.ts`: loads one config directory and posts the result back. A thread
 * of its own keeps YAML parsing and validation (seconds for a big hostile file) off the bidder's event loop,
 * and its heap (capped by the parent) is freed when it exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadLimits, loadConfigDir } from './load.js';

const { dir, limits } = workerData as { dir: string; limits: LoadLimits };
const result = await loadConfigDir(dir, limits);
parentPort?.postMessage(result);
