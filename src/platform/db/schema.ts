// Every context's tables, gathered for drizzle-kit and the typed database handle.
export * from '../../organisations/schema.ts';
export * from '../../identity/schema.ts';
export * from '../../patients/schema.ts';
export * from '../../pathway/schema.ts';
export * from '../../audit/schema.ts';
export * from '../../pathway/config-schema.ts';
export * from '../../patients/imd-schema.ts';
export * from '../../prescribing/schema.ts';
export * from '../../visits/schema.ts';
export * from '../../reports/schema.ts';
export * from '../../reports/survey-schema.ts';
