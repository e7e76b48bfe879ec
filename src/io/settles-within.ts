// Waiting on something outside (a database server, a network) for at most a while.

/**
 * Whether `step` settled within `ms`; its failure counts as settled (the caller is giving up
 * either way and only needs to know whether it waited in vain).
 */
export async function settlesWithin(step: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    step.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}
