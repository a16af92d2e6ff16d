import { cpus, totalmem, type } from 'node:os';

/** The machine a run came from, printed beside its table: ratios travel, absolute numbers do not. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
}

export function describeMachine(redisVersion: string): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: type(),
    node: process.version,
    redis: redisVersion,
  };
}
