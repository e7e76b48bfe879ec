// The terminal an interactive session (callq work) runs in, and its going away. Closing the
// window, `tmux kill-session` or a dropped ssh connection closes the terminal's master side: the
// kernel sends SIGHUP to the terminal's session leader only (callq when a terminal started it
// directly; otherwise a shell, which passes it on late or not at all), reads see the end of input
// and writes fail with EIO. Whichever comes first tells the session its terminal is gone.
import { closeSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface TerminalStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface TerminalWatch {
  /** The session is over: a live terminal leaves raw mode, and input is no longer read. */
  close(): void;
}

const ignore = () => {};

/**
 * Watches the session's terminal for the rest of the process; `onGone` is called once, when the
 * terminal is first found gone. From then on nothing more is done to it: what the prompts, the
 * screen and the closing message write to its output streams is dropped, and so are changes of
 * its mode; a later SIGHUP is ignored, and the process leaves the terminal as it exits
 * (leaveTerminal). So the session gives the lead back and ends with its own exit code.
 */
export function watchTerminal(streams: TerminalStreams, onGone: () => void): TerminalWatch {
  const { stdin } = streams;
  // A hung-up terminal no longer says it is one: note now which descriptors and streams are it.
  const fds = [0, 1, 2].filter((fd) => isatty(fd));
  const outputs = [streams.stdout, streams.stderr].filter((s) => s.isTTY);
  let gone = false;
  const lost = () => {
    if (gone) return;
    gone = true;
    // The prompts leave raw mode when their input ends: on a dead terminal that fails (EIO), and
    // readline rethrows it where nobody handles it.
    stdin.setRawMode = (() => stdin) as NodeJS.ReadStream['setRawMode'];
    for (const out of outputs) mute(out);
    process.once('exit', (code) => {
      leaveTerminal(fds);
      // Ends the process here rather than after Node's teardown, which first puts SIGHUP back to
      // its default action: the second SIGHUP a closing terminal may send (node-pty does, after
      // closing its side) would then kill the process by the signal, in place of its exit status.
      process.exit(code);
    });
    onGone();
  };
  // A failed write to the terminal is the terminal going away, not output lost: watchStdout would
  // end the process there and then, before the lead is given back.
  for (const out of outputs) out.removeAllListeners('error').on('error', lost);
  stdin.on('end', lost).on('error', lost);
  process.on('SIGHUP', lost);
  return {
    close() {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    },
  };
}

/** From now on, writes to `out` are dropped; errors of writes made before are ignored. */
function mute(out: NodeJS.WriteStream): void {
  out.write = ((_chunk: unknown, encoding?: unknown, done?: unknown) => {
    const callback = typeof encoding === 'function' ? encoding : done;
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  }) as NodeJS.WriteStream['write'];
  out.removeAllListeners('error').on('error', ignore);
}

/**
 * Points the standard descriptors that were the terminal, and no longer answer as one (hung up),
 * at /dev/null. As the process exits, Node puts each one back in the terminal mode it had at
 * start, and Node 20 aborts with an assertion (node::ResetStdio) when that fails, as it does on a
 * hung-up terminal (the check was dropped later: nodejs/node#58200). A terminal still there (a
 * SIGHUP sent by hand) keeps its descriptors: it gets its modes back, and a session leader that
 * let go of it before exiting would see its other side close in turn, and be killed by the
 * SIGHUP that sends. The streams themselves write through descriptors of their own.
 */
function leaveTerminal(fds: number[]): void {
  for (const fd of fds.filter((fd) => !isatty(fd))) {
    try {
      closeSync(fd);
      // The lowest free descriptor: `fd` itself, unless a lower one is closed too.
      const opened = openSync('/dev/null', fd === 0 ? 'r' : 'w');
      if (opened !== fd) closeSync(opened);
    } catch {
      // A descriptor closed, or not reopened, is passed by as well.
    }
  }
}
