export * from './shutdown';
export * from './signal-ready';
export * from './close-http-server';
export * from './health-thread';
