import { pino } from 'pino';

/** Structured logs with patient identifiers and secrets redacted, so logs never become a second patient record. */
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.nhsNumber', '*.givenName', '*.familyName', '*.dateOfBirth'],
      censor: '[redacted]',
    },
  });
}
