/** Runtime configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  demoPassword: string;
  /** Trust X-Forwarded-Proto from a reverse proxy so cookies get Secure behind TLS termination. */
  trustProxy: boolean;
  logLevel: string;
}

/** Reads and checks the environment; a wrong value stops start-up with a message that says what to set. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a whole number from 0 to 65535 (it is "${env.PORT}")`);
  return {
    port,
    // Local by default: the demo accounts share a published password. Set HOST=0.0.0.0 to serve a network.
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? './data',
    demoPassword: env.DEMO_PASSWORD ?? 'homeward-demo',
    trustProxy: env.TRUST_PROXY === 'true',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
