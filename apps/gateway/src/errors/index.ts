export * from './http-error';
export * from './upload-errors';
export * from './service-errors';
export * from './access-errors';
export * from './dashboard-errors';
export * from './model-admin-errors';
export * from './feedback-errors';
export * from './batch-errors';
