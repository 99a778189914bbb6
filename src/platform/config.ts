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

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? './data',
    demoPassword: env.DEMO_PASSWORD ?? 'homeward-demo',
    trustProxy: env.TRUST_PROXY === 'true',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
