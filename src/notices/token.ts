/**
 * The signed notice token moved to `tokens/token.ts` (the auction signs it, notices verify it). This
 * re-export serves the simulator until it imports the new path; delete it then.
 */
export type { NoticeClaims } from '../tokens/token.js';
