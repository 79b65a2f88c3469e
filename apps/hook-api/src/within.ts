/**
 * `work`, or a rejection naming `source` once `ms` have passed, whichever comes first. The timer is
 * cleared either way, so nothing keeps the process alive after the answer.
 */
export async function within<T>(ms: number, source: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${source} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
