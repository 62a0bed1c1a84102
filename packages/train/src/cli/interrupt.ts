/**
 * Ctrl-C during a training loop: the first asks the loop to stop after the current iteration
 * (its checkpoint follows), a second aborts at once (exit 130). `release` removes the handler.
 */
export function stopOnCtrlC(): { shouldStop: () => boolean; release: () => void } {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write(
      '\nmetagrad: stopping after this iteration (checkpoint follows); Ctrl-C again to abort\n',
    );
  };
  process.on('SIGINT', onSigint);
  return { shouldStop: () => stop, release: () => process.off('SIGINT', onSigint) };
}
