// The command line as a table: `tamin --help` lists every command, each command answers
// --help with its usage and every option it takes, and refuses by name what it does not
// take (exit 2, one line on stderr). The commands are read from `tamin --help`, so a new
// command is covered here without a change to this file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, tempDir, cleanupTemp, assertNoSanitizerReport, newDb, dbMade } from './harness.mjs';

after(cleanupTemp);

/** The commands `tamin --help` lists: lines "  tamin NAME   summary". */
function listed(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^ {2}tamin (\S+(?: [a-z][\w-]*)?) {2,}(\S.*)$/);
    if (m) out.push({ name: m[1], summary: m[2] });
  }
  return out;
}

/** The options a usage text names: each --option in its usage lines (before the blank line). */
function usageOptions(text) {
  const head = text.split('\n\n')[0];
  return [...new Set(head.match(/--[a-z][a-z-]*/g) || [])];
}

/** Exit 2, one line on stderr that matches each pattern, no report from a sanitizer. */
function refused(r, what, ...patterns) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.equal(r.status, 2, `${what}: exit ${r.status}; stderr: ${r.stderr}`);
  assertNoSanitizerReport(r.stderr, what);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: want one line on stderr, got:\n${r.stderr}`);
  for (const p of patterns) assert.match(lines[0], p, what);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const help = runCli(['--help']);
const commands = listed(help.stdout);

test('tamin --help lists every command with its summary; -h, help and no command too', () => {
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: tamin COMMAND/);
  const names = commands.map((c) => c.name);
  for (const want of ['serve', 'user add', 'demo', 'list import', 'list batch', 'list export',
    'record close-year', 'pensions increase', 'pensions equalise', 'migrate', 'sweep', 'routes',
    'rules']) {
    assert.ok(names.includes(want), `${want} is not listed:\n${help.stdout}`);
  }
  assert.equal(new Set(names).size, names.length, 'each command once');
  for (const c of commands) assert.ok(c.summary.length > 10, `${c.name} has a summary`);
  for (const args of [['-h'], ['help']]) {
    const r = runCli(args);
    assert.equal(r.status, 0, args[0]);
    assert.equal(r.stdout, help.stdout, `tamin ${args[0]} prints the same`);
  }
  const none = runCli([]);
  assert.equal(none.status, 2);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, help.stdout, 'tamin alone prints the same on stderr');
});

test('tamin COMMAND --help: its usage and every option it takes with a line of help, exit 0', () => {
  assert.ok(commands.length >= 13);
  for (const { name } of commands) {
    const r = runCli([...name.split(' '), '--help']);
    assert.equal(r.status, 0, `tamin ${name} --help: ${r.stderr}`);
    assert.equal(r.stderr, '', `tamin ${name} --help writes nothing on stderr`);
    assertNoSanitizerReport(r.stderr, name);
    if (name === 'rules') continue; // its own sub-commands: the next test
    assert.match(r.stdout, new RegExp(`^usage: tamin ${escape(name)}\\b`), r.stdout);
    const opts = usageOptions(r.stdout);
    for (const o of opts) {
      assert.match(r.stdout, new RegExp(`^ {2}${escape(o)}\\b.* \\S`, 'm'),
        `tamin ${name} --help explains ${o}:\n${r.stdout}`);
    }
    assert.match(r.stdout, /^ {2}--help {2,}\S/m);
    // every command that opens a database says so, and where the reference data comes from
    if (opts.includes('--db')) assert.ok(opts.includes('--data'), `${name} takes --data`);
  }
  // a command that reads data takes --data, as it always did
  for (const name of ['serve', 'user add', 'demo', 'list import', 'list export', 'migrate', 'sweep']) {
    assert.ok(usageOptions(runCli([...name.split(' '), '--help']).stdout).includes('--data'), name);
  }
});

test('tamin rules --help (and help): every sub-command, each with its own --help', () => {
  const r = runCli(['rules', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(runCli(['rules', 'help']).stdout, r.stdout);
  const subs = [...r.stdout.matchAll(/^tamin rules ([a-z]+)/gm)].map((m) => m[1]);
  for (const want of ['check', 'value', 'table', 'contribution', 'list', 'history', 'eligibility',
    'pension', 'increase', 'equalise']) assert.ok(subs.includes(want), `${want}:\n${r.stdout}`);
  for (const s of subs) {
    const h = runCli(['rules', s, '--help']);
    assert.equal(h.status, 0, `rules ${s} --help: ${h.stderr}`);
    assert.match(h.stdout, new RegExp(`^usage: tamin rules ${s}\\b`));
    for (const o of usageOptions(h.stdout)) assert.match(h.stdout, new RegExp(`^ {2}${escape(o)}\\b.* \\S`, 'm'), `rules ${s}: ${o}`);
    refused(runCli(['rules', s, '--frobnicate']), `rules ${s} --frobnicate`,
      new RegExp(`^tamin rules ${s}: unknown option --frobnicate \\(see tamin rules ${s} --help\\)$`));
  }
  refused(runCli(['rules', 'value', 'wage.minimum.daily', '--hard']), 'rules value --hard',
    /tamin rules value: unknown option --hard/);
  refused(runCli(['rules', 'frobnicate']), 'rules frobnicate', /tamin rules: unknown command frobnicate/);
});

test('an unknown option is refused naming the command and the option, before anything is done', () => {
  const dir = tempDir('tamin-cli-');
  const db = newDb(dir, 'x.db');
  for (const { name } of commands) {
    if (name === 'rules') continue;
    const r = runCli([...name.split(' '), '--frobnicate', '1', '--db', db]);
    refused(r, `${name} --frobnicate`,
      new RegExp(`^tamin ${escape(name)}: unknown option --frobnicate \\(see tamin ${escape(name)} --help\\)$`));
  }
  assert.ok(!dbMade(db), 'no database was made');
});

test("another command's option is refused", () => {
  const dir = tempDir('tamin-cli-');
  const db = newDb(dir, 'x.db');
  refused(runCli(['migrate', '--db', db, '--people', '5']), 'migrate --people',
    /^tamin migrate: unknown option --people \(see tamin migrate --help\)$/);
  refused(runCli(['serve', '--db', db, '--out', dir]), 'serve --out', /tamin serve: unknown option --out/);
  refused(runCli(['list', 'export', '--db', db, '--list', '1', '--out', dir, '--threads', '2']),
    'list export --threads', /tamin list export: unknown option --threads/);
  refused(runCli(['sweep', '--db', db, '--web', dir]), 'sweep --web', /tamin sweep: unknown option --web/);
  refused(runCli(['routes', '--db', db]), 'routes --db', /tamin routes: unknown option --db/);
  assert.ok(!dbMade(db), 'no database was made');
});

test('a number out of range is refused naming the option and its range', () => {
  const db = newDb(tempDir('tamin-cli-'), 'x.db');
  refused(runCli(['serve', '--db', db, '--threads', '65']), 'serve --threads 65',
    /^tamin serve: --threads takes a number from 1 to 64, not 65/);
  refused(runCli(['demo', '--db', db, '--people', '0']), 'demo --people 0',
    /--people takes a number from 1 to 50000000, not 0/);
  refused(runCli(['record', 'close-year', '--db', db, '--year', '1200']), 'close-year --year 1200',
    /tamin record close-year: --year takes a number from 1300 to 1500/);
  refused(runCli(['pensions', 'increase', '--db', db, '--apply', '2']), 'pensions --apply 2',
    /--apply takes a number from 0 to 1/);
  refused(runCli(['list', 'export', '--db', db, '--list', 'x', '--out', '.']), 'list export --list x',
    /--list takes a number/);
  refused(runCli(['rules', 'eligibility', 'f', '--birth', '1340/01/01', '--sex', 'male', '--future-hard', '2']),
    'rules --future-hard 2', /tamin rules eligibility: --future-hard takes a number from 0 to 1/);
  assert.ok(!dbMade(db), 'no database was made');
});

test('what a command needs: a missing value, option or file is named', () => {
  refused(runCli(['list', 'export', '--db', 'x.db', '--out', '.']), 'list export without --list',
    /tamin list export: --list ID is required/);
  refused(runCli(['list', 'import', '--db', 'x.db', 'one.dbf']), 'list import with one file',
    /tamin list import: too few arguments: it wants DSKKAR00\.DBF DSKWOR00\.DBF/);
  refused(runCli(['list', 'batch', '--db', 'x.db', 'a', 'b', 'c']), 'list batch with three files',
    /unexpected argument c/);
  refused(runCli(['migrate', '--db']), 'migrate --db', /tamin migrate: --db needs a value/);
  refused(runCli(['migrate', 'extra', '--db', 'x.db']), 'migrate extra', /unexpected argument extra/);
});

test('an unknown command is refused and named', () => {
  refused(runCli(['frobnicate']), 'frobnicate', /^tamin: unknown command: frobnicate \(see tamin --help\)$/);
  refused(runCli(['list', 'frob', '--db', 'x.db']), 'list frob',
    /unknown command: list frob \(see tamin --help: list import, list batch, list export\)/);
  refused(runCli(['user']), 'user', /unknown command: user \(see tamin --help: user add\)/);
  refused(runCli(['--frobnicate']), '--frobnicate', /unknown command: --frobnicate/);
});
