/** Redis's CPU seconds so far (used_cpu_sys + used_cpu_user) from an `INFO cpu` answer. */
export function usedCpuSeconds(info: string): number {
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_sys') + field('used_cpu_user');
}
