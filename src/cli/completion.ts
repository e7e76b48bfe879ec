// `callq completion bash|zsh|fish`: completion scripts written from the commander program itself,
// so a new command or flag completes without editing this file. One engine, a set of POSIX sh
// functions answering "what may come next after these words", serves all three shells: bash and
// zsh define the functions directly, fish runs them through sh. Values commander does not know
// (dispositions, reasons, setting keys, report names) come from static lists: the defaults, since
// completion cannot open the team's database.
import type { Argument, Command, Option } from 'commander';
import { DEFAULT_DISPOSITIONS, DEFAULT_REASONS } from '../core/dispositions.js';
import { SETTINGS } from '../core/settings.js';

export type Shell = 'bash' | 'zsh' | 'fish';

/** The marker the engine prints where the shell should complete file names. */
const FILES = '__files__';

const REPORTS = ['funnel', 'reasons', 'reps', 'hours'];

/** Values for an argument, by its name in the program (`<disposition>`), when commander has no choices. */
const ARGUMENT_VALUES: Record<string, string[]> = {
  disposition: DEFAULT_DISPOSITIONS.map((d) => d.name),
  report: REPORTS,
  key: SETTINGS.map((s) => s.key),
  file: [FILES],
};

/** Values for an option, by its long flag, when commander has no choices. */
const OPTION_VALUES: Record<string, string[]> = {
  '--db': [FILES],
  '--out': [FILES],
  '--rejects': [FILES],
  '--backup': [FILES],
  '--reason': [...DEFAULT_REASONS],
  '--kind': ['phone', 'email', 'domain'],
  '--by': ['source', 'campaign', 'list'],
  '--on-duplicate': ['skip', 'update'],
  '--encoding': ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'],
};

interface Node {
  /** Words from `callq` to this command, e.g. 'config set'; '' is the program. */
  path: string;
  children: string[];
  options: Option[];
  args: readonly Argument[];
}

function walk(cmd: Command, path: string, out: Node[]): Node[] {
  const help = cmd.createHelp();
  const children = help.visibleCommands(cmd);
  out.push({ path, children: children.map((c) => c.name()), options: help.visibleOptions(cmd), args: cmd.registeredArguments });
  for (const child of children) if (child.name() !== 'help') walk(child, path ? `${path} ${child.name()}` : child.name(), out);
  return out;
}

const flags = (o: Option) => [o.short, o.long].filter((f): f is string => Boolean(f));
const takesValue = (o: Option) => o.required || o.optional;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const words = (list: readonly string[]) => quote(list.join(' '));

/** The shared engine: POSIX sh functions, valid in bash, zsh (under `emulate sh`) and dash. */
export function engine(program: Command): string {
  const nodes = walk(program, '', []);
  const root = nodes[0];
  const globals = root.options;
  // A subcommand has its own --help; --version belongs to the program alone.
  const inherited = globals.filter((o) => o.long !== '--help' && o.long !== '--version');
  const own = (n: Node) => (n === root ? [] : n.options);
  const topLevel = root.children.filter((c) => c !== 'help');
  const caseOf = (rows: Array<[string, string]>, fallback = '') =>
    rows.map(([pattern, body]) => `    ${pattern}) ${body} ;;`).join('\n') + (fallback ? `\n    *) ${fallback} ;;` : '');

  const children = nodes.filter((n) => n.children.length).map((n): [string, string] => [quote(n.path), `echo ${words(n.children)}`]);
  const options = nodes.map((n): [string, string] => [
    quote(n.path),
    `echo ${words([...(n === root ? globals : [...n.options, ...inherited])].flatMap(flags))}`,
  ]);
  const valued = nodes.flatMap((n) => own(n).filter(takesValue).flatMap((o) => flags(o).map((f) => quote(`${n.path}|${f}`))));
  const globalValued = globals.filter(takesValue).flatMap(flags);
  const valuesOf = (o: Option) => o.argChoices ?? (o.long ? OPTION_VALUES[o.long] : undefined);
  const values = nodes.flatMap((n) =>
    own(n)
      .filter(takesValue)
      .flatMap((o): Array<[string, string]> => (valuesOf(o) ? flags(o).map((f) => [quote(`${n.path}|${f}`), `echo ${words(valuesOf(o)!)}`]) : [])),
  );
  const globalValues = globals.filter((o) => takesValue(o) && valuesOf(o)).map((o): [string, string] => [flags(o).join('|'), `echo ${words(valuesOf(o)!)}`]);
  const argRows = nodes
    .filter((n) => n.args.length)
    .map((n): [string, string] => [quote(n.path), `echo ${words(n.args.map((a) => (a.variadic ? `${a.name()}...` : a.name())))}`]);
  const argValues = new Map<string, string[]>();
  for (const n of nodes) for (const a of n.args) argValues.set(a.name(), a.argChoices ?? ARGUMENT_VALUES[a.name()] ?? []);
  argValues.set('command', [...topLevel, ...helpTopics(program)]);

  return `# What may follow "callq WORDS...": _callq_candidates N WORD1 WORD2 ... prints the words that
# may stand at position N (1 = the first word after callq), separated by spaces; ${FILES} means
# "file names". Generated from callq's command definitions.
_callq_children() {
  case "$1" in
${caseOf(children)}
  esac
}
_callq_options() {
  case "$1" in
${caseOf(options)}
  esac
}
_callq_takes_value() {
  case "$1|$2" in
    ${valued.join('|') || "''"}) return 0 ;;
  esac
  case "$2" in
    ${globalValued.join('|') || "''"}) return 0 ;;
  esac
  return 1
}
_callq_option_values() {
  case "$1|$2" in
${caseOf(values)}
  esac
  case "$2" in
${caseOf(globalValues)}
  esac
}
_callq_arguments() {
  case "$1" in
    help) echo 'command' ;;
${caseOf(argRows)}
  esac
}
_callq_argument_values() {
  case "$1" in
${caseOf([...argValues].filter(([, v]) => v.length).map(([name, list]): [string, string] => [quote(name), `echo ${words(list)}`]))}
  esac
}
_callq_candidates() {
  local _callq_n _callq_path _callq_nargs _callq_pending _callq_i _callq_w _callq_k _callq_last _callq_a
  _callq_n=$1
  shift
  _callq_path=''
  _callq_nargs=0
  _callq_pending=''
  _callq_i=1
  while [ "$_callq_i" -lt "$_callq_n" ] && [ $# -gt 0 ]; do
    _callq_w=$1
    shift
    _callq_i=$((_callq_i + 1))
    if [ -n "$_callq_pending" ]; then
      _callq_pending=''
      continue
    fi
    case "$_callq_w" in
      --*=*) ;;
      -*) if _callq_takes_value "$_callq_path" "$_callq_w"; then _callq_pending=$_callq_w; fi ;;
      *)
        case " $(_callq_children "$_callq_path") " in
          *" $_callq_w "*) if [ "$_callq_nargs" -eq 0 ]; then _callq_path="\${_callq_path:+$_callq_path }$_callq_w"; else _callq_nargs=$((_callq_nargs + 1)); fi ;;
          *) _callq_nargs=$((_callq_nargs + 1)) ;;
        esac
        ;;
    esac
  done
  if [ -n "$_callq_pending" ]; then
    _callq_option_values "$_callq_path" "$_callq_pending"
    return 0
  fi
  case "$1" in
    -*) _callq_options "$_callq_path"; return 0 ;;
  esac
  if [ "$_callq_nargs" -eq 0 ]; then _callq_children "$_callq_path"; fi
  _callq_k=0
  _callq_last=''
  for _callq_a in $(_callq_arguments "$_callq_path"); do
    _callq_last=$_callq_a
    if [ "$_callq_k" -eq "$_callq_nargs" ]; then
      _callq_argument_values "$_callq_a"
      return 0
    fi
    _callq_k=$((_callq_k + 1))
  done
  case "$_callq_last" in
    *...) _callq_argument_values "\${_callq_last%...}" ;;
  esac
  return 0
}
`;
}

function helpTopics(program: Command): string[] {
  return program.commands.filter((c) => !program.createHelp().visibleCommands(program).includes(c)).map((c) => c.name());
}

export function completionScript(shell: Shell, program: Command): string {
  const shared = engine(program);
  switch (shell) {
    case 'bash':
      return `# bash completion for callq. Load it with: source <(callq completion bash)
${shared}
_callq() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" found IFS=$' \\t\\n'
  found=" $(_callq_candidates "$COMP_CWORD" "\${COMP_WORDS[@]:1}") "
  found="\${found//$'\\n'/ }"
  COMPREPLY=()
  if [[ "$found" == *" ${FILES} "* ]]; then
    found="\${found// ${FILES} / }"
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  COMPREPLY+=($(compgen -W "$found" -- "$cur"))
}
complete -o filenames -F _callq callq
`;
    case 'zsh':
      // Works from $fpath (as _callq) and when sourced (cobra's pattern).
      return `#compdef callq
# zsh completion for callq. Install: callq completion zsh > "\${fpath[1]}/_callq", or source <(callq completion zsh)
${shared.replace(/^(_callq_\w+\(\) \{)$/gm, '$1\n  emulate -L sh')}
_callq() {
  local -a found
  found=(\${=$(_callq_candidates $((CURRENT - 1)) "\${(@)words[2,-1]}")})
  if (( \${found[(I)${FILES}]} )); then
    found=(\${found:#${FILES}})
    _files
  fi
  (( \${#found} )) && compadd -- \${found[@]}
}
if [ "$funcstack[1]" = "_callq" ]; then
  _callq "$@"
else
  compdef _callq callq
fi
`;
    case 'fish':
      return `# fish completion for callq. Install: callq completion fish > ~/.config/fish/completions/callq.fish
# The candidates come from the same sh functions bash uses, run through sh.
set -g __callq_engine '${shared.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'
function __callq_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -e tokens[1]
    for word in (sh -c "$__callq_engine"'
_callq_candidates "$@"' sh (count $tokens) $tokens | string split ' ')
        if test "$word" = ${FILES}
            __fish_complete_path (commandline -ct)
        else if test -n "$word"
            echo $word
        end
    end
end
complete -c callq -f -a '(__callq_complete)'
`;
  }
}
