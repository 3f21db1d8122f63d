/**
 * The process logger (pino, JSON lines on stdout). The bid path never logs per request: bad input is
 * counted in metrics, and only broken invariants and lifecycle events are logged.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'peregrine' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ sync: false }),
  );
}
